// The reducer contract of the original SIT (original-sit.md §3), in the in-thread runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { createReducerRuntime, ReducerLoadError, type ReducerSet } from '../src/sandbox/mod.ts';
import { FIXTURES, inlineSet, loadReducerSet, record } from './helpers/sandbox_fixtures.ts';

async function reduceWith(
  set: ReducerSet,
  records: ReturnType<typeof record>[],
  state: Record<string, unknown> = { id: 'I' },
) {
  const rt = await createReducerRuntime(set);
  try {
    return await rt.reduce({ id: 'I', state, records });
  } finally {
    rt.dispose();
  }
}

test('the source is wrapped in function (module) {…} with a newline, so a trailing // comment works', async () => {
  const state = await reduceWith(inlineSet('module.exports = function (s) { s.ok = true; return s; } // last line'), [
    record('A', {}),
  ]);
  assert.equal(state, { id: 'I', ok: true });
});

test('the free variable exports does not exist; module does; top-level this is the global object', async () => {
  const set = inlineSet(
    'var e = typeof exports, m = typeof module, g = this === globalThis; module.exports = function (s) { s.e = e; s.m = m; s.g = g; return s; };',
  );
  assert.equal(await reduceWith(set, [record('A', {})]), { e: 'undefined', g: true, id: 'I', m: 'object' });
});

test('properties attached to the exported function are visible', async () => {
  const set = inlineSet(
    'module.exports = function (s) { s.data = module.exports.data; return s; }; module.exports.data = 7;',
  );
  assert.equal((await reduceWith(set, [record('A', {})])).data, 7);
});

test('load errors are fatal and name the file: syntax error, throw while loading, no function exported', async () => {
  const cases: Array<[string, RegExp]> = [
    ['module.exports = function ( {', /SyntaxError/],
    ["throw new Error('nope')", /Error: nope/],
    ['module.exports = 42', /module\.exports should export a function/],
    ['function () {}', /SyntaxError/],
  ];
  for (const [source, pattern] of cases) {
    const set = inlineSet('module.exports = function () {}', source);
    try {
      await createReducerRuntime(set);
      assert.unreachable(`loaded: ${source}`);
    } catch (err) {
      assert.instance(err, ReducerLoadError);
      const e = err as ReducerLoadError;
      assert.is(e.file, '/virtual/1/reducer1.js');
      assert.match(e.message, pattern);
      assert.match(e.message, '/virtual/1/reducer1.js');
      assert.not.match(e.message, '\n');
    }
  }
});

test('the syntax error location is reported with the line of the original file', async () => {
  try {
    await createReducerRuntime(inlineSet('module.exports = function () {\n  var x = ;\n};'));
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, 'reducer0.js:2');
  }
});

test('this is one object per reducer, persists across the records of an item, reset to {} for each item', async () => {
  const set = inlineSet(
    'module.exports = function (s) { this.n = (this.n || 0) + 1; s.a = this.n; s.keysA = Object.keys(this).join(); return s; }',
    'module.exports = function (s) { this.m = (this.m || 0) + 10; s.b = this.m; s.keysB = Object.keys(this).join(); return s; }',
  );
  const rt = await createReducerRuntime(set);
  const records = [record('A', {}), record('B', {}), record('C', {})];
  const first = await rt.reduce({ id: 'X', state: { id: 'X' }, records });
  const second = await rt.reduce({ id: 'Y', state: { id: 'Y' }, records: records.slice(0, 1) });
  rt.dispose();
  assert.equal(first, { a: 3, b: 30, id: 'X', keysA: 'n', keysB: 'm' });
  assert.equal(second, { a: 1, b: 10, id: 'Y', keysA: 'n', keysB: 'm' });
});

