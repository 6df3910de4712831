// `sit issue label` and `sit issue assign`: subcommands of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var fail = common.fail;
var strings = common.strings;
var lineList = common.lineList;
var checkLabel = common.checkLabel;
var oneIssueId = common.oneIssueId;
var definitions = common.definitions;
var findLabel = common.findLabel;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;

var LABEL_HELP =
  'Usage: sit issue label ID [+LABEL | -LABEL | LABEL]... [--add LABEL] [--remove LABEL]\n\n' +
  'Add (+LABEL or LABEL) and remove (-LABEL) labels, then print the labels. Without changes,\n' +
  'print them. Use --add/--remove for labels that start with + or -, or are -h. Labels are\n' +
  'defined (with a colour and a description) by sit issue labels define.\n\n' +
  'Options:\n' +
  '  --add LABEL           add a label (repeatable)\n' +
  '  --remove LABEL        remove a label (repeatable)\n' +
  '  -h, --help            this help\n';

var ASSIGN_HELP =
  'Usage: sit issue assign ID [+NAME | -NAME | NAME]... [--add NAME] [--remove NAME]\n\n' +
  'Add (+NAME or NAME) and remove (-NAME) assignees, then print the assignees. Without\n' +
  'changes, print them. A name is free text, e.g. "Alice <alice@example.com>".\n\n' +
  'Options:\n' +
  '  --add NAME            add an assignee (repeatable)\n' +
  '  --remove NAME         remove an assignee (repeatable)\n' +
  '  -h, --help            this help\n';

// `label` and `assign`: +X / X adds, -X removes, --add/--remove for anything.
function cmdSet(sit, argv, name, what, key, type) {
  var parsed = parseArgs(
    argv,
    {
      '--add': { key: 'add', value: true, repeat: true },
      '--remove': { key: 'remove', value: true, repeat: true },
    },
    true,
  );
  if (parsed.help) return sit.write(name === 'label' ? LABEL_HELP : ASSIGN_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue ' + name + ' ID ...');
  var add = (parsed.options.add || []).map(function (v) {
    return checkLabel(what, v);
  });
  var remove = (parsed.options.remove || []).map(function (v) {
    return checkLabel(what, v);
  });
  parsed.positionals.slice(1).forEach(function (word) {
    if (word[0] === '-') remove.push(checkLabel(what, word.slice(1)));
    else if (word[0] === '+') add.push(checkLabel(what, word.slice(1)));
    else add.push(checkLabel(what, word));
  });
  add.forEach(function (v) {
    if (remove.indexOf(v) >= 0) fail('the ' + what + ' ' + JSON.stringify(v) + ' is both added and removed');
  });
  var current = strings(sit.item(id)[key]);
  var added = add.filter(function (v, i) {
    return current.indexOf(v) < 0 && add.indexOf(v) === i;
  });
  var removed = remove.filter(function (v, i) {
    return current.indexOf(v) >= 0 && remove.indexOf(v) === i;
  });
  add
    .filter(function (v, i) {
      return current.indexOf(v) >= 0 && add.indexOf(v) === i;
    })
    .forEach(function (v) {
      sit.eprint('Note: ' + id + ' already has the ' + what + ' ' + JSON.stringify(v) + '; nothing to add');
    });
  remove
    .filter(function (v, i) {
      return current.indexOf(v) < 0 && remove.indexOf(v) === i;
    })
    .forEach(function (v) {
      sit.eprint('Note: ' + id + ' has no ' + what + ' ' + JSON.stringify(v) + '; nothing to remove');
    });
  if (what === 'label' && added.length > 0) {
    var defs = definitions(sit);
    if (defs.labels.length > 0) {
      added
        .filter(function (v) {
          return !findLabel(defs, v);
        })
        .forEach(function (v) {
          sit.eprint(
            'Note: the label ' +
              JSON.stringify(v) +
              ' is not defined; define it with: sit issue labels define ' +
              JSON.stringify(v),
          );
        });
    }
  }
  if (added.length > 0 || removed.length > 0) {
    var files = {};
    if (added.length > 0) files.added = lineList(added);
    if (removed.length > 0) files.removed = lineList(removed);
    sit.newRecord(id, { files: files, types: [type] });
    // What the reducer makes of the new record (removed first, then added, sorted): reducing the
    // item again would load the reducers for one line of output.
    current = current
      .filter(function (v) {
        return removed.indexOf(v) < 0;
      })
      .concat(added)
      .sort();
  }
  var title = what === 'label' ? 'Labels' : 'Assignees';
  sit.print(title + ' of ' + id + ': ' + (current.length > 0 ? current.join(', ') : '-'));
  return 0;
}

module.exports = {
  LABEL_HELP: LABEL_HELP,
  ASSIGN_HELP: ASSIGN_HELP,
  cmdSet: cmdSet,
};
