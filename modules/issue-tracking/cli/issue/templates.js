// `sit issue templates`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var sortedJson = common.sortedJson;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var TEMPLATES_HELP =
  'Usage: sit issue templates [--json]\n\n' +
  'List the issue templates of this repository: Markdown files in .sit/templates/, offered by\n' +
  "`sit issue new --template NAME` and on the web UI's new-issue page. A template may start with\n" +
  'a front matter block (name, about, title, labels, assignees, milestone) between --- lines.\n\n' +
  'Options:\n' +
  '  --json                print the templates as JSON\n' +
  '  -h, --help            this help\n';

function cmdTemplates(sit, argv) {
  var parsed = parseArgs(argv, { '--json': { key: 'json' } });
  if (parsed.help) return sit.write(TEMPLATES_HELP);
  noMore(parsed.positionals, 0);
  var templates = sit.templates();
  if (parsed.options.json) {
    sit.print(sortedJson(templates));
    return 0;
  }
  if (templates.length === 0) {
    sit.eprint('No templates. Add Markdown files to .sit/templates/, e.g. .sit/templates/bug.md');
    return 0;
  }
  var rows = [
    [
      { text: 'NAME', style: 'dim' },
      { text: 'TITLE', style: 'dim' },
      { text: 'ABOUT', style: 'dim' },
    ],
  ];
  templates.forEach(function (t) {
    rows.push([{ text: t.name, style: 'bold' }, t.title, t.about]);
  });
  sit.table(rows, { shrink: 2 });
  return 0;
}

module.exports = {
  TEMPLATES_HELP: TEMPLATES_HELP,
  cmdTemplates: cmdTemplates,
};
