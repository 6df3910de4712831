// `sit issue new`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var fail = common.fail;
var lineList = common.lineList;
var checkLabel = common.checkLabel;
var parsing = require('./args');
var TEXT_OPTIONS = parsing.TEXT_OPTIONS;
var TEXT_NOTE = parsing.TEXT_NOTE;
var parseArgs = parsing.parseArgs;
var withText = parsing.withText;
var issueText = parsing.issueText;

var NEW_HELP =
  'Usage: sit issue new [--summary TEXT] [--details TEXT] [-m TEXT | -F FILE] [options]\n\n' +
  'Create an issue and print its id. Nothing is recorded unless the whole issue is.\n\n' +
  'Options:\n' +
  '  --summary TEXT        the summary (one line)\n' +
  '  --details TEXT        the details (Markdown)\n' +
  TEXT_OPTIONS +
  '  -t, --template NAME   start from the template .sit/templates/NAME.md (see sit issue templates)\n' +
  '  -l, --label LABEL     add a label (repeatable)\n' +
  '  -a, --assignee NAME   add an assignee (repeatable)\n' +
  '  --milestone NAME      set the milestone\n' +
  '  -h, --help            this help\n\n' +
  'With -m, -F or the editor, the first line is the summary and the rest the details.\n' +
  TEXT_NOTE;

function findTemplate(sit, name) {
  var templates = sit.templates();
  var found = templates.filter(function (t) {
    return t.name === name;
  })[0];
  if (found) return found;
  fail(
    'no template ' +
      JSON.stringify(name) +
      (templates.length === 0
        ? '; this repository has none (add .sit/templates/NAME.md)'
        : '; templates: ' +
          templates
            .map(function (t) {
              return t.name;
            })
            .join(', ')),
  );
}

function cmdNew(sit, argv) {
  var parsed = parseArgs(
    argv,
    withText({
      '--summary': { key: 'summary', value: true },
      '--details': { key: 'details', value: true },
      '-t': { key: 'template', value: true },
      '--template': { key: 'template', value: true },
      '-l': { key: 'label', value: true, repeat: true },
      '--label': { key: 'label', value: true, repeat: true },
      '-a': { key: 'assignee', value: true, repeat: true },
      '--assignee': { key: 'assignee', value: true, repeat: true },
      '--milestone': { key: 'milestone', value: true },
    }),
  );
  if (parsed.help) return sit.write(NEW_HELP);
  var o = parsed.options;
  if (parsed.positionals.length > 0)
    fail(
      'unexpected argument ' +
        JSON.stringify(parsed.positionals[0]) +
        '; quote the summary and give it with --summary or -m',
    );
  var template = o.template === undefined ? null : findTemplate(sit, o.template);
  var base = { summary: template ? template.summary : '', details: template ? template.body : '' };
  var initial = template ? template.summary + '\n\n' + template.body + '\n' : '';
  var text = issueText(sit, o, base, { verb: 'Write', initial: initial });
  // A one-line message keeps the template's body as the details.
  if (template && text.details === '' && o.details === undefined) text.details = template.body;
  var labels = (o.label || []).map(function (l) {
    return checkLabel('label', l);
  });
  var assignees = (o.assignee || []).map(function (a) {
    return checkLabel('assignee', a);
  });
  if (template) {
    template.labels.forEach(function (l) {
      if (labels.indexOf(l) < 0) labels.push(l);
    });
    template.assignees.forEach(function (a) {
      if (assignees.indexOf(a) < 0) assignees.push(a);
    });
  }
  var milestone =
    o.milestone !== undefined
      ? checkLabel('milestone', o.milestone)
      : template && template.milestone
        ? template.milestone
        : null;
  var records = [
    { files: { text: text.summary }, types: ['SummaryChanged'] },
    { files: { text: text.details }, types: ['DetailsChanged'] },
  ];
  if (labels.length > 0) records.push({ files: { added: lineList(labels) }, types: ['LabelsChanged'] });
  if (assignees.length > 0) records.push({ files: { added: lineList(assignees) }, types: ['AssigneesChanged'] });
  if (milestone !== null) records.push({ files: { milestone: milestone + '\n' }, types: ['MilestoneChanged'] });
  sit.print(sit.newItem(records));
  return 0;
}

module.exports = {
  NEW_HELP: NEW_HELP,
  cmdNew: cmdNew,
};
