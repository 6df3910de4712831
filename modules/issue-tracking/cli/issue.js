// `sit issue …`: the issue-tracking porcelain. A module script: it runs in SIT's sandbox and reaches
// the repository only through the host functions of `sit` (see docs/module-scripts.md).
//
// This file dispatches to the subcommands, one file each under issue/ (issue/args.js parses their
// options, issue/common.js holds what they share); only the file of the command asked for is loaded.
'use strict';

var common = require('./issue/common');
var UserError = common.UserError;
var pad = common.pad;

// Each command: its name, what it does, its file under issue/, the names of its function and of its
// help text there, and the arguments the function takes after (sit, argv). Only the file of the
// command asked for is loaded.
var COMMANDS = [
  ['new', 'Create an issue and print its id', 'new', 'cmdNew', 'NEW_HELP'],
  ['list', 'List issues matching a query (open ones by default)', 'list', 'cmdList', 'LIST_HELP'],
  ['show', 'Show an issue with its timeline', 'show', 'cmdShow', 'SHOW_HELP'],
  ['comment', 'Comment on an issue, or edit or delete your comment', 'comment', 'cmdComment', 'COMMENT_HELP'],
  ['close', 'Close an issue (with a comment given -m or -F)', 'close', 'cmdState', 'CLOSE_HELP', [true]],
  ['reopen', 'Reopen an issue (with a comment given -m or -F)', 'close', 'cmdState', 'REOPEN_HELP', [false]],
  ['edit', 'Change the summary and/or details of an issue', 'edit', 'cmdEdit', 'EDIT_HELP'],
  [
    'label',
    'Add or remove labels, or show them',
    'label',
    'cmdSet',
    'LABEL_HELP',
    ['label', 'label', 'labels', 'LabelsChanged'],
  ],
  [
    'assign',
    'Add or remove assignees, or show them',
    'label',
    'cmdSet',
    'ASSIGN_HELP',
    ['assign', 'assignee', 'assignees', 'AssigneesChanged'],
  ],
  ['milestone', 'Set, clear or show the milestone', 'milestone', 'cmdMilestone', 'MILESTONE_HELP'],
  ['labels', 'List, define and delete labels', 'labels', 'cmdLabels', 'LABELS_HELP'],
  ['milestones', 'List, define and delete milestones', 'milestones', 'cmdMilestones', 'MILESTONES_HELP'],
  ['filters', 'List the named filters of list --filter', 'filters', 'cmdFilters', 'FILTERS_HELP'],
  ['templates', 'List the issue templates of new --template', 'templates', 'cmdTemplates', 'TEMPLATES_HELP'],
  [
    'where',
    'Show whether an issue is open, closed or absent on every branch and tag',
    'where',
    'cmdWhere',
    'WHERE_HELP',
  ],
];

// The help text of a command.
function helpOf(entry) {
  return require('./issue/' + entry[2])[entry[4]];
}

// Runs a command with the arguments after its name.
function runCommand(entry, sit, argv) {
  var fn = require('./issue/' + entry[2])[entry[3]];
  return fn.apply(null, [sit, argv].concat(entry[5] || []));
}

function command(name) {
  return COMMANDS.filter(function (c) {
    return c[0] === name;
  })[0];
}

function mainHelp() {
  var width = 0;
  COMMANDS.forEach(function (c) {
    width = Math.max(width, c[0].length);
  });
  return (
    'Usage: sit issue <COMMAND> [ARGS...]\n\n' +
    'Issue tracking: create, list, show, comment on, close, reopen, edit, label and assign issues;\n' +
    'define labels and milestones.\n\n' +
    'Commands:\n' +
    COMMANDS.map(function (c) {
      return '  ' + pad(c[0], width + 2) + c[1];
    }).join('\n') +
    '\n\nIssue ids may be abbreviated to any unique prefix. `sit issue COMMAND --help` for details.\n'
  );
}

module.exports = function (sit, args) {
  var argv = args.argv;
  var name = argv[0];
  if (name === undefined || name === '-h' || name === '--help') {
    sit.write(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === 'help') {
    var topic = argv[1] === undefined ? undefined : command(argv[1]);
    sit.write(topic ? helpOf(topic) : mainHelp());
    return 0;
  }
  var entry = command(name);
  if (entry === undefined) {
    sit.eprint(
      'sit issue: unknown command ' +
        JSON.stringify(name) +
        '; commands: ' +
        COMMANDS.map(function (c) {
          return c[0];
        }).join(', '),
    );
    return 1;
  }
  try {
    var status = runCommand(entry, sit, argv.slice(1));
    return typeof status === 'number' ? status : 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    sit.eprint('sit issue ' + name + ': ' + error.message);
    return 1;
  }
};
