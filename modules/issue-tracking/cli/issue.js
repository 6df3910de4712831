// `sit issue …`: the issue-tracking porcelain. A module script: it runs in SIT's sandbox and reaches
// the repository only through the host functions of `sit` (see docs/module-scripts.md).
//
// The file is organised by subcommand: shared helpers first, then one section per command (its
// help text, its options and its function), then the dispatch table at the end.
'use strict';

// The item that holds label and milestone definitions (see the module's README).
var DEFINITIONS_ID = 'issue-tracking-definitions';
var DEFAULT_ONELINER = "join(' | ', [id, summary || ''])";
// Colours offered to new labels, in order; the first one no label uses yet is taken.
var LABEL_PALETTE = ['#d73a4a', '#0075ca', '#cfd3d7', '#a2eeef', '#7057ff', '#008672', '#e4e669', '#d876e3', '#fbca04', '#0e8a16', '#1d76db', '#b60205'];

var TEXT_OPTIONS =
  '  -m, --message TEXT    the text (repeat for paragraphs)\n' +
  '  -F, --file FILE       read the text from FILE (- for standard input)\n';

var TEXT_NOTE =
  'Without -m or -F the text is asked for in $VISUAL/$EDITOR (vi by default), or read from\n' +
  'standard input when it is not a terminal.\n';

// ---- errors --------------------------------------------------------------------------------------

function UserError(message) {
  this.name = 'UserError';
  this.message = message;
}
UserError.prototype = Object.create(Error.prototype);
UserError.prototype.constructor = UserError;

function fail(message) {
  throw new UserError(message);
}

// ---- small helpers -------------------------------------------------------------------------------

function pad(text, width) {
  while (text.length < width) text += ' ';
  return text;
}

function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function plural(n, word) {
  return n + ' ' + word + (n === 1 ? '' : 's');
}

function sortedJson(value, indent) {
  indent = indent || '';
  var inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return '[\n' + value.map(function (v) { return inner + sortedJson(v, inner); }).join(',\n') + '\n' + indent + ']';
  }
  if (value !== null && typeof value === 'object') {
    var keys = Object.keys(value).sort(compareStrings);
    if (keys.length === 0) return '{}';
    return '{\n' + keys.map(function (k) { return inner + JSON.stringify(k) + ': ' + sortedJson(value[k], inner); }).join(',\n') + '\n' + indent + '}';
  }
  return JSON.stringify(value === undefined ? null : value);
}

function formatResult(value) {
  return typeof value === 'string' ? value : sortedJson(value);
}

// `2018-12-20T19:36:21.344727532Z` → `2018-12-20 19:36:21 UTC`; anything else as written.
function formatTime(timestamp) {
  if (typeof timestamp !== 'string' || timestamp === '') return '-';
  var m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]00:00)$/.exec(timestamp);
  return m ? m[1] + ' ' + m[2] + ' UTC' : timestamp;
}

function indentText(text, prefix) {
  return text.replace(/\s+$/, '').split('\n').map(function (line) { return line === '' ? '' : prefix + line; }).join('\n');
}

// Leading blank lines and trailing white space go; the rest is kept as written.
function tidy(text) {
  return text.replace(/^(\s*\n)+/, '').replace(/\s+$/, '');
}

// `Name <email>` → `Name`.
function personName(authors) {
  var name = String(authors || '').replace(/\s*<[^>]*>\s*$/, '').trim();
  return name === '' ? (String(authors || '').trim() || 'someone') : name;
}

function shortId(id) {
  return id.length > 8 ? id.slice(0, 8) : id;
}

function str(value) {
  return typeof value === 'string' ? value : '';
}

function strings(value) {
  return Array.isArray(value) ? value.filter(function (v) { return typeof v === 'string'; }) : [];
}

function lineList(values) {
  return values.join('\n') + '\n';
}

function checkLabel(what, value) {
  var v = String(value).trim();
  if (v === '') fail('an empty ' + what + ' cannot be added or removed');
  if (/[\r\n]/.test(v)) fail('a ' + what + ' cannot contain a line break: ' + JSON.stringify(value));
  return v;
}

// ---- option parsing ------------------------------------------------------------------------------

