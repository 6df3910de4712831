/**
 * The reduction engine: joins the store (records in generation order), the sandbox (reducers) and
 * the cache. Small jobs reduce in this thread; larger ones go to the worker pool, whose watchdog
 * can stop any reducer.
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ReduceJob, ReducerPool, ReducerRuntime, SandboxLimits, SandboxRecord } from '../sandbox/mod.ts';
import { ItemNotFoundError, orderStoredRecords, type Repository, type StoredRecord } from '../store/mod.ts';
import { ReductionCache, cacheFile, recordSetDigest } from './cache.ts';
import { loadReducers, type LoadedReducers } from './reducers.ts';

/** A reduced state: a JSON object. */
export type State = Record<string, unknown>;

/** Options for {@linkcode Engine}. */
export interface EngineOptions {
  /** Drop records whose content does not match their hash (default: the repository's setting). */
  integrity?: boolean;
  /** Use the persistent cache for item states (default true). */
  cache?: boolean;
  /** The reducer set (default: the repository's reducers and its modules'). */
  reducers?: LoadedReducers;
  /** Sandbox limits. */
  limits?: SandboxLimits;
  /** Jobs of more items than this go to the worker pool (default 32). */
  poolThreshold?: number;
  /** Worker pool size (default: the pool's). */
  poolSize?: number;
  /** The environment that locates the cache (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** Options of a single reduction. */
export interface ReduceOneOptions {
  /** The initial state (an item's always gets its `id`). */
  state?: State;
  /** Fixed roots: only these records and their descendants are applied. */
  roots?: readonly string[];
}

function toSandboxRecords(records: readonly StoredRecord[]): SandboxRecord[] {
  return records.map((record) => ({ hash: record.hash, files: record.files.map((file): [string, Uint8Array] => [file.name, file.data]) }));
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Reduces the items and records of one repository. */
export class Engine {
  /** The repository. */
  readonly repo: Repository;
  /** The reducer set in use. */
  readonly reducers: LoadedReducers;
  /** How many items the last {@linkcode Engine.reduceItems} call actually reduced (not cached). */
  lastReduced = 0;
  readonly #options: EngineOptions;
  readonly #integrity: boolean;
  #runtime: Promise<ReducerRuntime> | undefined;
  #cache: ReductionCache | undefined;
  #pool: ReducerPool | undefined;

  /** Creates an engine for `repo`; reducers are loaded now, the sandbox on first use. */
  constructor(repo: Repository, options: EngineOptions = {}) {
    this.repo = repo;
    this.#options = options;
    this.#integrity = options.integrity ?? repo.integrity;
    this.reducers = options.reducers ?? loadReducers(repo);
  }

  #jobRecords(records: Iterable<StoredRecord>, roots?: readonly string[]): SandboxRecord[] {
    const order = roots === undefined ? {} : { roots };
    const generations = orderStoredRecords(records, { hashingAlgorithm: this.repo.hashingAlgorithm, integrity: this.#integrity }, order);
    return toSandboxRecords(generations.flat());
  }

  #itemJob(id: string, state: State = {}, roots?: readonly string[]): ReduceJob {
    return { id, state: { ...state, id }, records: this.#jobRecords(this.repo.readItemRecords(id), roots) };
  }

  #inThread(): Promise<ReducerRuntime> {
    // The sandbox is loaded only when something needs reducing: a warm `sit items` never pays for it.
    this.#runtime ??= import('../sandbox/mod.ts').then((sandbox) => sandbox.createReducerRuntime(this.reducers.set, this.#limitOptions()));
    return this.#runtime;
  }

  #limitOptions(): { limits?: SandboxLimits } {
    return this.#options.limits === undefined ? {} : { limits: this.#options.limits };
  }

  /** Reduces one item from scratch (no cache), optionally from an initial state or fixed roots. */
  async reduceItem(id: string, options: ReduceOneOptions = {}): Promise<State> {
    if (!this.repo.hasItem(id)) throw new ItemNotFoundError(`Item ${id} not found`);
    const runtime = await this.#inThread();
    return runtime.reduce(this.#itemJob(id, options.state, options.roots));
  }

  /** Reduces the repository-level records (initial state `{}` unless given). */
  async reduceRepository(options: ReduceOneOptions = {}): Promise<State> {
    const job: ReduceJob = { id: '', state: options.state ?? {}, records: this.#jobRecords(this.repo.readAllRecords(), options.roots) };
    if (job.records.length === 0) return { ...job.state };
    const runtime = await this.#inThread();
    return runtime.reduce(job);
  }

  /**
   * Reduces items (default: every item) and returns their states by id, in the order asked.
   * Items whose record set did not change since the cache was written are not reduced again.
   */
  async reduceItems(ids?: readonly string[]): Promise<Map<string, State>> {
    const all = ids === undefined;
    const wanted = ids ?? this.repo.items();
    const useCache = this.#options.cache !== false;
    const cache = useCache
      ? (this.#cache ??= ReductionCache.load(cacheFile(this.repo.root, this.#options.env), {
          reducers: this.reducers.digest,
          integrity: this.#integrity,
        }))
      : undefined;
    const trustBefore = cache === undefined ? 0 : cache.writtenAt - 2000;
    const states = new Map<string, State>();
    const stale: Array<{ id: string; mtime: number; records: string }> = [];
    const itemsDir = this.repo.itemsDir();
    for (const id of wanted) {
      let dir = join(itemsDir, id);
      let stat = statSync(dir, { throwIfNoEntry: false });
      if (stat !== undefined && !stat.isDirectory()) {
        const resolved = this.repo.itemDir(id);
        stat = resolved === undefined ? undefined : statSync(resolved, { throwIfNoEntry: false });
        if (resolved !== undefined) dir = resolved;
      }
      if (stat === undefined) throw new ItemNotFoundError(`Item ${id} not found`);
      const mtime = stat.mtimeMs;
      const entry = cache?.get(id);
      if (entry !== undefined && entry.mtime === mtime && mtime < trustBefore && this.#useCached(states, cache!, id, entry.stateJson)) {
        continue;
      }
      const records = recordSetDigest(readdirSync(dir));
      if (entry !== undefined && entry.records === records && this.#useCached(states, cache!, id, entry.stateJson)) {
        cache!.set(id, { ...entry, mtime });
        continue;
      }
      stale.push({ id, mtime, records });
      states.set(id, {});
    }
    this.lastReduced = stale.length;
    if (stale.length > 0) {
      const byId = new Map(stale.map((s) => [s.id, s]));
      for await (const { id, state } of this.#reduceJobs(stale.map((s) => s.id))) {
        states.set(id, state);
        const info = byId.get(id)!;
        cache?.set(id, { mtime: info.mtime, records: info.records, stateJson: JSON.stringify(state) });
      }
    }
    if (cache !== undefined) {
      if (all) cache.retain(wanted);
      cache.save();
    }
    return states;
  }

  #useCached(states: Map<string, State>, cache: ReductionCache, id: string, json: string): boolean {
    try {
      states.set(id, JSON.parse(json) as State);
      return true;
    } catch {
      cache.delete(id);
      return false;
    }
  }

  async *#reduceJobs(ids: string[]): AsyncIterable<{ id: string; state: State }> {
    const threshold = this.#options.poolThreshold ?? 32;
    if (ids.length <= threshold) {
      const runtime = await this.#inThread();
      for (const id of ids) yield { id, state: runtime.reduce(this.#itemJob(id)) };
      return;
    }
    const { createReducerPool } = await import('../sandbox/mod.ts');
    this.#pool ??= createReducerPool(this.reducers.set, {
      ...this.#limitOptions(),
      ...(this.#options.poolSize === undefined ? {} : { size: this.#options.poolSize }),
    });
    const engine = this;
    async function* jobs(): AsyncIterable<ReduceJob> {
      for (let i = 0; i < ids.length; i++) {
        yield engine.#itemJob(ids[i]!);
        if (i % 64 === 63) await yieldToEventLoop();
      }
    }
    yield* this.#pool.reduce(jobs());
  }

  /** Frees the sandbox (runtime and workers). */
  async close(): Promise<void> {
    const runtime = this.#runtime;
    this.#runtime = undefined;
    if (runtime !== undefined) (await runtime).dispose();
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await pool.close();
  }
}
