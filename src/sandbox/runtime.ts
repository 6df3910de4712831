/** Reducing in the calling thread: for small jobs and tests. */
import { ReducerEngine } from './engine.ts';
import { packJob } from './pack.ts';
import { resolveLimits } from './quickjs.ts';
import { parseState } from './state_json.ts';
import { SandboxError, type ReduceJob, type ReducerSet, type SandboxLimits } from './types.ts';

/** A reducer set loaded into one QuickJS runtime in the calling thread. */
export interface ReducerRuntime {
  /** Reduces one item (its records already in order) and returns its final state. */
  reduce(job: ReduceJob): Record<string, unknown>;
  /** Frees the runtime; `reduce` fails afterwards. */
  dispose(): void;
}

/**
 * Loads `set` into a sandbox in this thread. The per-item deadline, the memory cap and the stack
 * limit all apply, but one long native operation (`new Array(1e9) + ''`) cannot be interrupted in
 * the calling thread: use `createReducerPool` for reducers from untrusted repositories, whose
 * watchdog terminates a stuck worker. Throws `ReducerLoadError` when a reducer cannot be loaded.
 */
export async function createReducerRuntime(
  set: ReducerSet,
  options: { limits?: SandboxLimits } = {},
): Promise<ReducerRuntime> {
  const engine = await ReducerEngine.create(set, resolveLimits(options.limits));
  let alive = true;
  return {
    reduce(job: ReduceJob): Record<string, unknown> {
      if (!alive) throw new SandboxError('the reducer runtime was disposed; create a new one');
      return parseState(engine.reduce(packJob(job)).json);
    },
    dispose(): void {
      if (!alive) return;
      alive = false;
      engine.dispose();
    },
  };
}
