// `sit issue close` and `sit issue reopen`: subcommands of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var fail = common.fail;
var tidy = common.tidy;
var oneIssueId = common.oneIssueId;
var parsing = require('./args');
var TEXT_OPTIONS = parsing.TEXT_OPTIONS;
var parseArgs = parsing.parseArgs;
var withText = parsing.withText;
var givenText = parsing.givenText;
var noMore = parsing.noMore;

var CLOSE_HELP =
  'Usage: sit issue close ID [-m TEXT | -F FILE]\n\n' +
  'Close an issue; with -m or -F, comment and close in one record.\n\n' +
  'Options:\n' +
  TEXT_OPTIONS +
  '  -h, --help            this help\n';

var REOPEN_HELP =
  'Usage: sit issue reopen ID [-m TEXT | -F FILE]\n\n' +
  'Reopen an issue; with -m or -F, comment and reopen in one record.\n\n' +
  'Options:\n' +
  TEXT_OPTIONS +
  '  -h, --help            this help\n';

function cmdState(sit, argv, closing) {
  var name = closing ? 'close' : 'reopen';
  var parsed = parseArgs(argv, withText({}));
  if (parsed.help) return sit.write(closing ? CLOSE_HELP : REOPEN_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue ' + name + ' ID');
  noMore(parsed.positionals, 1, 'give a comment with -m');
  var text = givenText(sit, parsed.options);
  if (text !== null) {
    text = tidy(text);
    if (text === '') fail('the comment is empty; nothing was recorded');
  }
  var already = (sit.item(id).state === 'closed') === closing;
  var types = text === null ? [] : ['Commented'];
  if (!already) types.push(closing ? 'Closed' : 'Reopened');
  if (types.length === 0) {
    sit.print('Issue ' + id + ' is already ' + (closing ? 'closed' : 'open') + '; nothing was recorded');
    return 0;
  }
  sit.newRecord(id, { files: text === null ? {} : { text: text }, types: types });
  if (already) sit.print('Commented on ' + id + ' (already ' + (closing ? 'closed' : 'open') + ')');
  else sit.print((closing ? 'Closed ' : 'Reopened ') + id);
  return 0;
}

module.exports = {
  CLOSE_HELP: CLOSE_HELP,
  REOPEN_HELP: REOPEN_HELP,
  cmdState: cmdState,
};
