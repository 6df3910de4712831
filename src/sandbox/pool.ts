/**
 * Reducing in worker threads: the safe path for untrusted reducers and the fast path for many items.
 * Each worker holds one QuickJS runtime with the set loaded; items travel in batches, either with
 * their buffers transferred or as small descriptors that a loader module reads inside the worker;
 * a watchdog terminates a worker stuck in one long native operation, marks the item that caused it
 * and retries the rest of the batch in a fresh worker (descriptors are simply loaded again).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../worker_entry.ts';
import { packJob } from './pack.ts';
import {
  PROGRESS_BYTES,
  PROGRESS_INDEX,
  PROGRESS_SEQ,
  type FromWorker,
  type ProgressMessage,
  type ToWorker,
  type WorkerItem,
} from './protocol.ts';
import { compiledModule, holdTierUp, resolveLimits, type CompileGoal, type ResolvedLimits } from './quickjs.ts';
import { parseState, sortedStateJson, withError } from './state_json.ts';
import {
  JobLoadError,
  ReducerLoadError,
  SandboxError,
  type JobLoader,
  type LoadJob,
  type ReduceJob,
  type ReduceJsonResult,
  type ReduceResult,
  type ReducerSet,
  type SandboxLimits,
} from './types.ts';

/** A pool of reducer workers sharing one reducer set. */
export interface ReducerPool {
  /**
   * Reduces every job and yields `{id, state}` as batches finish (not in input order). Throws
   * `ReducerLoadError` when the set cannot be loaded. Breaking out of the loop stops feeding jobs.
   */
  reduce(jobs: Iterable<PoolJob> | AsyncIterable<PoolJob>): AsyncIterable<ReduceResult>;
  /**
   * Like `reduce`, but yields each state as its JSON text (keys sorted), as the workers produce
   * it, with the loader's `info` of a {@linkcode LoadJob}: nothing is parsed in this thread.
   */
  reduceJson(jobs: Iterable<PoolJob> | AsyncIterable<PoolJob>): AsyncIterable<ReduceJsonResult>;
  /**
   * Starts every worker now rather than when the first jobs arrive, so that their start (about
   * 100 ms each) overlaps whatever the caller does before it has jobs to give.
   */
  start(): void;
  /** Terminates the workers; running and later `reduce` calls fail. */
  close(): Promise<void>;
}

/** A job for the pool: records in order, or a descriptor for the pool's loader module. */
export type PoolJob = ReduceJob | LoadJob;

/** Options of `createReducerPool`. */
export interface ReducerPoolOptions {
  /** Number of workers (default `min(os.availableParallelism(), 4)`); they start when work arrives. */
  size?: number;
  limits?: SandboxLimits;
  /** Items per batch (default: spread over the workers, 8 to 64). */
  batchSize?: number;
  /** The module that workers import to load {@linkcode LoadJob}s (required to reduce them). */
  loader?: JobLoader;
  /**
   * What QuickJS is compiled for (default `throughput`); `startup` for a pool that reduces a few
   * items at a time (see `compiledModule`).
   */
  goal?: CompileGoal;
}

type Progress = Omit<ProgressMessage, 'type' | 'seq'>;

interface Batch {
  seq: number;
  jobs: PoolJob[];
  probe: boolean;
  run: Run;
  attempts: number;
  progress?: Progress;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  batch: Batch | undefined;
  ints: Int32Array;
  started: Float64Array;
  allowed: Float64Array;
  kill: { reason: string; index: number; seq: number } | undefined;
  error: Error | undefined;
}

/** One `reduce` call: its results and how many of its batches are still out. */
class Run {
  results: ReduceJsonResult[] = [];
  outstanding = 0;
  fed = false;
  cancelled = false;
  error: Error | undefined;
  private waiting: Array<() => void> = [];

  /** Wakes everything waiting on this run (the consumer and the feeder). */
  notify(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/**
 * The native stack of a worker. QuickJS's own stack limit (256 KiB by default) counts its C stack
 * in WebAssembly memory, while deep C recursion (JSON.stringify, a parser) also uses the thread's
 * stack: with Node's 4 MiB a reducer evaluating 50 000 nested brackets overflowed it before
 * QuickJS noticed, and the worker died; with 16 MiB QuickJS's limit comes first.
 */
const WORKER_STACK_MB = 16;

function defaultSize(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 4));
}

