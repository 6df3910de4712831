// `sit issue list`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var DEFINITIONS_ID = common.DEFINITIONS_ID;
var DEFAULT_ONELINER = common.DEFAULT_ONELINER;
var fail = common.fail;
var plural = common.plural;
var sortedJson = common.sortedJson;
var formatResult = common.formatResult;
var shortId = common.shortId;
var str = common.str;
var strings = common.strings;
var definitions = common.definitions;
var labelSegments = common.labelSegments;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;

var LIST_HELP =
  'Usage: sit issue list [options] [QUERY...]\n\n' +
  'List issues that match the query. On a terminal: state, short id, summary, labels, comments and\n' +
  'age in columns, paged through $PAGER when longer than the screen. Elsewhere one line each\n' +
  "(`id | summary`, or the repository's 'issue-tracking'.cli.oneliner, a JMESPath expression).\n" +
  'Without is: only open issues are listed (is:closed, is:all or --all for others).\n\n' +
  'The arguments are joined into one query, exactly as the web search box reads it:\n' +
  '  is:open, is:closed, is:all   the state\n' +
  '  label:NAME                   has the label; no:label has none\n' +
  '  author:TEXT                  the author contains TEXT\n' +
  '  assignee:TEXT                an assignee contains TEXT; no:assignee has none\n' +
  '  milestone:NAME               the milestone; no:milestone has none\n' +
  '  sort:created|updated|comments[-asc|-desc]   the order (default sort:created-desc)\n' +
  '  WORD, "a phrase", #ID        full text in summary, details and comments; an id prefix\n' +
  'A leading - negates a term (-label:wontfix). Quote phrases for the shell: \'"empty repository"\'.\n\n' +
  'Options:\n' +
  '  --all                 open and closed issues unless the query has is:\n' +
  '  -f, --filter NAME     a named filter (see sit issue filters), narrowed by the query\n' +
  '  --jmespath EXPR       keep only issues for which EXPR is true\n' +
  '  --limit N             list at most N issues\n' +
  '  --format TEMPLATE     one line per issue: text with {{EXPR}} placeholders (JMESPath), e.g.\n' +
  "                        '{{id}}\\t{{state}}\\t{{summary}}' (\\t and \\n are tab and newline);\n" +
  '                        without {{ }} the whole value is one JMESPath expression\n' +
  '  --json                print the issues as a JSON array\n' +
  '  --table               the columns even when not on a terminal\n' +
  '  --color WHEN          auto (default: on a terminal, unless NO_COLOR is set), always or never\n' +
  '  -h, --help            this help\n' +
  '  --                    everything after it is the query\n';

function configuredOneliner(sit) {
  var config = sit.config();
  var module = config && config['issue-tracking'];
  var cli = module && typeof module === 'object' ? module.cli : undefined;
  var oneliner = cli && typeof cli === 'object' ? cli.oneliner : undefined;
  return typeof oneliner === 'string' && oneliner !== '' ? oneliner : null;
}

