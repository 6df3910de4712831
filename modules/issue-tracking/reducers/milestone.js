// `milestone`: the item's milestone, a string, or null until a `.type/MilestoneChanged` record
// sets one. Such a record carries a `milestone` file (UTF-8, trimmed); an empty or missing file
// clears the milestone. Present on every item that has at least one record.
var decoder = new TextDecoder('utf-8');

module.exports = function (state, record) {
  var files = record.files;
  var value = typeof state.milestone === 'string' && state.milestone !== '' ? state.milestone : null;
  if (typeof files['.type/MilestoneChanged'] !== 'undefined') {
    value = files.milestone ? decoder.decode(files.milestone).trim() : '';
    if (value === '') {
      value = null;
    }
  }
  return Object.assign(state, { milestone: value });
};
