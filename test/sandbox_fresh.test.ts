// Every item starts from a fresh environment, in the in-thread runtime and in the pool: nothing a
// reducer writes while reducing one item (top-level variables, globals, built-in prototypes, the
// require() cache) is visible while reducing another; code written for the original SIT (ES5,
// sloppy mode, classes built by hand) still runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createReducerPool, createReducerRuntime, type ReduceJob, type ReducerSet } from '../src/sandbox/mod.ts';
import { inlineSet, record } from './helpers/sandbox_fixtures.ts';

function jobs(count: number): ReduceJob[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `i${i}`,
    state: { id: `i${i}` },
    records: [record('A', {}), record('B', {})],
  }));
}

/** Each item's state from the in-thread runtime and from a pool of two workers, which must agree. */
async function everywhere(set: ReducerSet, count = 6): Promise<Array<Record<string, unknown>>> {
  const rt = await createReducerRuntime(set);
  const inThread: Array<Record<string, unknown>> = [];
  try {
    for (const job of jobs(count)) inThread.push(await rt.reduce(job));
  } finally {
    rt.dispose();
  }
  const pool = createReducerPool(set, { size: 2, batchSize: 2 });
  try {
    const pooled = new Map<string, Record<string, unknown>>();
    for await (const result of pool.reduce(jobs(count))) pooled.set(result.id, result.state);
    for (const state of inThread) assert.equal(pooled.get(state.id as string), state);
  } finally {
    await pool.close();
  }
  return inThread;
}

test('top-level variables, globals, implicit globals and symbols on the global object start over for every item', async () => {
  const states = await everywhere(
    inlineSet(`
      var count = 0;
      var key = Symbol.for('sit');
      module.exports = function (s) {
        count++;
        globalThis.viaGlobal = (globalThis.viaGlobal || 0) + 1;
        implicit = (typeof implicit === 'number' ? implicit : 0) + 1;
        globalThis[key] = (globalThis[key] || 0) + 1;
        this.perItem = (this.perItem || 0) + 1;
        s.values = [count, globalThis.viaGlobal, implicit, globalThis[key], this.perItem];
        return s;
      };`),
  );
  for (const state of states) assert.equal(state.values, [2, 2, 2, 2, 2], JSON.stringify(state));
});

test('built-in objects are frozen: changes to prototypes fail (silently in sloppy code, with a TypeError in strict code)', async () => {
  const sloppy = await everywhere(
    inlineSet(`module.exports = function (s) {
      Array.prototype.sum = function () { return 1; };
      Object.prototype.polluted = true;
      JSON.parse = function () { return 'patched'; };
      Math.random = function () { return 4; };
      s.seen = [typeof [].sum, ({}).polluted, JSON.parse('1'), Math.random() === 4];
      return s;
    };`),
  );
  for (const state of sloppy)
    assert.equal(
      state.seen,
      ['undefined', undefined, 1, false].map((v) => (v === undefined ? null : v)),
    );
  const strict = await everywhere(
    inlineSet(`'use strict'; module.exports = function (s, r) {
      try { Array.prototype.sum = 1; } catch (e) { s.error = e.name; }
      try { Object.defineProperty(Object.prototype, 'x', { value: 1 }); } catch (e) { s.define = e.name; }
      try { Object.getPrototypeOf([][Symbol.iterator]()).next = null; } catch (e) { s.iterator = e.name; }
      try { Object.getPrototypeOf(function* () {}).extra = 1; } catch (e) { s.generator = e.name; }
      return s;
    };`),
  );
  for (const state of strict)
    assert.equal(state, {
      define: 'TypeError',
      error: 'TypeError',
      generator: 'TypeError',
      id: state.id,
      iterator: 'TypeError',
    });
});

test('ES5 classes written by hand still work: constructor, toString, name and message on objects that inherit frozen ones', async () => {
  const states = await everywhere(
    inlineSet(`
      function Base() {}
      Base.prototype.toString = function () { return 'base'; };
      function Child() { Base.call(this); }
      Child.prototype = Object.create(Base.prototype);
      Child.prototype.constructor = Child;
      function MyError(message) { this.message = message; }
      MyError.prototype = Object.create(Error.prototype);
      MyError.prototype.constructor = MyError;
      MyError.prototype.name = 'MyError';
      var plain = {}; plain.toString = function () { return 'plain'; }; plain.valueOf = function () { return 7; };
      module.exports = function (s, r) {
        s.child = [String(new Child()), new Child().constructor === Child];
        s.error = String(new MyError('oops'));
        s.plain = [String(plain), plain + 1];
        s.caught = r.hash === 'B' ? (function () { try { throw new MyError('thrown'); } catch (e) { return e.name + ': ' + e.message; } })() : null;
        return s;
      };`),
  );
  for (const state of states) {
    assert.equal(state.child, ['base', true]);
    assert.is(state.error, 'MyError: oops');
    assert.equal(state.plain, ['plain', 8]);
    assert.is(state.caught, 'MyError: thrown');
  }
});

test('the require() cache and required files start over for every item', async () => {
  const set: ReducerSet = {
    reducers: [
      {
        file: '/d/Main.js',
        dir: '/d',
        source:
          "var lib = require('./lib.js'); module.exports = function (s) { s.n = lib.next(); s.same = require('./lib.js') === lib; return s; };",
      },
    ],
    requireFiles: {
      '/d/lib.js':
        'var n = 0; exports.next = function () { return ++n; }; arguments.callee.kept = (arguments.callee.kept || 0) + 1;',
    },
  };
  for (const state of await everywhere(set)) assert.equal([state.n, state.same], [2, true]);
});

test('eval runs in strict mode: it cannot declare global bindings that outlive the item', async () => {
  const states = await everywhere(
    inlineSet(`module.exports = function (s) {
      (0, eval)('var leakedVar = 1; let leakedLet = 2;');
      s.seen = [typeof leakedVar, typeof leakedLet, eval('1 + 1'), new Function('return typeof leakedLet')()];
      Function('leakedByFunction = (typeof leakedByFunction === "number" ? leakedByFunction : 0) + 1')();
      s.fn = leakedByFunction;
      return s;
    };`),
  );
  for (const state of states) {
    assert.equal(state.seen, ['undefined', 'undefined', 2, 'undefined']);
    assert.is(state.fn, 2);
  }
});

test('a global that cannot be deleted, or a global object made non-extensible, rebuilds the runtime before the next item', async () => {
  const set = inlineSet(`module.exports = function (s, r) {
    s.before = [typeof stuck, Object.isExtensible(globalThis)];
    if (r.hash === 'B' && s.id === 'i0') { Object.defineProperty(globalThis, 'stuck', { value: 1 }); Object.freeze(globalThis); }
    return s;
  };`);
  for (const state of await everywhere(set, 4)) assert.equal(state.before, ['undefined', true], JSON.stringify(state));
});

test('an item reduced alone and after others gives the same state (what the cache relies on)', async () => {
  const set = inlineSet(
    `var all = []; module.exports = function (s, r) { all.push(s.id + r.hash); s.all = all.slice(); return s; };`,
  );
  const rt = await createReducerRuntime(set);
  try {
    const alone = await rt.reduce(jobs(4)[3]!);
    const rt2 = await createReducerRuntime(set);
    const afterOthers: Array<Record<string, unknown>> = [];
    for (const job of jobs(4)) afterOthers.push(await rt2.reduce(job));
    rt2.dispose();
    assert.equal(afterOthers[3], alone);
    assert.equal(alone.all, ['i3A', 'i3B']);
  } finally {
    rt.dispose();
  }
});

test.run();
