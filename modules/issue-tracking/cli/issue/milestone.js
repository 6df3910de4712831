// `sit issue milestone`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var fail = common.fail;
var checkLabel = common.checkLabel;
var oneIssueId = common.oneIssueId;
var definitions = common.definitions;
var findMilestone = common.findMilestone;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var MILESTONE_HELP =
  'Usage: sit issue milestone ID [NAME | --clear]\n\n' +
  'Set the milestone to NAME, or clear it; without either, print it. Milestones are defined\n' +
  '(with a due date and a description) by sit issue milestones define.\n\n' +
  'Options:\n' +
  '  --clear               remove the milestone\n' +
  '  -h, --help            this help\n';

function cmdMilestone(sit, argv) {
  var parsed = parseArgs(argv, { '--clear': { key: 'clear' } });
  if (parsed.help) return sit.write(MILESTONE_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue milestone ID [NAME]');
  noMore(parsed.positionals, 2, 'quote a milestone with spaces');
  var name = parsed.positionals[1];
  if (name !== undefined && parsed.options.clear) fail('give either a milestone or --clear, not both');
  var current = sit.item(id).milestone || null;
  if (parsed.options.clear && current !== null) {
    sit.newRecord(id, { files: { milestone: '' }, types: ['MilestoneChanged'] });
    current = null;
  } else if (name !== undefined) {
    var value = checkLabel('milestone', name);
    if (value !== current) {
      var defs = definitions(sit);
      if (defs.milestones.length > 0 && !findMilestone(defs, value)) {
        sit.eprint(
          'Note: the milestone ' +
            JSON.stringify(value) +
            ' is not defined; define it with: sit issue milestones define ' +
            JSON.stringify(value),
        );
      }
      sit.newRecord(id, { files: { milestone: value + '\n' }, types: ['MilestoneChanged'] });
      current = value;
    }
  }
  sit.print('Milestone of ' + id + ': ' + (current === null ? '-' : current));
  return 0;
}

module.exports = {
  MILESTONE_HELP: MILESTONE_HELP,
  cmdMilestone: cmdMilestone,
};
