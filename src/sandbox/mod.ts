/**
 * The reducer sandbox: SIT reducers (and module scripts) run in QuickJS compiled to WebAssembly,
 * with no host access and with memory, stack and time limits (SPEC §2). It receives reducer sources
 * and record bytes and returns JSON states; it knows nothing of the store.
 *
 * Two ways to reduce, with identical results:
 * - `createReducerRuntime`: in the calling thread, for small jobs and tests. Every limit applies
 *   except one: a single long native operation (`new Array(1e9) + ''`) cannot be interrupted there.
 * - `createReducerPool`: worker threads, the safe path for untrusted repositories and the fast one
 *   for many items; its watchdog terminates and replaces a worker stuck in such an operation.
 *   With a loader module (`JobLoader`), jobs can be small descriptors that the workers turn into
 *   records themselves, so that reading and checking records happens in the workers too; the
 *   sandbox still knows nothing of what the loader reads.
 *
 * Limits, per item: a deadline (interrupt handler, default 1 s), a fixed WebAssembly memory per
 * runtime (default 64 MiB), a 256 KiB stack. A limit hit leaves an `errors` entry
 * `{file: <reducer>, error: '<limit>: …'}` in that item's state only: `deadline exceeded (1000 ms)`
 * and `out of memory (64 MiB limit)` end the item (state as before the record that hit it);
 * `stack overflow (256 KiB limit): …` discards only its record, like a thrown error;
 * `watchdog: worker terminated after N ms` comes from the pool.
 *
 * Determinism: `Date.now()` and `new Date()` are the epoch, `Math.random` restarts the same
 * sequence for every item, dates are in UTC whatever the host's time zone, and `WeakRef` and
 * `FinalizationRegistry` are absent. As in the original, variables at the top level of a reducer
 * file live as long as its runtime (one per worker), so a reducer that keeps data there across
 * items can make its own results depend on which items a worker saw before.
 */
export { createReducerRuntime, type ReducerRuntime } from './runtime.ts';
export { createReducerPool, type PoolJob, type ReducerPool, type ReducerPoolOptions } from './pool.ts';
export { runScript, type ScriptApi, type ScriptOptions, type ScriptResult } from './script.ts';
export {
  JobLoadError,
  ReducerLoadError,
  SandboxError,
  type JobLoader,
  type LoadedJob,
  type LoadJob,
  type ReduceJob,
  type ReduceJsonResult,
  type ReduceResult,
  type ReducerErrorEntry,
  type ReducerSet,
  type ReducerSource,
  type SandboxLimits,
  type SandboxRecord,
} from './types.ts';
