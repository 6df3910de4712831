// The worker pool: same results as in-thread, streaming, load errors, and the watchdog.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createReducerPool,
  createReducerRuntime,
  ReducerLoadError,
  type ReduceJob,
  type ReduceResult,
  type ReducerSet,
} from '../src/sandbox/mod.ts';
import { compiledModule } from '../src/sandbox/quickjs.ts';
import { FIXTURES, hostileSet, inlineSet, loadReducerSet, record, syntheticJobs } from './helpers/sandbox_fixtures.ts';

const HOSTILE = path.join(FIXTURES, 'hostile');
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

async function collect(results: AsyncIterable<ReduceResult>): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  for await (const r of results) {
    assert.not.ok(out.has(r.id), `duplicate ${r.id}`);
    out.set(r.id, r.state);
  }
  return out;
}

/** `count` plain items with one attacked item at `attacked`. */
function attackJobs(count: number, attacked: number): ReduceJob[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `i${i}`;
    const records = [
      record(`${id}-1`, {}),
      record(`${id}-2`, i === attacked ? { '.type/Attack': '' } : {}),
      record(`${id}-3`, {}),
    ];
    return { id, state: { id }, records };
  });
}

test('the pool gives the same states as the in-thread runtime, every item once', async () => {
  const set = loadReducerSet(path.join(FIXTURES, 'issues', 'reducers'));
  const jobs = syntheticJobs(300, 4);
  const rt = await createReducerRuntime(set);
  const expected = new Map<string, Record<string, unknown>>();
  for (const job of jobs) expected.set(job.id, await rt.reduce(job));
  rt.dispose();
  const pool = createReducerPool(set, { size: 2 });
  try {
    const got = await collect(pool.reduce(jobs));
    assert.is(got.size, 300);
    for (const [id, state] of expected) assert.equal(got.get(id), state, id);
    // a second run reuses the workers and still resets `this` per item
    const again = await collect(pool.reduce(jobs.slice(0, 10)));
    assert.equal(again.get('item-000003'), expected.get('item-000003'));
  } finally {
    await pool.close();
  }
});

test('QuickJS is compiled once per goal: start-up code for the calling thread, throughput for the pool', () => {
  const startup = compiledModule('startup');
  const throughput = compiledModule('throughput');
  assert.is(compiledModule('startup'), startup);
  assert.is(compiledModule('throughput'), throughput);
  assert.is.not(startup, throughput);
  // Different bytes, so that V8 does not share one compiled module (and its tiering) between them.
  assert.is(WebAssembly.Module.customSections(startup, 'sit-startup').length, 1);
  assert.is(WebAssembly.Module.customSections(throughput, 'sit-startup').length, 0);
  assert.equal(WebAssembly.Module.exports(startup), WebAssembly.Module.exports(throughput));
});

test('start() starts every worker before any job; they reduce the jobs that come later', async () => {
  const pool = createReducerPool(inlineSet('module.exports = function (s, r) { s.h = r.hash; return s; }'), {
    size: 2,
  });
  try {
    pool.start();
    pool.start(); // starting again adds nothing
    const got = await collect(pool.reduce(syntheticJobs(40)));
    assert.is(got.size, 40);
    assert.ok(typeof got.get('item-000007')?.h === 'string');
  } finally {
    await pool.close();
  }
  pool.start(); // a closed pool starts nothing and does not throw
});

