// The argument parser of the subcommands of `sit issue`, and the text given with -m/-F,
// --summary/--details or in the editor.
'use strict';

var common = require('./common');
var fail = common.fail;
var tidy = common.tidy;

var TEXT_OPTIONS =
  '  -m, --message TEXT    the text (repeat for paragraphs)\n' +
  '  -F, --file FILE       read the text from FILE (- for standard input)\n';

var TEXT_NOTE =
  'Without -m or -F the text is asked for in $VISUAL/$EDITOR (vi by default), or read from\n' +
  'standard input when it is not a terminal.\n';

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
  Object.keys(TEXT_SPEC).forEach(function (k) {
    out[k] = TEXT_SPEC[k];
  });
  Object.keys(spec).forEach(function (k) {
    out[k] = spec[k];
  });
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
  if (positionals.length > from)
    fail('unexpected argument ' + JSON.stringify(positionals[from]) + (hint ? '; ' + hint : ''));
}

// The summary and details of `issue new`/`issue edit`: from --summary/--details (each keeping
// `base` when absent), else from -m/-F, else from the editor; the summary must be one non-empty line.
function issueText(sit, o, base, editor) {
  var summary = base.summary;
  var details = base.details;
  if (o.summary !== undefined || o.details !== undefined) {
    if (o.message || o.file !== undefined)
      fail('give the text either with --summary/--details or with -m/-F, not both');
    if (o.summary !== undefined) summary = String(o.summary).trim();
    if (o.details !== undefined) details = String(o.details).trim();
  } else {
    var text = givenText(sit, o);
    if (text === null) {
      text = sit.edit({
        initial: editor.initial,
        fileName: 'ISSUE_EDITMSG.md',
        help:
          editor.verb +
          ' the issue: the first line is its summary, the lines after it its details (Markdown).\nThese help lines are removed; an empty summary aborts.',
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

module.exports = {
  TEXT_OPTIONS: TEXT_OPTIONS,
  TEXT_NOTE: TEXT_NOTE,
  parseArgs: parseArgs,
  withText: withText,
  givenText: givenText,
  noMore: noMore,
  issueText: issueText,
};
