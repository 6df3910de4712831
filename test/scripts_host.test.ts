import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '../src/cli/context.ts';
import { scriptEnvironment } from '../src/cli/script_environment.ts';
import { SitError } from '../src/errors.ts';
import { ModuleScriptError, runModuleScript, type ScriptInvocation, type ScriptIo } from '../src/scripts/mod.ts';
import { Repository } from '../src/store/mod.ts';
import { ROOT } from './helpers/cli.ts';

const base = mkdtempSync(join(tmpdir(), 'sit-scripts-'));
process.env.SIT_CACHE_DIR = join(base, 'cache');
process.env.XDG_CONFIG_HOME = join(base, 'config');
process.env.HOME = join(base, 'home');
mkdirSync(join(base, 'config', 'sit'), { recursive: true });
mkdirSync(join(base, 'home'), { recursive: true });
const userConfig = join(base, 'config', 'sit', 'config.json');
writeFileSync(userConfig, JSON.stringify({ author: { name: 'Script Tester', email: 'tester@example.org' } }));

let counter = 0;

/** A fresh project with a repository that uses the issue-tracking module. */
function project(): { dir: string; repo: string } {
  const dir = join(base, `project-${counter++}`);
  mkdirSync(dir, { recursive: true });
  const { path } = Repository.init(dir);
  mkdirSync(join(path, 'modules'), { recursive: true });
  writeFileSync(join(path, 'modules', 'issue-tracking'), join(ROOT, 'modules', 'issue-tracking'));
  return { dir, repo: path };
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `source` as a module script with captured streams. */
async function run(
  repo: string,
  source: string,
  options: {
    argv?: string[];
    stdin?: string;
    tty?: boolean;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    limits?: ScriptInvocation['limits'];
    wallTimeMs?: number;
    io?: Partial<ScriptIo>;
    configFile?: string;
    /** The script's directory (a module's `cli/`); default a new one. */
    dir?: string;
  } = {},
): Promise<Run> {
  // Each script in a directory of its own: everything beside it is what its require() may load.
  const dir = options.dir ?? join(base, `scripts-${counter++}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'script.js');
  writeFileSync(file, source);
  const out: string[] = [];
  const err: string[] = [];
  const io: ScriptIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readStdin: () => options.stdin ?? '',
    stdinIsTTY: options.tty ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? base,
    ...options.io,
  };
  const context = new Context({
    disableIntegrityCheck: false,
    verbosity: 0,
    help: false,
    version: false,
    rest: [],
    repository: repo,
    configFile: options.configFile ?? userConfig,
  });
  const status = await runModuleScript(scriptEnvironment(context), file, {
    name: 'demo',
    args: options.argv ?? [],
    io,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.wallTimeMs === undefined ? {} : { wallTimeMs: options.wallTimeMs }),
  });
  return { status, stdout: out.join(''), stderr: err.join('') };
}

async function rejects(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the script run to fail');
}

test('the script gets the command name and the raw arguments, and exactly the documented functions', async () => {
  const { repo } = project();
  const result = await run(
    repo,
    `module.exports = function (sit, args) {
    sit.print(JSON.stringify(args));
    sit.print(Object.keys(sit).sort().join(' '));
  };`,
    { argv: ['list', '-label:bug', '--', '--json'] },
  );
  assert.is(result.status, 0);
  assert.is(
    result.stdout,
    '{"command":"demo","argv":["list","-label:bug","--","--json"]}\n' +
      'author commits config damagedRecords edit eprint ewrite exit filters hasItem item itemAtRefs itemIds items jmespath mentions newItem newRecord page print readFile readStdin records search table templates terminal write\n',
  );
});

test('create an item and records, then read states, search and records back', async () => {
  const { repo } = project();
  const result = await run(
    repo,
    `module.exports = function (sit) {
    var id = sit.newItem();
    var first = sit.newRecord(id, { files: { text: 'Crash on start' }, types: ['SummaryChanged'] });
    sit.newRecord(id, { files: { text: 'Steps' }, types: ['DetailsChanged'] });
    var state = sit.item(id);
    sit.print([state.summary, state.details, state.state, state.authors].join('|'));
    sit.print(JSON.stringify(sit.itemIds()) === JSON.stringify([id]));
    sit.print(sit.items().length);
    var found = sit.search('crash', { select: 'summary' });
    sit.print(JSON.stringify(found));
    sit.print(JSON.stringify(sit.search('is:closed')));
    sit.print(JSON.stringify(sit.search('', { defaultState: 'closed' })));
    var records = sit.records(id);
    sit.print(records.length + ' ' + (records[0].hash === first));
    sit.print(Object.keys(records[0].files).join(','));
    sit.print(records[0].files.text + ' ' + records[1].files['.prev/' + first]);
    sit.print(sit.jmespath('length(@)', [1, 2, 3]));
    sit.print(sit.config().hashing_algorithm.blake2b.size);
    return 0;
  };`,
  );
  assert.is(result.stderr, '');
  const lines = result.stdout.split('\n');
  assert.is(lines[0], 'Crash on start|Steps|open|Script Tester <tester@example.org>');
  assert.equal(lines.slice(1), [
    'true',
    '1',
    '{"total":1,"items":["Crash on start"]}',
    '{"total":0,"items":[]}',
    '{"total":0,"items":[]}',
    '2 true',
    '.authors,.timestamp,.type/SummaryChanged,text',
    'Crash on start ',
    '3',
    '20',
    '',
  ]);
  const repository = Repository.open(repo);
  const id = repository.items()[0]!;
  assert.is(repository.itemGenerations(id).flat().length, 2);
});

test('binary record files read as null', async () => {
  const { repo } = project();
  const repository = Repository.open(repo);
  const id = repository.newItem();
  const hash = repository.newRecord(
    [
      { name: 'blob', data: new Uint8Array([0xff, 0x00, 0x80]) },
      { name: 'note', data: new TextEncoder().encode('hi') },
    ],
    { itemId: id },
  );
  const result = await run(
    repo,
    `module.exports = function (sit, args) {
    var r = sit.records(args.argv[0])[0];
    sit.print(JSON.stringify([r.hash, r.files.blob, r.files.note]));
  };`,
    { argv: [id] },
  );
  assert.is(result.stdout, JSON.stringify([hash, null, 'hi']) + '\n');
});

test('output goes to stdout and stderr in order; the exit status comes from the return value or sit.exit', async () => {
  const { repo } = project();
  const printed = await run(
    repo,
    `module.exports = function (sit) {
    sit.write('a'); sit.print('b'); sit.eprint('warning'); sit.ewrite('!'); sit.print({ x: 1 });
    return 3;
  };`,
  );
  assert.equal(printed, { status: 3, stdout: 'ab\n[object Object]\n', stderr: 'warning\n!' });
  const exited = await run(
    repo,
    `module.exports = function (sit) {
    sit.print('before');
    try { sit.exit(4); } catch (e) { sit.print('caught'); sit.itemIds(); }
    sit.print('never');
  };`,
  );
  assert.equal(exited, { status: 4, stdout: 'before\n', stderr: '' });
  assert.is((await run(repo, 'module.exports = function () {};')).status, 0);
  assert.is((await run(repo, "module.exports = function () { return 'yes'; };")).status, 0);
  const bad = await rejects(run(repo, 'module.exports = function (sit) { sit.exit(300); };'));
  assert.instance(bad, SitError);
  assert.match(bad.message, /sit\.exit: the status must be a whole number from 0 to 255/);
});

test('a host error the script does not catch reaches the user as its own one-line error', async () => {
  const { repo } = project();
  const error = await rejects(run(repo, "module.exports = function (sit) { sit.item('no-such-item'); };"));
  assert.instance(error, SitError);
  assert.is(error.message, 'Item no-such-item not found');
  const query = await rejects(run(repo, "module.exports = function (sit) { sit.search('kind:bug'); };"));
  assert.instance(query, SitError);
  assert.match(query.message, /^unknown qualifier "kind:"/);
  const caught = await run(
    repo,
    `module.exports = function (sit) {
    try { sit.item('nope'); } catch (e) { sit.print(e.name + ': ' + e.message); }
    return 5;
  };`,
  );
  assert.equal(caught, { status: 5, stdout: 'HostError: Item nope not found\n', stderr: '' });
});

test('a script that throws, does not load or exports no function fails with one line and exit status 1', async () => {
  const { repo } = project();
  const thrown = await rejects(
    run(repo, "module.exports = function () {\n  throw new Error('boom\\nsecond line');\n};"),
  );
  assert.instance(thrown, ModuleScriptError);
  assert.is((thrown as SitError).exitCode, 1);
  assert.not.match(thrown.message, /\n/);
  assert.match(
    thrown.message,
    /^sit demo: module script .*scripts-\d+\/script\.js failed: Error: boom second line \(at .*:2:/,
  );
  const syntax = await rejects(run(repo, 'module.exports = function ( {'));
  assert.match(syntax.message, /failed: SyntaxError/);
  const none = await rejects(run(repo, 'module.exports = 42;'));
  assert.match(none.message, /module\.exports should export a function/);
});

test('records: reserved and escaping names, bad types and unknown items are refused and write nothing', async () => {
  const { repo } = project();
  const repository = Repository.open(repo);
  const id = repository.newItem();
  const attempts: Array<[string, RegExp]> = [
    [`{ files: { '.authors': 'Mallory' }, types: ['Commented'] }`, /record file name ".authors" is reserved/],
    [`{ files: { '.prev/AAAA': '' } }`, /is reserved/],
    [`{ files: { 'a/../../x': 'y' } }`, /escapes the record/],
    [`{ files: { 'a\\u0000b': 'y' } }`, /contains a NUL byte/],
    [`{ files: { text: 'a', 'text/x': 'b' } }`, /is also a directory of/],
    [`{ files: { text: 1 } }`, /must be a string/],
    [`{ types: ['../x'] }`, /bad record type/],
    [`{ files: {}, types: [] }`, /at least one file or type/],
    [`{ files: { text: 'x' }, extra: 1 }`, /unknown field extra/],
  ];
  const source = `module.exports = function (sit, a) {
    [${attempts.map(([spec]) => spec).join(',\n')}].forEach(function (spec) {
      try { sit.newRecord(a.argv[0], spec); sit.print('written'); } catch (e) { sit.print(e.name + ': ' + e.message); }
    });
  };`;
  const lines = (await run(repo, source, { argv: [id] })).stdout.trimEnd().split('\n');
  assert.is(lines.length, attempts.length);
  attempts.forEach(([spec, pattern], i) => {
    assert.match(lines[i]!, /^HostError: /, spec);
    assert.match(lines[i]!, pattern, spec);
  });
  const unknown = await rejects(
    run(repo, "module.exports = function (sit) { sit.newRecord('missing', { types: ['Closed'] }); };"),
  );
  assert.is(unknown.message, 'Item missing not found');
  assert.equal(repository.itemRecordHashes(id), []);
  assert.equal(readdirSync(join(repo, 'items')), [id]);
});

test('a hostile script cannot reach files, processes or the environment', async () => {
  const { repo, dir } = project();
  writeFileSync(join(dir, 'secret.txt'), 'top secret');
  const probe = await run(
    repo,
    `module.exports = function (sit) {
    var out = [typeof process, typeof require, typeof std, typeof os, typeof fetch, typeof setTimeout, typeof WebAssembly];
    try { require('fs'); } catch (e) { out.push(e.message); }
    try { sit.readFile('secret.txt'); } catch (e) { out.push(e.message); }
    try { sit.readFile('/etc/passwd'); } catch (e) { out.push(e.message); }
    sit.print(out.join('\\n'));
  };`,
    { cwd: dir },
  );
  assert.is(
    probe.stdout,
    [
      'undefined',
      'function',
      'undefined',
      'undefined',
      'undefined',
      'undefined',
      'undefined',
      'module not found: "fs"',
      'sit.readFile: "secret.txt" was not named on the command line; a module script may only read files the user names',
      'sit.readFile: "/etc/passwd" was not named on the command line; a module script may only read files the user names',
    ].join('\n') + '\n',
  );
  const named = await run(repo, "module.exports = function (sit) { sit.print(sit.readFile('secret.txt')); };", {
    argv: ['-F', 'secret.txt'],
    cwd: dir,
  });
  assert.is(named.stdout, 'top secret\n');
  const equals = await run(repo, "module.exports = function (sit) { sit.print(sit.readFile('secret.txt')); };", {
    argv: ['--file=secret.txt'],
    cwd: dir,
  });
  assert.is(equals.stdout, 'top secret\n');
  const directory = await rejects(
    run(repo, "module.exports = function (sit) { sit.readFile('.'); };", { argv: ['.'], cwd: dir }),
  );
  assert.is(directory.message, 'cannot read .: not a regular file');
});

test('hostile: hasItem and itemIds(prefix) only answer about items, whatever a script asks', async () => {
  const { repo } = project();
  writeFileSync(join(repo, 'outside'), 'not an item');
  const store = Repository.open(repo);
  for (const id of ['Abc-1', 'abd-2', 'x']) store.newItem(id);
  const result = await run(
    repo,
    `module.exports = function (sit) {
    sit.print(JSON.stringify([sit.hasItem('Abc-1'), sit.hasItem('abc'), sit.hasItem('..'), sit.hasItem('.'), sit.hasItem(''),
      sit.hasItem('../config.json'), sit.hasItem('../outside'), sit.hasItem('a/b'), sit.hasItem(42), sit.hasItem()]));
    sit.print(JSON.stringify([sit.itemIds('ab'), sit.itemIds('ABC'), sit.itemIds('..'), sit.itemIds('/'), sit.itemIds(7).length]));
  };`,
  );
  assert.is(result.stderr, '');
  assert.is(
    result.stdout,
    '[true,false,false,false,false,false,false,false,false,false]\n[["Abc-1","abd-2"],["Abc-1"],[],[],3]\n',
  );
});

test('a script that runs forever is stopped at its deadline', async () => {
  const { repo } = project();
  const started = performance.now();
  const error = await rejects(
    run(repo, 'module.exports = function () { for (;;) {} };', { limits: { itemDeadlineMs: 300 } }),
  );
  assert.instance(error, ModuleScriptError);
  assert.match(error.message, /failed: deadline exceeded \(300 ms\)/);
  assert.ok(performance.now() - started < 5000);
});

test('time spent in host functions does not count against the deadline', async () => {
  const { repo } = project();
  // Each newRecord asks for the author, hashes and writes: well over 300 ms in all.
  const result = await run(
    repo,
    `module.exports = function (sit) {
    var id = sit.newItem();
    for (var i = 0; i < 40; i++) sit.newRecord(id, { files: { text: 'c' + i }, types: ['Commented'] });
    return sit.item(id).comments.length;
  };`,
    { limits: { itemDeadlineMs: 300 } },
  );
  assert.is(result.status, 40);
});

test('time spent in host functions counts against the wall time of the run: a script calling the host forever is stopped', async () => {
  const { repo } = project();
  const started = performance.now();
  // almost all of the time is the host's: the script's own deadline alone never comes
  const error = await rejects(
    run(repo, 'module.exports = function (sit) { for (;;) sit.itemIds(); };', { wallTimeMs: 800 }),
  );
  assert.instance(error, ModuleScriptError, error.message);
  assert.match(error.message, /failed: wall time exceeded \(800 ms, host calls included\)/, error.message);
  assert.not.match(error.message, '\n');
  assert.ok(performance.now() - started < 30_000);
  // waiting for the user does not count
  const waited = await run(repo, 'module.exports = function (sit) { return sit.readStdin().length; };', {
    wallTimeMs: 800,
    stdin: 'typed slowly',
  });
  assert.is(waited.status, 12);
});

test('a script that exhausts its memory is stopped', async () => {
  const { repo } = project();
  const error = await rejects(
    run(
      repo,
      "module.exports = function () { var a = []; for (;;) a.push(new Array(100000).fill('x' + a.length)); };",
      {
        limits: { memoryBytes: 32 * 1024 * 1024 },
      },
    ),
  );
  assert.instance(error, ModuleScriptError);
  assert.match(error.message, /failed: out of memory \(32 MiB limit\)/);
});

test('edit reads standard input when it is not a terminal, and opens $EDITOR when it is', async () => {
  const { repo } = project();
  const source = `module.exports = function (sit) {
    sit.write(JSON.stringify(sit.edit({ initial: 'Start', help: 'Write a summary.\\nLines like these go.' })));
    sit.write(JSON.stringify(sit.readStdin()));
  };`;
  const piped = await run(repo, source, { stdin: 'from stdin\n' });
  assert.is(piped.stdout, '"from stdin\\n""from stdin\\n"');
  const editor = join(base, 'editor.mjs');
  writeFileSync(
    editor,
    "import { readFileSync, writeFileSync } from 'node:fs';\n" +
      'const file = process.argv[2];\n' +
      "writeFileSync(file, readFileSync(file, 'utf8').replace('Start', 'Edited') + '# A heading\\n');\n",
  );
  const edited = await run(repo, source, { tty: true, env: { EDITOR: `${process.execPath} ${editor}` } });
  assert.is(edited.stdout, '"Edited\\n\\n# A heading\\n"""');
  const failing = await rejects(run(repo, source, { tty: true, env: { VISUAL: 'false', EDITOR: 'true' } }));
  assert.is(failing.message, 'the editor "false" exited with status 1; nothing was recorded');
  const missing = await rejects(run(repo, source, { tty: true, env: { EDITOR: join(base, 'no-such-editor') } }));
  assert.match(missing.message, /^cannot run the editor ".*no-such-editor": .*ENOENT.*; set \$VISUAL or \$EDITOR/);
});

test.after(() => {
  rmSync(base, { recursive: true, force: true });
});

test('styled output: colour and escaping on a terminal, NO_COLOR, plain text elsewhere; tables; terminal size', async () => {
  const { repo } = project();
  const source = `module.exports = function (sit, args) {
    if (args.argv[0] === 'always') sit.terminal({ color: 'always' });
    var t = sit.terminal();
    sit.print(JSON.stringify(t));
    sit.print(['state: ', { text: 'open', style: 'green' }, ' ', { text: 'x\\u001b[2Jy', style: 'bold' }]);
    sit.table([['a', { text: 'bb', style: 'red' }], ['ccc', 'd']], { align: ['left', 'right'] });
    sit.print({ x: 1 });
  };`;
  const raw: string[] = [];
  const io = { stdoutIsTTY: true, columns: 40, rows: 10, rawStdout: (t: string) => void raw.push(t) };
  const tty = await run(repo, source, { io });
  assert.is(tty.stdout.split('\n')[0], '{"stdout":true,"columns":40,"rows":10,"color":true}');
  assert.is(raw.join(''), 'state: \x1b[32mopen\x1b[0m \x1b[1mx\\x1b[2Jy\x1b[0m\na    \x1b[31mbb\x1b[0m\nccc   d\n');
  raw.length = 0;
  const noColor = await run(repo, source, { io, env: { NO_COLOR: '1' } });
  assert.is(noColor.stdout.split('\n')[0], '{"stdout":true,"columns":40,"rows":10,"color":false}');
  assert.is(raw.join(''), 'state: open x\\x1b[2Jy\na    bb\nccc   d\n', 'escaped, but no colour');
  const pipe = await run(repo, source);
  assert.is(
    pipe.stdout,
    '{"stdout":false,"columns":80,"rows":24,"color":false}\nstate: open x\x1b[2Jy\na    bb\nccc   d\n[object Object]\n',
  );
  const forced = await run(repo, source, { argv: ['always'] });
  assert.match(forced.stdout, /"color":true/);
  assert.match(forced.stdout, /\x1b\[32mopen\x1b\[0m \x1b\[1mx\\x1b\[2Jy/, 'colour on a pipe, when asked, escapes too');
  const bad = await run(
    repo,
    `module.exports = function (sit) { sit.print([{ text: 'x', style: 'blink' }]); sit.print('after'); sit.itemIds(); sit.print('never'); };`,
  );
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^sit demo: unknown style "blink"; use bold, dim/);
  assert.is(bad.stdout, '', 'the script ends at its next host call; later output is dropped');
});

test('sit.page: through the pager only on a terminal and when longer than the screen', async () => {
  const { repo } = project();
  const paged: string[] = [];
  const raw: string[] = [];
  const source = `module.exports = function (sit, args) { var n = Number(args.argv[0]); var lines = []; for (var i = 0; i < n; i++) lines.push('line ' + i); sit.page(lines.join('\\n')); };`;
  const io = {
    stdoutIsTTY: true,
    rows: 5,
    rawStdout: (t: string) => void raw.push(t),
    page: (t: string) => {
      paged.push(t);
      return true;
    },
  };
  await run(repo, source, { argv: ['3'], io });
  assert.equal(paged, []);
  assert.is(raw.join(''), 'line 0\nline 1\nline 2\n');
  await run(repo, source, { argv: ['8'], io });
  assert.is(paged.length, 1);
  assert.match(paged[0]!, /^line 0\n[\s\S]*line 7\n$/);
  const declined = await run(repo, source, {
    argv: ['8'],
    io: { ...io, page: () => false, rawStdout: (t: string) => void raw.push(t) },
  });
  assert.is(declined.status, 0);
  assert.match(raw.join(''), /line 7\n$/, 'printed when the pager cannot start');
});

test('sit.newItem(records): all the records or nothing; chained parents; a chosen id', async () => {
  const { repo } = project();
  const result = await run(
    repo,
    `module.exports = function (sit) {
    try { sit.newItem([{ files: { text: 'S' }, types: ['SummaryChanged'] }, { files: { '.authors': 'me' } }]); } catch (e) { sit.print('refused: ' + e.message); }
    try { sit.newItem([{ types: ['Bad type!'] }]); } catch (e) { sit.print('refused: ' + e.message); }
    try { sit.newItem([], {}); } catch (e) { sit.print('refused: ' + e.message); }
    try { sit.newItem(undefined, { id: 'a/b' }); } catch (e) { sit.print('refused: ' + e.message); }
    sit.print(JSON.stringify(sit.itemIds()));
    var id = sit.newItem([{ files: { text: 'Crash' }, types: ['SummaryChanged'] }, { files: { text: 'Steps' }, types: ['DetailsChanged'] }]);
    var state = sit.item(id);
    sit.print([state.summary, state.details, state.authors].join('|'));
    sit.print(sit.newItem([{ types: ['Closed'] }], { id: 'fixed-name' }));
    try { sit.newItem([{ types: ['Closed'] }], { id: 'fixed-name' }); } catch (e) { sit.print('refused: ' + e.message); }
  };`,
  );
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^refused: sit\.newItem: record file name "\.authors" is reserved/);
  assert.match(lines[1]!, /^refused: sit\.newItem: bad record type "Bad type!"/);
  assert.match(lines[2]!, /^refused: sit\.newItem: records must be an array of 1 to 100/);
  assert.match(lines[3]!, /^refused: sit\.newItem: bad item id "a\/b"/);
  assert.is(lines[4], '[]', 'nothing was written by the refused calls');
  assert.is(lines[5], 'Crash|Steps|Script Tester <tester@example.org>');
  assert.is(lines[6], 'fixed-name');
  assert.is(lines[7], 'refused: sit.newItem: item fixed-name already exists');
  const repository = Repository.open(repo);
  const id = repository.items().find((i) => i !== 'fixed-name')!;
  assert.equal(
    repository.itemGenerations(id).map((g) => g.length),
    [1, 1],
    'the second record names the first as its parent',
  );
});

test('sit.author, sit.filters, sit.search with a filter, sit.templates', async () => {
  const { repo } = project();
  mkdirSync(join(repo, 'templates'));
  writeFileSync(join(repo, 'templates', 'bug.md'), '---\nname: Bug\nlabels: bug\n---\nBody');
  const result = await run(
    repo,
    `module.exports = function (sit) {
    sit.print(sit.author());
    var a = sit.newItem([{ files: { text: 'Mine' }, types: ['SummaryChanged'] }, { files: { added: 'Script Tester\\n' }, types: ['AssigneesChanged'] }]);
    sit.newItem([{ files: { text: 'Not mine' }, types: ['SummaryChanged'] }]);
    sit.print(sit.filters().map(function (f) { return f.name + '=' + f.query; }).join(';'));
    sit.print(JSON.stringify(sit.search('', { filter: 'mine', select: 'summary' }).items));
    sit.print(JSON.stringify(sit.search('is:all', { filter: 'unassigned', select: 'summary' }).items));
    try { sit.search('', { filter: 'nope' }); } catch (e) { sit.print(e.message); }
    sit.print(JSON.stringify(sit.templates()));
  };`,
  );
  const lines = result.stdout.trimEnd().split('\n');
  assert.is(lines[0], 'Script Tester <tester@example.org>');
  assert.match(lines[1]!, /mine=is:open assignee:"Script Tester";created=is:open author:"Script Tester"$/);
  assert.is(lines[2], '["Mine"]');
  assert.is(lines[3], '["Not mine"]', "the query's is:all wins over the filter's is:open");
  assert.match(lines[4]!, /^no filter named "nope"; named filters: open, closed, all/);
  assert.equal(JSON.parse(lines[5]!), [
    { name: 'bug', title: 'Bug', about: '', summary: '', labels: ['bug'], assignees: [], milestone: '', body: 'Body' },
  ]);
});

test('sit.mentions and sit.commits: the issues and, in a git work tree, the commits that name an issue', async () => {
  const { dir, repo } = project();
  const made = await run(
    repo,
    `module.exports = function (sit) {
    var target = sit.newItem([{ files: { text: 'Target' }, types: ['SummaryChanged'] }]);
    var other = sit.newItem([{ files: { text: 'See #' + target.slice(0, 8) }, types: ['SummaryChanged'] }]);
    sit.newRecord(other, { files: { text: 'and again #' + target.slice(0, 5) }, types: ['Commented'] });
    sit.print(target);
  };`,
  );
  const target = made.stdout.trim();
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'G',
        GIT_AUTHOR_EMAIL: 'g@x',
        GIT_COMMITTER_NAME: 'G',
        GIT_COMMITTER_EMAIL: 'g@x',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    });
  const probe = `module.exports = function (sit, args) {
    sit.print(JSON.stringify(sit.mentions(args.argv[0]).map(function (m) { return [m.summary, m.state, m.place]; })));
    var c = sit.commits(args.argv[0]);
    sit.print(JSON.stringify([c.git, c.commits.map(function (x) { return [x.subject, x.fixes]; })]));
  };`;
  const before = await run(repo, probe, { argv: [target] });
  assert.equal(before.stdout.split('\n').slice(0, 2), [
    '[["See #' + target.slice(0, 8) + '","open","summary"]]',
    '[false,[]]',
  ]);
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', `Closes #${target.slice(0, 8)}`);
  git('commit', '-q', '--allow-empty', '-m', 'Unrelated');
  const after = await run(repo, probe, { argv: [target] });
  assert.is(after.stdout.split('\n')[1], `[true,[["Closes #${target.slice(0, 8)}",true]]]`);
  const missing = await run(
    repo,
    `module.exports = function (sit) { try { sit.commits('nope'); } catch (e) { sit.print(e.message); } };`,
  );
  assert.is(missing.stdout, 'Item nope not found\n');
});

test("with no author configured, the author is asked for through the script's own terminal and kept", async () => {
  const { repo } = project();
  const configFile = join(base, `no-author-${counter++}.json`);
  writeFileSync(configFile, '{}');
  const answers = ['', 'Ada Lovelace', 'ada@example.org'];
  const asked: string[] = [];
  const result = await run(
    repo,
    `module.exports = function (sit) {
    var id = sit.newItem([{ files: { text: 'Asked' }, types: ['SummaryChanged'] }]);
    sit.print(sit.item(id).authors);
  };`,
    {
      tty: true,
      configFile,
      io: {
        question: (prompt) => {
          asked.push(prompt);
          return Promise.resolve(answers.shift() ?? '');
        },
      },
    },
  );
  assert.is(result.stderr, '');
  assert.equal(asked, ['What is your name? ', 'What is your name? ', 'What is your e-mail address? (optional) ']);
  assert.is(result.stdout, 'SIT needs your authorship identity to be configured\n\nAda Lovelace <ada@example.org>\n');
  assert.equal(JSON.parse(readFileSync(configFile, 'utf8')).author, { name: 'Ada Lovelace', email: 'ada@example.org' });
});

test('with no author configured and no terminal to ask on, writing fails with a clear error and writes nothing', async () => {
  const { repo } = project();
  const configFile = join(base, `no-author-${counter++}.json`);
  writeFileSync(configFile, '{}');
  const source = `module.exports = function (sit) { sit.newItem([{ files: { text: 'Never' }, types: ['SummaryChanged'] }]); };`;
  for (const options of [
    { tty: false, io: { question: () => Promise.reject(new Error('must not be asked')) } },
    { tty: true, io: {} },
  ]) {
    const error = await rejects(run(repo, source, { ...options, configFile }));
    assert.match(error.message, /SIT needs your authorship identity to be configured \(supported sources: sit, git\)/);
  }
  assert.equal(Repository.open(repo).items(), []);
});

test('require(): a module script loads the files of its own directory, and nothing through a link or path leading out of it', async () => {
  const { repo } = project();
  const cli = join(base, `module-${counter++}`, 'cli');
  mkdirSync(join(cli, 'lib'), { recursive: true });
  const outside = join(base, `outside-${counter++}`);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.js'), 'module.exports = "the secret";');
  writeFileSync(join(cli, 'lib', 'words.js'), 'module.exports = function (text) { return text.split(" ").length; };');
  writeFileSync(join(cli, 'helper.js'), 'module.exports = { words: require("./lib/words") };');
  symlinkSync(join(cli, 'helper.js'), join(cli, 'alias.js'));
  symlinkSync(join(outside, 'secret.js'), join(cli, 'evil.js'));
  symlinkSync(outside, join(cli, 'elsewhere'));
  const result = await run(
    repo,
    `module.exports = function (sit) {
    sit.print(require('./helper').words('one two three') + ' ' + require('./alias').words('a b'));
    ['./evil', './elsewhere/secret', '../../outside/secret', './lib/../../x'].forEach(function (id) {
      try { sit.print(require(id)); } catch (e) { sit.print(e.message); }
    });
  };`,
    { dir: cli },
  );
  assert.is(result.stderr, '');
  const lines = result.stdout.trimEnd().split('\n');
  assert.is(lines[0], '3 2');
  assert.match(
    lines[1]!,
    /^cannot require evil\.js: it is a link that leads outside .*cli; a module script may only require files inside its own directory$/,
  );
  assert.match(lines[2]!, /^cannot require elsewhere: it is a link that leads outside /);
  assert.match(lines[3]!, /^require\("\.\.\/\.\.\/outside\/secret"\) leads outside the directory of the module script/);
  assert.match(lines[4]!, /^require\("\.\/lib\/\.\.\/\.\.\/x"\) leads outside/);
  assert.not.match(result.stdout, /the secret/);
});

test.run();
