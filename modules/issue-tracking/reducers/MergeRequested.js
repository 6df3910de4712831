// `.type/MergeRequested`: appends the record's hash to `merge_requests`, so the list holds every
// merge request of the item in processing order. The patches themselves are the record's
// `git/*.patch` files (from `git format-patch`).
module.exports = function (state, record) {
  if (typeof record.files['.type/MergeRequested'] === 'undefined') {
    return state;
  }
  var list = Array.isArray(state.merge_requests) ? state.merge_requests.slice() : [];
  list.push(record.hash);
  return Object.assign(state, { merge_requests: list });
};
