// `.type/DetailsChanged`: `details` becomes the record's `text`, trimmed (the last one applied
// wins). `authors` and `timestamp` keep their first non-empty value (the item's creator and
// creation time). Combined with `.type/MergeRequested`, the record becomes the item's primary
// merge request (`merge_request` = its hash); a plain details edit keeps the previous one.
// A change of existing details adds a `timeline` event {type: "details", hash, authors,
// timestamp} (with `merge_request: true` for a new merge request).
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

module.exports = function (state, record) {
  var files = record.files;
  if (typeof files['.type/DetailsChanged'] === 'undefined') {
    return state;
  }
  var changes = {
    details: decode(files.text).trim(),
    authors: state.authors || decode(files['.authors']),
    timestamp: state.timestamp || decode(files['.timestamp']),
  };
  var requested = typeof files['.type/MergeRequested'] !== 'undefined';
  if (requested) {
    changes.merge_request = record.hash;
  }
  if (typeof state.details === 'string' && (state.details !== changes.details || requested)) {
    var timeline = Array.isArray(state.timeline) ? state.timeline.slice() : [];
    var event = {
      type: 'details',
      hash: record.hash,
      authors: decode(files['.authors']),
      timestamp: decode(files['.timestamp']),
    };
    if (requested) {
      event.merge_request = true;
    }
    timeline.push(event);
    changes.timeline = timeline;
  }
  return Object.assign(state, changes);
};
