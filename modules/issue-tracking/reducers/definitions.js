// Label and milestone definitions, kept in the repository's definitions item (see the module's
// README, "Labels and milestones"). Only records of these four types change anything:
//
// `.type/LabelDefined`: `name` (one line, trimmed), optional `color` (`#rrggbb`) and
//   `description`. Defines the label or updates it: a file that is present replaces the value
//   (an empty `description` clears it; a `color` that is not `#rrggbb` is ignored), one that is
//   absent keeps it.
// `.type/LabelDeleted`: `name`. Removes the definition (issues keep the label).
// `.type/MilestoneDefined`: `title`, optional `description`, `due` (`YYYY-MM-DD`; empty clears
//   it, anything else is ignored) and `state` (`open` or `closed`), updated like labels.
// `.type/MilestoneDeleted`: `title`.
//
// `label_definitions` is [{name, color, description}] sorted by name and `milestone_definitions`
// [{title, description, due, state}] sorted by title; each appears once such a record arrived.
var decoder = new TextDecoder('utf-8');

function text(buf) {
  return typeof buf === 'undefined' ? null : decoder.decode(buf).trim();
}

function oneLine(value) {
  return value !== null && value !== '' && value.indexOf('\n') === -1 && value.length <= 200 ? value : null;
}

function byKey(key) {
  return function (a, b) {
    return a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0;
  };
}

// A copy of `list` (entries with `key`) with `name`'s entry replaced by update(old or null), or
// removed when update returns null.
function upsert(list, key, name, update) {
  var out = [];
  var old = null;
  for (var i = 0; i < list.length; i++) {
    var entry = list[i];
    if (!entry || typeof entry !== 'object' || typeof entry[key] !== 'string') {
      continue;
    }
    if (entry[key] === name) {
      old = entry;
    } else {
      out.push(entry);
    }
  }
  var next = update(old);
  if (next !== null) {
    out.push(next);
  }
  return out.sort(byKey(key));
}

module.exports = function (state, record) {
  var files = record.files;
  var has = function (name) {
    return typeof files['.type/' + name] !== 'undefined';
  };
  if (has('LabelDefined') || has('LabelDeleted')) {
    var name = oneLine(text(files.name));
    if (name !== null) {
      var labels = Array.isArray(state.label_definitions) ? state.label_definitions : [];
      var deleting = has('LabelDeleted');
      labels = upsert(labels, 'name', name, function (old) {
        if (deleting) {
          return null;
        }
        var color = text(files.color);
        var description = text(files.description);
        return {
          name: name,
          color:
            color !== null && /^#[0-9a-fA-F]{6}$/.test(color)
              ? color.toLowerCase()
              : old && typeof old.color === 'string'
                ? old.color
                : null,
          description:
            description !== null ? description : old && typeof old.description === 'string' ? old.description : '',
        };
      });
      state = Object.assign(state, { label_definitions: labels });
    }
  }
  if (has('MilestoneDefined') || has('MilestoneDeleted')) {
    var title = oneLine(text(files.title));
    if (title !== null) {
      var milestones = Array.isArray(state.milestone_definitions) ? state.milestone_definitions : [];
      var removing = has('MilestoneDeleted');
      milestones = upsert(milestones, 'title', title, function (old) {
        if (removing) {
          return null;
        }
        var description = text(files.description);
        var due = text(files.due);
        var status = text(files.state);
        return {
          title: title,
          description:
            description !== null ? description : old && typeof old.description === 'string' ? old.description : '',
          due:
            due === ''
              ? null
              : due !== null && /^\d{4}-\d\d-\d\d$/.test(due)
                ? due
                : old && typeof old.due === 'string'
                  ? old.due
                  : null,
          state: status === 'closed' || status === 'open' ? status : old && old.state === 'closed' ? 'closed' : 'open',
        };
      });
      state = Object.assign(state, { milestone_definitions: milestones });
    }
  }
  return state;
};
