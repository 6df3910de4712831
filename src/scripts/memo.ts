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
import { readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheFile, makeDirectory, readRegularFile } from '../reduce/cache.ts';
import { VERSION } from '../version.ts';
import { FIRE_AND_FORGET } from './host.ts';
import type { HostCall, RecordedCall } from './thread.ts';

const FORMAT = 'sit-script-memo 1';

/** Host functions that only read: a memo makes them again to check their answers. */
const READS: ReadonlySet<string> = new Set([
  'itemIds',
  'hasItem',
  'items',
  'item',
  'search',
  'records',
  'damagedRecords',
  'config',
  'jmespath',
  'author',
  'filters',
  'templates',
  'mentions',
  'commits',
  'itemAtRefs',
  'readFile',
  'terminal',
]);

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

interface MemoFile {
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
   * printed) when there is no usable memo.
   */
  async replay(host: HostCall): Promise<number | undefined> {
    const memo = this.#read();
    if (memo === undefined) return undefined;
    for (const call of memo.calls) {
      if (ORDERED.has(call.name) && call.name !== 'terminal') continue;
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
    for (const call of memo.calls) {
      if (ORDERED.has(call.name)) host(call.name, JSON.parse(call.args) as unknown[]);
    }
    return memo.status;
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
