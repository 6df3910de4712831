// `sit issue milestones`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var DEFINITIONS_ID = common.DEFINITIONS_ID;
var fail = common.fail;
var sortedJson = common.sortedJson;
var definitions = common.definitions;
var writeDefinition = common.writeDefinition;
var usage = common.usage;
var oneLineValue = common.oneLineValue;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var MILESTONES_HELP =
  'Usage: sit issue milestones [--json]\n' +
  '       sit issue milestones define TITLE [--due YYYY-MM-DD | --no-due] [--description TEXT] [--close | --reopen]\n' +
  '       sit issue milestones delete TITLE\n\n' +
  'List the milestones (defined ones, and any others issues carry) with their progress, define a\n' +
  'milestone or change it, or delete a definition (issues keep the milestone). Definitions are\n' +
  'records of the item ' +
  DEFINITIONS_ID +
  '.\n\n' +
  'Options:\n' +
  '  --due DATE            the due date, YYYY-MM-DD\n' +
  '  --no-due              remove the due date\n' +
  '  --description TEXT    what the milestone is about\n' +
  '  --close, --reopen     mark the milestone done, or not\n' +
  '  --json                print the list as JSON\n' +
  '  -h, --help            this help\n';

function cmdMilestones(sit, argv) {
  var parsed = parseArgs(argv, {
    '--due': { key: 'due', value: true },
    '--no-due': { key: 'noDue' },
    '--description': { key: 'description', value: true },
    '--close': { key: 'close' },
    '--reopen': { key: 'reopen' },
    '--json': { key: 'json' },
  });
  if (parsed.help) return sit.write(MILESTONES_HELP);
  var action = parsed.positionals[0];
  var o = parsed.options;
  var defs = definitions(sit);
  var changes = o.due !== undefined || o.noDue || o.description !== undefined || o.close || o.reopen;
  if (action === 'define' || action === 'delete') {
    if (parsed.positionals.length < 2) fail('give the milestone title (sit issue milestones ' + action + ' TITLE)');
    noMore(parsed.positionals, 2, 'quote a title with spaces');
    var title = oneLineValue('milestone title', parsed.positionals[1]);
    var existing = defs.milestones.filter(function (m) {
      return m.title === title;
    })[0];
    if (action === 'delete') {
      if (changes) fail('delete takes no other options');
      if (!existing) fail('the milestone ' + JSON.stringify(title) + ' is not defined');
      writeDefinition(sit, { files: { title: title }, types: ['MilestoneDeleted'] });
      sit.print('Deleted the definition of the milestone ' + JSON.stringify(title));
      return 0;
    }
    if (o.due !== undefined && o.noDue) fail('give either --due or --no-due, not both');
    if (o.close && o.reopen) fail('give either --close or --reopen, not both');
    var files = { title: title };
    if (o.due !== undefined) {
      var due = String(o.due).trim();
      if (!/^\d{4}-\d\d-\d\d$/.test(due)) fail('--due takes a date as YYYY-MM-DD, got ' + JSON.stringify(o.due));
      files.due = due;
    }
    if (o.noDue) files.due = '';
    if (o.description !== undefined) files.description = String(o.description).trim();
    if (o.close) files.state = 'closed';
    if (o.reopen) files.state = 'open';
    if (existing && !changes)
      fail('give --due, --no-due, --description, --close or --reopen to change the milestone ' + JSON.stringify(title));
    writeDefinition(sit, { files: files, types: ['MilestoneDefined'] });
    sit.print((existing ? 'Changed' : 'Defined') + ' the milestone ' + JSON.stringify(title));
    return 0;
  }
  if (action !== undefined)
    fail('unknown action ' + JSON.stringify(action) + '; use define or delete, or nothing to list the milestones');
  if (changes) fail('--due, --description, --close and --reopen go with define');
  var used = usage(sit, '[state, milestone]');
  var entries = defs.milestones.map(function (m) {
    var c = used.of(m.title);
    return {
      title: m.title,
      due: m.due,
      state: m.state,
      description: m.description,
      defined: true,
      open: c.open,
      closed: c.closed,
    };
  });
  used.names.forEach(function (t) {
    if (
      !defs.milestones.some(function (m) {
        return m.title === t;
      })
    ) {
      var c = used.of(t);
      entries.push({
        title: t,
        due: null,
        state: 'open',
        description: '',
        defined: false,
        open: c.open,
        closed: c.closed,
      });
    }
  });
  if (o.json) {
    sit.print(sortedJson(entries));
    return 0;
  }
  if (entries.length === 0) {
    sit.eprint('No milestones yet. Define one with: sit issue milestones define 1.0 --due 2025-12-31');
    return 0;
  }
  var rows = [
    [
      { text: 'MILESTONE', style: 'dim' },
      { text: 'STATE', style: 'dim' },
      { text: 'DUE', style: 'dim' },
      { text: 'PROGRESS', style: 'dim' },
      { text: 'DESCRIPTION', style: 'dim' },
    ],
  ];
  entries.forEach(function (e) {
    var total = e.open + e.closed;
    var percent = total === 0 ? 0 : Math.floor((e.closed * 100) / total);
    rows.push([
      { text: e.title, style: 'bold' },
      e.state === 'closed' ? { text: 'closed', style: 'magenta' } : { text: 'open', style: 'green' },
      e.due || '-',
      e.closed + '/' + total + ' closed (' + percent + '%)',
      e.defined ? e.description.split('\n')[0] : { text: '(not defined)', style: 'dim' },
    ]);
  });
  sit.table(rows, { align: ['left', 'left', 'left', 'right', 'left'], shrink: 4, page: true });
  return 0;
}

module.exports = {
  MILESTONES_HELP: MILESTONES_HELP,
  cmdMilestones: cmdMilestones,
};
