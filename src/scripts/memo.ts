/**
 * A memo of module script runs that only read: the host calls a run made (each answer kept as a
 * digest) and the output it printed, so that the same command can be answered again without
 * starting the sandbox at all when nothing it read has changed.
 *
 * A script is deterministic: its clock is frozen, its random numbers repeat, and it reaches
 * nothing but its host functions. Given the same source, the same arguments and the same answers
 * to the same host calls, it makes the same calls and prints the same things. So a memo is used
 * only after every host call it lists has been made again and has given an answer with the same
 * digest (reads are cheap: the caches answer them); then its output calls are made again in order,
 * so that the host renders them for the terminal of this run (colours, width, relative times,
 * the pager). A run that wrote a record, asked the user, read standard input, called `sit.exit`,
 * failed or hit a limit is never kept. Anything unexpected while reading a memo means: run the
 * script.
 * @module
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFile, makeDirectory, readRegularFile } from '../reduce/cache.ts';
import { VERSION } from '../version.ts';
import { FIRE_AND_FORGET } from './host.ts';
import type { HostCall, RecordedCall } from './thread.ts';

const FORMAT = 'sit-script-memo 1';

/**
 * Reads whose answers follow from the repository's items, records and configuration alone (and
 * their arguments): nothing from the user's configuration, git, the terminal or other files.
 * `search` belongs here only without a named filter (filters may come from the user's
 * configuration and name the user).
 */
const REPOSITORY_READS: ReadonlySet<string> = new Set([
  'itemIds',
  'hasItem',
  'items',
  'item',
  'search',
  'records',
  'damagedRecords',
  'config',
  'jmespath',
  'mentions',
]);

/** Host functions that only read: a memo makes them again to check their answers. */
const READS: ReadonlySet<string> = new Set([
  ...REPOSITORY_READS,
  // The user's configuration, issue templates (files a daemon does not watch), git, files the
  // user named, the terminal:
  'author',
  'filters',
  'templates',
  'commits',
  'itemAtRefs',
  'readFile',
  'terminal',
]);

/** Whether `call`'s answer follows from the repository alone (see {@linkcode REPOSITORY_READS}). */
function repositoryRead(call: MemoCall): boolean {
  if (!REPOSITORY_READS.has(call.name)) return false;
  if (call.name !== 'search') return true;
  try {
    const options = (JSON.parse(call.args) as unknown[])[1];
    if (options === undefined || options === null) return true;
    if (typeof options !== 'object' || Array.isArray(options)) return false;
    const filter = (options as Record<string, unknown>)['filter'];
    return filter === undefined || filter === null;
  } catch {
    return false;
  }
}

/**
 * What a process that watches a repository (`sit daemon`) knows about memos: those whose
 * repository reads ({@linkcode REPOSITORY_READS}) were all checked since the repository last
 * changed. Such a memo is replayed without making those reads again; every other read (the
 * user's configuration, git) is still made and compared. The owner calls
 * {@linkcode ReplayChecks.invalidate} whenever anything in the repository may have changed, before
 * it answers from the new state.
 */
export class ReplayChecks {
  #generation = 0;
  readonly #checked = new Map<string, CheckedMemo>();

  /** Forgets every check: the repository may have changed. */
  invalidate(): void {
    this.#generation++;
    this.#checked.clear();
  }

  /** How many times the repository may have changed. */
  get generation(): number {
    return this.#generation;
  }

  /** The memo checked under `key` while its file had `stamp`, if any. */
  checked(key: string, stamp: string): CheckedMemo | undefined {
    const known = this.#checked.get(key);
    return known?.stamp === stamp ? known : undefined;
  }

