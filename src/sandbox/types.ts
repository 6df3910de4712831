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

/** Resource limits of the sandbox; every one has a default (SPEC §2). */
export interface SandboxLimits {
  /** Fixed WebAssembly memory of one runtime (default 64 MiB). */
  memoryBytes?: number;
  /** QuickJS stack limit (default 256 KiB; at most 384 KiB on Node's default stack). */
  stackBytes?: number;
  /** Time one item's reduction (or one script) may take, enforced by the interrupt handler (default 1000). */
  itemDeadlineMs?: number;
  /** Extra time after the deadline before the pool's watchdog terminates a stuck worker (default 1000). */
  watchdogGraceMs?: number;
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
