/**
 * Worker thread entry of the reducer pool: one QuickJS runtime per worker, the reducer set loaded
 * once, batches of items in, JSON states out. Items come packed, or as descriptors that the pool's
 * loader module (imported once here) turns into records, so that reading them happens in this
 * thread too. Progress is published in shared memory so the pool's watchdog knows which item a
 * stuck worker is on; the watchdog only times reducing, not loading.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReducerEngine } from './engine.ts';
import { packedRecordHash, packJob, type PackedItem } from './pack.ts';
import type { ResolvedLimits } from './quickjs.ts';
import { ReducerLoadError, type JobLoader, type LoadedJob, type ReducerSet } from './types.ts';
import { PROGRESS_INDEX, PROGRESS_SEQ, type FromWorker, type ToWorker, type WorkerItem } from './protocol.ts';

interface WorkerInit {
  set: ReducerSet;
  limits: ResolvedLimits;
  progress: SharedArrayBuffer;
  loader?: JobLoader;
  /** The pool's compiled QuickJS module. */
  module?: WebAssembly.Module;
}

/** The exports of a loader module that a worker uses. */
interface LoaderModule {
  init?: (options: unknown) => unknown;
  loadJob: (load: unknown, options: unknown) => LoadedJob;
}

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
const ints = new Int32Array(init.progress, 0, 2);
const started = new Float64Array(init.progress, 8, 1);
const allowed = new Float64Array(init.progress, 16, 1);

function mark(seq: number, index: number): void {
  allowed[0] = init.limits.itemDeadlineMs;
  started[0] = Date.now();
  Atomics.store(ints, PROGRESS_SEQ, seq);
  Atomics.store(ints, PROGRESS_INDEX, index);
}

/** The engine starts timing an item (or the part of it before a record that hit a limit). */
function timing(ms: number): void {
  allowed[0] = ms;
  started[0] = Date.now();
}

/** Publishes the item being loaded without starting the clock: the watchdog does not time loading. */
function markLoading(seq: number, index: number): void {
  started[0] = 0;
  Atomics.store(ints, PROGRESS_SEQ, seq);
  Atomics.store(ints, PROGRESS_INDEX, index);
}

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

async function importLoader(loader: JobLoader | undefined): Promise<LoaderModule | undefined> {
  if (loader === undefined) return undefined;
  const module = (await import(loader.module)) as Partial<LoaderModule>;
  if (typeof module.loadJob !== 'function')
    throw new Error(`the loader module ${loader.module} does not export a loadJob function`);
  if (typeof module.init === 'function') await module.init(loader.options);
  return module as LoaderModule;
}

let engine: ReducerEngine | undefined;
let loader: LoaderModule | undefined;
try {
  // The loader first: what it prepares may compile WebAssembly on V8's background threads, which
  // loading the reducers fills with optimising QuickJS for a few hundred milliseconds (a worker
  // was ready 0.8 s into a cold sit items, waiting 170 ms for such a compile; now 0.6 s).
  // The watchdog times loading the reducers only.
  loader = await importLoader(init.loader);
  engine = await ReducerEngine.create(init.set, init.limits, {
    onLoading: (index) => mark(-1, index),
    onDeadline: timing,
    ...(init.module === undefined ? {} : { module: init.module }),
  });
  mark(0, -1);
  started[0] = 0;
  send({ type: 'ready' });
} catch (err) {
  engine = undefined;
  // no message listener is added: the thread ends once the report is sent
  if (err instanceof ReducerLoadError) send({ type: 'loadError', file: err.file, reason: err.reason });
  else send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
}

if (engine !== undefined) port.on('message', (message: ToWorker) => reduceBatch(engine!, message));

function isPacked(item: WorkerItem): item is PackedItem {
  return !('load' in item);
}

function reduceBatch(engine: ReducerEngine, message: ToWorker): void {
  const { seq, probe } = message;
  const results: Array<{ id: string; json: string; info?: unknown; limited?: boolean }> = [];
  for (let index = 0; index < message.items.length; index++) {
    const item = message.items[index]!;
    let packed: PackedItem;
    let info: unknown;
    if (isPacked(item)) {
      packed = item;
    } else {
      markLoading(seq, index);
      try {
        if (loader === undefined) throw new Error('the pool has no loader module');
        const job = loader.loadJob(item.load, init.loader?.options);
        info = job.info;
        packed = packJob({ id: item.id, state: job.state, records: job.records });
      } catch (err) {
        started[0] = 0;
        send({
          type: 'done',
          seq,
          results,
          failed: { index, message: err instanceof Error ? err.message : String(err) },
        });
        return;
      }
      if (probe) send({ type: 'progress', seq, index, record: -1, reducer: -1, state: packed.state, info });
    }
    mark(seq, index);
    if (probe) {
      const current = packed;
      engine.setProbe((record, reducer, state) => {
        mark(seq, index);
        send({ type: 'progress', seq, index, record, reducer, state, hash: packedRecordHash(current, record) });
      });
    }
    const { json, limited } = engine.reduce(packed);
    const result: { id: string; json: string; info?: unknown; limited?: boolean } = { id: item.id, json };
    if (info !== undefined) result.info = info;
    if (limited) result.limited = true;
    results.push(result);
    if (probe) engine.setProbe(undefined);
  }
  started[0] = 0;
  send({ type: 'done', seq, results });
}
