/**
 * Reducing in the calling thread, for small jobs: no worker to start (about 100 ms saved on a
 * short command), every limit of the sandbox, and a watchdog for the one thing the interrupt
 * handler cannot stop, a long native operation (`new Array(1e9) + ''`): each item runs under
 * `vm`'s timeout, whose thread stops the WebAssembly code; the QuickJS instance it stopped is then
 * replaced by a new one. Deep recursion in QuickJS's native code (JSON.stringify of 100 000 nested
 * arrays) can overflow this thread's stack before QuickJS's own limit: that too costs the instance,
 * and the item gets an error.
 */
import vm from 'node:vm';
import { ReducerEngine, type ReducedJson } from './engine.ts';
import { packJob, packedRecordHash, type PackedItem } from './pack.ts';
import { itemDeadline, resolveLimits, type ResolvedLimits } from './quickjs.ts';
import { parseState, sortedStateJson, withError } from './state_json.ts';
import { SandboxError, type ReduceJob, type ReducerSet, type SandboxLimits } from './types.ts';

/** A reducer set loaded into one QuickJS runtime in the calling thread. */
export interface ReducerRuntime {
  /** Reduces one item (its records already in order) and returns its final state. */
  reduce(job: ReduceJob): Promise<Record<string, unknown>>;
  /**
   * Reduces one item and returns its state as JSON (keys sorted), and whether a limit cut the
   * reduction short (then the state is not final: see `ReduceJsonResult.limited`).
   */
  reduceJson(job: ReduceJob): Promise<ReducedJson>;
  /**
   * Reduces one item at once, as `reduceJson` does when no limit stops it; undefined when the
   * watchdog stopped it (call `reduceJson` then: it reduces the item again in a new instance and
   * says where it stopped).
   */
  reduceJsonNow(job: ReduceJob): ReducedJson | undefined;
  /** Frees the runtime; `reduce` fails afterwards. */
  dispose(): void;
}

/** Where the last probe report said the reduction was. */
interface Progress {
  record: number;
  reducer: number;
  state: string;
}

/**
 * Loads `set` into a sandbox in this thread. Every limit applies, the watchdog included (see the
 * module's header); while an item is reduced, this thread does nothing else, so a long-running
 * process that must keep answering (the web server) reduces in a worker pool instead. Throws
 * `ReducerLoadError` when a reducer cannot be loaded.
 */
export async function createReducerRuntime(
  set: ReducerSet,
  options: { limits?: SandboxLimits } = {},
): Promise<ReducerRuntime> {
  const limits = resolveLimits(options.limits);
  let engine: ReducerEngine | undefined = await ReducerEngine.create(set, limits);
  /** The watchdog stopped `engine` in `reduceJsonNow`: the next `reduceJson` starts with a new one. */
  let stopped = false;
  const box = vm.createContext({});
  const files = set.reducers.map((r) => r.file);

  /**
   * Reduces under the watchdog; says why when the watchdog stopped it, or when the host's stack
   * overflowed inside the WebAssembly instance (deep recursion in native code): in both cases the
   * instance cannot be trusted any more.
   */
  function attempt(item: PackedItem, ms: number): { value: ReducedJson } | { stopped: string } {
    const current = alive();
    box.fn = () => current.reduce(item);
    try {
      return { value: vm.runInContext('fn()', box, { timeout: Math.ceil(ms) }) as ReducedJson };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        return { stopped: `watchdog: stopped a long operation after ${ms} ms` };
      }
      if (current.failed)
        return { stopped: 'stack overflow: the reducers nested deeper than the native stack of the host allows' };
      throw error;
    } finally {
      box.fn = undefined;
    }
  }

  function alive(): ReducerEngine {
    if (engine === undefined) throw new SandboxError('the reducer runtime was disposed; create a new one');
    return engine;
  }

  /** The time an item may take in all before the watchdog stops it: its deadline twice (see ReducerEngine.reduce), plus the grace. */
  function allowed(item: PackedItem, l: ResolvedLimits): number {
    return 2 * itemDeadline(l, item.records) + l.watchdogGraceMs;
  }

  async function reduceJson(job: ReduceJob): Promise<ReducedJson> {
    const packed = packJob(job);
    const ms = allowed(packed, limits);
    if (stopped) {
      stopped = false;
      engine = await ReducerEngine.create(set, limits);
    }
    const first = attempt(packed, ms);
    if ('value' in first) return first.value;
    // A new instance reduces the item again, reporting where it is, so that the error names the
    // reducer and the record, and the state is the one before it.
    engine = await ReducerEngine.create(set, limits);
    let progress: Progress | undefined;
    engine.setProbe((record, reducer, state) => {
      progress = { record, reducer, state };
    });
    const second = attempt(packed, ms);
    if ('value' in second) {
      engine.setProbe(undefined);
      return second.value;
    }
    engine = await ReducerEngine.create(set, limits);
    const hash = progress === undefined ? undefined : packedRecordHash(packed, progress.record);
    const state = withError(progress?.state ?? packed.state, {
      file: progress === undefined ? '' : (files[progress.reducer] ?? ''),
      error: hash === undefined ? second.stopped : `${second.stopped} in record ${hash}`,
    });
    if (job.id !== '') state.id = job.id;
    return { json: sortedStateJson(state), limited: true };
  }

  return {
    async reduce(job: ReduceJob): Promise<Record<string, unknown>> {
      return parseState((await reduceJson(job)).json);
    },
    reduceJson,
    reduceJsonNow(job: ReduceJob): ReducedJson | undefined {
      if (stopped) return undefined;
      const packed = packJob(job);
      const first = attempt(packed, allowed(packed, limits));
      if ('value' in first) return first.value;
      stopped = true;
      return undefined;
    },
    dispose(): void {
      const current = engine;
      engine = undefined;
      current?.dispose();
    },
  };
}