test('between records the state is the object the reducers returned; it leaves the item as sorted JSON', async () => {
  const set = inlineSet(
    `module.exports = function (s, r) {
      if (r.hash === 'A') { s.z = 1; s.a = { y: 1, b: 2 }; s.f = function () {}; s.u = undefined; s.nan = NaN; s.d = new Date(0); this.kept = s; return s; }
      s.order = Object.keys(s).join(); s.same = this.kept === s;
      s.types = typeof s.f + '/' + typeof s.d + '/' + s.nan; return s;
    }`,
  );
  const state = await reduceWith(set, [record('A', {}), record('B', {})]);
  assert.is(state.order, 'id,z,a,f,u,nan,d');
  assert.is(state.same, true);
  assert.is(state.types, 'function/object/NaN');
  // what leaves the item is JSON: functions and undefined dropped, NaN null, dates strings, keys sorted
  assert.equal(state, {
    a: { b: 2, y: 1 },
    d: '1970-01-01T00:00:00.000Z',
    id: 'I',
    nan: null,
    order: 'id,z,a,f,u,nan,d',
    same: true,
    types: 'function/object/NaN',
    z: 1,
  });
  assert.equal(Object.keys(state), [...Object.keys(state)].sort());
  assert.equal(Object.keys(state.a as object), ['b', 'y']);
});

test('a failed record is discarded even when it changed the state in place, nested values included', async () => {
  const set = inlineSet(
    `module.exports = function (s, r) {
      s.list = s.list || []; s.list.push(r.hash); s.map = s.map || {}; s.map[r.hash] = { n: s.list.length };
      if (r.hash.charAt(0) === 'X') { delete s.first; throw new Error('bad ' + r.hash); }
      if (r.hash === 'A') s.first = true;
      return s;
    }`,
  );
  const hashes = ['A', 'X1', 'B', 'X2', 'C', 'X3', 'X4', 'X5', 'X6', 'D'];
  const state = await reduceWith(
    set,
    hashes.map((h) => record(h, {})),
  );
  assert.equal(state.list, ['A', 'B', 'C', 'D']);
  assert.equal(Object.keys(state.map as object), ['A', 'B', 'C', 'D']);
  assert.is(state.first, true);
  assert.equal(
    (state.errors as Array<{ error: string }>).map((e) => e.error),
    ['Error: bad X1', 'Error: bad X2', 'Error: bad X3', 'Error: bad X4', 'Error: bad X5', 'Error: bad X6'],
  );
});

test('the id of an item is always the one the host gave, whatever the reducers do to it', async () => {
  const sets = [
    "module.exports = function (s) { s.id = 'someone-else'; return s; }",
    "module.exports = function (s) { return { id: 'other', x: 1 }; }",
    'module.exports = function (s) { delete s.id; return s; }',
    "module.exports = function (s) { s.toJSON = function () { return { id: 'moved' }; }; return s; }",
    "module.exports = function (s) { Object.defineProperty(s, 'id', { get: function () { return 'got'; }, enumerable: true }); return s; }",
  ];
  for (const source of sets) {
    const state = await reduceWith(inlineSet(source), [record('A', {})]);
    assert.is(state.id, 'I', source);
  }
  // the repository (id '') has no id
  const rt = await createReducerRuntime(inlineSet("module.exports = function (s) { s.id = 'x'; return s; }"));
  assert.is((await rt.reduce({ id: '', state: {}, records: [record('A', {})] })).id, 'x');
  rt.dispose();
});

test('within one record the same state object flows through the chain', async () => {
  const set = inlineSet(
    'module.exports = function (s) { s.one = 1; }',
    'module.exports = function (s) { s.two = s.one + 1; return s; }',
  );
  assert.equal(await reduceWith(set, [record('A', {})]), { id: 'I', one: 1, two: 2 });
});