/**
 * Creates a pool of at most `size` workers reducing with `set`. Workers start when work arrives or
 * at `start()` (about 100 ms each) and stay until `close()`; idle workers do not keep the process
 * alive.
 */
export function createReducerPool(set: ReducerSet, options: ReducerPoolOptions = {}): ReducerPool {
  const limits = resolveLimits(options.limits);
  const size = Math.max(1, Math.floor(options.size ?? defaultSize()));
  return new Pool(set, limits, size, options.batchSize, options.loader, options.goal ?? 'throughput');
}

function isLoadJob(job: PoolJob): job is LoadJob {
  return 'load' in job;
}

class Pool implements ReducerPool {
  private readonly queue: Batch[] = [];
  private readonly slots: Slot[] = [];
  private readonly runs = new Set<Run>();
  private failure: Error | undefined;
  private closed = false;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly entry = workerEntry('sandbox/worker');
  /** Ends the hold on WebAssembly optimising that a throughput pool takes while it has workers. */
  private releaseTierUp: (() => void) | undefined;

  constructor(
    private readonly set: ReducerSet,
    private readonly limits: ResolvedLimits,
    private readonly size: number,
    private readonly batchSize: number | undefined,
    private readonly loader: JobLoader | undefined,
    private readonly goal: CompileGoal,
  ) {}

  async *reduce(jobs: Iterable<PoolJob> | AsyncIterable<PoolJob>): AsyncIterable<ReduceResult> {
    for await (const result of this.results(jobs)) yield { id: result.id, state: parseState(result.json) };
  }

  reduceJson(jobs: Iterable<PoolJob> | AsyncIterable<PoolJob>): AsyncIterable<ReduceJsonResult> {
    return this.results(jobs);
  }

