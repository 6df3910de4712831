/**
 * Worker thread entry of the reducer pool: one QuickJS runtime per worker, the reducer set loaded
 * once, batches of packed items in, JSON states out. Progress is published in shared memory so the
 * pool's watchdog knows which item a stuck worker is on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReducerEngine } from './engine.ts';
import type { PackedItem } from './pack.ts';
import type { ResolvedLimits } from './quickjs.ts';
import { ReducerLoadError, type ReducerSet } from './types.ts';
import { PROGRESS_INDEX, PROGRESS_SEQ, type FromWorker, type ToWorker } from './protocol.ts';

interface WorkerInit {
  set: ReducerSet;
  limits: ResolvedLimits;
  progress: SharedArrayBuffer;
}

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
const ints = new Int32Array(init.progress, 0, 2);
const started = new Float64Array(init.progress, 8, 1);

function mark(seq: number, index: number): void {
  started[0] = Date.now();
  Atomics.store(ints, PROGRESS_SEQ, seq);
  Atomics.store(ints, PROGRESS_INDEX, index);
}

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

let engine: ReducerEngine | undefined;
try {
  engine = await ReducerEngine.create(init.set, init.limits, (index) => mark(-1, index));
  mark(0, -1);
  started[0] = 0;
  send({ type: 'ready' });
} catch (err) {
  // no message listener is added: the thread ends once the report is sent
  if (err instanceof ReducerLoadError) send({ type: 'loadError', file: err.file, reason: err.reason });
  else send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
}

if (engine !== undefined) port.on('message', (message: ToWorker) => reduceBatch(engine!, message));

function reduceBatch(engine: ReducerEngine, message: ToWorker): void {
  const results: Array<{ id: string; json: string }> = [];
  message.items.forEach((item: PackedItem, index: number) => {
    mark(message.seq, index);
    if (message.probe) {
      engine.setProbe((record, reducer, state) => {
        mark(message.seq, index);
        send({ type: 'progress', seq: message.seq, index, record, reducer, state });
      });
    }
    results.push({ id: item.id, json: engine.reduce(item) });
    if (message.probe) engine.setProbe(undefined);
  });
  started[0] = 0;
  send({ type: 'done', seq: message.seq, results });
}
