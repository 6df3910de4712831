// `.type/DetailsChanged`: `details` becomes the record's `text`, trimmed (the last one applied
// wins). `authors` and `timestamp` keep their first non-empty value (the item's creator and
// creation time). Combined with `.type/MergeRequested`, the record becomes the item's primary
// merge request (`merge_request` = its hash); a plain details edit keeps the previous one.
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
    timestamp: state.timestamp || decode(files['.timestamp'])
  };
  if (typeof files['.type/MergeRequested'] !== 'undefined') {
    changes.merge_request = record.hash;
  }
  return Object.assign(state, changes);
};