test('record is {hash, files} with every file (dot-files included) as a Uint8Array; absent files are undefined', async () => {
  const set = inlineSet(
    `module.exports = function (s, r) {
      s.props = Object.keys(r).join();
      s.hash = r.hash;
      s.names = Object.keys(r.files).sort().join('|');
      s.kinds = Object.keys(r.files).map(function (k) { return r.files[k] instanceof Uint8Array; }).join();
      s.text = Array.prototype.slice.call(r.files.text).join();
      s.empty = r.files['.type/Commented'].length;
      s.absent = typeof r.files['.type/Closed'];
      s.str = String(r.files.text);
      return s;
    }`,
  );
  const state = await reduceWith(set, [
    record('HASH1', { text: new Uint8Array([1, 2, 255]), '.type/Commented': '', '.prev/P': '', '.authors': 'A' }),
  ]);
  assert.equal(state, {
    absent: 'undefined',
    empty: 0,
    hash: 'HASH1',
    id: 'I',
    kinds: 'true,true,true,true',
    names: '.authors|.prev/P|.type/Commented|text',
    props: 'hash,files',
    str: '1,2,255',
    text: '1,2,255',
  });
});

test('hostile file names and hashes reach the reducer unchanged', async () => {
  const names = ['a\tb', 'new\nline', 'back\\slash', '__proto__', 'toString', 'ünï/cödé'];
  const set = inlineSet(
    "module.exports = function (s, r) { s.hash = r.hash; s.names = Object.keys(r.files).sort(); s.proto = Object.getPrototypeOf(r.files) === Object.prototype; s.len = r.files['__proto__'].length; return s; }",
  );
  const files: Array<[string, Uint8Array]> = names.map((n, i) => [n, new Uint8Array(i)]);
  const state = await reduceWith(set, [{ hash: 'H\t\\n', files }]);
  assert.is(state.hash, 'H\t\\n');
  assert.equal(state.names, [...names].sort());
  assert.is(state.proto, true);
  assert.is(state.len, 3);
});

test('returning an object replaces the state; undefined keeps it and the next reducer gets the real record', async () => {
  const set = inlineSet(
    'module.exports = function (s) { return { replaced: true }; }',
    'module.exports = function (s) { s.touched = true; }',
    'module.exports = function (s, r) { s.hash = r.hash; s.hasFiles = typeof r.files; return s; }',
  );
  assert.equal(await reduceWith(set, [record('A', {})]), {
    hasFiles: 'object',
    hash: 'A',
    id: 'I',
    replaced: true,
    touched: true,
  });
});

test('a throw or an invalid return adds {file, error} to the state before the record and continues', async () => {
  const set = inlineSet(
    'module.exports = function (s, r) { this.seen = (this.seen || 0) + 1; s.seen = this.seen; s["by" + r.hash] = true; }',
    `module.exports = function (s, r) {
      if (r.hash === 'T') throw new TypeError('bad ' + r.hash);
      if (r.hash === 'S') return 'str';
      if (r.hash === 'N') return null;
      if (r.hash === 'A') return [1, 2];
      if (r.hash === 'F') return function f() {};
      if (r.hash === 'X') throw 'plain';
      if (r.hash === 'R') return record;
      return s;
    }`,
  );
  const hashes = ['ok1', 'T', 'S', 'N', 'A', 'X', 'R', 'ok2'];
  const state = await reduceWith(
    set,
    hashes.map((h) => record(h, {})),
  );
  const file = '/virtual/1/reducer1.js';
  assert.equal(state.errors, [
    { error: 'TypeError: bad T', file },
    { error: 'TypeError: invalid return value str, expected an object', file },
    { error: 'TypeError: invalid return value null, expected an object', file },
    { error: 'TypeError: invalid return value 1,2, expected an object', file },
    { error: 'plain', file },
    { error: "ReferenceError: 'record' is not defined", file },
  ]);
  // changes of failed records are discarded, `this` mutations persist
  assert.is(state.byok1, true);
  assert.is(state.byok2, true);
  assert.is(state.byT, undefined);
  assert.is(state.seen, 8);
});

test('a function return value is invalid too', async () => {
  const set = inlineSet('module.exports = function (s) { return function f() {}; }');
  const state = await reduceWith(set, [record('A', {})]);
  assert.match(
    (state.errors as Array<{ error: string }>)[0]!.error,
    /^TypeError: invalid return value function f\(\) \{\}, expected an object$/,
  );
});

