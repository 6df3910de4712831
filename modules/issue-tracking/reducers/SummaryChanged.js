// `.type/SummaryChanged`: `summary` becomes the record's `text`, trimmed (the last one applied
// wins). `authors` and `timestamp` keep their first non-empty value (the item's creator and
// creation time).
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

module.exports = function (state, record) {
  var files = record.files;
  if (typeof files['.type/SummaryChanged'] === 'undefined') {
    return state;
  }
  return Object.assign(state, {
    summary: decode(files.text).trim(),
    authors: state.authors || decode(files['.authors']),
    timestamp: state.timestamp || decode(files['.timestamp'])
  });
};
