// `state`: "open" from the item's first record on; `.type/Closed` makes it "closed" and
// `.type/Reopened` makes it "open" again. A record carrying both closes the item. A record that
// changes the state adds a `timeline` event {type: "closed" or "reopened", hash, authors,
// timestamp}; `timeline` is `[]` until the first event.
var decoder = new TextDecoder('utf-8');

function decode(buf) {
  return buf ? decoder.decode(buf) : '';
}

module.exports = function (state, record) {
  var files = record.files;
  var before = state.state === 'closed' ? 'closed' : 'open';
  var value = before;
  if (typeof files['.type/Closed'] !== 'undefined') {
    value = 'closed';
  } else if (typeof files['.type/Reopened'] !== 'undefined') {
    value = 'open';
  }
  var timeline = Array.isArray(state.timeline) ? state.timeline : [];
  if (value !== before) {
    timeline = timeline.slice();
    timeline.push({
      type: value === 'closed' ? 'closed' : 'reopened',
      hash: record.hash,
      authors: decode(files['.authors']),
      timestamp: decode(files['.timestamp']),
    });
  }
  return Object.assign(state, { state: value, timeline: timeline });
};
