// `sit issue where`: a subcommand of the issue-tracking porcelain (see ../issue.js).
'use strict';

var common = require('./common');
var fail = common.fail;
var pad = common.pad;
var sortedJson = common.sortedJson;
var resolveId = common.resolveId;
var parsing = require('./args');
var parseArgs = parsing.parseArgs;
var noMore = parsing.noMore;

var WHERE_HELP =
  'Usage: sit issue where ID [--json] [--refs PATTERN]...\n\n' +
  'Show whether the issue is open, closed or absent on every local branch, remote-tracking\n' +
  'branch and tag of the git repository (the SIT repository as committed there).\n' +
  'ID may be any unique prefix of an issue id of the working tree, or a whole id.\n\n' +
  'Options:\n' +
  '  --refs PATTERN        only refs whose name matches PATTERN (* any characters, ? one;\n' +
  '                        e.g. release/*, v1.*, origin/*); repeatable\n' +
  '  --json                print an array of {ref, commit, state}\n' +
  '  -h, --help            this help\n';

function cmdWhere(sit, argv) {
  var parsed = parseArgs(argv, {
    '--json': { key: 'json' },
    '--refs': { key: 'refs', value: true, repeat: true },
  });
  if (parsed.help) return sit.write(WHERE_HELP);
  if (parsed.positionals.length === 0) fail('give the issue id (sit issue where ID)');
  noMore(parsed.positionals, 1);
  var id = resolveId(sit, parsed.positionals[0], true);
  var refs = parsed.options.refs || [];
  var rows = sit.itemAtRefs(id, { refs: refs }).map(function (r) {
    var state = r.state === null ? 'absent' : r.state.state === 'closed' ? 'closed' : 'open';
    return { ref: r.ref, commit: r.commit, state: state };
  });
  if (parsed.options.json) {
    sit.print(sortedJson(rows));
    return 0;
  }
  if (rows.length === 0) {
    sit.print(
      refs.length > 0 ? 'No branch or tag matches ' + refs.join(', ') : 'The git repository has no branches or tags',
    );
    return 0;
  }
  var width = 3;
  rows.forEach(function (r) {
    width = Math.max(width, r.ref.length);
  });
  var lines = [pad('REF', width + 2) + pad('COMMIT', 14) + 'STATE'];
  rows.forEach(function (r) {
    lines.push(pad(r.ref, width + 2) + pad(r.commit.slice(0, 12), 14) + r.state);
  });
  sit.print(lines.join('\n'));
  return 0;
}

module.exports = {
  WHERE_HELP: WHERE_HELP,
  cmdWhere: cmdWhere,
};
