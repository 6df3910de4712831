// Shared by the subcommands of `sit issue`: errors, small helpers, finding issues, and the
// label and milestone definitions.
'use strict';

// The item that holds label and milestone definitions (see the module's README).
var DEFINITIONS_ID = 'issue-tracking-definitions';

var DEFAULT_ONELINER = "join(' | ', [id, summary || ''])";

// Colours offered to new labels, in order; the first one no label uses yet is taken.
var LABEL_PALETTE = [
  '#d73a4a',
  '#0075ca',
  '#cfd3d7',
  '#a2eeef',
  '#7057ff',
  '#008672',
  '#e4e669',
  '#d876e3',
  '#fbca04',
  '#0e8a16',
  '#1d76db',
  '#b60205',
];

function UserError(message) {
  this.name = 'UserError';
  this.message = message;
}
UserError.prototype = Object.create(Error.prototype);
UserError.prototype.constructor = UserError;

function fail(message) {
  throw new UserError(message);
}

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
    return (
      '[\n' +
      value
        .map(function (v) {
          return inner + sortedJson(v, inner);
        })
        .join(',\n') +
      '\n' +
      indent +
      ']'
    );
  }
  if (value !== null && typeof value === 'object') {
    var keys = Object.keys(value).sort(compareStrings);
    if (keys.length === 0) return '{}';
    return (
      '{\n' +
      keys
        .map(function (k) {
          return inner + JSON.stringify(k) + ': ' + sortedJson(value[k], inner);
        })
        .join(',\n') +
      '\n' +
      indent +
      '}'
    );
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
  return text
    .replace(/\s+$/, '')
    .split('\n')
    .map(function (line) {
      return line === '' ? '' : prefix + line;
    })
    .join('\n');
}

// Leading blank lines and trailing white space go; the rest is kept as written.
function tidy(text) {
  return text.replace(/^(\s*\n)+/, '').replace(/\s+$/, '');
}

// `Name <email>` → `Name`.
function personName(authors) {
  var name = String(authors || '')
    .replace(/\s*<[^>]*>\s*$/, '')
    .trim();
  return name === '' ? String(authors || '').trim() || 'someone' : name;
}

function shortId(id) {
  return id.length > 8 ? id.slice(0, 8) : id;
}

function str(value) {
  return typeof value === 'string' ? value : '';
}

function strings(value) {
  return Array.isArray(value)
    ? value.filter(function (v) {
        return typeof v === 'string';
      })
    : [];
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

// A full id from an id or a unique prefix of one, with or without a leading `#`. With `anyId`, an
// id that matches nothing here is taken as it is (it may exist on other branches).
function resolveId(sit, prefix, anyId) {
  if (typeof prefix !== 'string' || prefix === '') fail('give an issue id');
  // A whole id needs no listing; otherwise only the ids that start with what was given (the host
  // filters: a large repository's names need not all come into the sandbox).
  if (sit.hasItem(prefix)) return prefix;
  var ids = sit.itemIds(prefix);
  var wanted = prefix.charAt(0) === '#' && prefix.length > 1 ? prefix.slice(1) : prefix;
  if (wanted !== prefix) ids = sit.itemIds(wanted);
  if (ids.indexOf(wanted) >= 0) return wanted;
  var lower = wanted.toLowerCase();
  var matches = ids.filter(function (id) {
    return id.toLowerCase().indexOf(lower) === 0;
  });
  if (matches.length === 1) return matches[0];
  if (matches.length === 0 && anyId) return wanted;
  if (matches.length === 0) fail('no issue id starts with ' + JSON.stringify(prefix) + '; see `sit issue list --all`');
  var shown = matches.slice(0, 10);
  fail(
    'issue id prefix ' +
      JSON.stringify(prefix) +
      ' is ambiguous, it matches ' +
      matches.length +
      ' issues: ' +
      shown.join(', ') +
      (matches.length > shown.length ? ', …' : '') +
      '; give more characters',
  );
}

function oneIssueId(sit, positionals, usage) {
  if (positionals.length === 0) fail('give the issue id (' + usage + ')');
  return resolveId(sit, positionals[0]);
}

function definitionsState(sit) {
  return sit.hasItem(DEFINITIONS_ID) ? sit.item(DEFINITIONS_ID) : {};
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
  var exact = defs.labels.filter(function (l) {
    return l.name === name;
  })[0];
  if (exact) return exact;
  return defs.labels.filter(function (l) {
    return l.name.toLowerCase() === name.toLowerCase();
  })[0];
}

function findMilestone(defs, title) {
  var exact = defs.milestones.filter(function (m) {
    return m.title === title;
  })[0];
  if (exact) return exact;
  return defs.milestones.filter(function (m) {
    return m.title.toLowerCase() === title.toLowerCase();
  })[0];
}

// Writes a definition record, creating the definitions item (with a summary, details and a close,
// so that the original SIT lists it as a closed issue that explains itself) when it is missing.
function writeDefinition(sit, record) {
  if (sit.hasItem(DEFINITIONS_ID)) {
    sit.newRecord(DEFINITIONS_ID, record);
    return;
  }
  sit.newItem(
    [
      { files: { text: 'Labels and milestones of this tracker' }, types: ['SummaryChanged', 'Closed'] },
      {
        files: {
          text: 'This item holds the definitions of labels (name, colour, description) and milestones (title, description, due date) of the issue-tracking module. It is not an issue; see `sit issue labels` and `sit issue milestones`.',
        },
        types: ['DetailsChanged'],
      },
      record,
    ],
    { id: DEFINITIONS_ID },
  );
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

function timelineOf(issue) {
  if (Array.isArray(issue.timeline)) return issue.timeline;
  var comments = Array.isArray(issue.comments) ? issue.comments : [];
  return comments.map(function (c, i) {
    return { type: 'comment', comment: i };
  });
}

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
    of: function (name) {
      return counts['=' + name] || { open: 0, closed: 0 };
    },
  };
}

function oneLineValue(what, value) {
  var v = String(value).trim();
  if (v === '') fail('the ' + what + ' is empty');
  if (/[\r\n]/.test(v)) fail('the ' + what + ' must be one line');
  if (v.length > 200) fail('the ' + what + ' is longer than 200 characters');
  return v;
}

module.exports = {
  DEFINITIONS_ID: DEFINITIONS_ID,
  DEFAULT_ONELINER: DEFAULT_ONELINER,
  LABEL_PALETTE: LABEL_PALETTE,
  UserError: UserError,
  fail: fail,
  pad: pad,
  compareStrings: compareStrings,
  plural: plural,
  sortedJson: sortedJson,
  formatResult: formatResult,
  formatTime: formatTime,
  indentText: indentText,
  tidy: tidy,
  personName: personName,
  shortId: shortId,
  str: str,
  strings: strings,
  lineList: lineList,
  checkLabel: checkLabel,
  resolveId: resolveId,
  oneIssueId: oneIssueId,
  definitions: definitions,
  findLabel: findLabel,
  findMilestone: findMilestone,
  writeDefinition: writeDefinition,
  labelSegments: labelSegments,
  timelineOf: timelineOf,
  usage: usage,
  oneLineValue: oneLineValue,
};