test('jobs can come from an async iterable and results stream before the input ends', async () => {
  const set = inlineSet('module.exports = function (s, r) { s.n = r.hash; return s; }');
  const pool = createReducerPool(set, { size: 1, batchSize: 8 });
  let produced = 0;
  let firstResultAfter = -1;
  async function* source(): AsyncGenerator<ReduceJob> {
    for (let i = 0; i < 64; i++) {
      produced++;
      if (i % 8 === 0) await new Promise((r) => setTimeout(r, 5));
      yield { id: `j${i}`, state: {}, records: [record(`h${i}`, {})] };
    }
  }
  try {
    const got = new Map<string, unknown>();
    for await (const r of pool.reduce(source())) {
      if (firstResultAfter < 0) firstResultAfter = produced;
      got.set(r.id, r.state.n);
    }
    assert.is(got.size, 64);
    assert.is(got.get('j63'), 'h63');
    assert.ok(firstResultAfter < 64, `first result only after ${firstResultAfter} jobs`);
  } finally {
    await pool.close();
  }
});

test('a reducer that cannot load fails the iteration with ReducerLoadError', async () => {
  const pool = createReducerPool(inlineSet('module.exports = 1'), { size: 1 });
  try {
    await collect(pool.reduce(syntheticJobs(3)));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ReducerLoadError);
    assert.match((err as Error).message, 'module.exports should export a function');
  } finally {
    await pool.close();
  }
});

test('the watchdog terminates a worker stuck in one long native operation and the other items are reduced', async () => {
  const pool = createReducerPool(hostileSet('native'), {
    size: 1,
    batchSize: 50,
    limits: { itemDeadlineMs: 200, watchdogGraceMs: 300 },
  });
  const started = performance.now();
  try {
    const got = await collect(pool.reduce(attackJobs(30, 12)));
    const ms = performance.now() - started;
    assert.is(got.size, 30);
    for (const [id, state] of got) if (id !== 'i12') assert.equal(state, { count: 3, id }, id);
    const bad = got.get('i12')!;
    assert.is(bad.count, 1, JSON.stringify(bad));
    const errors = bad.errors as Array<{ file: string; error: string }>;
    assert.is(errors.length, 1);
    assert.is(errors[0]!.file, path.join(HOSTILE, 'native.js'));
    assert.match(errors[0]!.error, /^watchdog: worker terminated after \d+ ms in record i12-2$/);
    assert.ok(ms < 8000, `took ${ms} ms`);
    process.stderr.write(`  native op: ${ms.toFixed(0)} ms for 30 items (two terminations, two respawns)\n`);
    // the pool keeps working afterwards
    const after = await collect(pool.reduce(attackJobs(3, -1)));
    assert.equal(after.get('i1'), { count: 3, id: 'i1' });
  } finally {
    await pool.close();
  }
});

test('limits inside workers: endless loop and memory bomb only hurt their item', async () => {
  // the memory bomb gets time enough to reach the memory limit on a loaded machine
  for (const [name, pattern, deadline] of [
    ['loop', /^deadline exceeded \(200 ms\) in record i4-2$/, 200],
    ['alloc', /^out of memory \(32 MiB limit\) in record i4-2$/, 5000],
  ] as const) {
    const pool = createReducerPool(hostileSet(name), {
      size: 2,
      limits: { itemDeadlineMs: deadline, memoryBytes: 32 * 1024 * 1024 },
    });
    try {
      const got = await collect(pool.reduce(attackJobs(10, 4)));
      assert.is(got.size, 10);
      assert.equal(got.get('i5'), { count: 3, id: 'i5' });
      const errors = got.get('i4')!.errors as Array<{ error: string }>;
      assert.match(errors[0]!.error, pattern);
    } finally {
      await pool.close();
    }
  }
});

test('breaking out of the results stops the run; close() makes later runs fail', async () => {
  const pool = createReducerPool(inlineSet('module.exports = function (s) { return s; }'), { size: 1, batchSize: 10 });
  let seen = 0;
  for await (const r of pool.reduce(syntheticJobs(200))) {
    assert.ok(r.id);
    if (++seen === 5) break;
  }
  const got = await collect(pool.reduce(syntheticJobs(3)));
  assert.is(got.size, 3);
  await pool.close();
  try {
    await collect(pool.reduce(syntheticJobs(3)));
    assert.unreachable();
  } catch (err) {
    assert.match((err as Error).message, 'closed');
  }
});

