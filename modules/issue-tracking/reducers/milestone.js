// `milestone`: the item's milestone, a string, or null until a `.type/MilestoneChanged` record
// sets one. Such a record carries a `milestone` file (UTF-8, trimmed); an empty or missing file
// clears the milestone. Present on every item that has at least one record. A record that
// changes it adds a `timeline` event {type: "milestone", hash, authors, timestamp, from, to}
// (null for none).
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

module.exports = function (state, record) {
  var files = record.files;
  var before = typeof state.milestone === 'string' && state.milestone !== '' ? state.milestone : null;
  var value = before;
  if (typeof files['.type/MilestoneChanged'] !== 'undefined') {
    value = files.milestone ? decoder.decode(files.milestone).trim() : '';
    if (value === '') {
      value = null;
    }
    if (value !== before) {
      var timeline = Array.isArray(state.timeline) ? state.timeline.slice() : [];
      timeline.push({
        type: 'milestone',
        hash: record.hash,
        authors: decode(files['.authors']),
        timestamp: decode(files['.timestamp']),
        from: before,
        to: value,
      });
      state = Object.assign(state, { timeline: timeline });
    }
  }
  return Object.assign(state, { milestone: value });
};
