/** The data that crosses into and out of the sandbox. The sandbox knows nothing of the store. */
import { SitError } from '../errors.ts';

/** One reducer file, as read by the host. */
export interface ReducerSource {
  /** The path shown in errors, e.g. `/repo/.sit/modules/issue-tracking/reducers/State.js`. */
  file: string;
  /** The file's text. */
  source: string;
  /** The directory the reducer came from: the only place its `require()` may load from. */
  dir: string;
}

/** The reducers of a repository, in order, with every `.js` file their `require()` may load. */
export interface ReducerSet {
  reducers: ReducerSource[];
  /** Absolute path → source of every `.js` file under each reducer directory, pre-read by the host. */
  requireFiles: Record<string, string>;
}

/** One record: its hash and every file (dot-files included) as `[name, bytes]`. */
export interface SandboxRecord {
  hash: string;
  files: Array<[name: string, data: Uint8Array]>;
}

/** One reduction: an item (or the repository, id `''`) with its records already in order. */
export interface ReduceJob {
  id: string;
  /** The initial state, e.g. `{id}` for an item and `{}` for the repository. */
  state: Record<string, unknown>;
  records: SandboxRecord[];
}

/** The result of one reduction. */
export interface ReduceResult {
  id: string;
  state: Record<string, unknown>;
}

/**
 * A job that a pool worker loads itself through the pool's loader module (see
 * {@linkcode JobLoader}): only this small descriptor crosses to the worker, not the records.
 */
export interface LoadJob {
  id: string;
  /** Handed to the loader's `loadJob`; must survive structured cloning (plain data). */
  load: unknown;
  /** The initial state shown with the error when the job fails before it could be loaded (default `{}`). */
  state?: Record<string, unknown>;
}

/**
 * What a loader's `loadJob` returns: the job, records in order, plus `info`, which comes back
 * unchanged with the job's result.
 */
export interface LoadedJob extends ReduceJob {
  info?: unknown;
}

/**
 * An ES module that pool workers import once to load {@linkcode LoadJob}s where the reducing
 * happens. It may export `async function init(options)`, run before the worker takes work, and
 * must export `function loadJob(load, options): LoadedJob` (synchronous; a throw fails the run
 * with {@linkcode JobLoadError}).
 */
export interface JobLoader {
  /** The module's URL (`file:` URL of an ES module). */
  module: string;
  /** Passed to `init` and to every `loadJob` call; must survive structured cloning. */
  options?: unknown;
}

/** The result of one reduction as the state's JSON text (object keys sorted at every level). */
export interface ReduceJsonResult {
  id: string;
  json: string;
  /** The loader's `info` for a {@linkcode LoadJob} (absent if the job failed before it was loaded). */
  info?: unknown;
  /**
   * The reduction was cut short by a limit of the sandbox (deadline, memory, watchdog): the state
   * is the one before the record that hit it, which another run may get further than. Not final:
   * it must not be cached.
   */
  limited?: boolean;
}

/** Resource limits of the sandbox; every one has a default (SPEC §2). */
export interface SandboxLimits {
  /** Fixed WebAssembly memory of one runtime (default 64 MiB). */
  memoryBytes?: number;
  /** QuickJS stack limit (default 256 KiB; at most 384 KiB on Node's default stack). */
  stackBytes?: number;
  /**
   * Time one item's reduction may take for every 100 of its records (at least once), or one script,
   * enforced by the interrupt handler (default 1000).
   */
  itemDeadlineMs?: number;
  /** Extra time after the deadline before the watchdog terminates a stuck worker (default 1000). */
  watchdogGraceMs?: number;
  /** Deepest nesting of objects and arrays a state may have (default 100). */
  maxStateDepth?: number;
  /** Most characters a state's JSON text may have (default 8 MiB, 8 388 608). */
  maxStateChars?: number;
}

/** One `errors` entry that a failed record leaves in a state. */
export interface ReducerErrorEntry {
  file: string;
  error: string;
}

/** A reducer set that cannot be used: a syntax error, a throw while loading, or no exported function. */
export class ReducerLoadError extends SitError {
  /** The reducer file that failed. */
  readonly file: string;
  /** What failed, e.g. `SyntaxError: unexpected token in expression: '}' (at State.js:3:5)`. */
  readonly reason: string;

  /** Creates the error for `file`, whose loading failed with `reason`. */
  constructor(file: string, reason: string) {
    super(`cannot load reducer ${file}: ${reason}; fix or remove the file`);
    this.file = file;
    this.reason = reason;
  }
}

/** The sandbox itself failed (the WebAssembly instance trapped, a worker could not start). */
export class SandboxError extends SitError {}

/** A pool's loader module failed on a job (e.g. the records could not be read). */
export class JobLoadError extends SandboxError {
  /** The job's id. */
  readonly id: string;

  /** Creates the error for job `id`; `reason` is the loader's error message. */
  constructor(id: string, reason: string) {
    super(`cannot load ${JSON.stringify(id)} for reducing: ${reason}`);
    this.id = id;
  }
}
