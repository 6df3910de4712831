// `sit issue filters`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var sortedJson = common.sortedJson;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var FILTERS_HELP =
  'Usage: sit issue filters [--json]\n\n' +
  "List the named filters `sit issue list --filter NAME` and the web UI's Filters menu offer:\n" +
  "built-in ones (mine and created use your configured name), then the repository's\n" +
  '(.sit/config.json: {"issue-tracking": {"filters": {"NAME": "QUERY"}}}), then yours (the user\n' +
  'configuration\'s {"issues": {"filters": {"NAME": "QUERY"}}}); a later one replaces a name.\n\n' +
  'Options:\n' +
  '  --json                print the filters as JSON\n' +
  '  -h, --help            this help\n';

function cmdFilters(sit, argv) {
  var parsed = parseArgs(argv, { '--json': { key: 'json' } });
  if (parsed.help) return sit.write(FILTERS_HELP);
  noMore(parsed.positionals, 0);
  var filters = sit.filters();
  if (parsed.options.json) {
    sit.print(sortedJson(filters));
    return 0;
  }
  var rows = [
    [
      { text: 'NAME', style: 'dim' },
      { text: 'QUERY', style: 'dim' },
      { text: 'FROM', style: 'dim' },
    ],
  ];
  filters.forEach(function (f) {
    rows.push([{ text: f.name, style: 'bold' }, f.query, { text: f.source, style: 'dim' }]);
  });
  sit.table(rows, { shrink: 1 });
  return 0;
}

module.exports = {
  FILTERS_HELP: FILTERS_HELP,
  cmdFilters: cmdFilters,
};