test('a class instance is not a plain object and is refused', async () => {
  const set = inlineSet('function K() { this.a = 1; } module.exports = function (s) { return new K(); }');
  const state = await reduceWith(set, [record('A', {})]);
  assert.match((state.errors as Array<{ error: string }>)[0]!.error, /invalid return value \[object Object\]/);
});

test('errors stays in the state and is visible to later records; a non-array errors is replaced', async () => {
  const set = inlineSet(
    "module.exports = function (s, r) { if (r.hash === 'B') throw new Error('x'); s.count = (s.errors || []).length; return s; }",
  );
  const state = await reduceWith(set, [record('A', {}), record('B', {}), record('C', {})], { id: 'I', errors: 'junk' });
  assert.is(state.count, 1);
  assert.is((state.errors as unknown[]).length, 1);
});

test('a state that cannot be turned into JSON is an error of the record', async () => {
  const set = inlineSet(
    "module.exports = function (s, r) { if (r.hash === 'B') { s.self = s; } else s.ok = r.hash; return s; }",
  );
  const state = await reduceWith(set, [record('A', {}), record('B', {}), record('C', {})]);
  assert.is(state.ok, 'C');
  assert.match((state.errors as Array<{ error: string }>)[0]!.error, /^TypeError/);
});

test('no reducers and no records give the initial state', async () => {
  assert.equal(await reduceWith(inlineSet(), [record('A', { x: 'y' })], { id: 'I', b: 1 }), { b: 1, id: 'I' });
  assert.equal(await reduceWith(inlineSet('module.exports = function () { return {}; }'), []), { id: 'I' });
});

test('emoji and other non-BMP characters round-trip in both directions', async () => {
  const set = inlineSet(
    "module.exports = function (s, r) { s.text = new TextDecoder('utf-8').decode(r.files.text); s.len = s.text.length; s.back = Array.prototype.slice.call(new TextEncoder().encode(s.text)).join(); s.fromState = s.seed + '!'; return s; }",
  );
  const state = await reduceWith(set, [record('A', { text: '😀 héllo 𝄞' })], { id: 'I', seed: '🎉' });
  assert.is(state.text, '😀 héllo 𝄞');
  assert.is(state.fromState, '🎉!');
  assert.is(state.back, Array.from(new TextEncoder().encode('😀 héllo 𝄞')).join());
});

test('require() loads files of the reducer directory only, relative to the requiring file, nested and cached', async () => {
  const set = loadReducerSet(path.join(FIXTURES, 'requiring', 'reducers'), path.join(FIXTURES, 'other', 'reducers'));
  const state = await reduceWith(set, [record('A', {})]);
  assert.equal(state.require, {
    same: true,
    answer: 42,
    nested: 'from 41',
    '../escape.js': 'TypeError: cannot resolve module id: ../escape.js',
    '/etc/passwd': 'TypeError: cannot resolve module id: /etc/passwd',
    'lib/../../x.js': 'TypeError: cannot resolve module id: lib/../../x.js',
    'missing.js': 'Error: module not found: "missing.js"',
    fs: 'Error: module not found: "fs"',
    '../other/reducers/Other.js': 'TypeError: cannot resolve module id: ../other/reducers/Other.js',
  });
  assert.is(state.other, 'TypeError: cannot resolve module id: ../../requiring/reducers/lib/helper.js');
  assert.is(state.other2, 'Error: module not found: "lib/helper.js"');
});

test('a required file with a syntax error fails only when it is required', async () => {
  const set: ReducerSet = {
    reducers: [
      {
        file: '/d/r.js',
        dir: '/d',
        source: "module.exports = function (s) { try { require('./bad.js'); } catch (e) { s.e = e.name; } return s; }",
      },
    ],
    requireFiles: { '/d/bad.js': 'exports.x = ;', '/d/r.js': '' },
  };
  assert.is((await reduceWith(set, [record('A', {})])).e, 'SyntaxError');
});

