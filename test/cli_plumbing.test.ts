import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../src/cli/commands.ts';
import { VERSION } from '../src/version.ts';
import { makeSandbox, sit, ROOT } from './helpers/cli.ts';

const sandbox = makeSandbox();

function project(name: string): string {
  const dir = join(sandbox.dir, name);
  mkdirSync(dir, { recursive: true });
  const init = sit(sandbox, ['init'], { cwd: dir });
  assert.is(init.status, 0, init.stderr);
  return dir;
}

const VECTORS: Array<{ files: Array<[string, string | Uint8Array]>; types?: string; hash: string }> = [
  { files: [], hash: 'GNCVESV7NO7BQCKESISLLFZMIF4QW3HS' },
  { files: [['test', 'hello']], hash: '7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG' },
  { files: [['test', '']], hash: 'GRFRK7QW2JCOGEOVLAP3HB4JQ3RWIUKS' },
  {
    files: [
      ['a', 'ab'],
      ['b', ''],
    ],
    hash: 'H4VEUA3UOJRZO6VQBSJTXC3GSVUVA66Q',
  },
  { files: [['a', 'x'.repeat(4096)]], hash: 'SASFNHK2H7BQO6VMXFLQKJAXDGXTHY3Q' },
  { files: [['a', 'x'.repeat(5000)]], hash: '4ILMUBQTXWNXVY4QVZGAWFEKYCUJRKIM' },
  {
    files: [
      ['z/a', new Uint8Array([2])],
      ['test', new Uint8Array([1])],
    ],
    hash: 'N6EJF4URG4ASBPI3KJNNI5HXP4ROPWPM',
  },
  { files: [['text', 'Title']], types: 'SummaryChanged', hash: 'OU6DLR5CV5V3RD62QIG5GXKWTQIWPHPR' },
];

test('every hash test vector through `sit record --no-aux` in a fresh repository', () => {
  VECTORS.forEach((vector, i) => {
    const dir = project(`vector-${i}`);
    for (const [name, content] of vector.files) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    const args = [
      'record',
      '--no-aux',
      ...(vector.types ? ['-t', vector.types] : []),
      ...vector.files.map(([name]) => name),
    ];
    const result = sit(sandbox, args, { cwd: dir });
    assert.is(result.stderr, '');
    assert.is(result.stdout, `${vector.hash}\n`, `vector ${i}`);
    assert.is(result.status, 0);
  });
});

test('a record gets .authors and a nanosecond .timestamp, and a second record links to the first', () => {
  const dir = project('aux');
  writeFileSync(join(dir, 'text'), 'hello');
  const first = sit(sandbox, ['record', '-t', 'Commented', 'text'], { cwd: dir }).stdout.trim();
  const second = sit(sandbox, ['record', '-t', 'Commented', 'text'], { cwd: dir }).stdout.trim();
  const path = sit(sandbox, ['path', '--record', second], { cwd: dir }).stdout.trim();
  assert.equal(readdirSync(join(path, '.prev')), [first]);
  assert.is(readFileSync(join(path, '.authors'), 'utf8'), 'Test User <test@example.org>');
  assert.match(
    readFileSync(join(path, '.timestamp'), 'utf8'),
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/,
  );
  const listed = sit(sandbox, ['records', '-q', "join(',', keys(files))"], { cwd: dir }).stdout.trim().split('\n');
  assert.is(listed.length, 2);
  assert.ok(listed[1]!.includes(`.prev/${first}`));
});

test('items, item ids, records of an item and reduce without reducers', () => {
  const dir = project('items');
  assert.is(sit(sandbox, ['item', '--id', '007'], { cwd: dir }).stdout, '007\n');
  const again = sit(sandbox, ['item', '--id', '007'], { cwd: dir });
  assert.is(again.status, 1);
  assert.is(again.stderr, 'Item 007 already exists\n');
  const uuid = sit(sandbox, ['item'], { cwd: dir }).stdout.trim();
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(sit(sandbox, ['items'], { cwd: dir }).stdout, ['007', uuid].sort().join('\n') + '\n');
  writeFileSync(join(dir, 'text'), 'x');
  const hash = sit(sandbox, ['record', '-t', 'Commented', '007', 'text'], { cwd: dir }).stdout.trim();
  assert.is(
    readFileSync(join(dir, '.sit', 'items', '007', hash), 'utf8'),
    `../../records/${hash.match(/../g)!.slice(0, 15).join('/')}/${hash}`,
  );
  assert.is(sit(sandbox, ['records', '007'], { cwd: dir }).stdout, `${hash}\n`);
  assert.is(sit(sandbox, ['reduce', '007'], { cwd: dir }).stdout, '{\n  "id": "007"\n}\n');
  const unknown = sit(sandbox, ['records', 'nope'], { cwd: dir });
  assert.is(unknown.status, 1);
  assert.is(unknown.stderr, 'Item nope not found\n');
});