  /** Remembers that `memo` (its file with `stamp`) held at `generation`, unless anything changed since. */
  remember(key: string, stamp: string, memo: MemoFile, generation: number): void {
    if (generation !== this.#generation) return;
    if (this.#checked.size >= MAX_CHECKED) this.#checked.clear();
    const outputs = memo.calls
      .filter((call) => ORDERED.has(call.name))
      .map((call) => ({ name: call.name, args: deepFreeze(JSON.parse(call.args) as unknown[]) }));
    this.#checked.set(key, { stamp, memo, outputs });
  }
}

/** A memo known to hold, with its output calls' arguments parsed once. */
interface CheckedMemo {
  stamp: string;
  memo: MemoFile;
  outputs: ReadonlyArray<{ name: string; args: unknown[] }>;
}

/** `value`, frozen all the way down (arguments handed to the host again and again). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Memos a {@linkcode ReplayChecks} keeps in memory at most. */
const MAX_CHECKED = 64;

/** Output functions (and `terminal`, which may choose the colours): made again, in order. */
const ORDERED: ReadonlySet<string> = new Set([...FIRE_AND_FORGET, 'terminal']);

/** The largest memo file read (a run that printed more is run again). */
const MAX_MEMO_BYTES = 64 * 1024 * 1024;

/** Memo files kept per repository; past this, the oldest half is removed. */
const MAX_MEMOS = 512;

/** One call as a memo keeps it. */
interface MemoCall {
  name: string;
  args: string;
  /** The digest of the answer (`v…`) or of the error (`e…`). */
  answer: string;
}

/** A memo as its file holds it. */
export interface MemoFile {
  format: string;
  key: string;
  calls: MemoCall[];
  status: number;
}

/** What identifies a run: the script, its arguments and the limits it ran under. */
export interface MemoKey {
  /** The repository root (the memo lives in its cache folder). */
  root: string;
  /** The script's path and source. */
  file: string;
  source: string;
  /** The script's second argument. */
  args: unknown;
  /** Anything else the run depends on (limits). */
  extra: unknown;
  /** The environment that locates the cache. */
  env?: NodeJS.ProcessEnv;
}

/** The digest of a host call's outcome. */
function digestOf(outcome: RecordedCall['outcome']): string {
  if (!outcome.ok) {
    const error = outcome.error;
    const text = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    return `e${createHash('sha1').update(text).digest('hex')}`;
  }
  const json = JSON.stringify(outcome.value);
  return `v${json === undefined ? 'undefined' : createHash('sha1').update(json).digest('hex')}`;
}

/** Whether memos are used: only by the compiled `sit`, whose files identify its build. */
function buildIdentity(): string | undefined {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return undefined;
  try {
    const stats = statSync(fileURLToPath(here));
    return `${VERSION} ${stats.size} ${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** The memo of one kind of run (see the module's header). */
export class ScriptMemo {
  readonly #path: string;
  readonly #key: string;

  private constructor(path: string, key: string) {
    this.#path = path;
    this.#key = key;
  }

  /** The memo of runs like `key`, or undefined when memos are not used here. */
  static for(key: MemoKey): ScriptMemo | undefined {
    const identity = buildIdentity();
    if (identity === undefined) return undefined;
    const source = createHash('sha256').update(key.source).digest('hex');
    const text = JSON.stringify([FORMAT, identity, key.file, source, key.args, key.extra]);
    const digest = createHash('sha256').update(text).digest('hex');
    return new ScriptMemo(cacheFile(key.root, key.env, join('scripts', digest.slice(0, 32))), digest);
  }

  /**
   * Answers the run from the memo when every read it lists gives the same answer now: its output
   * calls are made again through `host` and the exit status is returned. Undefined (nothing
   * printed) when there is no usable memo. With `options.checks`, the repository reads of a memo
   * already checked since the repository last changed are not made again.
   */
  async replay(host: HostCall, options: { checks?: ReplayChecks } = {}): Promise<number | undefined> {
    const checks = options.checks;
    const generation = checks?.generation ?? 0;
    const stamp = checks === undefined ? '' : this.#stamp();
    const checked = stamp === '' ? undefined : checks?.checked(this.#key, stamp);
    const memo = checked?.memo ?? this.#read();
    if (memo === undefined) return undefined;
    for (const call of memo.calls) {
      if (ORDERED.has(call.name) && call.name !== 'terminal') continue;
      if (checked !== undefined && repositoryRead(call)) continue;
      let outcome: RecordedCall['outcome'];
      try {
        const args = JSON.parse(call.args) as unknown[];
        let value = host(call.name, args);
        if (value instanceof Promise) value = await value;
        outcome = { ok: true, value };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (digestOf(outcome) !== call.answer) return undefined;
    }
    if (checked !== undefined) {
      for (const call of checked.outputs) host(call.name, call.args);
      return memo.status;
    }
    if (stamp !== '') checks?.remember(this.#key, stamp, memo, generation);
    for (const call of memo.calls) {
      if (ORDERED.has(call.name)) host(call.name, JSON.parse(call.args) as unknown[]);
    }
    return memo.status;
  }

  /** What identifies the memo file's present content ('' when there is none). */
  #stamp(): string {
    try {
      const stats = lstatSync(this.#path, { bigint: true });
      if (!stats.isFile()) return '';
      return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
    } catch {
      return '';
    }
  }

  #read(): MemoFile | undefined {
    const text = readRegularFile(this.#path, { max: MAX_MEMO_BYTES })?.toString('utf8');
    if (text === undefined) return undefined;
    try {
      const memo = JSON.parse(text) as MemoFile;
      if (
        memo.format !== FORMAT ||
        memo.key !== this.#key ||
        !Array.isArray(memo.calls) ||
        typeof memo.status !== 'number'
      )
        return undefined;
      for (const call of memo.calls) {
        if (typeof call.name !== 'string' || typeof call.args !== 'string' || typeof call.answer !== 'string')
          return undefined;
        if (!READS.has(call.name) && !ORDERED.has(call.name)) return undefined;
      }
      return memo;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps a run that ended with exit status `status` after making `calls`, when it only read and
   * printed. Never fails: a cache that cannot be written only costs speed.
   */
  save(calls: readonly RecordedCall[], status: number): void {
    if (!calls.every((call) => READS.has(call.name) || ORDERED.has(call.name))) return;
    const memo: MemoFile = {
      format: FORMAT,
      key: this.#key,
      calls: calls.map((call) => ({ name: call.name, args: call.args, answer: digestOf(call.outcome) })),
      status,
    };
    const dir = dirname(this.#path);
    const partial = `${this.#path}.partial-${process.pid}`;
    try {
      makeDirectory(dir);
      prune(dir);
      writeFileSync(partial, JSON.stringify(memo), { flag: 'wx' });
      renameSync(partial, this.#path);
    } catch {
      try {
        rmSync(partial, { force: true });
      } catch {
        // nothing was written (the memo folder is not a folder)
      }
    }
  }
}

/** Removes the older half of the memos in `dir` once it holds more than {@linkcode MAX_MEMOS}. */
function prune(dir: string): void {
  const names = readdirSync(dir);
  if (names.length < MAX_MEMOS) return;
  const aged: Array<[string, number]> = [];
  for (const name of names) {
    try {
      aged.push([name, statSync(join(dir, name)).mtimeMs]);
    } catch {
      // gone already
    }
  }
  aged.sort((a, b) => a[1] - b[1]);
  for (const [name] of aged.slice(0, Math.floor(aged.length / 2))) rmSync(join(dir, name), { force: true });
}
