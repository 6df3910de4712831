// `sit issue comment`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var fail = common.fail;
var plural = common.plural;
var tidy = common.tidy;
var str = common.str;
var oneIssueId = common.oneIssueId;
var timelineOf = common.timelineOf;
var parsing = require('./args');
var TEXT_OPTIONS = parsing.TEXT_OPTIONS;
var TEXT_NOTE = parsing.TEXT_NOTE;
var parseArgs = parsing.parseArgs;
var withText = parsing.withText;
var givenText = parsing.givenText;
var noMore = parsing.noMore;

var COMMENT_HELP =
  'Usage: sit issue comment ID [-m TEXT | -F FILE]\n' +
  '       sit issue comment ID --edit N [-m TEXT | -F FILE]\n' +
  '       sit issue comment ID --delete N\n\n' +
  "Comment on an issue, or edit or delete one of your own comments. N is the comment's number as\n" +
  '`sit issue show` prints it, `last` (your latest comment), or a prefix of its record hash.\n' +
  'An edit or a deletion is a new record: the earlier text stays in the history (sit records ID).\n\n' +
  'Options:\n' +
  TEXT_OPTIONS +
  '  --edit N              replace the text of comment N (the editor starts from it)\n' +
  '  --delete N            delete comment N\n' +
  '  -h, --help            this help\n\n' +
  TEXT_NOTE;

// The comment `which` of `issue`: {number, hash, entry}.
function findComment(sit, issue, which) {
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  var events = timelineOf(issue).filter(function (e) {
    return e && e.type === 'comment' && typeof e.comment === 'number' && typeof e.hash === 'string';
  });
  var pick = null;
  if (which === 'last') {
    var me = sit.author();
    for (var i = events.length - 1; i >= 0 && pick === null; i--) {
      var c = comments[events[i].comment];
      if (c && c.authors === me) pick = events[i];
    }
    if (pick === null) fail('you have no comment on ' + issue.id + ' to change');
  } else if (/^\d+$/.test(which)) {
    var n = Number(which);
    pick =
      events.filter(function (e) {
        return e.comment === n - 1;
      })[0] || null;
    if (pick === null)
      fail(
        'issue ' +
          issue.id +
          ' has no comment ' +
          n +
          ' (it has ' +
          plural(comments.length, 'comment') +
          '; see sit issue show)',
      );
  } else {
    var prefix = which.toUpperCase();
    var found = events.filter(function (e) {
      return e.hash.indexOf(prefix) === 0;
    });
    if (found.length !== 1)
      fail(
        found.length === 0
          ? 'no comment of ' + issue.id + ' has a record hash starting with ' + JSON.stringify(which)
          : 'the record hash prefix ' + JSON.stringify(which) + ' is ambiguous; give more characters',
      );
    pick = found[0];
  }
  var entry = comments[pick.comment];
  if (!entry || !('merge_request' in entry))
    fail('comment ' + (pick.comment + 1) + ' of ' + issue.id + ' records a merge; it cannot be changed');
  return { number: pick.comment + 1, hash: pick.hash, entry: entry };
}

function checkOwnComment(sit, issue, comment) {
  var me = sit.author();
  if (me === null)
    fail('no author is configured, so no comment can be yours; set one (git config --global user.name "Your Name")');
  if (comment.entry.authors !== me) {
    fail(
      'comment ' +
        comment.number +
        ' of ' +
        issue.id +
        ' was written by ' +
        (comment.entry.authors || 'someone unknown') +
        ', not by you (' +
        me +
        '); only its author can change it',
    );
  }
}

function cmdComment(sit, argv) {
  var parsed = parseArgs(
    argv,
    withText({ '--edit': { key: 'edit', value: true }, '--delete': { key: 'delete', value: true } }),
  );
  if (parsed.help) return sit.write(COMMENT_HELP);
  var o = parsed.options;
  var id = oneIssueId(sit, parsed.positionals, 'sit issue comment ID');
  noMore(parsed.positionals, 1, 'give the comment with -m');
  if (o.edit !== undefined && o['delete'] !== undefined) fail('give either --edit or --delete, not both');
  if (o['delete'] !== undefined) {
    if (o.message || o.file !== undefined) fail('--delete takes no text');
    var issue = sit.item(id);
    var doomed = findComment(sit, issue, o['delete']);
    checkOwnComment(sit, issue, doomed);
    sit.newRecord(id, { files: { comment: doomed.hash }, types: ['CommentDeleted'] });
    sit.print('Deleted comment ' + doomed.number + ' of ' + id);
    return 0;
  }
  var target = null;
  if (o.edit !== undefined) {
    var current = sit.item(id);
    target = findComment(sit, current, o.edit);
    checkOwnComment(sit, current, target);
  }
  var text = givenText(sit, o);
  if (text === null) {
    text = sit.edit({
      initial: target ? str(target.entry.text).replace(/\s*$/, '\n') : '',
      fileName: 'COMMENT_EDITMSG.md',
      help:
        (target ? 'Edit comment ' + target.number + ' on ' : 'Write your comment on ') +
        id +
        ' (Markdown).\nThese help lines are removed; an empty comment aborts.',
    });
  }
  text = tidy(text);
  if (text === '') fail('the comment is empty; nothing was recorded');
  if (target) {
    if (text === tidy(str(target.entry.text))) {
      sit.print('Nothing changed in comment ' + target.number + ' of ' + id);
      return 0;
    }
    sit.newRecord(id, { files: { comment: target.hash, text: text }, types: ['CommentEdited'] });
    sit.print('Edited comment ' + target.number + ' of ' + id);
    return 0;
  }
  sit.newRecord(id, { files: { text: text }, types: ['Commented'] });
  sit.print('Commented on ' + id);
  return 0;
}

module.exports = {
  COMMENT_HELP: COMMENT_HELP,
  cmdComment: cmdComment,
};
