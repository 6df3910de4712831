// Comments: `.type/Commented` and `.type/Merged` records append entries to `state.comments`,
// in processing order. A record carrying both types appends the Merged entry first.
//
// Merged entry:    {text: "Merged <ref>" (trimmed), authors, timestamp}
// Commented entry: {text (untrimmed), authors, timestamp, merge_request, merge_request_report}
//   merge_request:        this record's hash if it is also `.type/MergeRequested`, else null
//   merge_request_report: "success" / "failure" for `.type/MergeRequestVerificationSucceeded` /
//                         `.type/MergeRequestVerificationFailed`, else null
// `authors` and `timestamp` are the record's `.authors` and `.timestamp` ("" when missing).
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

module.exports = function (state, record) {
  var files = record.files;
  var has = function (name) {
    return typeof files[name] !== 'undefined';
  };
  if (typeof files['.type/Merged'] === 'undefined' && typeof files['.type/Commented'] === 'undefined') {
    return state;
  }
  var comments = Array.isArray(state.comments) ? state.comments.slice() : [];
  if (has('.type/Merged')) {
    var ref = has('record') ? decode(files.record) : (state.merge_request || '');
    comments.push({
      text: ('Merged ' + ref).trim(),
      authors: decode(files['.authors']),
      timestamp: decode(files['.timestamp'])
    });
  }
  if (has('.type/Commented')) {
    var report = null;
    if (has('.type/MergeRequestVerificationSucceeded')) {
      report = 'success';
    } else if (has('.type/MergeRequestVerificationFailed')) {
      report = 'failure';
    }
    comments.push({
      text: decode(files.text),
      authors: decode(files['.authors']),
      timestamp: decode(files['.timestamp']),
      merge_request: has('.type/MergeRequested') ? record.hash : null,
      merge_request_report: report
    });
  }
  return Object.assign(state, { comments: comments });
};