test('reductions are deterministic: fixed clock, fixed random sequence per item, UTC dates', async () => {
  const set = inlineSet(
    'module.exports = function (s) { s.now = Date.now(); s.date = new Date().toISOString(); s.call = typeof Date(); s.r = [Math.random(), Math.random()]; s.hours = new Date(Date.UTC(2020, 0, 1, 5)).getHours(); s.local = new Date(2020, 0, 1, 5).toISOString(); s.tz = new Date(0).getTimezoneOffset(); s.weak = typeof WeakRef; return s; }',
  );
  const rt = await createReducerRuntime(set);
  const a = await rt.reduce({ id: 'A', state: {}, records: [record('A', {})] });
  const b = await rt.reduce({ id: 'B', state: {}, records: [record('A', {})] });
  rt.dispose();
  assert.equal({ ...a, id: 'same' }, { ...b, id: 'same' });
  assert.is(a.now, 0);
  assert.is(a.date, '1970-01-01T00:00:00.000Z');
  assert.is(a.call, 'string');
  assert.is(a.hours, 5);
  assert.is(a.local, '2020-01-01T05:00:00.000Z');
  assert.is(a.tz, 0);
  assert.is(a.weak, 'undefined');
  const r = a.r as number[];
  assert.ok(r[0] !== r[1] && r.every((x) => x >= 0 && x < 1));
});

test('Date with arguments and its statics still work', async () => {
  const set = inlineSet(
    "module.exports = function (s) { s.t = new Date('2018-03-04T05:06:07Z').getTime(); s.p = Date.parse('2018-03-04T05:06:07Z'); s.u = Date.UTC(2018, 2, 4); s.inst = new Date(5) instanceof Date; return s; }",
  );
  const state = await reduceWith(set, [record('A', {})]);
  assert.equal(state, { id: 'I', inst: true, p: 1520139967000, t: 1520139967000, u: 1520121600000 });
});

test('the issue-tracking-like fixture reduces an item', async () => {
  const set = loadReducerSet(path.join(FIXTURES, 'issues', 'reducers'));
  const state = await reduceWith(set, [
    record('R1', { '.type/SummaryChanged': '', text: 'Title', '.authors': 'A', '.timestamp': 't1' }),
    record('R2', { '.type/Commented': '', text: 'hi', '.authors': 'B\n', '.timestamp': 't2' }),
    record('R3', { '.type/Closed': '' }),
  ]);
  assert.equal(state, {
    comments: [{ authors: 'B', text: 'hi', timestamp: 't2' }],
    id: 'I',
    records: 3,
    state: 'closed',
    summary: 'Title',
  });
});

test('states with custom toJSON, many keys, typed arrays or deep nesting leave the item as sorted JSON', async () => {
  const set = inlineSet(
    `module.exports = function (s, r) {
      if (r.hash !== 'A') return s;
      s.custom = { toJSON: function () { return { z: 1, a: 2 }; } };
      s.many = {}; for (var i = 0; i < 2000; i++) s.many['k' + (1999 - i)] = i;
      s.bytes = new Uint8Array([3, 4]);
      var deep = s.deep = {}; for (var d = 0; d < 90; d++) deep = deep.next = { b: d, a: d };
      return s;
    }`,
  );
  const state = await reduceWith(set, [record('A', {}), record('B', {})]);
  assert.equal(Object.keys(state.custom as object), ['a', 'z']);
  assert.equal(Object.keys(state.many as object).slice(0, 3), ['k0', 'k1', 'k10']);
  assert.is(Object.keys(state.many as object).length, 2000);
  assert.equal(state.bytes, { 0: 3, 1: 4 });
  let deepest = state.deep as { next?: unknown };
  while (deepest.next !== undefined) deepest = deepest.next as { next?: unknown };
  assert.equal(Object.keys(deepest), ['a', 'b']);
});

test.run();
