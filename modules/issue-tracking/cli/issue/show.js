// `sit issue show`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var pad = common.pad;
var sortedJson = common.sortedJson;
var formatTime = common.formatTime;
var indentText = common.indentText;
var personName = common.personName;
var shortId = common.shortId;
var str = common.str;
var strings = common.strings;
var oneIssueId = common.oneIssueId;
var timelineOf = common.timelineOf;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var SHOW_HELP =
  'Usage: sit issue show ID [--mentions] [--json]\n\n' +
  'Show an issue: summary, state, author, labels, assignees, milestone, details, then its timeline\n' +
  '(comments, numbered, and every change with who and when). Paged through $PAGER on a terminal\n' +
  'when longer than the screen. ID may be any unique prefix of the issue id.\n\n' +
  'Options:\n' +
  '  --mentions            also the issues whose text mentions it (#ec4a71bf) and, in a git work\n' +
  '                        tree, the commits whose messages name it (Fixes #ec4a71bf); this reads\n' +
  '                        every issue, so it takes longer in a large tracker\n' +
  '  --json                print the reduced state as JSON\n' +
  '  -h, --help            this help\n';

function field(label, value) {
  return pad(label + ': ', 11) + value;
}

function quotedList(values) {
  return values
    .map(function (v) {
      return JSON.stringify(v);
    })
    .join(', ');
}

// What one timeline event says, after the person's name.
function eventText(event) {
  switch (event.type) {
    case 'closed':
      return 'closed this';
    case 'reopened':
      return 'reopened this';
    case 'summary':
      return 'changed the summary from ' + JSON.stringify(str(event.from)) + ' to ' + JSON.stringify(str(event.to));
    case 'details':
      return event.merge_request ? 'updated the merge request' : 'edited the details';
    case 'labels':
    case 'assignees': {
      var what = event.type === 'labels' ? 'label' : 'assignee';
      var parts = [];
      var added = strings(event.added);
      var removed = strings(event.removed);
      if (added.length > 0) parts.push('added the ' + what + (added.length === 1 ? ' ' : 's ') + quotedList(added));
      if (removed.length > 0)
        parts.push('removed the ' + what + (removed.length === 1 ? ' ' : 's ') + quotedList(removed));
      return parts.join(' and ');
    }
    case 'milestone':
      if (event.to === null || event.to === undefined)
        return 'removed the milestone ' + JSON.stringify(str(event.from));
      return 'set the milestone to ' + JSON.stringify(str(event.to));
    default:
      return null;
  }
}

function showSegments(sit, issue, mentions, commits) {
  var out = [];
  var line = function () {
    for (var i = 0; i < arguments.length; i++) out.push(arguments[i]);
    out.push('\n');
  };
  var list = function (values) {
    return values.length > 0 ? values.join(', ') : '-';
  };
  var closed = issue.state === 'closed';
  line(field('Summary', ''), { text: issue.summary || '-', style: 'bold' });
  line(field('Id', ''), { text: issue.id, style: 'yellow' });
  line(field('State', ''), closed ? { text: 'closed', style: 'magenta' } : { text: 'open', style: 'green' });
  line(field('Author', issue.authors || '-'));
  line(field('Opened', formatTime(issue.timestamp)));
  line(field('Updated', formatTime(issue.last_updated_timestamp)));
  line(field('Labels', list(strings(issue.labels))));
  line(field('Assignees', list(strings(issue.assignees))));
  line(field('Milestone', issue.milestone || '-'));
  var mrs = strings(issue.merge_requests);
  if (mrs.length > 0) line(field('Merge requests', mrs.join(', ')));
  var damaged = typeof sit.damagedRecords === 'function' ? sit.damagedRecords(issue.id) : [];
  if (damaged.length > 0) {
    line(
      field(
        'Damaged',
        damaged.length +
          ' record' +
          (damaged.length === 1 ? '' : 's') +
          ' left out (files do not match the hash; run `sit integrity`): ' +
          damaged.join(', '),
      ),
    );
  }
  line('');
  line(
    typeof issue.details === 'string' && issue.details.trim() !== ''
      ? issue.details.replace(/\s+$/, '')
      : '(no details)',
  );
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  timelineOf(issue).forEach(function (event) {
    if (!event || typeof event !== 'object') return;
    var comment = typeof event.comment === 'number' ? comments[event.comment] : undefined;
    if (event.type === 'comment' && comment) {
      var what = '';
      if (comment.merge_request_report === 'success') what = ', merge request verified';
      else if (comment.merge_request_report === 'failure') what = ', merge request verification failed';
      else if (comment.merge_request) what = ', with merge request ' + comment.merge_request;
      line('');
      line(
        { text: 'Comment ' + (event.comment + 1), style: 'bold' },
        ' by ',
        { text: comment.authors || 'unknown', style: 'bold' },
        ', ',
        { time: comment.timestamp },
        what,
        event.edited ? [' (edited ', { time: event.edited }, ')'] : '',
        ':',
      );
      line(indentText(typeof comment.text === 'string' ? comment.text : '', '    '));
      return;
    }
    if (event.type === 'merged' && comment) {
      line('');
      line(
        { text: '• ', style: 'dim' },
        { text: personName(comment.authors), style: 'bold' },
        ' merged ' + str(comment.text).replace(/^Merged\s*/, '') + ' ',
        { time: comment.timestamp },
      );
      return;
    }
    if (event.type === 'comment_deleted') {
      line('');
      line({ text: '• ', style: 'dim' }, { text: personName(event.authors), style: 'bold' }, ' deleted a comment ', {
        time: event.deleted,
      });
      return;
    }
    var text = eventText(event);
    if (text === null || text === '') return;
    line('');
    line({ text: '• ', style: 'dim' }, { text: personName(event.authors), style: 'bold' }, ' ' + text + ' ', {
      time: event.timestamp,
    });
  });
  if (mentions.length > 0) {
    line('');
    line({ text: 'Mentioned in:', style: 'bold' });
    mentions.forEach(function (m) {
      line(
        '    ',
        { text: '#' + shortId(m.id), style: 'yellow' },
        ' ' + (m.summary || '(no summary)') + ' (' + m.state + '), by ' + personName(m.authors) + ', ',
        { time: m.timestamp },
      );
    });
  }
  if (commits.length > 0) {
    line('');
    line({ text: 'Commits:', style: 'bold' });
    commits.forEach(function (c) {
      line(
        '    ',
        { text: c.hash.slice(0, 10), style: 'yellow' },
        ' ' + c.subject + ' (' + personName(c.author) + ', ',
        { time: c.date },
        ')' + (c.fixes ? ' fixes it' : ''),
      );
    });
  }
  return out;
}

function cmdShow(sit, argv) {
  var parsed = parseArgs(argv, { '--json': { key: 'json' }, '--mentions': { key: 'mentions' } });
  if (parsed.help) return sit.write(SHOW_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue show ID');
  noMore(parsed.positionals, 1);
  var issue = sit.item(id);
  if (parsed.options.json) {
    sit.print(sortedJson(issue));
    return 0;
  }
  var mentions = parsed.options.mentions ? sit.mentions(id) : [];
  var commits = parsed.options.mentions ? sit.commits(id).commits : [];
  sit.page(showSegments(sit, issue, mentions, commits));
  return 0;
}

module.exports = {
  SHOW_HELP: SHOW_HELP,
  cmdShow: cmdShow,
};