  private async *results(jobs: Iterable<PoolJob> | AsyncIterable<PoolJob>): AsyncGenerator<ReduceJsonResult> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new SandboxError('the reducer pool is closed; create a new one');
    const run = new Run();
    this.runs.add(run);
    const batchSize =
      this.batchSize ??
      (Array.isArray(jobs) ? Math.min(64, Math.max(8, Math.ceil(jobs.length / (this.size * 8)))) : 128);
    void this.feed(run, jobs, batchSize).catch((err: unknown) => {
      run.error ??= err instanceof Error ? err : new Error(String(err));
      run.notify();
    });
    try {
      for (;;) {
        const next = run.results.shift();
        if (next !== undefined) {
          if (run.results.length % batchSize === 0) run.notify();
          yield next;
          continue;
        }
        if (run.error) throw run.error;
        if (run.fed && run.outstanding === 0) return;
        await run.wait();
      }
    } finally {
      run.cancelled = true;
      this.runs.delete(run);
      for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i]!.run === run) this.queue.splice(i, 1);
      run.notify();
    }
  }

  private async feed(run: Run, jobs: Iterable<PoolJob> | AsyncIterable<PoolJob>, batchSize: number): Promise<void> {
    const maxOut = this.size * 2 + 2;
    let pending: PoolJob[] = [];
    const flush = (): void => {
      if (pending.length === 0) return;
      run.outstanding++;
      this.enqueue({ seq: ++this.seq, jobs: pending, probe: false, run, attempts: 0 });
      pending = [];
    };
    const sync = Symbol.iterator in jobs;
    const iterator = sync
      ? (jobs as Iterable<PoolJob>)[Symbol.iterator]()
      : (jobs as AsyncIterable<PoolJob>)[Symbol.asyncIterator]();
    for (;;) {
      const step = sync ? (iterator as Iterator<PoolJob>).next() : await (iterator as AsyncIterator<PoolJob>).next();
      if (run.cancelled || run.error) break;
      if (step.done) break;
      if (isLoadJob(step.value) && this.loader === undefined) {
        throw new SandboxError(
          `job ${JSON.stringify(step.value.id)} needs a loader module; create the pool with the loader option`,
        );
      }
      pending.push(step.value);
      if (pending.length >= batchSize || (!sync && pending.length >= 8 && this.idle())) {
        flush();
        while (!run.cancelled && !run.error && run.outstanding + Math.floor(run.results.length / batchSize) >= maxOut) {
          await run.wait();
        }
      }
    }
    if (run.cancelled) {
      await (iterator as AsyncIterator<PoolJob>).return?.();
      return;
    }
    flush();
    run.fed = true;
    run.notify();
  }

  start(): void {
    if (this.failure || this.closed) return;
    while (this.slots.length < this.size) this.spawn();
    this.updateTimer();
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.slots.some((s) => s.ready && s.batch === undefined);
  }

  private enqueue(batch: Batch, front = false): void {
    if (front) this.queue.unshift(batch);
    else this.queue.push(batch);
    this.dispatch();
  }

  private dispatch(): void {
    if (this.failure || this.closed) return;
    while (this.queue.length > 0 && this.queue[0]!.run.cancelled) this.queue.shift();
    for (const slot of this.slots) {
      if (!slot.ready || slot.batch !== undefined || slot.kill) continue;
      const batch = this.queue.shift();
      if (batch === undefined) break;
      this.assign(slot, batch);
    }
    let starting = this.slots.filter((s) => !s.ready).length;
    while (this.queue.length > starting && this.slots.length < this.size) {
      this.spawn();
      starting++;
    }
    this.updateTimer();
  }

  private spawn(): void {
    if (this.goal === 'throughput') this.releaseTierUp ??= holdTierUp();
    const progress = new SharedArrayBuffer(PROGRESS_BYTES);
    const worker = new Worker(this.entry.script, {
      eval: this.entry.eval,
      resourceLimits: { stackSizeMb: WORKER_STACK_MB },
      workerData: {
        set: this.set,
        limits: this.limits,
        progress,
        loader: this.loader,
        module: compiledModule(this.goal),
      },
    });
    const slot: Slot = {
      worker,
      ready: false,
      batch: undefined,
      ints: new Int32Array(progress, 0, 2),
      started: new Float64Array(progress, 8, 1),
      allowed: new Float64Array(progress, 16, 1),
      kill: undefined,
      error: undefined,
    };
    this.slots.push(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (err) => (slot.error = err));
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private assign(slot: Slot, batch: Batch): void {
    slot.batch = batch;
    slot.worker.ref();
    const items: WorkerItem[] = [];
    const transfer: ArrayBuffer[] = [];
    for (const job of batch.jobs) {
      if (isLoadJob(job)) {
        items.push({ id: job.id, load: job.load });
      } else {
        const packed = packJob(job);
        items.push(packed);
        transfer.push(packed.buf);
      }
    }
    const message: ToWorker = { seq: batch.seq, items, probe: batch.probe };
    slot.worker.postMessage(message, transfer);
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    // The workers of a closed pool are stopping: what they still send must not unref them (see close).
    if (this.closed) return;
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        slot.worker.unref();
        this.dispatch();
        return;
      case 'loadError':
        this.fail(new ReducerLoadError(message.file, message.reason));
        return;
      case 'fatal':
        this.fail(new SandboxError(`a reducer worker could not start: ${message.message}`));
        return;
      case 'progress': {
        const batch = slot.batch;
        if (batch?.seq === message.seq) batch.progress = { ...message, info: message.info ?? batch.progress?.info };
        return;
      }
      case 'done': {
        const batch = slot.batch;
        if (batch === undefined || batch.seq !== message.seq || slot.kill) return;
        slot.batch = undefined;
        slot.worker.unref();
        this.deliver(batch.run, message.results, 1);
        if (message.failed !== undefined) {
          const id = batch.jobs[message.failed.index]?.id ?? '';
          batch.run.error ??= new JobLoadError(id, message.failed.message);
          batch.run.notify();
        }
        this.dispatch();
        return;
      }
    }
  }

  private deliver(run: Run, results: ReduceJsonResult[], finishedBatches: number): void {
    run.outstanding -= finishedBatches;
    if (!run.cancelled) run.results.push(...results);
    run.notify();
  }

  private onExit(slot: Slot, code: number): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    if (this.closed || this.failure) return;
    const batch = slot.batch;
    if (!slot.ready && !slot.kill) {
      const why = slot.error?.message ?? `exit code ${code}`;
      this.fail(new SandboxError(`a reducer worker stopped while starting: ${why}`));
      return;
    }
    if (batch === undefined) {
      this.dispatch();
      return;
    }
    const reason = slot.kill?.reason ?? `worker crashed: ${slot.error?.message ?? `exit code ${code}`}`;
    const sameBatch = (slot.kill?.seq ?? Atomics.load(slot.ints, PROGRESS_SEQ)) === batch.seq;
    const index = sameBatch ? (slot.kill?.index ?? Atomics.load(slot.ints, PROGRESS_INDEX)) : -1;
    const bad = batch.jobs[index];
    if (bad === undefined) {
      if (++batch.attempts >= 3) {
        batch.run.error ??= new SandboxError(`reducer workers failed three times on the same batch: ${reason}`);
        batch.run.notify();
        this.dispatch();
        return;
      }
      this.enqueue(batch, true);
      return;
    }
    const rest = batch.jobs.filter((_, i) => i !== index);
    if (rest.length > 0) {
      batch.run.outstanding++;
      this.queue.unshift({ seq: ++this.seq, jobs: rest, probe: false, run: batch.run, attempts: 0 });
    }
    if (batch.probe) {
      this.deliver(batch.run, [this.failedResult(bad, batch.progress, reason)], 1);
    } else {
      this.queue.unshift({ seq: ++this.seq, jobs: [bad], probe: true, run: batch.run, attempts: 0 });
    }
    this.dispatch();
  }

  /** The state of a job whose worker had to be terminated: as before the record, plus the error. */
  private failedResult(job: PoolJob, progress: Progress | undefined, reason: string): ReduceJsonResult {
    const file = progress === undefined ? '' : (this.set.reducers[progress.reducer]?.file ?? '');
    const hash = progress?.hash;
    const error = hash === undefined ? reason : `${reason} in record ${hash}`;
    const initial = JSON.stringify(job.state ?? {});
    const state = withError(progress?.state ?? initial, { file, error });
    // The id is the host's, whatever the reducers made of it.
    if (job.id !== '') state.id = job.id;
    const json = sortedStateJson(state);
    return progress?.info === undefined
      ? { id: job.id, json, limited: true }
      : { id: job.id, json, info: progress.info, limited: true };
  }

  private updateTimer(): void {
    const busy = this.slots.some((s) => s.batch !== undefined || !s.ready);
    if (busy && this.timer === undefined) {
      const every = Math.max(10, Math.min(250, (this.limits.itemDeadlineMs + this.limits.watchdogGraceMs) / 4));
      this.timer = setInterval(() => this.watch(), every);
      this.timer.unref();
    } else if (!busy && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** The watchdog: terminates a worker whose current item (or reducer load) is long overdue. */
  private watch(): void {
    const now = Date.now();
    for (const slot of this.slots) {
      const started = slot.started[0]!;
      const limit = (slot.allowed[0] || this.limits.itemDeadlineMs) + this.limits.watchdogGraceMs;
      if (slot.kill || started === 0 || now - started <= limit) continue;
      const seq = Atomics.load(slot.ints, PROGRESS_SEQ);
      const index = Atomics.load(slot.ints, PROGRESS_INDEX);
      const reason = `watchdog: worker terminated after ${Math.round(now - started)} ms`;
      if (!slot.ready) {
        const file = this.set.reducers[index]?.file ?? '';
        this.fail(new ReducerLoadError(file, `${reason} while loading`));
        return;
      }
      if (slot.batch === undefined) continue;
      slot.kill = { reason, index, seq };
      void slot.worker.terminate();
    }
    this.updateTimer();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const run of this.runs) {
      run.error ??= err;
      run.notify();
    }
    this.queue.length = 0;
    for (const slot of this.slots) void slot.worker.terminate();
    this.updateTimer();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new SandboxError('the reducer pool was closed while reducing');
    for (const run of this.runs) {
      run.error ??= closedError;
      run.notify();
    }
    this.queue.length = 0;
    const slots = this.slots.splice(0);
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.releaseTierUp?.();
    // Stopping workers keep the process alive until they are gone: a process with nothing else to
    // do would otherwise end before close() resolves, its command silently unfinished.
    for (const slot of slots) slot.worker.ref();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
