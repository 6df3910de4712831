// Hostile reducers in the in-thread runtime: every limit of SPEC §2 holds, only the attacking item suffers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { createReducerRuntime, type ReduceJob, type ReducerSet } from '../src/sandbox/mod.ts';
import { FIXTURES, hostileSet, record } from './helpers/sandbox_fixtures.ts';

const HOSTILE = path.join(FIXTURES, 'hostile');

/** Items a, b (attacked on its second record), c. */
function jobs(): ReduceJob[] {
  const plain = (id: string) => ({ id, state: { id }, records: [record(`${id}1`, {}), record(`${id}2`, {})] });
  return [
    plain('a'),
    {
      id: 'b',
      state: { id: 'b' },
      records: [record('b1', {}), record('b2', { '.type/Attack': '' }), record('b3', {})],
    },
    plain('c'),
  ];
}

type Errors = Array<{ file: string; error: string }>;

async function attack(name: string, limits: Parameters<typeof createReducerRuntime>[1] extends infer O ? O : never) {
  const rt = await createReducerRuntime(hostileSet(name), limits);
  const started = performance.now();
  const states: Array<Record<string, unknown>> = [];
  for (const job of jobs()) states.push(await rt.reduce(job));
  const ms = performance.now() - started;
  const after = await rt.reduce(jobs()[0]!);
  rt.dispose();
  return { states, ms, after };
}

function assertOnlyBSuffered(states: Array<Record<string, unknown>>, name: string, pattern: RegExp) {
  const [a, b, c] = states;
  assert.equal(a, { count: 2, id: 'a' });
  assert.equal(c, { count: 2, id: 'c' });
  const errors = b!.errors as Errors;
  assert.is(errors.length, 1, JSON.stringify(b));
  assert.is(errors[0]!.file, path.join(HOSTILE, `${name}.js`));
  assert.match(errors[0]!.error, pattern);
  assert.is(b!.count, 1, 'the state before the attacking record');
}

test('an endless loop is interrupted at the item deadline', async () => {
  const { states, ms, after } = await attack('loop', { limits: { itemDeadlineMs: 200 } });
  assertOnlyBSuffered(states, 'loop', /^deadline exceeded \(200 ms\) in record b2$/);
  assert.ok(ms >= 200 && ms < 1500, `took ${ms} ms`);
  assert.equal(after, { count: 2, id: 'a' });
  process.stderr.write(`  loop: ${ms.toFixed(0)} ms for 3 items\n`);
});

test('a catastrophic regular expression is interrupted at the item deadline', async () => {
  const { states, ms } = await attack('regex', { limits: { itemDeadlineMs: 200 } });
  assertOnlyBSuffered(states, 'regex', /^deadline exceeded \(200 ms\)/);
  assert.ok(ms < 1500, `took ${ms} ms`);
  process.stderr.write(`  regex: ${ms.toFixed(0)} ms for 3 items\n`);
});

test('1 MiB allocations stop at the fixed memory; the host stays bounded and the runtime is rebuilt', async () => {
  const rssBefore = process.memoryUsage().rss;
  const { states, ms, after } = await attack('alloc', {
    limits: { memoryBytes: 32 * 1024 * 1024, itemDeadlineMs: 5000 },
  });
  const growth = process.memoryUsage().rss - rssBefore;
  assertOnlyBSuffered(states, 'alloc', /^out of memory \(32 MiB limit\) in record b2$/);
  assert.equal(after, { count: 2, id: 'a' });
  assert.ok(growth < 150 * 1024 * 1024, `rss grew by ${growth}`);
  process.stderr.write(`  alloc: ${ms.toFixed(0)} ms, rss +${(growth / 1048576).toFixed(0)} MiB\n`);
});

test('1 MiB strings with the out-of-memory error caught by the reducer still end in a limit', async () => {
  const { states, ms } = await attack('strings', { limits: { memoryBytes: 32 * 1024 * 1024, itemDeadlineMs: 3000 } });
  const b = states[1]!;
  const error = (b.errors as Errors)[0]!.error;
  assert.ok(/^(out of memory|deadline exceeded)/.test(error), error);
  assert.equal(states[2], { count: 2, id: 'c' });
  process.stderr.write(`  strings: ${ms.toFixed(0)} ms (${error})\n`);
});

