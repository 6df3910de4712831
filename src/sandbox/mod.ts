/**
 * The reducer sandbox: SIT reducers (and module scripts) run in QuickJS compiled to WebAssembly,
 * with no host access and with memory, stack and time limits (SPEC §2). It receives reducer sources
 * and record bytes and returns JSON states; it knows nothing of the store.
 *
 * Two ways to reduce, with identical results; every reduction can be stopped:
 * - `createReducerRuntime`: in the calling thread, for small jobs (no worker to start). A
 *   watchdog (`vm`'s timeout) stops a single long native operation (`new Array(1e9) + ''`) that
 *   the interrupt handler cannot; the stopped QuickJS instance is replaced. The thread waits
 *   meanwhile, so a process that must keep answering uses a pool.
 * - `createReducerPool`: worker threads, the fast path for many items; its watchdog terminates and
 *   replaces a worker stuck in such an operation. With a loader module (`JobLoader`), jobs can be
 *   small descriptors that the workers turn into records themselves, so that reading and
 *   checking records happens in the workers too; the sandbox still knows nothing of what the
 *   loader reads. A pool of one worker with the `startup` goal serves small jobs in a server.
 *
 * Limits, per item: a deadline through the interrupt handler (default 1 s for every 100 records,
 * at least 1 s), a fixed WebAssembly memory per runtime (default 64 MiB), a 256 KiB stack, the
 * watchdog (the deadline, twice in the calling thread, plus 1 s of grace), and for the state a
 * depth of 100 nested objects and arrays and 8 MiB (8 388 608 characters) of JSON. A limit hit
 * leaves an `errors` entry `{file: <reducer>, error: '<limit>: …'}` in that item's state only:
 * `deadline exceeded (1000 ms)`, `out of memory (64 MiB limit)` and
 * `watchdog: worker terminated after N ms` (`watchdog: stopped a long operation after N ms` in
 * the calling thread) end the item, with the state as it was before the record that hit them, and
 * mark the result `limited`: not final, never to be cached. `stack overflow (256 KiB limit): …`,
 * a state nested too deep or too large, or one that is not JSON, discard only their record, like
 * a thrown error. Workers get a 16 MiB native stack, so that QuickJS's own stack limit comes
 * before the thread's; in the calling thread, deep native recursion that overflows the thread's
 * stack costs the QuickJS instance and gives the item a `stack overflow: …` error.
 *
 * A fresh environment for every item: the built-in objects are frozen before any reducer runs
 * (assigning a property that a frozen prototype has, like `constructor` or `toString` in an ES5
 * class, still works on the object assigned to), whatever an item's reducers add to the global
 * object is deleted after the item, `eval` runs its code in strict mode (so that it cannot declare
 * global `let` bindings), and every reducer file and every file it requires is evaluated again for
 * each item, so that variables at its top level start over. Nothing a reducer writes while reducing
 * one item is visible while reducing another. The host sets the item's `id` in the final state.
 *
 * The state flows from record to record as the object the reducers returned (as it does from
 * reducer to reducer within a record), and becomes JSON, with the keys of every object sorted,
 * when the item ends. A record whose reducer throws, or returns neither an object nor
 * `undefined`, is discarded: the state goes back to a copy of what it was before that record. That
 * copy is taken only when needed (see prelude.ts), so reducing an item costs time linear in its
 * records.
 *
 * Determinism: `Date.now()` and `new Date()` are the epoch, `Math.random` restarts the same
 * sequence for every item, dates are in UTC whatever the host's time zone, and `WeakRef` and
 * `FinalizationRegistry` are absent.
 */
export { createReducerRuntime, type ReducerRuntime } from './runtime.ts';
export { createReducerPool, type PoolJob, type ReducerPool, type ReducerPoolOptions } from './pool.ts';
export { runScript, type ScriptApi, type ScriptFiles, type ScriptOptions, type ScriptResult } from './script.ts';
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
