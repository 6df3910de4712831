// `sit issue …`: the issue-tracking porcelain. A module script: it runs in SIT's sandbox and reaches
// the repository only through the host functions of `sit` (see docs/module-scripts.md).
//
// This file dispatches to the subcommands, one file each under issue/ (issue/args.js parses their
// options, issue/common.js holds what they share).
'use strict';

var common = require('./issue/common');
var UserError = common.UserError;
var pad = common.pad;
var closeCommand = require('./issue/close');
var CLOSE_HELP = closeCommand.CLOSE_HELP;
var REOPEN_HELP = closeCommand.REOPEN_HELP;
var cmdState = closeCommand.cmdState;
var commentCommand = require('./issue/comment');
var COMMENT_HELP = commentCommand.COMMENT_HELP;
var cmdComment = commentCommand.cmdComment;
var editCommand = require('./issue/edit');
var EDIT_HELP = editCommand.EDIT_HELP;
var cmdEdit = editCommand.cmdEdit;
var filtersCommand = require('./issue/filters');
var FILTERS_HELP = filtersCommand.FILTERS_HELP;
var cmdFilters = filtersCommand.cmdFilters;
var labelCommand = require('./issue/label');
var LABEL_HELP = labelCommand.LABEL_HELP;
var ASSIGN_HELP = labelCommand.ASSIGN_HELP;
var cmdSet = labelCommand.cmdSet;
var labelsCommand = require('./issue/labels');
var LABELS_HELP = labelsCommand.LABELS_HELP;
var cmdLabels = labelsCommand.cmdLabels;
var listCommand = require('./issue/list');
var LIST_HELP = listCommand.LIST_HELP;
var cmdList = listCommand.cmdList;
var milestoneCommand = require('./issue/milestone');
var MILESTONE_HELP = milestoneCommand.MILESTONE_HELP;
var cmdMilestone = milestoneCommand.cmdMilestone;
var milestonesCommand = require('./issue/milestones');
var MILESTONES_HELP = milestonesCommand.MILESTONES_HELP;
var cmdMilestones = milestonesCommand.cmdMilestones;
var newCommand = require('./issue/new');
var NEW_HELP = newCommand.NEW_HELP;
var cmdNew = newCommand.cmdNew;
var showCommand = require('./issue/show');
var SHOW_HELP = showCommand.SHOW_HELP;
var cmdShow = showCommand.cmdShow;
var templatesCommand = require('./issue/templates');
var TEMPLATES_HELP = templatesCommand.TEMPLATES_HELP;
var cmdTemplates = templatesCommand.cmdTemplates;
var whereCommand = require('./issue/where');
var WHERE_HELP = whereCommand.WHERE_HELP;
var cmdWhere = whereCommand.cmdWhere;

var COMMANDS = [
  ['new', 'Create an issue and print its id', cmdNew, NEW_HELP],
  ['list', 'List issues matching a query (open ones by default)', cmdList, LIST_HELP],
  ['show', 'Show an issue with its timeline', cmdShow, SHOW_HELP],
  ['comment', 'Comment on an issue, or edit or delete your comment', cmdComment, COMMENT_HELP],
  ['close', 'Close an issue (with a comment given -m or -F)', function (sit, argv) { return cmdState(sit, argv, true); }, CLOSE_HELP],
  ['reopen', 'Reopen an issue (with a comment given -m or -F)', function (sit, argv) { return cmdState(sit, argv, false); }, REOPEN_HELP],
  ['edit', 'Change the summary and/or details of an issue', cmdEdit, EDIT_HELP],
  ['label', 'Add or remove labels, or show them', function (sit, argv) { return cmdSet(sit, argv, 'label', 'label', 'labels', 'LabelsChanged'); }, LABEL_HELP],
  ['assign', 'Add or remove assignees, or show them', function (sit, argv) { return cmdSet(sit, argv, 'assign', 'assignee', 'assignees', 'AssigneesChanged'); }, ASSIGN_HELP],
  ['milestone', 'Set, clear or show the milestone', cmdMilestone, MILESTONE_HELP],
  ['labels', 'List, define and delete labels', cmdLabels, LABELS_HELP],
  ['milestones', 'List, define and delete milestones', cmdMilestones, MILESTONES_HELP],
  ['filters', 'List the named filters of list --filter', cmdFilters, FILTERS_HELP],
  ['templates', 'List the issue templates of new --template', cmdTemplates, TEMPLATES_HELP],
  ['where', 'Show whether an issue is open, closed or absent on every branch and tag', cmdWhere, WHERE_HELP],
];

function command(name) {
  return COMMANDS.filter(function (c) { return c[0] === name; })[0];
}

function mainHelp() {
  var width = 0;
  COMMANDS.forEach(function (c) { width = Math.max(width, c[0].length); });
  return (
    'Usage: sit issue <COMMAND> [ARGS...]\n\n' +
    'Issue tracking: create, list, show, comment on, close, reopen, edit, label and assign issues;\n' +
    'define labels and milestones.\n\n' +
    'Commands:\n' +
    COMMANDS.map(function (c) { return '  ' + pad(c[0], width + 2) + c[1]; }).join('\n') +
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
    sit.write(topic ? topic[3] : mainHelp());
    return 0;
  }
  var entry = command(name);
  if (entry === undefined) {
    sit.eprint('sit issue: unknown command ' + JSON.stringify(name) + '; commands: ' + COMMANDS.map(function (c) { return c[0]; }).join(', '));
    return 1;
  }
  try {
    var status = entry[2](sit, argv.slice(1));
    return typeof status === 'number' ? status : 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    sit.eprint('sit issue ' + name + ': ' + error.message);
    return 1;
  }
};
