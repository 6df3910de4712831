// `assignees`: the item's current assignees, sorted, each once; [] until a `.type/AssigneesChanged` record
// changes them. Such a record carries `removed` and/or `added` (UTF-8, one assignee per line,
// trimmed, blank lines ignored); `removed` is applied first, then `added`, so a assignee named in
// both ends up present. Present on every item that has at least one record. A record that
// changes them adds a `timeline` event {type: "assignees", hash, authors, timestamp, added, removed}
// with what really changed.
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

function lines(buf) {
  var out = [];
  if (!buf) {
    return out;
  }
  var parts = decoder.decode(buf).split('\n');
  for (var i = 0; i < parts.length; i++) {
    var line = parts[i].trim();
    if (line !== '') {
      out.push(line);
    }
  }
  return out;
}

module.exports = function (state, record) {
  var files = record.files;
  var current = [];
  if (Array.isArray(state.assignees)) {
    for (var k = 0; k < state.assignees.length; k++) {
      if (typeof state.assignees[k] === 'string') {
        current.push(state.assignees[k]);
      }
    }
  }
  if (typeof files['.type/AssigneesChanged'] !== 'undefined') {
    var removed = lines(files.removed);
    var added = lines(files.added);
    var before = current;
    current = current.filter(function (value) {
      return removed.indexOf(value) === -1;
    });
    for (var j = 0; j < added.length; j++) {
      if (current.indexOf(added[j]) === -1) {
        current.push(added[j]);
      }
    }
    var gone = before.filter(function (value) {
      return current.indexOf(value) === -1;
    });
    var come = current.filter(function (value) {
      return before.indexOf(value) === -1;
    });
    if (gone.length > 0 || come.length > 0) {
      var timeline = Array.isArray(state.timeline) ? state.timeline.slice() : [];
      timeline.push({
        type: 'assignees',
        hash: record.hash,
        authors: decode(files['.authors']),
        timestamp: decode(files['.timestamp']),
        added: come.sort(),
        removed: gone.sort(),
      });
      state = Object.assign(state, { timeline: timeline });
    }
  }
  current.sort();
  return Object.assign(state, { assignees: current });
};