test('query output: raw strings, pretty JSON with byte-sorted keys, integers', () => {
  const dir = project('output');
  const out = sit(sandbox, ['reduce', '-s', '{"b": 1.0, "a": {"9": 1, "10": [2.5, "x"]}}', '-q', '@'], { cwd: dir });
  assert.is(out.stdout, '{\n  "a": {\n    "10": [\n      2.5,\n      "x"\n    ],\n    "9": 1\n  },\n  "b": 1\n}\n');
  assert.is(sit(sandbox, ['reduce', '-s', '{"s": "raw text"}', '-q', 's'], { cwd: dir }).stdout, 'raw text\n');
  assert.is(sit(sandbox, ['jmespath', 'a[1]'], { input: '{"a": [1, {"z": 1, "y": 2}]}' }).stdout, '{"y":2,"z":1}\n');
  assert.is(sit(sandbox, ['jmespath', '-p', 'a[0]'], { input: '{"a": [3]}' }).stdout, '3\n');
});

test('named filters and queries: repository files first, then the user configuration; undefined names fail', () => {
  const dir = project('named');
  sit(sandbox, ['item', '--id', 'one'], { cwd: dir });
  mkdirSync(join(dir, '.sit', '.items', 'queries'), { recursive: true });
  writeFileSync(join(dir, '.sit', '.items', 'queries', 'shout'), "join('', [id, '!'])\n");
  assert.is(sit(sandbox, ['items', '-Q', 'shout'], { cwd: dir }).stdout, 'one!\n');
  const config = join(sandbox.dir, 'named-config.json');
  writeFileSync(config, JSON.stringify({ author: { name: 'T' }, items: { filters: { None: 'id == `"x"`' } } }));
  assert.is(sit(sandbox, ['-c', config, 'items', '-F', 'none'], { cwd: dir }).stdout, '');
  const missing = sit(sandbox, ['items', '-F', 'nothing'], { cwd: dir });
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /^filter "nothing" is not defined: create .*\.items\/filters\/nothing or set/);
  assert.is(missing.stderr.split('\n').length, 2);
  const both = sit(sandbox, ['items', '-q', 'id', '-Q', 'shout'], { cwd: dir });
  assert.is(both.status, 1);
  assert.match(both.stderr, /cannot be used together/);
});

test('user errors are one line on stderr with exit 1, never a stack trace', () => {
  const empty = mkdtempSync(join(sandbox.dir, 'empty-'));
  const none = sit(sandbox, ['items'], { cwd: empty });
  assert.is(none.status, 1);
  assert.match(none.stderr, /^no SIT repository found in .*empty-.* or above it .*run `sit init`/);
  const dir = project('errors');
  const bad = sit(sandbox, ['items', '-q', 'a == == b'], { cwd: dir });
  assert.is(bad.status, 1);
  assert.is(
    bad.stderr,
    `can't compile query expression "a == == b": Syntax error: invalid token (EQ): "==" at column 6 (see https://jmespath.org/specification.html)\n`,
  );
  writeFileSync(join(dir, '.sit', 'config.json'), '{"hashing_algorithm": ');
  const config = sit(sandbox, ['items'], { cwd: dir });
  assert.is(config.status, 1);
  assert.match(config.stderr, /config\.json/);
  assert.is(config.stderr.trim().split('\n').length, 1);
  const outside = sit(sandbox, ['-r', join(dir, '.sit'), 'record', '/etc/hostname'], { cwd: empty });
  assert.is(outside.status, 1);
  const state = sit(sandbox, ['-r', join(ROOT, 'nowhere'), 'path']);
  assert.is(state.status, 1);
  assert.not.match(state.stderr, /\n\s+at /);
});

test('--help works for sit and for every command; --version prints the package version', () => {
  const help = sit(sandbox, ['--help']);
  assert.is(help.status, 0);
  for (const name of Object.keys(COMMANDS)) {
    assert.ok(help.stdout.includes(`  ${name} `), name);
    const own = sit(sandbox, [name, '--help']);
    assert.is(own.status, 0, `${name} --help`);
    assert.match(own.stdout, new RegExp(`\\$ sit ${name}`));
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.is(VERSION, pkg.version);
  assert.is(sit(sandbox, ['--version']).stdout, `sit ${pkg.version}\n`);
  const unknown = sit(sandbox, ['items', '--frobnicate']);
  assert.is(unknown.status, 1);
  assert.match(unknown.stderr, /Unknown option `--frobnicate`; see `sit items --help`/);
});

test('init refuses nothing: an existing repository is reported and left alone', () => {
  const dir = project('init');
  const again = sit(sandbox, ['init'], { cwd: dir });
  assert.is(again.status, 0);
  assert.is(again.stderr, `Repository ${join(dir, '.sit')} already exists\n`);
  assert.is(
    readFileSync(join(dir, '.sit', 'config.json'), 'utf8'),
    '{\n  "hashing_algorithm": {\n    "blake2b": {\n      "size": 20\n    }\n  },\n  "encoding": "base32",\n  "id_generator": "uuiv4",\n  "version": "1",\n  "features": [\n    "flat-records"\n  ]\n}',
  );
});

test.run();