test('deep recursion is a guest stack overflow, never a host crash', async () => {
  const { states, ms } = await attack('recursion', {});
  const [a, b, c] = states;
  assert.equal(a, { count: 2, id: 'a' });
  assert.equal(c, { count: 2, id: 'c' });
  const errors = b!.errors as Errors;
  assert.equal(errors, [
    {
      file: path.join(HOSTILE, 'recursion.js'),
      error: 'stack overflow (256 KiB limit): InternalError: stack overflow',
    },
  ]);
  assert.is(b!.count, 2, 'the stack overflow discards only its record');
  process.stderr.write(`  recursion: ${ms.toFixed(0)} ms\n`);
});

test('a larger stack limit still overflows inside the guest', async () => {
  const { states } = await attack('recursion', { limits: { stackBytes: 384 * 1024 } });
  assert.match((states[1]!.errors as Errors)[0]!.error, /^stack overflow \(384 KiB limit\)/);
});

test('nothing of the host is reachable: no require of node modules, no process, fetch, std, os, console, timers', async () => {
  const rt = await createReducerRuntime(hostileSet('probe'));
  const state = await rt.reduce({ id: 'p', state: {}, records: [record('A', {})] });
  rt.dispose();
  const found = state.found as Record<string, string>;
  assert.is(found['require fs'], 'threw Error: module not found: "fs"');
  assert.is(found['require child_process'], 'threw Error: module not found: "child_process"');
  for (const name of [
    'process',
    'fetch',
    'std',
    'os',
    'console',
    'print',
    'setTimeout',
    'XMLHttpRequest',
    'WebAssembly',
    'Function constructor',
  ]) {
    assert.is(found[name], 'undefined', name);
  }
  const globals = found.globals!.split(',');
  for (const name of [
    'process',
    'require',
    'std',
    'os',
    'scriptArgs',
    'console',
    'Intl',
    'WeakRef',
    'FinalizationRegistry',
    'performance',
  ]) {
    assert.not.ok(globals.includes(name), name);
  }
  assert.ok(globals.includes('TextDecoder') && globals.includes('TextEncoder'));
});

test('limits are validated', async () => {
  for (const limits of [{ memoryBytes: 1024 }, { stackBytes: 4 * 1024 * 1024 }, { itemDeadlineMs: 0 }]) {
    try {
      await createReducerRuntime(hostileSet('probe'), { limits });
      assert.unreachable(JSON.stringify(limits));
    } catch (err) {
      assert.instance(err, RangeError);
    }
  }
});

test('an endless loop while loading is a load error, not a hang', async () => {
  const set: ReducerSet = { reducers: [{ file: '/x/spin.js', dir: '/x', source: 'for (;;) {}' }], requireFiles: {} };
  try {
    await createReducerRuntime(set, { limits: { itemDeadlineMs: 100 } });
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, 'cannot load reducer /x/spin.js: deadline exceeded (100 ms)');
  }
});

test('an item whose records do not fit in the sandbox memory gets an error; the next item is fine', async () => {
  const rt = await createReducerRuntime(hostileSet('probe'), { limits: { memoryBytes: 32 * 1024 * 1024 } });
  const big = await rt.reduce({
    id: 'big',
    state: { id: 'big' },
    records: [{ hash: 'H', files: [['attachment', new Uint8Array(40 * 1024 * 1024)]] }],
  });
  assert.equal(big, {
    errors: [{ error: 'out of memory (32 MiB limit): the records of this item (40 MiB) do not fit', file: '' }],
    id: 'big',
  });
  const fine = await rt.reduce({
    id: 'ok',
    state: { id: 'ok' },
    records: [{ hash: 'H', files: [['attachment', new Uint8Array(8 * 1024 * 1024)]] }],
  });
  assert.is(fine.count, 1);
  rt.dispose();
});

test.run();
