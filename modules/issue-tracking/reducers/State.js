// `state`: "open" from the item's first record on; `.type/Closed` makes it "closed" and
// `.type/Reopened` makes it "open" again. A record carrying both closes the item.
module.exports = function (state, record) {
  var files = record.files;
  var value = state.state === 'closed' ? 'closed' : 'open';
  if (typeof files['.type/Closed'] !== 'undefined') {
    value = 'closed';
  } else if (typeof files['.type/Reopened'] !== 'undefined') {
    value = 'open';
  }
  return Object.assign(state, { state: value });
};
