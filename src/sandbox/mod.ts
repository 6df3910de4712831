/**
 * The reducer sandbox: SIT reducers (and module scripts) run in QuickJS compiled to WebAssembly,
 * with no host access and with memory, stack and time limits (SPEC §2). It receives reducer sources
 * and record bytes and returns JSON states; it knows nothing of the store.
 */
export { createReducerRuntime, type ReducerRuntime } from './runtime.ts';
export { createReducerPool, type ReducerPool, type ReducerPoolOptions } from './pool.ts';
export { runScript, type ScriptApi, type ScriptOptions, type ScriptResult } from './script.ts';
export {
  ReducerLoadError,
  SandboxError,
  type ReduceJob,
  type ReduceResult,
  type ReducerErrorEntry,
  type ReducerSet,
  type ReducerSource,
  type SandboxLimits,
  type SandboxRecord,
} from './types.ts';