// spec: { '--name': { key, value: bool, repeat: bool } }; `dashWords` keeps unknown `-x` words as
// positionals (queries, label removals). Returns { options, positionals, help }.
function parseArgs(argv, spec, dashWords) {
  var options = {};
  var positionals = [];
  var help = false;
  for (var i = 0; i < argv.length; i++) {
    var arg = argv[i];
    if (arg === '--') {
      positionals = positionals.concat(argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg.length < 2 || arg[0] !== '-') {
      positionals.push(arg);
      continue;
    }
    var name = arg;
    var inline = null;
    var eq = arg.indexOf('=');
    if (arg.slice(0, 2) === '--' && eq > 0) {
      name = arg.slice(0, eq);
      inline = arg.slice(eq + 1);
    } else if (arg.slice(0, 2) !== '--' && arg.length > 2 && spec[arg.slice(0, 2)] && spec[arg.slice(0, 2)].value) {
      name = arg.slice(0, 2);
      inline = arg.slice(2);
    }
    var option = spec[name];
    if (option === undefined) {
      if (dashWords && arg.slice(0, 2) !== '--') {
        positionals.push(arg);
        continue;
      }
      fail('unknown option ' + name);
    }
    var value = true;
    if (option.value) {
      if (inline !== null) value = inline;
      else if (i + 1 < argv.length) value = argv[++i];
      else fail('option ' + name + ' needs a value');
    } else if (inline !== null) {
      fail('option ' + name + ' takes no value');
    }
    if (option.repeat) (options[option.key] = options[option.key] || []).push(value);
    else options[option.key] = value;
  }
  return { options: options, positionals: positionals, help: help };
}

var TEXT_SPEC = {
  '-m': { key: 'message', value: true, repeat: true },
  '--message': { key: 'message', value: true, repeat: true },
  '-F': { key: 'file', value: true },
  '--file': { key: 'file', value: true },
};

function withText(spec) {
  var out = {};
  Object.keys(TEXT_SPEC).forEach(function (k) { out[k] = TEXT_SPEC[k]; });
  Object.keys(spec).forEach(function (k) { out[k] = spec[k]; });
  return out;
}

// The text of -m (paragraphs) or -F (a file, or - for standard input), or null when neither.
function givenText(sit, options) {
  if (options.message && options.file !== undefined) fail('give either -m or -F, not both');
  if (options.message) return options.message.join('\n\n');
  if (options.file !== undefined) return options.file === '-' ? sit.readStdin() : sit.readFile(options.file);
  return null;
}

function noMore(positionals, from, hint) {
  if (positionals.length > from) fail('unexpected argument ' + JSON.stringify(positionals[from]) + (hint ? '; ' + hint : ''));
}

// ---- issues --------------------------------------------------------------------------------------

// A full id from an id or a unique prefix of one, with or without a leading `#`. With `anyId`, an
// id that matches nothing here is taken as it is (it may exist on other branches).
function resolveId(sit, prefix, anyId) {
  if (typeof prefix !== 'string' || prefix === '') fail('give an issue id');
  var ids = sit.itemIds();
  if (ids.indexOf(prefix) >= 0) return prefix;
  var wanted = prefix.charAt(0) === '#' && prefix.length > 1 ? prefix.slice(1) : prefix;
  if (ids.indexOf(wanted) >= 0) return wanted;
  var lower = wanted.toLowerCase();
  var matches = ids.filter(function (id) { return id.toLowerCase().indexOf(lower) === 0; });
  if (matches.length === 1) return matches[0];
  if (matches.length === 0 && anyId) return wanted;
  if (matches.length === 0) fail('no issue id starts with ' + JSON.stringify(prefix) + '; see `sit issue list --all`');
  var shown = matches.slice(0, 10);
  fail(
    'issue id prefix ' + JSON.stringify(prefix) + ' is ambiguous, it matches ' + matches.length + ' issues: ' +
      shown.join(', ') + (matches.length > shown.length ? ', …' : '') + '; give more characters',
  );
}

function oneIssueId(sit, positionals, usage) {
  if (positionals.length === 0) fail('give the issue id (' + usage + ')');
  return resolveId(sit, positionals[0]);
}

// ---- label and milestone definitions -------------------------------------------------------------

function definitionsState(sit) {
  return sit.itemIds().indexOf(DEFINITIONS_ID) >= 0 ? sit.item(DEFINITIONS_ID) : {};
}

function definitions(sit) {
  var state = definitionsState(sit);
  var labels = [];
  (Array.isArray(state.label_definitions) ? state.label_definitions : []).forEach(function (l) {
    if (l && typeof l.name === 'string' && l.name.trim() !== '') {
      labels.push({
        name: l.name,
        color: typeof l.color === 'string' && /^#[0-9a-f]{6}$/.test(l.color) ? l.color : null,
        description: str(l.description),
      });
    }
  });
  var milestones = [];
  (Array.isArray(state.milestone_definitions) ? state.milestone_definitions : []).forEach(function (m) {
    if (m && typeof m.title === 'string' && m.title.trim() !== '') {
      milestones.push({
        title: m.title,
        description: str(m.description),
        due: typeof m.due === 'string' && /^\d{4}-\d\d-\d\d$/.test(m.due) ? m.due : null,
        state: m.state === 'closed' ? 'closed' : 'open',
      });
    }
  });
  return { labels: labels, milestones: milestones };
}

function findLabel(defs, name) {
  var exact = defs.labels.filter(function (l) { return l.name === name; })[0];
  if (exact) return exact;
  return defs.labels.filter(function (l) { return l.name.toLowerCase() === name.toLowerCase(); })[0];
}

function findMilestone(defs, title) {
  var exact = defs.milestones.filter(function (m) { return m.title === title; })[0];
  if (exact) return exact;
  return defs.milestones.filter(function (m) { return m.title.toLowerCase() === title.toLowerCase(); })[0];
}

// Writes a definition record, creating the definitions item (with a summary, details and a close,
// so that the original SIT lists it as a closed issue that explains itself) when it is missing.
function writeDefinition(sit, record) {
  if (sit.itemIds().indexOf(DEFINITIONS_ID) >= 0) {
    sit.newRecord(DEFINITIONS_ID, record);
    return;
  }
  sit.newItem([
    { files: { text: 'Labels and milestones of this tracker' }, types: ['SummaryChanged', 'Closed'] },
    {
      files: { text: 'This item holds the definitions of labels (name, colour, description) and milestones (title, description, due date) of the issue-tracking module. It is not an issue; see `sit issue labels` and `sit issue milestones`.' },
      types: ['DetailsChanged'],
    },
    record,
  ], { id: DEFINITIONS_ID });
}

// Black or white, whichever reads better on `hex` (WCAG relative luminance).
function inkFor(hex) {
  var n = parseInt(hex.slice(1), 16);
  var channel = function (c) {
    var v = c / 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  var l = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

// Segments showing `labels` with their defined colours.
function labelSegments(labels, defs) {
  var out = [];
  labels.forEach(function (name, i) {
    if (i > 0) out.push(' ');
    var def = findLabel(defs, name);
    if (def && def.color) out.push({ text: ' ' + name + ' ', style: 'fg:' + inkFor(def.color) + ' bg:' + def.color });
    else out.push({ text: name, style: 'cyan' });
  });
  return out;
}

// ---- sit issue new -------------------------------------------------------------------------------

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

// The summary and details of `issue new`/`issue edit`: from --summary/--details (each keeping
// `base` when absent), else from -m/-F, else from the editor; the summary must be one non-empty line.
function issueText(sit, o, base, editor) {
  var summary = base.summary;
  var details = base.details;
  if (o.summary !== undefined || o.details !== undefined) {
    if (o.message || o.file !== undefined) fail('give the text either with --summary/--details or with -m/-F, not both');
    if (o.summary !== undefined) summary = String(o.summary).trim();
    if (o.details !== undefined) details = String(o.details).trim();
  } else {
    var text = givenText(sit, o);
    if (text === null) {
      text = sit.edit({
        initial: editor.initial,
        fileName: 'ISSUE_EDITMSG.md',
        help: editor.verb + ' the issue: the first line is its summary, the lines after it its details (Markdown).\nThese help lines are removed; an empty summary aborts.',
      });
    }
    var split = splitMessage(text);
    summary = split.summary;
    details = split.details;
  }
  if (summary === '') fail('the summary is empty; nothing was recorded');
  if (/[\r\n]/.test(summary)) fail('the summary must be one line');
  return { summary: summary, details: details };
}

// The first line is the summary, the rest (trimmed) the details.
function splitMessage(text) {
  var body = tidy(text);
  var newline = body.indexOf('\n');
  if (newline < 0) return { summary: body.trim(), details: '' };
  return { summary: body.slice(0, newline).trim(), details: body.slice(newline + 1).trim() };
}

function findTemplate(sit, name) {
  var templates = sit.templates();
  var found = templates.filter(function (t) { return t.name === name; })[0];
  if (found) return found;
  fail('no template ' + JSON.stringify(name) + (templates.length === 0
    ? '; this repository has none (add .sit/templates/NAME.md)'
    : '; templates: ' + templates.map(function (t) { return t.name; }).join(', ')));
}

function cmdNew(sit, argv) {
  var parsed = parseArgs(argv, withText({
    '--summary': { key: 'summary', value: true },
    '--details': { key: 'details', value: true },
    '-t': { key: 'template', value: true },
    '--template': { key: 'template', value: true },
    '-l': { key: 'label', value: true, repeat: true },
    '--label': { key: 'label', value: true, repeat: true },
    '-a': { key: 'assignee', value: true, repeat: true },
    '--assignee': { key: 'assignee', value: true, repeat: true },
    '--milestone': { key: 'milestone', value: true },
  }));
  if (parsed.help) return sit.write(NEW_HELP);
  var o = parsed.options;
  if (parsed.positionals.length > 0) fail('unexpected argument ' + JSON.stringify(parsed.positionals[0]) + '; quote the summary and give it with --summary or -m');
  var template = o.template === undefined ? null : findTemplate(sit, o.template);
  var base = { summary: template ? template.summary : '', details: template ? template.body : '' };
  var initial = template ? template.summary + '\n\n' + template.body + '\n' : '';
  var text = issueText(sit, o, base, { verb: 'Write', initial: initial });
  // A one-line message keeps the template's body as the details.
  if (template && text.details === '' && o.details === undefined) text.details = template.body;
  var labels = (o.label || []).map(function (l) { return checkLabel('label', l); });
  var assignees = (o.assignee || []).map(function (a) { return checkLabel('assignee', a); });
  if (template) {
    template.labels.forEach(function (l) { if (labels.indexOf(l) < 0) labels.push(l); });
    template.assignees.forEach(function (a) { if (assignees.indexOf(a) < 0) assignees.push(a); });
  }
  var milestone = o.milestone !== undefined ? checkLabel('milestone', o.milestone) : template && template.milestone ? template.milestone : null;
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

// ---- sit issue list ------------------------------------------------------------------------------

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
  var template = format.replace(/\\(t|n|\\)/g, function (m, c) { return c === 't' ? '\t' : c === 'n' ? '\n' : '\\'; });
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
    parts.push("to_string((" + expr + ") || '')");
    rest = rest.slice(close + 2);
  }
  return "join('', [" + parts.join(', ') + '])';
}

var TABLE_SELECT = "[id, state, summary || '', labels || `[]`, length(comments || `[]`), last_updated_timestamp || timestamp || '']";

function listTable(sit, query, options, defs, shown) {
  var result = sit.search(query, Object.assign({}, options, { select: TABLE_SELECT }));
  if (result.items.length === 0) return result;
  var header = [
    { text: 'STATE', style: 'dim' }, { text: 'ID', style: 'dim' }, { text: 'SUMMARY', style: 'dim' },
    { text: 'LABELS', style: 'dim' }, { text: 'COMMENTS', style: 'dim' }, { text: 'UPDATED', style: 'dim' },
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
  var title = [{ text: 'Showing ' + result.items.length + ' of ' + plural(result.total, 'issue') + ' · ' + shown, style: 'dim' }];
  sit.table(rows, { align: ['left', 'left', 'left', 'left', 'right', 'right'], shrink: 2, page: true, title: title });
  return result;
}

function cmdList(sit, argv) {
  var parsed = parseArgs(argv, {
    '--all': { key: 'all' },
    '--json': { key: 'json' },
    '--table': { key: 'table' },
    '--jmespath': { key: 'jmespath', value: true },
    '--limit': { key: 'limit', value: true },
    '--format': { key: 'format', value: true },
    '-f': { key: 'filter', value: true },
    '--filter': { key: 'filter', value: true },
    '--color': { key: 'color', value: true },
  }, true);
  if (parsed.help) return sit.write(LIST_HELP);
  var o = parsed.options;
  if (o.color !== undefined && ['auto', 'always', 'never'].indexOf(o.color) < 0) fail('--color takes auto, always or never, got ' + JSON.stringify(o.color));
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
  var shown = (o.filter !== undefined ? '--filter ' + o.filter + ' ' : '') + (query.trim() === '' ? (o.all ? 'is:all' : 'is:open') : query.trim());
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
    var issues = sit.itemIds().filter(function (id) { return id !== DEFINITIONS_ID; });
    if (issues.length === 0) sit.eprint('No issues yet. Create the first one with: sit issue new');
    else sit.eprint('No issues match ' + shown + (query.indexOf('is:') < 0 && !o.all ? ' (open issues only: add is:all or --all for closed ones too)' : ''));
  }
  return 0;
}

// ---- sit issue show ------------------------------------------------------------------------------

var SHOW_HELP =
  'Usage: sit issue show ID [--mentions] [--json]\n\n' +
  'Show an issue: summary, state, author, labels, assignees, milestone, details, then its timeline\n' +
  '(comments, numbered, and every change with who and when). Paged through $PAGER on a terminal\n' +
  'when longer than the screen. ID may be any unique prefix of the issue id.\n\n' +
  'Options:\n' +
  '  --mentions            also the issues whose text mentions it (#ec4a71bf) and, in a git work\n' +
  '                        tree, the commits whose messages name it (Fixes #ec4a71bf); this reads\n' +
  '                        every issue, so it takes longer in a large tracker\n' +
  '  --json                print the reduced state as JSON\n' +
  '  -h, --help            this help\n';

function field(label, value) {
  return pad(label + ': ', 11) + value;
}

function quotedList(values) {
  return values.map(function (v) { return JSON.stringify(v); }).join(', ');
}

// What one timeline event says, after the person's name.
function eventText(event) {
  switch (event.type) {
    case 'closed': return 'closed this';
    case 'reopened': return 'reopened this';
    case 'summary': return 'changed the summary from ' + JSON.stringify(str(event.from)) + ' to ' + JSON.stringify(str(event.to));
    case 'details': return event.merge_request ? 'updated the merge request' : 'edited the details';
    case 'labels':
    case 'assignees': {
      var what = event.type === 'labels' ? 'label' : 'assignee';
      var parts = [];
      var added = strings(event.added);
      var removed = strings(event.removed);
      if (added.length > 0) parts.push('added the ' + what + (added.length === 1 ? ' ' : 's ') + quotedList(added));
      if (removed.length > 0) parts.push('removed the ' + what + (removed.length === 1 ? ' ' : 's ') + quotedList(removed));
      return parts.join(' and ');
    }
    case 'milestone':
      if (event.to === null || event.to === undefined) return 'removed the milestone ' + JSON.stringify(str(event.from));
      return 'set the milestone to ' + JSON.stringify(str(event.to));
    default: return null;
  }
}

function timelineOf(issue) {
  if (Array.isArray(issue.timeline)) return issue.timeline;
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  return comments.map(function (c, i) { return { type: 'comment', comment: i }; });
}

function showSegments(sit, issue, mentions, commits) {
  var out = [];
  var line = function () {
    for (var i = 0; i < arguments.length; i++) out.push(arguments[i]);
    out.push('\n');
  };
  var list = function (values) { return values.length > 0 ? values.join(', ') : '-'; };
  var closed = issue.state === 'closed';
  line(field('Summary', ''), { text: issue.summary || '-', style: 'bold' });
  line(field('Id', ''), { text: issue.id, style: 'yellow' });
  line(field('State', ''), closed ? { text: 'closed', style: 'magenta' } : { text: 'open', style: 'green' });
  line(field('Author', issue.authors || '-'));
  line(field('Opened', formatTime(issue.timestamp)));
  line(field('Updated', formatTime(issue.last_updated_timestamp)));
  line(field('Labels', list(strings(issue.labels))));
  line(field('Assignees', list(strings(issue.assignees))));
  line(field('Milestone', issue.milestone || '-'));
  var mrs = strings(issue.merge_requests);
  if (mrs.length > 0) line(field('Merge requests', mrs.join(', ')));
  var damaged = typeof sit.damagedRecords === 'function' ? sit.damagedRecords(issue.id) : [];
  if (damaged.length > 0) {
    line(field('Damaged', damaged.length + ' record' + (damaged.length === 1 ? '' : 's') +
      ' left out (files do not match the hash; run `sit integrity`): ' + damaged.join(', ')));
  }
  line('');
  line(typeof issue.details === 'string' && issue.details.trim() !== '' ? issue.details.replace(/\s+$/, '') : '(no details)');
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  timelineOf(issue).forEach(function (event) {
    if (!event || typeof event !== 'object') return;
    var comment = typeof event.comment === 'number' ? comments[event.comment] : undefined;
    if (event.type === 'comment' && comment) {
      var what = '';
      if (comment.merge_request_report === 'success') what = ', merge request verified';
      else if (comment.merge_request_report === 'failure') what = ', merge request verification failed';
      else if (comment.merge_request) what = ', with merge request ' + comment.merge_request;
      line('');
      line({ text: 'Comment ' + (event.comment + 1), style: 'bold' }, ' by ', { text: comment.authors || 'unknown', style: 'bold' }, ', ',
        { time: comment.timestamp }, what, event.edited ? [' (edited ', { time: event.edited }, ')'] : '', ':');
      line(indentText(typeof comment.text === 'string' ? comment.text : '', '    '));
      return;
    }
    if (event.type === 'merged' && comment) {
      line('');
      line({ text: '• ', style: 'dim' }, { text: personName(comment.authors), style: 'bold' }, ' merged ' + str(comment.text).replace(/^Merged\s*/, '') + ' ', { time: comment.timestamp });
      return;
    }
    if (event.type === 'comment_deleted') {
      line('');
      line({ text: '• ', style: 'dim' }, { text: personName(event.authors), style: 'bold' }, ' deleted a comment ', { time: event.deleted });
      return;
    }
    var text = eventText(event);
    if (text === null || text === '') return;
    line('');
    line({ text: '• ', style: 'dim' }, { text: personName(event.authors), style: 'bold' }, ' ' + text + ' ', { time: event.timestamp });
  });
  if (mentions.length > 0) {
    line('');
    line({ text: 'Mentioned in:', style: 'bold' });
    mentions.forEach(function (m) {
      line('    ', { text: '#' + shortId(m.id), style: 'yellow' }, ' ' + (m.summary || '(no summary)') + ' (' + m.state + '), by ' + personName(m.authors) + ', ', { time: m.timestamp });
    });
  }
  if (commits.length > 0) {
    line('');
    line({ text: 'Commits:', style: 'bold' });
    commits.forEach(function (c) {
      line('    ', { text: c.hash.slice(0, 10), style: 'yellow' }, ' ' + c.subject + ' (' + personName(c.author) + ', ', { time: c.date }, ')' + (c.fixes ? ' fixes it' : ''));
    });
  }
  return out;
}

function cmdShow(sit, argv) {
  var parsed = parseArgs(argv, { '--json': { key: 'json' }, '--mentions': { key: 'mentions' } });
  if (parsed.help) return sit.write(SHOW_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue show ID');
  noMore(parsed.positionals, 1);
  var issue = sit.item(id);
  if (parsed.options.json) {
    sit.print(sortedJson(issue));
    return 0;
  }
  var mentions = parsed.options.mentions ? sit.mentions(id) : [];
  var commits = parsed.options.mentions ? sit.commits(id).commits : [];
  sit.page(showSegments(sit, issue, mentions, commits));
  return 0;
}

// ---- sit issue comment ---------------------------------------------------------------------------

var COMMENT_HELP =
  'Usage: sit issue comment ID [-m TEXT | -F FILE]\n' +
  '       sit issue comment ID --edit N [-m TEXT | -F FILE]\n' +
  '       sit issue comment ID --delete N\n\n' +
  'Comment on an issue, or edit or delete one of your own comments. N is the comment\'s number as\n' +
  '`sit issue show` prints it, `last` (your latest comment), or a prefix of its record hash.\n' +
  'An edit or a deletion is a new record: the earlier text stays in the history (sit records ID).\n\n' +
  'Options:\n' +
  TEXT_OPTIONS +
  '  --edit N              replace the text of comment N (the editor starts from it)\n' +
  '  --delete N            delete comment N\n' +
  '  -h, --help            this help\n\n' +
  TEXT_NOTE;

// The comment `which` of `issue`: {number, hash, entry}.
function findComment(sit, issue, which) {
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  var events = timelineOf(issue).filter(function (e) { return e && e.type === 'comment' && typeof e.comment === 'number' && typeof e.hash === 'string'; });
  var pick = null;
  if (which === 'last') {
    var me = sit.author();
    for (var i = events.length - 1; i >= 0 && pick === null; i--) {
      var c = comments[events[i].comment];
      if (c && c.authors === me) pick = events[i];
    }
    if (pick === null) fail('you have no comment on ' + issue.id + ' to change');
  } else if (/^\d+$/.test(which)) {
    var n = Number(which);
    pick = events.filter(function (e) { return e.comment === n - 1; })[0] || null;
    if (pick === null) fail('issue ' + issue.id + ' has no comment ' + n + ' (it has ' + plural(comments.length, 'comment') + '; see sit issue show)');
  } else {
    var prefix = which.toUpperCase();
    var found = events.filter(function (e) { return e.hash.indexOf(prefix) === 0; });
    if (found.length !== 1) fail(found.length === 0 ? 'no comment of ' + issue.id + ' has a record hash starting with ' + JSON.stringify(which) : 'the record hash prefix ' + JSON.stringify(which) + ' is ambiguous; give more characters');
    pick = found[0];
  }
  var entry = comments[pick.comment];
  if (!entry || !('merge_request' in entry)) fail('comment ' + (pick.comment + 1) + ' of ' + issue.id + ' records a merge; it cannot be changed');
  return { number: pick.comment + 1, hash: pick.hash, entry: entry };
}

function checkOwnComment(sit, issue, comment) {
  var me = sit.author();
  if (me === null) fail('no author is configured, so no comment can be yours; set one (git config --global user.name "Your Name")');
  if (comment.entry.authors !== me) {
    fail('comment ' + comment.number + ' of ' + issue.id + ' was written by ' + (comment.entry.authors || 'someone unknown') + ', not by you (' + me + '); only its author can change it');
  }
}

function cmdComment(sit, argv) {
  var parsed = parseArgs(argv, withText({ '--edit': { key: 'edit', value: true }, '--delete': { key: 'delete', value: true } }));
  if (parsed.help) return sit.write(COMMENT_HELP);
  var o = parsed.options;
  var id = oneIssueId(sit, parsed.positionals, 'sit issue comment ID');
  noMore(parsed.positionals, 1, 'give the comment with -m');
  if (o.edit !== undefined && o['delete'] !== undefined) fail('give either --edit or --delete, not both');
  if (o['delete'] !== undefined) {
    if (o.message || o.file !== undefined) fail('--delete takes no text');
    var issue = sit.item(id);
    var doomed = findComment(sit, issue, o['delete']);
    checkOwnComment(sit, issue, doomed);
    sit.newRecord(id, { files: { comment: doomed.hash }, types: ['CommentDeleted'] });
    sit.print('Deleted comment ' + doomed.number + ' of ' + id);
    return 0;
  }
  var target = null;
  if (o.edit !== undefined) {
    var current = sit.item(id);
    target = findComment(sit, current, o.edit);
    checkOwnComment(sit, current, target);
  }
  var text = givenText(sit, o);
  if (text === null) {
    text = sit.edit({
      initial: target ? str(target.entry.text).replace(/\s*$/, '\n') : '',
      fileName: 'COMMENT_EDITMSG.md',
      help: (target ? 'Edit comment ' + target.number + ' on ' : 'Write your comment on ') + id + ' (Markdown).\nThese help lines are removed; an empty comment aborts.',
    });
  }
  text = tidy(text);
  if (text === '') fail('the comment is empty; nothing was recorded');
  if (target) {
    if (text === tidy(str(target.entry.text))) {
      sit.print('Nothing changed in comment ' + target.number + ' of ' + id);
      return 0;
    }
    sit.newRecord(id, { files: { comment: target.hash, text: text }, types: ['CommentEdited'] });
    sit.print('Edited comment ' + target.number + ' of ' + id);
    return 0;
  }
  sit.newRecord(id, { files: { text: text }, types: ['Commented'] });
  sit.print('Commented on ' + id);
  return 0;
}

// ---- sit issue close / reopen --------------------------------------------------------------------

var CLOSE_HELP =
  'Usage: sit issue close ID [-m TEXT | -F FILE]\n\n' +
  'Close an issue; with -m or -F, comment and close in one record.\n\n' +
  'Options:\n' +
  TEXT_OPTIONS +
  '  -h, --help            this help\n';

var REOPEN_HELP =
  'Usage: sit issue reopen ID [-m TEXT | -F FILE]\n\n' +
  'Reopen an issue; with -m or -F, comment and reopen in one record.\n\n' +
  'Options:\n' +
  TEXT_OPTIONS +
  '  -h, --help            this help\n';

function cmdState(sit, argv, closing) {
  var name = closing ? 'close' : 'reopen';
  var parsed = parseArgs(argv, withText({}));
  if (parsed.help) return sit.write(closing ? CLOSE_HELP : REOPEN_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue ' + name + ' ID');
  noMore(parsed.positionals, 1, 'give a comment with -m');
  var text = givenText(sit, parsed.options);
  if (text !== null) {
    text = tidy(text);
    if (text === '') fail('the comment is empty; nothing was recorded');
  }
  var already = (sit.item(id).state === 'closed') === closing;
  var types = text === null ? [] : ['Commented'];
  if (!already) types.push(closing ? 'Closed' : 'Reopened');
  if (types.length === 0) {
    sit.print('Issue ' + id + ' is already ' + (closing ? 'closed' : 'open') + '; nothing was recorded');
    return 0;
  }
  sit.newRecord(id, { files: text === null ? {} : { text: text }, types: types });
  if (already) sit.print('Commented on ' + id + ' (already ' + (closing ? 'closed' : 'open') + ')');
  else sit.print((closing ? 'Closed ' : 'Reopened ') + id);
  return 0;
}

// ---- sit issue edit ------------------------------------------------------------------------------

var EDIT_HELP =
  'Usage: sit issue edit ID [--summary TEXT] [--details TEXT] [-m TEXT | -F FILE]\n\n' +
  'Change the summary and/or the details of an issue. Only what changed is recorded.\n\n' +
  'Options:\n' +
  '  --summary TEXT        the new summary\n' +
  '  --details TEXT        the new details\n' +
  TEXT_OPTIONS +
  '  -h, --help            this help\n\n' +
  'With -m, -F or the editor (which starts from the current text), the first line is the\n' +
  'summary and the rest the details.\n';

function cmdEdit(sit, argv) {
  var parsed = parseArgs(argv, withText({
    '--summary': { key: 'summary', value: true },
    '--details': { key: 'details', value: true },
  }));
  if (parsed.help) return sit.write(EDIT_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue edit ID');
  noMore(parsed.positionals, 1);
  var o = parsed.options;
  var issue = sit.item(id);
  var oldSummary = str(issue.summary);
  var oldDetails = str(issue.details);
  var text = issueText(sit, o, { summary: oldSummary, details: oldDetails }, {
    verb: 'Edit',
    initial: oldSummary + '\n\n' + oldDetails + '\n',
  });
  var changed = [];
  if (text.summary !== oldSummary) {
    sit.newRecord(id, { files: { text: text.summary }, types: ['SummaryChanged'] });
    changed.push('summary');
  }
  if (text.details !== oldDetails) {
    sit.newRecord(id, { files: { text: text.details }, types: ['DetailsChanged'] });
    changed.push('details');
  }
  sit.print(changed.length === 0 ? 'Nothing changed in ' + id : 'Changed the ' + changed.join(' and ') + ' of ' + id);
  return 0;
}

// ---- sit issue label / assign --------------------------------------------------------------------

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
  var parsed = parseArgs(argv, {
    '--add': { key: 'add', value: true, repeat: true },
    '--remove': { key: 'remove', value: true, repeat: true },
  }, true);
  if (parsed.help) return sit.write(name === 'label' ? LABEL_HELP : ASSIGN_HELP);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue ' + name + ' ID ...');
  var add = (parsed.options.add || []).map(function (v) { return checkLabel(what, v); });
  var remove = (parsed.options.remove || []).map(function (v) { return checkLabel(what, v); });
  parsed.positionals.slice(1).forEach(function (word) {
    if (word[0] === '-') remove.push(checkLabel(what, word.slice(1)));
    else if (word[0] === '+') add.push(checkLabel(what, word.slice(1)));
    else add.push(checkLabel(what, word));
  });
  add.forEach(function (v) {
    if (remove.indexOf(v) >= 0) fail('the ' + what + ' ' + JSON.stringify(v) + ' is both added and removed');
  });
  var current = strings(sit.item(id)[key]);
  var added = add.filter(function (v, i) { return current.indexOf(v) < 0 && add.indexOf(v) === i; });
  var removed = remove.filter(function (v, i) { return current.indexOf(v) >= 0 && remove.indexOf(v) === i; });
  add.filter(function (v, i) { return current.indexOf(v) >= 0 && add.indexOf(v) === i; }).forEach(function (v) {
    sit.eprint('Note: ' + id + ' already has the ' + what + ' ' + JSON.stringify(v) + '; nothing to add');
  });
  remove.filter(function (v, i) { return current.indexOf(v) < 0 && remove.indexOf(v) === i; }).forEach(function (v) {
    sit.eprint('Note: ' + id + ' has no ' + what + ' ' + JSON.stringify(v) + '; nothing to remove');
  });
  if (what === 'label' && added.length > 0) {
    var defs = definitions(sit);
    if (defs.labels.length > 0) {
      added.filter(function (v) { return !findLabel(defs, v); }).forEach(function (v) {
        sit.eprint('Note: the label ' + JSON.stringify(v) + ' is not defined; define it with: sit issue labels define ' + JSON.stringify(v));
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
    current = current.filter(function (v) { return removed.indexOf(v) < 0; }).concat(added).sort();
  }
  var title = what === 'label' ? 'Labels' : 'Assignees';
  sit.print(title + ' of ' + id + ': ' + (current.length > 0 ? current.join(', ') : '-'));
  return 0;
}

// ---- sit issue milestone -------------------------------------------------------------------------

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
        sit.eprint('Note: the milestone ' + JSON.stringify(value) + ' is not defined; define it with: sit issue milestones define ' + JSON.stringify(value));
      }
      sit.newRecord(id, { files: { milestone: value + '\n' }, types: ['MilestoneChanged'] });
      current = value;
    }
  }
  sit.print('Milestone of ' + id + ': ' + (current === null ? '-' : current));
  return 0;
}

// ---- sit issue labels ----------------------------------------------------------------------------

var LABELS_HELP =
  'Usage: sit issue labels [--json]\n' +
  '       sit issue labels define NAME [--color COLOR] [--description TEXT]\n' +
  '       sit issue labels delete NAME\n\n' +
  'List the labels (defined ones, and any others issues carry) with their open and closed issues,\n' +
  'define a label or change its colour or description, or delete a definition (issues keep the\n' +
  'label). Definitions are records of the item ' + DEFINITIONS_ID + ', shared like any other.\n\n' +
  'Options:\n' +
  '  --color COLOR         #rrggbb or #rgb (a new label without one gets a free palette colour)\n' +
  '  --description TEXT    one line saying what the label means\n' +
  '  --json                print the list as JSON\n' +
  '  -h, --help            this help\n';

// Open and closed counts of each value of `field` (labels or milestone) over every issue.
function usage(sit, select) {
  var counts = {};
  var order = [];
  sit.search('is:all', { select: select }).items.forEach(function (row) {
    if (!Array.isArray(row)) return;
    var closed = row[0] === 'closed';
    (Array.isArray(row[1]) ? row[1] : [row[1]]).forEach(function (value) {
      if (typeof value !== 'string' || value === '') return;
      if (!Object.prototype.hasOwnProperty.call(counts, '=' + value)) {
        counts['=' + value] = { open: 0, closed: 0 };
        order.push(value);
      }
      counts['=' + value][closed ? 'closed' : 'open']++;
    });
  });
  return {
    names: order.sort(compareStrings),
    of: function (name) { return counts['=' + name] || { open: 0, closed: 0 }; },
  };
}

function parseColor(text) {
  var t = String(text).trim().toLowerCase().replace(/^#?/, '#');
  if (/^#[0-9a-f]{3}$/.test(t)) return '#' + t[1] + t[1] + t[2] + t[2] + t[3] + t[3];
  if (/^#[0-9a-f]{6}$/.test(t)) return t;
  fail('--color takes #rrggbb or #rgb, got ' + JSON.stringify(text));
}

function oneLineValue(what, value) {
  var v = String(value).trim();
  if (v === '') fail('the ' + what + ' is empty');
  if (/[\r\n]/.test(v)) fail('the ' + what + ' must be one line');
  if (v.length > 200) fail('the ' + what + ' is longer than 200 characters');
  return v;
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
    var existing = defs.labels.filter(function (l) { return l.name === name; })[0];
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
      var used = defs.labels.map(function (l) { return l.color; });
      files.color = LABEL_PALETTE.filter(function (c) { return used.indexOf(c) < 0; })[0] || LABEL_PALETTE[defs.labels.length % LABEL_PALETTE.length];
    }
    if (o.description !== undefined) {
      var description = String(o.description).trim();
      if (/[\r\n]/.test(description)) fail('the description must be one line');
      files.description = description;
    }
    if (existing && files.color === undefined && files.description === undefined) fail('give --color or --description to change the label ' + JSON.stringify(name));
    writeDefinition(sit, { files: files, types: ['LabelDefined'] });
    sit.print((existing ? 'Changed' : 'Defined') + ' the label ' + JSON.stringify(name));
    return 0;
  }
  if (action !== undefined) fail('unknown action ' + JSON.stringify(action) + '; use define or delete, or nothing to list the labels');
  if (o.color !== undefined || o.description !== undefined) fail('--color and --description go with define');
  var used2 = usage(sit, '[state, labels]');
  var names = defs.labels.map(function (l) { return l.name; });
  used2.names.forEach(function (n) { if (names.indexOf(n) < 0) names.push(n); });
  names.sort(compareStrings);
  var entries = names.map(function (n) {
    var def = defs.labels.filter(function (l) { return l.name === n; })[0];
    var c = used2.of(n);
    return { name: n, color: def ? def.color : null, description: def ? def.description : '', defined: !!def, open: c.open, closed: c.closed };
  });
  if (o.json) {
    sit.print(sortedJson(entries));
    return 0;
  }
  if (entries.length === 0) {
    sit.eprint('No labels yet. Define one with: sit issue labels define bug --color "#d73a4a" --description "Something is not working"');
    return 0;
  }
  var rows = [[{ text: 'LABEL', style: 'dim' }, { text: 'OPEN', style: 'dim' }, { text: 'CLOSED', style: 'dim' }, { text: 'DESCRIPTION', style: 'dim' }]];
  entries.forEach(function (e) {
    rows.push([labelSegments([e.name], defs), String(e.open), String(e.closed), e.defined ? e.description : { text: '(not defined)', style: 'dim' }]);
  });
  sit.table(rows, { align: ['left', 'right', 'right', 'left'], shrink: 3, page: true });
  return 0;
}

// ---- sit issue milestones ------------------------------------------------------------------------

var MILESTONES_HELP =
  'Usage: sit issue milestones [--json]\n' +
  '       sit issue milestones define TITLE [--due YYYY-MM-DD | --no-due] [--description TEXT] [--close | --reopen]\n' +
  '       sit issue milestones delete TITLE\n\n' +
  'List the milestones (defined ones, and any others issues carry) with their progress, define a\n' +
  'milestone or change it, or delete a definition (issues keep the milestone). Definitions are\n' +
  'records of the item ' + DEFINITIONS_ID + '.\n\n' +
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
    var existing = defs.milestones.filter(function (m) { return m.title === title; })[0];
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
    if (existing && !changes) fail('give --due, --no-due, --description, --close or --reopen to change the milestone ' + JSON.stringify(title));
    writeDefinition(sit, { files: files, types: ['MilestoneDefined'] });
    sit.print((existing ? 'Changed' : 'Defined') + ' the milestone ' + JSON.stringify(title));
    return 0;
  }
  if (action !== undefined) fail('unknown action ' + JSON.stringify(action) + '; use define or delete, or nothing to list the milestones');
  if (changes) fail('--due, --description, --close and --reopen go with define');
  var used = usage(sit, '[state, milestone]');
  var entries = defs.milestones.map(function (m) {
    var c = used.of(m.title);
    return { title: m.title, due: m.due, state: m.state, description: m.description, defined: true, open: c.open, closed: c.closed };
  });
  used.names.forEach(function (t) {
    if (!defs.milestones.some(function (m) { return m.title === t; })) {
      var c = used.of(t);
      entries.push({ title: t, due: null, state: 'open', description: '', defined: false, open: c.open, closed: c.closed });
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
  var rows = [[{ text: 'MILESTONE', style: 'dim' }, { text: 'STATE', style: 'dim' }, { text: 'DUE', style: 'dim' }, { text: 'PROGRESS', style: 'dim' }, { text: 'DESCRIPTION', style: 'dim' }]];
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

// ---- sit issue filters ---------------------------------------------------------------------------

var FILTERS_HELP =
  'Usage: sit issue filters [--json]\n\n' +
  'List the named filters `sit issue list --filter NAME` and the web UI\'s Filters menu offer:\n' +
  'built-in ones (mine and created use your configured name), then the repository\'s\n' +
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
  var rows = [[{ text: 'NAME', style: 'dim' }, { text: 'QUERY', style: 'dim' }, { text: 'FROM', style: 'dim' }]];
  filters.forEach(function (f) { rows.push([{ text: f.name, style: 'bold' }, f.query, { text: f.source, style: 'dim' }]); });
  sit.table(rows, { shrink: 1 });
  return 0;
}

// ---- sit issue templates -------------------------------------------------------------------------

var TEMPLATES_HELP =
  'Usage: sit issue templates [--json]\n\n' +
  'List the issue templates of this repository: Markdown files in .sit/templates/, offered by\n' +
  '`sit issue new --template NAME` and on the web UI\'s new-issue page. A template may start with\n' +
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
  var rows = [[{ text: 'NAME', style: 'dim' }, { text: 'TITLE', style: 'dim' }, { text: 'ABOUT', style: 'dim' }]];
  templates.forEach(function (t) { rows.push([{ text: t.name, style: 'bold' }, t.title, t.about]); });
  sit.table(rows, { shrink: 2 });
  return 0;
}

// ---- sit issue where -----------------------------------------------------------------------------

var WHERE_HELP =
  'Usage: sit issue where ID [--json] [--refs PATTERN]...\n\n' +
  'Show whether the issue is open, closed or absent on every local branch, remote-tracking\n' +
  'branch and tag of the git repository (the SIT repository as committed there).\n' +
  'ID may be any unique prefix of an issue id of the working tree, or a whole id.\n\n' +
  'Options:\n' +
  '  --refs PATTERN        only refs whose name matches PATTERN (* any characters, ? one;\n' +
  '                        e.g. release/*, v1.*, origin/*); repeatable\n' +
  '  --json                print an array of {ref, commit, state}\n' +
  '  -h, --help            this help\n';

function cmdWhere(sit, argv) {
  var parsed = parseArgs(argv, {
    '--json': { key: 'json' },
    '--refs': { key: 'refs', value: true, repeat: true },
  });
  if (parsed.help) return sit.write(WHERE_HELP);
  if (parsed.positionals.length === 0) fail('give the issue id (sit issue where ID)');
  noMore(parsed.positionals, 1);
  var id = resolveId(sit, parsed.positionals[0], true);
  var refs = parsed.options.refs || [];
  var rows = sit.itemAtRefs(id, { refs: refs }).map(function (r) {
    var state = r.state === null ? 'absent' : r.state.state === 'closed' ? 'closed' : 'open';
    return { ref: r.ref, commit: r.commit, state: state };
  });
  if (parsed.options.json) {
    sit.print(sortedJson(rows));
    return 0;
  }
  if (rows.length === 0) {
    sit.print(refs.length > 0 ? 'No branch or tag matches ' + refs.join(', ') : 'The git repository has no branches or tags');
    return 0;
  }
  var width = 3;
  rows.forEach(function (r) { width = Math.max(width, r.ref.length); });
  var lines = [pad('REF', width + 2) + pad('COMMIT', 14) + 'STATE'];
  rows.forEach(function (r) { lines.push(pad(r.ref, width + 2) + pad(r.commit.slice(0, 12), 14) + r.state); });
  sit.print(lines.join('\n'));
  return 0;
}

// ---- dispatch ------------------------------------------------------------------------------------

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
