// `.type/SummaryChanged`: `summary` becomes the record's `text`, trimmed (the last one applied
// wins). `authors` and `timestamp` keep their first non-empty value (the item's creator and
// creation time). A change of an existing summary adds a `timeline` event {type: "summary",
// hash, authors, timestamp, from, to}.
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

module.exports = function (state, record) {
  var files = record.files;
  if (typeof files['.type/SummaryChanged'] === 'undefined') {
    return state;
  }
  var summary = decode(files.text).trim();
  var changes = {
    summary: summary,
    authors: state.authors || decode(files['.authors']),
    timestamp: state.timestamp || decode(files['.timestamp']),
  };
  if (typeof state.summary === 'string' && state.summary !== summary) {
    var timeline = Array.isArray(state.timeline) ? state.timeline.slice() : [];
    timeline.push({
      type: 'summary',
      hash: record.hash,
      authors: decode(files['.authors']),
      timestamp: decode(files['.timestamp']),
      from: state.summary,
      to: summary,
    });
    changes.timeline = timeline;
  }
  return Object.assign(state, changes);
};
