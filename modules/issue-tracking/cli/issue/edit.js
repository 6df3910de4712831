// `sit issue edit`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var str = common.str;
var oneIssueId = common.oneIssueId;
var parsing = require('./args');
var TEXT_OPTIONS = parsing.TEXT_OPTIONS;
var parseArgs = parsing.parseArgs;
var withText = parsing.withText;
var noMore = parsing.noMore;
var issueText = parsing.issueText;

var EDIT_HELP =
  'Usage: sit issue edit ID [--summary TEXT] [--details TEXT] [-m TEXT | -F FILE]\n\n' +
  'Change the summary and/or the details of an issue. Only what changed is recorded.\n\n' +
  'Options:\n' +
  '  --summary TEXT        the new summary\n' +
  '  --details TEXT        the new details\n' +
  TEXT_OPTIONS +
  '  -h, --help            this help\n\n' +
  'With -m, -F or the editor (which starts from the current text), the first line is the\n' +
  'summary and the rest the details.\n';

function cmdEdit(sit, argv) {
  var parsed = parseArgs(
    argv,
    withText({
      '--summary': { key: 'summary', value: true },
      '--details': { key: 'details', value: true },
    }),
  );
  if (parsed.help) return sit.write(EDIT_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue edit ID');
  noMore(parsed.positionals, 1);
  var o = parsed.options;
  var issue = sit.item(id);
  var oldSummary = str(issue.summary);
  var oldDetails = str(issue.details);
  var text = issueText(
    sit,
    o,
    { summary: oldSummary, details: oldDetails },
    {
      verb: 'Edit',
      initial: oldSummary + '\n\n' + oldDetails + '\n',
    },
  );
  var changed = [];
  if (text.summary !== oldSummary) {
    sit.newRecord(id, { files: { text: text.summary }, types: ['SummaryChanged'] });
    changed.push('summary');
  }
  if (text.details !== oldDetails) {
    sit.newRecord(id, { files: { text: text.details }, types: ['DetailsChanged'] });
    changed.push('details');
  }
  sit.print(changed.length === 0 ? 'Nothing changed in ' + id : 'Changed the ' + changed.join(' and ') + ' of ' + id);
  return 0;
}

module.exports = {
  EDIT_HELP: EDIT_HELP,
  cmdEdit: cmdEdit,
};
