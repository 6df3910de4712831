// `sit issue labels`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var DEFINITIONS_ID = common.DEFINITIONS_ID;
var LABEL_PALETTE = common.LABEL_PALETTE;
var fail = common.fail;
var compareStrings = common.compareStrings;
var sortedJson = common.sortedJson;
var definitions = common.definitions;
var writeDefinition = common.writeDefinition;
var labelSegments = common.labelSegments;
var usage = common.usage;
var oneLineValue = common.oneLineValue;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var LABELS_HELP =
  'Usage: sit issue labels [--json]\n' +
  '       sit issue labels define NAME [--color COLOR] [--description TEXT]\n' +
  '       sit issue labels delete NAME\n\n' +
  'List the labels (defined ones, and any others issues carry) with their open and closed issues,\n' +
  'define a label or change its colour or description, or delete a definition (issues keep the\n' +
  'label). Definitions are records of the item ' +
  DEFINITIONS_ID +
  ', shared like any other.\n\n' +
  'Options:\n' +
  '  --color COLOR         #rrggbb or #rgb (a new label without one gets a free palette colour)\n' +
  '  --description TEXT    one line saying what the label means\n' +
  '  --json                print the list as JSON\n' +
  '  -h, --help            this help\n';

function parseColor(text) {
  var t = String(text).trim().toLowerCase().replace(/^#?/, '#');
  if (/^#[0-9a-f]{3}$/.test(t)) return '#' + t[1] + t[1] + t[2] + t[2] + t[3] + t[3];
  if (/^#[0-9a-f]{6}$/.test(t)) return t;
  fail('--color takes #rrggbb or #rgb, got ' + JSON.stringify(text));
}

function cmdLabels(sit, argv) {
  var parsed = parseArgs(argv, {
    '--color': { key: 'color', value: true },
    '--colour': { key: 'color', value: true },
    '--description': { key: 'description', value: true },
    '--json': { key: 'json' },
  });
  if (parsed.help) return sit.write(LABELS_HELP);
  var action = parsed.positionals[0];
  var o = parsed.options;
  var defs = definitions(sit);
  if (action === 'define' || action === 'delete') {
    if (parsed.positionals.length < 2) fail('give the label name (sit issue labels ' + action + ' NAME)');
    noMore(parsed.positionals, 2, 'quote a name with spaces');
    var name = oneLineValue('label name', parsed.positionals[1]);
    var existing = defs.labels.filter(function (l) {
      return l.name === name;
    })[0];
    if (action === 'delete') {
      if (o.color !== undefined || o.description !== undefined) fail('delete takes no --color or --description');
      if (!existing) fail('the label ' + JSON.stringify(name) + ' is not defined');
      writeDefinition(sit, { files: { name: name }, types: ['LabelDeleted'] });
      sit.print('Deleted the definition of the label ' + JSON.stringify(name));
      return 0;
    }
    var files = { name: name };
    if (o.color !== undefined) files.color = parseColor(o.color);
    else if (!existing || !existing.color) {
      var used = defs.labels.map(function (l) {
        return l.color;
      });
      files.color =
        LABEL_PALETTE.filter(function (c) {
          return used.indexOf(c) < 0;
        })[0] || LABEL_PALETTE[defs.labels.length % LABEL_PALETTE.length];
    }
    if (o.description !== undefined) {
      var description = String(o.description).trim();
      if (/[\r\n]/.test(description)) fail('the description must be one line');
      files.description = description;
    }
    if (existing && files.color === undefined && files.description === undefined)
      fail('give --color or --description to change the label ' + JSON.stringify(name));
    writeDefinition(sit, { files: files, types: ['LabelDefined'] });
    sit.print((existing ? 'Changed' : 'Defined') + ' the label ' + JSON.stringify(name));
    return 0;
  }
  if (action !== undefined)
    fail('unknown action ' + JSON.stringify(action) + '; use define or delete, or nothing to list the labels');
  if (o.color !== undefined || o.description !== undefined) fail('--color and --description go with define');
  var used2 = usage(sit, '[state, labels]');
  var names = defs.labels.map(function (l) {
    return l.name;
  });
  used2.names.forEach(function (n) {
    if (names.indexOf(n) < 0) names.push(n);
  });
  names.sort(compareStrings);
  var entries = names.map(function (n) {
    var def = defs.labels.filter(function (l) {
      return l.name === n;
    })[0];
    var c = used2.of(n);
    return {
      name: n,
      color: def ? def.color : null,
      description: def ? def.description : '',
      defined: !!def,
      open: c.open,
      closed: c.closed,
    };
  });
  if (o.json) {
    sit.print(sortedJson(entries));
    return 0;
  }
  if (entries.length === 0) {
    sit.eprint(
      'No labels yet. Define one with: sit issue labels define bug --color "#d73a4a" --description "Something is not working"',
    );
    return 0;
  }
  var rows = [
    [
      { text: 'LABEL', style: 'dim' },
      { text: 'OPEN', style: 'dim' },
      { text: 'CLOSED', style: 'dim' },
      { text: 'DESCRIPTION', style: 'dim' },
    ],
  ];
  entries.forEach(function (e) {
    rows.push([
      labelSegments([e.name], defs),
      String(e.open),
      String(e.closed),
      e.defined ? e.description : { text: '(not defined)', style: 'dim' },
    ]);
  });
  sit.table(rows, { align: ['left', 'right', 'right', 'left'], shrink: 3, page: true });
  return 0;
}

module.exports = {
  LABELS_HELP: LABELS_HELP,
  cmdLabels: cmdLabels,
};