// A JMESPath raw string literal.
function rawString(text) {
  return "'" + text.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

// `--format`: a template with {{EXPR}} placeholders becomes one JMESPath expression that joins the
// literal parts and each value (a missing value is empty); other text is a JMESPath expression.
function formatExpression(format) {
  if (format.indexOf('{{') < 0) return format;
  var template = format.replace(/\\(t|n|\\)/g, function (m, c) {
    return c === 't' ? '\t' : c === 'n' ? '\n' : '\\';
  });
  var parts = [];
  var rest = template;
  while (rest !== '') {
    var open = rest.indexOf('{{');
    if (open < 0) {
      parts.push(rawString(rest));
      break;
    }
    var close = rest.indexOf('}}', open + 2);
    if (close < 0) fail('--format: "{{" at "' + rest.slice(open, open + 20) + '" is not closed with "}}"');
    if (open > 0) parts.push(rawString(rest.slice(0, open)));
    var expr = rest.slice(open + 2, close).trim();
    if (expr === '') fail('--format: an empty {{ }} placeholder');
    parts.push('to_string((' + expr + ") || '')");
    rest = rest.slice(close + 2);
  }
  return "join('', [" + parts.join(', ') + '])';
}

var TABLE_SELECT =
  "[id, state, summary || '', labels || `[]`, length(comments || `[]`), last_updated_timestamp || timestamp || '']";

function listTable(sit, query, options, defs, shown) {
  var result = sit.search(query, Object.assign({}, options, { select: TABLE_SELECT }));
  if (result.items.length === 0) return result;
  var header = [
    { text: 'STATE', style: 'dim' },
    { text: 'ID', style: 'dim' },
    { text: 'SUMMARY', style: 'dim' },
    { text: 'LABELS', style: 'dim' },
    { text: 'COMMENTS', style: 'dim' },
    { text: 'UPDATED', style: 'dim' },
  ];
  var rows = [header];
  result.items.forEach(function (row) {
    if (!Array.isArray(row)) return;
    var closed = row[1] === 'closed';
    rows.push([
      closed ? { text: 'closed', style: 'magenta' } : { text: 'open', style: 'green' },
      { text: shortId(String(row[0])), style: 'yellow' },
      { text: str(row[2]) || '(no summary)', style: closed ? 'dim' : 'bold' },
      labelSegments(strings(row[3]), defs),
      typeof row[4] === 'number' && row[4] > 0 ? String(row[4]) : '',
      { time: str(row[5]), format: 'short' },
    ]);
  });
  var title = [
    { text: 'Showing ' + result.items.length + ' of ' + plural(result.total, 'issue') + ' · ' + shown, style: 'dim' },
  ];
  sit.table(rows, { align: ['left', 'left', 'left', 'left', 'right', 'right'], shrink: 2, page: true, title: title });
  return result;
}

function cmdList(sit, argv) {
  var parsed = parseArgs(
    argv,
    {
      '--all': { key: 'all' },
      '--json': { key: 'json' },
      '--table': { key: 'table' },
      '--jmespath': { key: 'jmespath', value: true },
      '--limit': { key: 'limit', value: true },
      '--format': { key: 'format', value: true },
      '-f': { key: 'filter', value: true },
      '--filter': { key: 'filter', value: true },
      '--color': { key: 'color', value: true },
    },
    true,
  );
  if (parsed.help) return sit.write(LIST_HELP);
  var o = parsed.options;
  if (o.color !== undefined && ['auto', 'always', 'never'].indexOf(o.color) < 0)
    fail('--color takes auto, always or never, got ' + JSON.stringify(o.color));
  var terminal = sit.terminal(o.color !== undefined ? { color: o.color } : undefined);
  var query = parsed.positionals.join(' ');
  var options = {};
  if (o.all) options.defaultState = 'all';
  if (o.filter !== undefined) options.filter = o.filter;
  if (o.jmespath !== undefined) options.jmespath = o.jmespath;
  if (o.limit !== undefined) {
    if (!/^\d+$/.test(o.limit)) fail('--limit needs a whole number, got ' + JSON.stringify(o.limit));
    options.limit = Number(o.limit);
  }
  var shown =
    (o.filter !== undefined ? '--filter ' + o.filter + ' ' : '') +
    (query.trim() === '' ? (o.all ? 'is:all' : 'is:open') : query.trim());
  var result;
  var oneliner = configuredOneliner(sit);
  if (o.json) {
    result = sit.search(query, options);
    sit.print(sortedJson(result.items));
    return 0;
  }
  if (o.format !== undefined || (!o.table && (oneliner !== null || !terminal.stdout))) {
    options.select = o.format !== undefined ? formatExpression(o.format) : oneliner || DEFAULT_ONELINER;
    result = sit.search(query, options);
    if (result.items.length > 0) sit.print(result.items.map(formatResult).join('\n'));
  } else {
    result = listTable(sit, query, options, definitions(sit), shown);
  }
  if (result.total === 0) {
    var issues = sit.itemIds().filter(function (id) {
      return id !== DEFINITIONS_ID;
    });
    if (issues.length === 0) sit.eprint('No issues yet. Create the first one with: sit issue new');
    else
      sit.eprint(
        'No issues match ' +
          shown +
          (query.indexOf('is:') < 0 && !o.all ? ' (open issues only: add is:all or --all for closed ones too)' : ''),
      );
  }
  return 0;
}

module.exports = {
  LIST_HELP: LIST_HELP,
  cmdList: cmdList,
};
