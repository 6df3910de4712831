// `last_updated_timestamp`: the `.timestamp` of the last applied record that has one.
var decoder = new TextDecoder('utf-8');

module.exports = function (state, record) {
  var buf = record.files['.timestamp'];
  if (typeof buf === 'undefined') {
    return state;
  }
  return Object.assign(state, { last_updated_timestamp: decoder.decode(buf) });
};
