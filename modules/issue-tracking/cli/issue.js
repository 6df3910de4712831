// `sit issue …`: the issue-tracking porcelain. A module script: it runs in SIT's sandbox and reaches
// the repository only through the host functions of `sit` (see docs/module-scripts.md).
'use strict';

var DEFAULT_ONELINER = "join(' | ', [id, summary || ''])";

var COMMANDS = [
  ['new', 'Create an issue and print its id'],
  ['list', 'List issues matching a query (open ones by default)'],
  ['show', 'Show an issue with its comments'],
  ['comment', 'Comment on an issue'],
  ['close', 'Close an issue (with a comment given -m or -F)'],
  ['reopen', 'Reopen an issue (with a comment given -m or -F)'],
  ['edit', 'Change the summary and/or details of an issue'],
  ['label', 'Add or remove labels, or show them'],
  ['assign', 'Add or remove assignees, or show them'],
  ['milestone', 'Set, clear or show the milestone'],
  ['where', 'Show whether an issue is open, closed or absent on every branch and tag'],
];

var TEXT_OPTIONS =
  '  -m, --message TEXT    the text (repeat for paragraphs)\n' +
  '  -F, --file FILE       read the text from FILE (- for standard input)\n';

var TEXT_NOTE =
  'Without -m or -F the text is asked for in $VISUAL/$EDITOR (vi by default), or read from\n' +
  'standard input when it is not a terminal.\n';

var HELP = {
  new:
    'Usage: sit issue new [--summary TEXT] [--details TEXT] [-m TEXT | -F FILE] [options]\n\n' +
    'Create an issue and print its id.\n\n' +
    'Options:\n' +
    '  --summary TEXT        the summary (one line)\n' +
    '  --details TEXT        the details (Markdown)\n' +
    TEXT_OPTIONS +
    '  -l, --label LABEL     add a label (repeatable)\n' +
    '  -a, --assignee NAME   add an assignee (repeatable)\n' +
    '  --milestone NAME      set the milestone\n' +
    '  -h, --help            this help\n\n' +
    'With -m, -F or the editor, the first line is the summary and the rest the details.\n' +
    TEXT_NOTE,
  list:
    'Usage: sit issue list [options] [QUERY...]\n\n' +
    'List issues that match the query, one line each (`id | summary` unless the repository\n' +
    "configures 'issue-tracking'.cli.oneliner, a JMESPath expression). Without is:open or\n" +
    'is:closed only open issues are listed; --all lists both.\n\n' +
    'Query terms (all must hold; a leading - negates one, e.g. -label:wontfix):\n' +
    '  is:open, is:closed        the state\n' +
    '  label:NAME                has the label; no:label has none\n' +
    '  author:TEXT               the author contains TEXT\n' +
    '  assignee:TEXT             an assignee contains TEXT; no:assignee has none\n' +
    '  milestone:NAME            the milestone; no:milestone has none\n' +
    '  sort:created|updated|comments[-asc|-desc]   the order (default sort:created-desc)\n' +
    '  WORD, "a phrase"          full text in summary, details and comments\n' +
    'Each argument is one term: an argument with spaces is a phrase (label:"good first issue").\n\n' +
    'Options:\n' +
    '  --all                 open and closed issues unless the query has is:\n' +
    '  --jmespath EXPR       keep only issues for which EXPR is true\n' +
    '  --limit N             list at most N issues\n' +
    '  --format EXPR         a JMESPath expression per issue instead of the one-line format\n' +
    '  --json                print the issues as a JSON array\n' +
    '  -h, --help            this help\n' +
    '  --                    everything after it is the query\n',
  show:
    'Usage: sit issue show ID [--json]\n\n' +
    'Show an issue: summary, state, author, labels, assignees, milestone, details and comments.\n' +
    'ID may be any unique prefix of the issue id.\n\n' +
    'Options:\n' +
    '  --json                print the reduced state as JSON\n' +
    '  -h, --help            this help\n',
  comment:
    'Usage: sit issue comment ID [-m TEXT | -F FILE]\n\n' +
    'Comment on an issue.\n\n' +
    'Options:\n' +
    TEXT_OPTIONS +
    '  -h, --help            this help\n\n' +
    TEXT_NOTE,
  close:
    'Usage: sit issue close ID [-m TEXT | -F FILE]\n\n' +
    'Close an issue; with -m or -F, comment and close in one record.\n\n' +
    'Options:\n' +
    TEXT_OPTIONS +
    '  -h, --help            this help\n',
  reopen:
    'Usage: sit issue reopen ID [-m TEXT | -F FILE]\n\n' +
    'Reopen an issue; with -m or -F, comment and reopen in one record.\n\n' +
    'Options:\n' +
    TEXT_OPTIONS +
    '  -h, --help            this help\n',
  edit:
    'Usage: sit issue edit ID [--summary TEXT] [--details TEXT] [-m TEXT | -F FILE]\n\n' +
    'Change the summary and/or the details of an issue. Only what changed is recorded.\n\n' +
    'Options:\n' +
    '  --summary TEXT        the new summary\n' +
    '  --details TEXT        the new details\n' +
    TEXT_OPTIONS +
    '  -h, --help            this help\n\n' +
    'With -m, -F or the editor (which starts from the current text), the first line is the\n' +
    'summary and the rest the details.\n',
  label:
    'Usage: sit issue label ID [+LABEL | -LABEL | LABEL]... [--add LABEL] [--remove LABEL]\n\n' +
    'Add (+LABEL or LABEL) and remove (-LABEL) labels, then print the labels. Without changes,\n' +
    'print them. Use --add/--remove for labels that start with + or -, or are -h.\n\n' +
    'Options:\n' +
    '  --add LABEL           add a label (repeatable)\n' +
    '  --remove LABEL        remove a label (repeatable)\n' +
    '  -h, --help            this help\n',
  assign:
    'Usage: sit issue assign ID [+NAME | -NAME | NAME]... [--add NAME] [--remove NAME]\n\n' +
    'Add (+NAME or NAME) and remove (-NAME) assignees, then print the assignees. Without\n' +
    'changes, print them. A name is free text, e.g. "Alice <alice@example.com>".\n\n' +
    'Options:\n' +
    '  --add NAME            add an assignee (repeatable)\n' +
    '  --remove NAME         remove an assignee (repeatable)\n' +
    '  -h, --help            this help\n',
  where:
    'Usage: sit issue where ID [--json] [--refs PATTERN]...\n\n' +
    'Show whether the issue is open, closed or absent on every local branch, remote-tracking\n' +
    'branch and tag of the git repository (the SIT repository as committed there).\n' +
    'ID may be any unique prefix of an issue id of the working tree, or a whole id.\n\n' +
    'Options:\n' +
    '  --refs PATTERN        only refs whose name matches PATTERN (* any characters, ? one;\n' +
    '                        e.g. release/*, v1.*, origin/*); repeatable\n' +
    '  --json                print an array of {ref, commit, state}\n' +
    '  -h, --help            this help\n',
  milestone:
    'Usage: sit issue milestone ID [NAME | --clear]\n\n' +
    'Set the milestone to NAME, or clear it; without either, print it.\n\n' +
    'Options:\n' +
    '  --clear               remove the milestone\n' +
    '  -h, --help            this help\n',
};

