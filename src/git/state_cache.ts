/**
 * The cache of item states at git revisions. A state is named by the item's tree, the trees of
 * its records and the reducer set (see `Revision.stateKey`), never by a revision: every branch,
 * tag and commit that shares an item's tree and records shares its reduced state.
 *
 * It lives in the cache directory (`cacheRoot()/git/`), one folder per reducer set and integrity
 * setting, split into 256 files by the key's first two hex digits so that asking about one item
 * reads one small file. Each file is lines of `KEY TAB STATE-JSON`, appended to; a file that grows
 * past 4 MiB keeps its newer half. Anything unreadable is simply not a hit; deleting it is safe.
 * @module
 */
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../reduce/cache.ts';

/** A shard file this large keeps only its newer half. */
const SHARD_LIMIT = 4 * 1024 * 1024;
/** Folders of other reducer sets kept beside the current one. */
const KEEP_SETS = 4;

const KEY = /^[0-9a-f]{64}$/;

/** What a cache is for: the reducer set's digest and whether records were checked. */
export interface StateCacheKey {
  reducers: string;
  integrity: boolean;
}

/** Item states by git object ids. */
export class GitStateCache {
  /** The folder of this reducer set. */
  readonly dir: string;
  /** Lookups answered, and not, since it was opened. */
  hits = 0;
  misses = 0;
  readonly #shards = new Map<string, Map<string, string>>();
  readonly #added = new Map<string, string[]>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** The cache for one reducer set, in the cache directory that `env` names. */
  static open(key: StateCacheKey, env: NodeJS.ProcessEnv = process.env): GitStateCache {
    return new GitStateCache(
      join(cacheRoot(env), 'git', `${key.reducers.slice(0, 24)}-${key.integrity ? 'checked' : 'unchecked'}`),
    );
  }

  #shard(key: string): Map<string, string> {
    const name = key.slice(0, 2);
    let shard = this.#shards.get(name);
    if (shard !== undefined) return shard;
    shard = new Map();
    let text = '';
    try {
      text = readFileSync(join(this.dir, `${name}.states`), 'utf8');
    } catch {
      // no file yet (or unreadable): no entries
    }
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab !== 64 || !line.endsWith('}')) continue;
      shard.set(line.slice(0, 64), line.slice(65));
    }
    this.#shards.set(name, shard);
    return shard;
  }

  /** The state named `key`, or undefined. */
  get(key: string): Record<string, unknown> | undefined {
    const json = KEY.test(key) ? this.#shard(key).get(key) : undefined;
    if (json !== undefined) {
      try {
        const state = JSON.parse(json) as unknown;
        if (typeof state === 'object' && state !== null && !Array.isArray(state)) {
          this.hits++;
          return state as Record<string, unknown>;
        }
      } catch {
        // a damaged line: reduced again and written anew
      }
    }
    this.misses++;
    return undefined;
  }

  /** Remembers the state named `key` (its JSON text, one line). */
  set(key: string, json: string): void {
    if (!KEY.test(key) || json.includes('\n') || !json.startsWith('{')) return;
    const shard = this.#shard(key);
    if (shard.get(key) === json) return;
    shard.set(key, json);
    const name = key.slice(0, 2);
    const lines = this.#added.get(name) ?? [];
    lines.push(`${key}\t${json}\n`);
    this.#added.set(name, lines);
  }

  /** Writes what was added; a cache directory that cannot be written only costs speed. */
  save(): void {
    if (this.#added.size === 0) return;
    try {
      const fresh = !existsDir(this.dir);
      mkdirSync(this.dir, { recursive: true });
      for (const [name, lines] of this.#added) {
        const path = join(this.dir, `${name}.states`);
        appendFileSync(path, lines.join(''));
        if (statSync(path).size > SHARD_LIMIT) halve(path);
      }
      if (fresh) removeOldSets(this.dir);
    } catch {
      // the cache is an optimisation
    }
    this.#added.clear();
  }
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Keeps the newer half of a shard file (its later lines). */
function halve(path: string): void {
  const text = readFileSync(path, 'utf8');
  const from = text.indexOf('\n', Math.floor(text.length / 2));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, from < 0 ? '' : text.slice(from + 1));
  renameSync(temporary, path);
}

/** Removes the folders of reducer sets that were not used for longest, keeping a few. */
function removeOldSets(current: string): void {
  const parent = join(current, '..');
  const sets = readdirSync(parent)
    .map((name) => ({ path: join(parent, name), time: statSync(join(parent, name)).mtimeMs }))
    .filter((set) => set.path !== current)
    .sort((a, b) => b.time - a.time);
  for (const set of sets.slice(KEEP_SETS - 1)) rmSync(set.path, { recursive: true, force: true });
}