test('close() resolves once the workers are gone, also when nothing else keeps the process alive', () => {
  // The workers finish their batches while this thread is busy; their answers are read after
  // close(). Those answers must not let the stopping workers go: a process that has nothing else
  // to do would end at once, silently, with its command unfinished.
  const pool = pathToFileURL(path.join(ROOT, 'src', 'sandbox', 'mod.ts')).href;
  const script = `
    import { createReducerPool } from ${JSON.stringify(pool)};
    const reducer = 'module.exports = function (s) { var n = 0; for (var i = 0; i < 200000; i++) n += i; s.n = n; return s; };';
    const jobs = Array.from({ length: 20 }, (_, i) => ({ id: 'i' + i, state: {}, records: [{ hash: 'h' + i, files: [] }] }));
    // Three times: when it goes wrong, the process ends before a stopped worker is gone most times, not always.
    for (let round = 1; round <= 3; round++) {
      const pool = createReducerPool(
        { reducers: [{ file: '/virtual/r.js', dir: '/virtual', source: reducer }], requireFiles: {} },
        { size: 2, batchSize: 1 },
      );
      let first;
      for await (const result of pool.reduce(jobs)) {
        first = result.state.n;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        break;
      }
      await pool.close();
      process.stdout.write('round ' + round + ' closed after ' + first + '\\n');
    }
  `;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sit-pool-close-'));
  fs.writeFileSync(path.join(dir, 'close.mjs'), script);
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, 'close.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const rounds = [1, 2, 3].map((round) => `round ${round} closed after 19999900000\n`).join('');
  assert.is(child.stdout, rounds, `status ${child.status}: ${child.stderr}`);
  assert.is(child.status, 0, child.stderr);
});

test('a reducer stuck in a native operation while loading is a load error', async () => {
  const file = path.join(HOSTILE, 'native_load.js');
  const set: ReducerSet = {
    reducers: [{ file, dir: HOSTILE, source: fs.readFileSync(file, 'utf8') }],
    requireFiles: {},
  };
  const pool = createReducerPool(set, { size: 1, limits: { itemDeadlineMs: 200, watchdogGraceMs: 200 } });
  const started = performance.now();
  try {
    await collect(pool.reduce(syntheticJobs(2)));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ReducerLoadError);
    assert.is((err as ReducerLoadError).file, file);
    assert.match((err as Error).message, /watchdog: worker terminated after \d+ ms while loading/);
  } finally {
    await pool.close();
  }
  process.stderr.write(`  native op while loading: ${(performance.now() - started).toFixed(0)} ms\n`);
});

test('two runs can share the pool at the same time', async () => {
  const pool = createReducerPool(inlineSet('module.exports = function (s, r) { s.h = r.hash; return s; }'), {
    size: 2,
    batchSize: 8,
  });
  const jobs = (prefix: string) =>
    Array.from({ length: 40 }, (_, i) => ({ id: `${prefix}${i}`, state: {}, records: [record(`${prefix}h${i}`, {})] }));
  try {
    const [a, b] = await Promise.all([collect(pool.reduce(jobs('a'))), collect(pool.reduce(jobs('b')))]);
    assert.is(a.size, 40);
    assert.is(b.size, 40);
    assert.equal(a.get('a7'), { h: 'ah7', id: 'a7' });
    assert.equal(b.get('b39'), { h: 'bh39', id: 'b39' });
  } finally {
    await pool.close();
  }
});

test('an error of the job source ends the run with that error', async () => {
  const pool = createReducerPool(inlineSet('module.exports = function (s) { return s; }'), { size: 1 });
  async function* source(): AsyncGenerator<ReduceJob> {
    yield* syntheticJobs(3);
    throw new Error('disk on fire');
  }
  try {
    await collect(pool.reduce(source()));
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).message, 'disk on fire');
  } finally {
    await pool.close();
  }
});

test.run();