function mainHelp() {
  var width = 0;
  COMMANDS.forEach(function (c) { width = Math.max(width, c[0].length); });
  return (
    'Usage: sit issue <COMMAND> [ARGS...]\n\n' +
    'Issue tracking: create, list, show, comment on, close, reopen, edit, label and assign issues.\n\n' +
    'Commands:\n' +
    COMMANDS.map(function (c) { return '  ' + pad(c[0], width + 2) + c[1]; }).join('\n') +
    '\n\nIssue ids may be abbreviated to any unique prefix. `sit issue COMMAND --help` for details.\n'
  );
}

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

// ---- issues --------------------------------------------------------------------------------------

// `anyId`: an id that matches nothing here is taken as it is (it may exist on other branches).
function resolveId(sit, prefix, anyId) {
  if (typeof prefix !== 'string' || prefix === '') fail('give an issue id');
  var ids = sit.itemIds();
  if (ids.indexOf(prefix) >= 0) return prefix;
  var lower = prefix.toLowerCase();
  var matches = ids.filter(function (id) { return id.toLowerCase().indexOf(lower) === 0; });
  if (matches.length === 1) return matches[0];
  if (matches.length === 0 && anyId) return prefix;
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

function lineList(values) {
  return values.join('\n') + '\n';
}

function checkLabel(what, value) {
  var v = String(value).trim();
  if (v === '') fail('an empty ' + what + ' cannot be added or removed');
  if (/[\r\n]/.test(v)) fail('a ' + what + ' cannot contain a line break: ' + JSON.stringify(value));
  return v;
}

// ---- subcommands ---------------------------------------------------------------------------------

function cmdNew(sit, argv) {
  var parsed = parseArgs(argv, withText({
    '--summary': { key: 'summary', value: true },
    '--details': { key: 'details', value: true },
    '-l': { key: 'label', value: true, repeat: true },
    '--label': { key: 'label', value: true, repeat: true },
    '-a': { key: 'assignee', value: true, repeat: true },
    '--assignee': { key: 'assignee', value: true, repeat: true },
    '--milestone': { key: 'milestone', value: true },
  }));
  if (parsed.help) return sit.write(HELP.new);
  var o = parsed.options;
  if (parsed.positionals.length > 0) fail('unexpected argument ' + JSON.stringify(parsed.positionals[0]) + '; quote the summary and give it with --summary or -m');
  var text = issueText(sit, o, { summary: '', details: '' }, { verb: 'Write', initial: '' });
  var summary = text.summary;
  var details = text.details;
  var labels = (o.label || []).map(function (l) { return checkLabel('label', l); });
  var assignees = (o.assignee || []).map(function (a) { return checkLabel('assignee', a); });
  var milestone = o.milestone === undefined ? null : checkLabel('milestone', o.milestone);
  var id = sit.newItem();
  sit.newRecord(id, { files: { text: summary }, types: ['SummaryChanged'] });
  sit.newRecord(id, { files: { text: details }, types: ['DetailsChanged'] });
  if (labels.length > 0) sit.newRecord(id, { files: { added: lineList(labels) }, types: ['LabelsChanged'] });
  if (assignees.length > 0) sit.newRecord(id, { files: { added: lineList(assignees) }, types: ['AssigneesChanged'] });
  if (milestone !== null) sit.newRecord(id, { files: { milestone: milestone + '\n' }, types: ['MilestoneChanged'] });
  sit.print(id);
  return 0;
}

// Each argument is one query term; one with spaces becomes a quoted phrase or qualifier value.
function queryText(words) {
  return words
    .map(function (word) {
      if (!/\s/.test(word) || word.indexOf('"') >= 0) return word;
      var q = /^(-?)([A-Za-z][A-Za-z_-]*):([\s\S]*)$/.exec(word);
      if (q) return q[1] + q[2] + ':' + quote(q[3]);
      return word[0] === '-' ? '-' + quote(word.slice(1)) : quote(word);
    })
    .join(' ');
}

function quote(text) {
  return '"' + text.replace(/[\\"]/g, function (c) { return '\\' + c; }) + '"';
}

function configuredOneliner(sit) {
  var config = sit.config();
  var module = config && config['issue-tracking'];
  var cli = module && typeof module === 'object' ? module.cli : undefined;
  var oneliner = cli && typeof cli === 'object' ? cli.oneliner : undefined;
  return typeof oneliner === 'string' && oneliner !== '' ? oneliner : DEFAULT_ONELINER;
}

function cmdList(sit, argv) {
  var parsed = parseArgs(argv, {
    '--all': { key: 'all' },
    '--json': { key: 'json' },
    '--jmespath': { key: 'jmespath', value: true },
    '--limit': { key: 'limit', value: true },
    '--format': { key: 'format', value: true },
  }, true);
  if (parsed.help) return sit.write(HELP.list);
  var o = parsed.options;
  var options = {};
  if (!o.all) options.defaultState = 'open';
  if (o.jmespath !== undefined) options.jmespath = o.jmespath;
  if (o.limit !== undefined) {
    if (!/^\d+$/.test(o.limit)) fail('--limit needs a whole number, got ' + JSON.stringify(o.limit));
    options.limit = Number(o.limit);
  }
  var format = o.format !== undefined ? o.format : o.json ? undefined : configuredOneliner(sit);
  if (format !== undefined) options.select = format;
  var result = sit.search(queryText(parsed.positionals), options);
  if (o.json) {
    sit.print(sortedJson(result.items));
  } else if (result.items.length > 0) {
    sit.print(result.items.map(formatResult).join('\n'));
  }
  return 0;
}

function field(label, value) {
  return pad(label + ': ', 11) + value;
}

function cmdShow(sit, argv) {
  var parsed = parseArgs(argv, { '--json': { key: 'json' } });
  if (parsed.help) return sit.write(HELP.show);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue show ID');
  if (parsed.positionals.length > 1) fail('unexpected argument ' + JSON.stringify(parsed.positionals[1]));
  var issue = sit.item(id);
  if (parsed.options.json) {
    sit.print(sortedJson(issue));
    return 0;
  }
  var list = function (values) { return Array.isArray(values) && values.length > 0 ? values.join(', ') : '-'; };
  var lines = [
    field('Summary', issue.summary || '-'),
    field('Id', issue.id),
    field('State', issue.state === 'closed' ? 'closed' : 'open'),
    field('Author', issue.authors || '-'),
    field('Opened', formatTime(issue.timestamp)),
    field('Updated', formatTime(issue.last_updated_timestamp)),
    field('Labels', list(issue.labels)),
    field('Assignees', list(issue.assignees)),
    field('Milestone', issue.milestone || '-'),
  ];
  if (Array.isArray(issue.merge_requests) && issue.merge_requests.length > 0) {
    lines.push(field('Merge requests', issue.merge_requests.join(', ')));
  }
  var damaged = typeof sit.damagedRecords === 'function' ? sit.damagedRecords(id) : [];
  if (damaged.length > 0) {
    lines.push(field('Damaged', damaged.length + ' record' + (damaged.length === 1 ? '' : 's') +
      ' left out (files do not match the hash; run `sit integrity`): ' + damaged.join(', ')));
  }
  lines.push('');
  lines.push(typeof issue.details === 'string' && issue.details.trim() !== '' ? issue.details.replace(/\s+$/, '') : '(no details)');
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  comments.forEach(function (comment) {
    var what = 'Comment';
    if (comment.merge_request_report === 'success') what = 'Merge request verified';
    else if (comment.merge_request_report === 'failure') what = 'Merge request verification failed';
    else if (comment.merge_request) what = 'Merge request ' + comment.merge_request;
    lines.push('');
    lines.push(what + ' by ' + (comment.authors || 'unknown') + ' on ' + formatTime(comment.timestamp) + ':');
    lines.push(indentText(typeof comment.text === 'string' ? comment.text : '', '    '));
  });
  sit.print(lines.join('\n'));
  return 0;
}

function cmdComment(sit, argv) {
  var parsed = parseArgs(argv, withText({}));
  if (parsed.help) return sit.write(HELP.comment);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue comment ID');
  if (parsed.positionals.length > 1) fail('unexpected argument ' + JSON.stringify(parsed.positionals[1]) + '; give the comment with -m');
  var text = givenText(sit, parsed.options);
  if (text === null) {
    text = sit.edit({
      initial: '',
      fileName: 'COMMENT_EDITMSG.md',
      help: 'Write your comment on ' + id + ' (Markdown).\nThese help lines are removed; an empty comment aborts.',
    });
  }
  text = tidy(text);
  if (text === '') fail('the comment is empty; nothing was recorded');
  sit.newRecord(id, { files: { text: text }, types: ['Commented'] });
  sit.print('Commented on ' + id);
  return 0;
}

function cmdState(sit, argv, closing) {
  var name = closing ? 'close' : 'reopen';
  var parsed = parseArgs(argv, withText({}));
  if (parsed.help) return sit.write(HELP[name]);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue ' + name + ' ID');
  if (parsed.positionals.length > 1) fail('unexpected argument ' + JSON.stringify(parsed.positionals[1]) + '; give a comment with -m');
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

function cmdEdit(sit, argv) {
  var parsed = parseArgs(argv, withText({
    '--summary': { key: 'summary', value: true },
    '--details': { key: 'details', value: true },
  }));
  if (parsed.help) return sit.write(HELP.edit);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue edit ID');
  if (parsed.positionals.length > 1) fail('unexpected argument ' + JSON.stringify(parsed.positionals[1]));
  var o = parsed.options;
  var issue = sit.item(id);
  var oldSummary = typeof issue.summary === 'string' ? issue.summary : '';
  var oldDetails = typeof issue.details === 'string' ? issue.details : '';
  var text = issueText(sit, o, { summary: oldSummary, details: oldDetails }, {
    verb: 'Edit',
    initial: oldSummary + '\n\n' + oldDetails + '\n',
  });
  var summary = text.summary;
  var details = text.details;
  var changed = [];
  if (summary !== oldSummary) {
    sit.newRecord(id, { files: { text: summary }, types: ['SummaryChanged'] });
    changed.push('summary');
  }
  if (details !== oldDetails) {
    sit.newRecord(id, { files: { text: details }, types: ['DetailsChanged'] });
    changed.push('details');
  }
  sit.print(changed.length === 0 ? 'Nothing changed in ' + id : 'Changed the ' + changed.join(' and ') + ' of ' + id);
  return 0;
}

// `label` and `assign`: +X / X adds, -X removes, --add/--remove for anything.
function cmdSet(sit, argv, name, what, key, type) {
  var parsed = parseArgs(argv, {
    '--add': { key: 'add', value: true, repeat: true },
    '--remove': { key: 'remove', value: true, repeat: true },
  }, true);
  if (parsed.help) return sit.write(HELP[name]);
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
  var current = sit.item(id)[key];
  if (!Array.isArray(current)) current = [];
  var added = add.filter(function (v, i) { return current.indexOf(v) < 0 && add.indexOf(v) === i; });
  var removed = remove.filter(function (v, i) { return current.indexOf(v) >= 0 && remove.indexOf(v) === i; });
  if (added.length > 0 || removed.length > 0) {
    var files = {};
    if (added.length > 0) files.added = lineList(added);
    if (removed.length > 0) files.removed = lineList(removed);
    sit.newRecord(id, { files: files, types: [type] });
    current = sit.item(id)[key] || [];
  }
  var title = what === 'label' ? 'Labels' : 'Assignees';
  sit.print(title + ' of ' + id + ': ' + (current.length > 0 ? current.join(', ') : '-'));
  return 0;
}

function cmdMilestone(sit, argv) {
  var parsed = parseArgs(argv, { '--clear': { key: 'clear' } });
  if (parsed.help) return sit.write(HELP.milestone);
  var id = oneIssueId(sit, parsed.positionals, 'sit issue milestone ID [NAME]');
  if (parsed.positionals.length > 2) fail('unexpected argument ' + JSON.stringify(parsed.positionals[2]) + '; quote a milestone with spaces');
  var name = parsed.positionals[1];
  if (name !== undefined && parsed.options.clear) fail('give either a milestone or --clear, not both');
  var current = sit.item(id).milestone || null;
  if (parsed.options.clear && current !== null) {
    sit.newRecord(id, { files: { milestone: '' }, types: ['MilestoneChanged'] });
    current = null;
  } else if (name !== undefined) {
    var value = checkLabel('milestone', name);
    if (value !== current) {
      sit.newRecord(id, { files: { milestone: value + '\n' }, types: ['MilestoneChanged'] });
      current = value;
    }
  }
  sit.print('Milestone of ' + id + ': ' + (current === null ? '-' : current));
  return 0;
}

function cmdWhere(sit, argv) {
  var parsed = parseArgs(argv, {
    '--json': { key: 'json' },
    '--refs': { key: 'refs', value: true, repeat: true },
  });
  if (parsed.help) return sit.write(HELP.where);
  if (parsed.positionals.length === 0) fail('give the issue id (sit issue where ID)');
  if (parsed.positionals.length > 1) fail('unexpected argument ' + JSON.stringify(parsed.positionals[1]));
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

var HANDLERS = {
  new: cmdNew,
  list: cmdList,
  show: cmdShow,
  comment: cmdComment,
  close: function (sit, argv) { return cmdState(sit, argv, true); },
  reopen: function (sit, argv) { return cmdState(sit, argv, false); },
  edit: cmdEdit,
  label: function (sit, argv) { return cmdSet(sit, argv, 'label', 'label', 'labels', 'LabelsChanged'); },
  assign: function (sit, argv) { return cmdSet(sit, argv, 'assign', 'assignee', 'assignees', 'AssigneesChanged'); },
  milestone: cmdMilestone,
  where: cmdWhere,
};

module.exports = function (sit, args) {
  var argv = args.argv;
  var name = argv[0];
  if (name === undefined || name === '-h' || name === '--help') {
    sit.write(mainHelp());
    return name === undefined ? 1 : 0;
  }
  if (name === 'help') {
    var topic = argv[1];
    sit.write(topic !== undefined && HELP[topic] ? HELP[topic] : mainHelp());
    return 0;
  }
  var handler = Object.prototype.hasOwnProperty.call(HANDLERS, name) ? HANDLERS[name] : undefined;
  if (handler === undefined) {
    sit.eprint('sit issue: unknown command ' + JSON.stringify(name) + '; commands: ' + COMMANDS.map(function (c) { return c[0]; }).join(', '));
    return 1;
  }
  try {
    var status = handler(sit, argv.slice(1));
    return typeof status === 'number' ? status : 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    sit.eprint('sit issue ' + name + ': ' + error.message);
    return 1;
  }
};
