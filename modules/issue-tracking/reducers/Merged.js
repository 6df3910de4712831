// `.type/Merged`: appends {hash: this record's hash, record: <ref>} to `merges` (`[]` until the
// first one), where <ref> is the raw text of the record's `record` file (the merged merge
// request's hash, usually with a trailing newline), or else the item's `merge_request`, or else "".
var decoder = new TextDecoder('utf-8');

module.exports = function (state, record) {
  var files = record.files;
  var merges = Array.isArray(state.merges) ? state.merges.slice() : [];
  if (typeof files['.type/Merged'] === 'undefined') {
    return Array.isArray(state.merges) ? state : Object.assign(state, { merges: merges });
  }
  var ref = typeof files.record !== 'undefined' ? decoder.decode(files.record) : state.merge_request || '';
  merges.push({ hash: record.hash, record: ref });
  return Object.assign(state, { merges: merges });
};
