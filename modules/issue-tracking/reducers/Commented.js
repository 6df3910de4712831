// Comments: `.type/Commented` and `.type/Merged` records append entries to `state.comments`,
// in processing order. A record carrying both types appends the Merged entry first.
//
// Merged entry:    {text: "Merged <ref>" (trimmed), authors, timestamp}
// Commented entry: {text (untrimmed), authors, timestamp, merge_request, merge_request_report}
//   merge_request:        this record's hash if it is also `.type/MergeRequested`, else null
//   merge_request_report: "success" / "failure" for `.type/MergeRequestVerificationSucceeded` /
//                         `.type/MergeRequestVerificationFailed`, else null
// `authors` and `timestamp` are the record's `.authors` and `.timestamp` ("" when missing).
//
// Each entry also gets a `timeline` event: {type: "comment" or "merged", hash, comment: <its
// index in comments>}.
//
// This module's own types change a Commented entry afterwards. Both name the comment by the hash
// of the record that wrote it (file `comment`) and count only when their `.authors` is the
// comment's own (non-empty) `.authors`; anything else (another item's comment, another author,
// a Merged entry, an unknown hash) is ignored:
// `.type/CommentEdited` (+ `text`): the comment's text becomes `text` (as written); its event gets
//   `edited` (the edit's timestamp) and `edits` (how many).
// `.type/CommentDeleted`: the entry leaves `comments`; its event becomes
//   {type: "comment_deleted", hash, authors, timestamp, deleted: <the deletion's timestamp>}.
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

function findComment(timeline, hash) {
  for (var i = 0; i < timeline.length; i++) {
    var event = timeline[i];
    if (event && event.type === 'comment' && event.hash === hash && typeof event.comment === 'number') {
      return i;
    }
  }
  return -1;
}

// Applies a CommentEdited/CommentDeleted record to copies of the lists; returns them, or null
// when the record does not count.
function change(comments, timeline, files, deleting) {
  var target = decode(files.comment).trim();
  var at = target === '' ? -1 : findComment(timeline, target);
  if (at < 0) {
    return null;
  }
  var index = timeline[at].comment;
  var entry = comments[index];
  var author = decode(files['.authors']);
  if (!entry || typeof entry !== 'object' || !('merge_request' in entry) || author === '' || entry.authors !== author) {
    return null;
  }
  var when = decode(files['.timestamp']);
  if (deleting) {
    comments.splice(index, 1);
    timeline[at] = {
      type: 'comment_deleted',
      hash: target,
      authors: entry.authors,
      timestamp: entry.timestamp,
      deleted: when,
    };
    for (var i = at + 1; i < timeline.length; i++) {
      var later = timeline[i];
      if (later && typeof later.comment === 'number' && later.comment > index) {
        timeline[i] = Object.assign({}, later, { comment: later.comment - 1 });
      }
    }
  } else {
    comments[index] = Object.assign({}, entry, { text: decode(files.text) });
    var edits = typeof timeline[at].edits === 'number' ? timeline[at].edits : 0;
    timeline[at] = Object.assign({}, timeline[at], { edited: when, edits: edits + 1 });
  }
  return true;
}

module.exports = function (state, record) {
  var files = record.files;
  var has = function (name) {
    return typeof files[name] !== 'undefined';
  };
  var comments = Array.isArray(state.comments) ? state.comments.slice() : [];
  var timeline = Array.isArray(state.timeline) ? state.timeline.slice() : [];
  var changed = false;
  if (has('.type/Merged')) {
    var ref = has('record') ? decode(files.record) : state.merge_request || '';
    comments.push({
      text: ('Merged ' + ref).trim(),
      authors: decode(files['.authors']),
      timestamp: decode(files['.timestamp']),
    });
    timeline.push({ type: 'merged', hash: record.hash, comment: comments.length - 1 });
    changed = true;
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
      merge_request_report: report,
    });
    timeline.push({ type: 'comment', hash: record.hash, comment: comments.length - 1 });
    changed = true;
  }
  if (has('.type/CommentEdited') && change(comments, timeline, files, false)) {
    changed = true;
  }
  if (has('.type/CommentDeleted') && change(comments, timeline, files, true)) {
    changed = true;
  }
  if (!changed && Array.isArray(state.comments)) {
    return state;
  }
  return Object.assign(state, { comments: comments, timeline: timeline });
};
