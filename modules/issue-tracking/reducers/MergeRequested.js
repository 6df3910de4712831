// `.type/MergeRequested`: appends the record's hash to `merge_requests`, so the list holds every
// merge request of the item in processing order (`[]` until the first one). The patches
// themselves are the record's `git/*.patch` files (from `git format-patch`).
module.exports = function (state, record) {
  var list = Array.isArray(state.merge_requests) ? state.merge_requests.slice() : [];
  if (typeof record.files['.type/MergeRequested'] === 'undefined') {
    return Array.isArray(state.merge_requests) ? state : Object.assign(state, { merge_requests: list });
  }
  list.push(record.hash);
  return Object.assign(state, { merge_requests: list });
};
