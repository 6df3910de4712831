/**
 * The reduction engine: joins the store (records in generation order), the sandbox (reducers) and
 * the cache. Every reduction can be stopped, even in one long native operation of a reducer. Small
 * jobs (one item, the repository, a few items) reduce in this thread under the sandbox's watchdog
 * (a command spares the start of a worker), or, for a process that must keep answering while it
 * reduces (the web server), in a pool of one worker that lives as long as the engine and starts
 * as soon as something needs reducing, while this thread reads the records. Larger jobs go to a
 * pool of several workers that read, check and order the records themselves (through
 * `load_item.ts`), so that this thread only lists items, sends their ids and collects JSON states.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { sep } from 'node:path';
import type { LoadJob, ReduceJob, ReducerPool, ReducerRuntime, SandboxLimits, SandboxRecord } from '../sandbox/mod.ts';
import {
  isValidItemId,
  ItemNotFoundError,
  orderStoredRecords,
  readCheckedRecord,
  type Repository,
  type StoredRecord,
} from '../store/mod.ts';
import { MTIME_SLACK_MS, ReductionCache, cacheFile, recordSetDigest } from './cache.ts';
import {
  loadItem,
  prepareLoading,
  toSandboxRecords,
  type ItemDescriptor,
  type ItemInfo,
  type LoadItemOptions,
} from './load_item.ts';
import { loadReducers, type LoadedReducers } from './reducers.ts';
import { ownModule } from '../worker_entry.ts';

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
  /**
   * Where jobs of up to `poolThreshold` items reduce: in this thread (`thread`, the default: no
   * worker to start, but this thread waits, up to the watchdog's time for a hostile reducer), or in
   * a worker that lives as long as the engine (`worker`: for a process that must keep answering).
   */
  smallJobs?: 'thread' | 'worker';
  /** The environment that locates the cache (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /**
   * Take each item directory's modification time once and keep it (until
   * {@linkcode Engine.forgetStamps}): for a short command that derives several results of the same
   * items, so that every item is looked at once.
   */
  keepStamps?: boolean;
  /**
   * Told how far a reduction of many items (one that goes to the worker pool) has got: `done` of
   * `total` items reduced, first with 0, then after each item. A command draws its progress bar
   * with it.
   */
  onProgress?: (done: number, total: number) => void;
}

/** Options of a single reduction. */
export interface ReduceOneOptions {
  /** The initial state (an item's always gets its `id`). */
  state?: State;
  /** Fixed roots: only these records and their descendants are applied. */
  roots?: readonly string[];
}

/** An item's directory (links followed) and its modification time in milliseconds. */
interface ItemStamp {
  dir: string;
  mtime: number;
}

/** A reduced item as the engine collects it: the state, its JSON text and the cache digest if known. */
interface Reduced {
  id: string;
  state: State;
  json: string;
  records: string | undefined;
  /** Some record links of the item lead to records that are not there yet: not to be cached. */
  incomplete: boolean;
  /** Records left out because they do not hash to their names (see `ItemInfo.damaged`). */
  damaged: string[];
  /** A limit of the sandbox (deadline, memory, watchdog) cut the reduction short: not to be cached. */
  limited: boolean;
}

/** A yielding reduction lets other work run after looking up this many items in the cache. */
const YIELD_EVERY = 200;

/** Up to this many items are checked with the portable hasher (see `prepareLoading`). */
const FEW_ITEMS = 4;

/** Reduces the items and records of one repository. */
export class Engine {
  /** The repository. */
  readonly repo: Repository;
  /** The reducer set in use. */
  readonly reducers: LoadedReducers;
  /** How many items the last {@linkcode Engine.reduceItems} call actually reduced (not cached). */
  lastReduced = 0;
  /** How many items the last {@linkcode Engine.deriveItems} call could not take from its cache. */
  lastDerived = 0;
  /**
   * The items of the last {@linkcode Engine.reduceItems} call that were reduced without some of
   * their records (links whose records have not arrived): their states are not cached, and a
   * caller that keeps states should reduce them again later.
   */
  lastIncomplete: string[] = [];
  /**
   * The items of the last {@linkcode Engine.reduceItems} call whose states leave out damaged
   * records (cached or not): a caller that keeps states should look at them again now and then,
   * since a record arriving file by file changes nothing in its item's directory.
   */
  lastDamaged: string[] = [];
  /** The damaged records each item's last known state left out, by item. */
  readonly #damaged = new Map<string, string[]>();
  /**
   * The items of the last {@linkcode Engine.reduceItems} call whose reduction a limit of the
   * sandbox cut short (deadline, memory, watchdog): their states are not cached either; a caller
   * that keeps states may reduce them again later (another run may get further).
   */
  lastLimited: string[] = [];
  readonly #options: EngineOptions;
  readonly #integrity: boolean;
  /** The one-worker pool of small jobs (`smallJobs: 'worker'`), started on first use and kept until `close`. */
  #small: Promise<ReducerPool> | undefined;
  /** The in-thread runtime of small jobs (`smallJobs: 'thread'`). */
  #runtime: Promise<ReducerRuntime> | undefined;
  /** The same runtime once it is ready, with record hashing (see #reduceNow). */
  #runtimeReady: ReducerRuntime | undefined;
  #cache: ReductionCache | undefined;
  #pool: Promise<ReducerPool> | undefined;
  /** Reductions using the pool right now. */
  #poolRuns = 0;
  /** The item stamps taken so far (`keepStamps`). */
  #stamps: Map<string, ItemStamp> | undefined;
  /** Pools being closed. */
  #closing: Promise<unknown> = Promise.resolve();

  /** Creates an engine for `repo`; reducers are loaded now, the sandbox on first use. */
  constructor(repo: Repository, options: EngineOptions = {}) {
    this.repo = repo;
    this.#options = options;
    this.#integrity = options.integrity ?? repo.integrity;
    this.reducers = options.reducers ?? loadReducers(repo);
    if (options.keepStamps === true) this.#stamps = new Map();
  }

  /** Forgets the item stamps kept (`keepStamps`), e.g. after writing a record. */
  forgetStamps(): void {
    this.#stamps?.clear();
  }

  /**
   * Lets go of the state cache held in memory (the JSON text of every cached state); it is read
   * again when next needed. For a process that keeps the states itself between reductions.
   */
  releaseCache(): void {
    this.#cache = undefined;
  }

  #jobRecords(records: Iterable<StoredRecord>, roots?: readonly string[]): SandboxRecord[] {
    const order = roots === undefined ? {} : { roots };
    const generations = orderStoredRecords(
      records,
      { hashingAlgorithm: this.repo.hashingAlgorithm, integrity: this.#integrity },
      order,
    );
    return toSandboxRecords(generations.flat());
  }

  #itemJob(id: string, state: State = {}, roots?: readonly string[]): ReduceJob {
    return { id, state: { ...state, id }, records: this.#jobRecords(this.repo.readItemRecords(id), roots) };
  }

  /**
   * Gets ready to reduce small jobs: the pool's worker starts now (it takes about 100 ms, which
   * the caller spends reading records meanwhile), or the in-thread runtime is loaded. The sandbox
   * is loaded only when something needs reducing: a warm `sit items` never pays for it.
   */
  #prepareSmall(): Promise<ReducerPool | ReducerRuntime> {
    if (this.#options.smallJobs === 'worker') {
      this.#small ??= import('../sandbox/mod.ts').then(({ createReducerPool }) => {
        const pool = createReducerPool(this.reducers.set, { ...this.#limitOptions(), size: 1, goal: 'startup' });
        pool.start();
        return pool;
      });
      this.#small.catch(() => undefined);
      return this.#small;
    }
    this.#runtime ??= import('../sandbox/mod.ts')
      .then((sandbox) => sandbox.createReducerRuntime(this.reducers.set, this.#limitOptions()))
      .then((runtime) => (this.#runtimeReady = runtime));
    this.#runtime.catch(() => undefined);
    return this.#runtime;
  }

  /** Reduces jobs whose records this thread read, as small jobs; states by id. */
  async #reduceSmall(jobs: readonly ReduceJob[]): Promise<Map<string, { json: string; limited: boolean }>> {
    const out = new Map<string, { json: string; limited: boolean }>();
    const reducer = await this.#prepareSmall();
    if ('reduceJson' in reducer && !('start' in reducer)) {
      for (const job of jobs) out.set(job.id, await reducer.reduceJson(job));
      return out;
    }
    for await (const result of (reducer as ReducerPool).reduceJson(jobs))
      out.set(result.id, { json: result.json, limited: result.limited === true });
    return out;
  }

  async #reduceOne(job: ReduceJob): Promise<State> {
    const result = (await this.#reduceSmall([job])).get(job.id)!;
    return JSON.parse(result.json) as State;
  }

  #limitOptions(): { limits?: SandboxLimits } {
    return this.#options.limits === undefined ? {} : { limits: this.#options.limits };
  }

  /** Reduces one item from scratch (no cache), optionally from an initial state or fixed roots. */
  async reduceItem(id: string, options: ReduceOneOptions = {}): Promise<State> {
    if (!this.repo.hasItem(id)) throw new ItemNotFoundError(`Item ${id} not found`);
    void this.#prepareSmall();
    await prepareLoading();
    return this.#reduceOne(this.#itemJob(id, options.state, options.roots));
  }

  /** Reduces the repository-level records (initial state `{}` unless given). */
  async reduceRepository(options: ReduceOneOptions = {}): Promise<State> {
    await prepareLoading();
    const records = this.#jobRecords(this.repo.readAllRecords(), options.roots);
    const job: ReduceJob = { id: '', state: options.state ?? {}, records };
    if (job.records.length === 0) return { ...job.state };
    return this.#reduceOne(job);
  }

  /**
   * Reduces items (default: every item) and returns their states by id, in the order asked.
   * Items whose record set did not change since the cache was written are not reduced again.
   * With `sizes`, the length of each state's JSON text is put there too (at no extra cost).
   * With `onState`, each state goes there as soon as it is known (cached ones first, in no fixed
   * order) and the map returned is empty: thousands of states are not held twice. With
   * `yielding`, looking items up in the cache lets other work of this thread run now and then
   * (a server that must keep answering).
   */
  async reduceItems(
    ids?: readonly string[],
    options: { sizes?: Map<string, number>; onState?: (id: string, state: State) => void; yielding?: boolean } = {},
  ): Promise<Map<string, State>> {
    const wanted = ids ?? this.repo.items();
    const { onState } = options;
    const { states, incomplete, limited } = await this.#reduceItems(wanted, {
      all: ids === undefined,
      ...(options.sizes === undefined ? {} : { sizes: options.sizes }),
      ...(onState === undefined ? {} : { onState: (id: string, state: State) => onState(id, state) }),
      ...(options.yielding === true ? { yielding: true } : {}),
    });
    this.lastIncomplete = [...incomplete];
    this.lastLimited = [...limited];
    this.lastDamaged = wanted.filter((id) => this.#damaged.has(id));
    return states;
  }

  /**
   * The records that item `id`'s last reduced (or cached) state left out because they do not
   * hash to their names, sorted; empty when none (or when the item was not reduced yet).
   */
  damagedRecords(id: string): readonly string[] {
    return this.#damaged.get(id) ?? [];
  }

  /** Remembers what item `id`'s state left out as damaged. */
  #noteDamaged(id: string, damaged: readonly string[]): void {
    if (damaged.length === 0) this.#damaged.delete(id);
    else this.#damaged.set(id, [...damaged]);
  }

  /**
   * Whether a cached entry that left out `damaged` records still holds: every one of them must
   * still be there and still not hash to its name (a record that arrived file by file is whole
   * now, and the item must be reduced again with it).
   */
  #stillDamaged(id: string, damaged: string | undefined): boolean {
    if (damaged === undefined || damaged === '') {
      this.#damaged.delete(id);
      return true;
    }
    const hashes = damaged.split(',');
    for (const hash of hashes) {
      const record = readCheckedRecord(this.repo, hash, { item: id, integrity: this.#integrity });
      if (record === undefined || !('damaged' in record)) return false;
    }
    this.#damaged.set(id, hashes);
    return true;
  }

  /**
   * {@linkcode Engine.reduceItems} of `wanted`, with the item stamps when the caller took them
   * already; also says which items were reduced without some of their records (not cached).
   * `onState` sees every state as soon as it is known (cached or reduced), in no fixed order;
   * with it, the states are not also kept for the result (thousands of them make the heap large).
   */
  async #reduceItems(
    wanted: readonly string[],
    options: {
      all: boolean;
      stamps?: ReadonlyMap<string, ItemStamp>;
      onState?: (id: string, state: State, incomplete: boolean, damaged: readonly string[]) => void;
      sizes?: Map<string, number>;
      yielding?: boolean;
    },
  ): Promise<{ states: Map<string, State>; incomplete: Set<string>; limited: Set<string> }> {
    const { stamps, onState, sizes } = options;
    const cache = this.#stateCache();
    if (stamps === undefined) await this.#startPoolEarly(wanted.length);
    // The cache written below will trust entries older than this without listing them again.
    const recent = Date.now() - MTIME_SLACK_MS;
    const states = new Map<string, State>();
    const incomplete = new Set<string>();
    const limited = new Set<string>();
    const stale: Array<{ id: string; mtime: number; records: string | undefined }> = [];
    const jobs: ItemDescriptor[] = [];
    const itemsDir = this.repo.itemsDir();
    let looked = 0;
    for (const id of wanted) {
      if (options.yielding === true && ++looked % YIELD_EVERY === 0)
        await new Promise((resolve) => setImmediate(resolve));
      const stamp = stamps?.get(id) ?? this.#itemStamp(itemsDir, id);
      const { mtime } = stamp;
      const found = cache === undefined ? { records: undefined } : this.#lookUp(cache, id, stamp);
      if ('hit' in found) {
        sizes?.set(id, found.hit.size);
        if (onState === undefined) states.set(id, found.hit.value as State);
        else onState(id, found.hit.value as State, false, this.damagedRecords(id));
        continue;
      }
      // The sandbox of small jobs gets ready while the other items are looked at.
      if (stale.length === 0 && stamps === undefined && this.#options.smallJobs === 'worker') void this.#prepareSmall();
      stale.push({ id, mtime, records: found.records });
      // Without a listing yet, whoever reads the records takes the digest, and only for recent
      // items: the only ones whose digest a later run looks at before their mtime.
      jobs.push({ id, digest: found.records === undefined && cache !== undefined && mtime >= recent });
      if (onState === undefined) states.set(id, {});
    }
    this.lastReduced = stale.length;
    if (stale.length > 0) {
      // Many items: the cache file is written while the workers reduce, not after them.
      if (stale.length > this.#poolThreshold()) cache?.beginRewrite();
      const byId = new Map(stale.map((s) => [s.id, s]));
      for await (const reduced of this.#reduceJobs(jobs)) {
        this.#noteDamaged(reduced.id, reduced.damaged);
        const final = !reduced.incomplete && !reduced.limited;
        sizes?.set(reduced.id, reduced.json.length);
        if (onState === undefined) states.set(reduced.id, reduced.state);
        else onState(reduced.id, reduced.state, !final, reduced.damaged);
        if (!final) {
          (reduced.incomplete ? incomplete : limited).add(reduced.id);
          cache?.delete(reduced.id);
          continue;
        }
        const info = byId.get(reduced.id)!;
        // Without a digest ('') the entry is used only while the item's mtime stays the same.
        const records = reduced.records ?? info.records ?? '';
        const entry = { mtime: info.mtime, records, stateJson: reduced.json };
        cache?.set(reduced.id, reduced.damaged.length === 0 ? entry : { ...entry, damaged: reduced.damaged.join(',') });
      }
    }
    if (cache !== undefined) {
      if (options.all) cache.retain(wanted);
      cache.save();
    }
    return { states, incomplete, limited };
  }

  /** The persistent cache of item states (loaded once), or undefined without caching. */
  #stateCache(): ReductionCache | undefined {
    if (this.#options.cache === false) return undefined;
    this.#cache ??= ReductionCache.load(cacheFile(this.repo.root, this.#options.env), {
      reducers: this.reducers.digest,
      integrity: this.#integrity,
    });
    return this.#cache;
  }

  /**
   * Starts the worker pool before the items are even looked at when `count` items are about to
   * be reduced and the state cache is empty: the workers' start then overlaps that look.
   */
  async #startPoolEarly(count: number): Promise<void> {
    if (count <= this.#poolThreshold() || (this.#stateCache()?.size ?? 0) > 0) return;
    // Awaited: the caller's next step (a stat of every item) would otherwise hold this thread,
    // and the workers would only be created after it.
    try {
      (await this.#reducerPool()).start();
    } catch {
      // a failure to start shows, with its cause, when the pool is used
    }
  }

  /** The directory of item `id` (following a text link) and its modification time. */
  #itemStamp(itemsDir: string, id: string): ItemStamp {
    const kept = this.#stamps?.get(id);
    if (kept !== undefined) return kept;
    const stamp = this.#takeStamp(itemsDir, id);
    this.#stamps?.set(id, stamp);
    return stamp;
  }

  #takeStamp(itemsDir: string, id: string): ItemStamp {
    if (!isValidItemId(id)) throw new ItemNotFoundError(`Item ${id} not found`);
    // A valid identifier is a plain name: no path.join needed (it costs a microsecond per item).
    let dir = itemsDir + sep + id;
    let stat = statSync(dir, { throwIfNoEntry: false });
    if (stat !== undefined && !stat.isDirectory()) {
      const resolved = this.repo.itemDir(id);
      stat = resolved === undefined ? undefined : statSync(resolved, { throwIfNoEntry: false });
      if (resolved !== undefined) dir = resolved;
    }
    if (stat === undefined) throw new ItemNotFoundError(`Item ${id} not found`);
    return { dir, mtime: stat.mtimeMs };
  }

  /**
   * `derive(state)` for every item (default: all), remembered per item in a second cache named by
   * `key` (e.g. a query's text), so that items unchanged since then are not even read from the
   * state cache. `derive` must be a pure function of the state; its results cross as JSON
   * (`undefined` stays `undefined`). Without the cache this is `derive` over `reduceItems`.
   */
  async deriveItems(
    key: string,
    derive: (state: State) => unknown,
    ids?: readonly string[],
  ): Promise<Map<string, unknown>> {
    return await this.deriveItemsNow(key, derive, ids, { early: true });
  }

  /**
   * {@linkcode Engine.deriveItems}, answered at once when every result is in its cache (nothing to
   * reduce or derive), else a promise of the results.
   */
  deriveItemsNow(
    key: string,
    derive: (state: State) => unknown,
    ids?: readonly string[],
    options: { early?: boolean } = {},
  ): Map<string, unknown> | Promise<Map<string, unknown>> {
    const wanted = ids ?? this.repo.items();
    if (this.#options.cache === false) {
      return this.reduceItems(wanted).then((states) => new Map([...states].map(([id, state]) => [id, derive(state)])));
    }
    const name = `derived-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
    const memo = ReductionCache.load(cacheFile(this.repo.root, this.#options.env, name), {
      reducers: this.reducers.digest,
      integrity: this.#integrity,
    });
    // An empty cache: the pool's workers start before the items are looked at (see #startPoolEarly).
    if (memo.size === 0 && options.early === true)
      return this.#startPoolEarly(wanted.length).then(() => this.#derive(memo, derive, wanted, ids === undefined));
    return this.#derive(memo, derive, wanted, ids === undefined);
  }

  #derive(
    memo: ReductionCache,
    derive: (state: State) => unknown,
    wanted: readonly string[],
    all: boolean,
  ): Map<string, unknown> | Promise<Map<string, unknown>> {
    const results = new Map<string, unknown>();
    const stale = new Map<string, ItemStamp & { records: string | undefined }>();
    const itemsDir = this.repo.itemsDir();
    for (const id of wanted) {
      const { dir, mtime } = this.#itemStamp(itemsDir, id);
      const found = this.#lookUp(memo, id, { dir, mtime });
      if ('hit' in found) {
        results.set(id, (found.hit.value as { value?: unknown }).value);
        continue;
      }
      stale.set(id, { dir, mtime, records: found.records });
      results.set(id, undefined);
    }
    this.lastDerived = stale.size;
    if (stale.size === 0) {
      if (all) memo.retain(wanted);
      memo.save();
      return results;
    }
    return this.#deriveStale(memo, derive, wanted, all, results, stale);
  }

  async #deriveStale(
    memo: ReductionCache,
    derive: (state: State) => unknown,
    wanted: readonly string[],
    all: boolean,
    results: Map<string, unknown>,
    stale: Map<string, ItemStamp & { records: string | undefined }>,
  ): Promise<Map<string, unknown>> {
    // A few items are reduced directly: reading the whole state cache would cost more.
    const few = stale.size <= this.#poolThreshold();
    // Many items: the file is written, and each result derived, while the workers reduce.
    const written = few ? Date.now() : memo.beginRewrite();
    // A digest lets a later run check an entry by one listing; it is needed only for items
    // that changed just before the file's time, or for a few entries that the cache will append.
    const recent = written - MTIME_SLACK_MS;
    const onState = (id: string, state: State, incomplete: boolean, damaged: readonly string[]): void => {
      const value = derive(state);
      results.set(id, value);
      if (incomplete) {
        memo.delete(id);
        return;
      }
      const { dir, mtime, records: listed } = stale.get(id)!;
      const records = listed ?? (mtime >= recent || stale.size <= 256 ? recordSetDigest(readdirSync(dir)) : '');
      const entry = { mtime, records, stateJson: JSON.stringify({ value }) };
      memo.set(id, damaged.length === 0 ? entry : { ...entry, damaged: damaged.join(',') });
    };
    const ids = [...stale.keys()];
    if (few) await this.#reduceUncached(ids, onState);
    else await this.#reduceItems(ids, { all: false, stamps: stale, onState });
    if (all) memo.retain(wanted);
    memo.save();
    return results;
  }

  /**
   * The state of item `id` for a command about that one item: from the item's own small cache
   * file (never the whole repository's), answered at once when that holds it; else the item is
   * reduced and kept there, and a promise of the state is returned. Throws
   * `ItemNotFoundError` for an item that does not exist.
   */
  itemState(id: string): State | Promise<State> {
    const { dir, mtime } = this.#itemStamp(this.repo.itemsDir(), id);
    if (this.#options.cache === false) return this.reduceItems([id]).then((states) => states.get(id)!);
    const name = `items/${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
    const cache = ReductionCache.load(cacheFile(this.repo.root, this.#options.env, name), {
      reducers: this.reducers.digest,
      integrity: this.#integrity,
    });
    const found = this.#lookUp(cache, id, { dir, mtime });
    if ('hit' in found) {
      cache.save();
      return found.hit.value as State;
    }
    return this.#reduceNow(id, cache, mtime, found.records) ?? this.#reduceKept(id, cache, mtime, found.records);
  }

  /**
   * Reduces item `id` at once in this thread when the sandbox is ready here (a command that
   * reduced an item already) and no limit stops it, and keeps its state; else undefined.
   */
  #reduceNow(id: string, cache: ReductionCache, mtime: number, listed: string | undefined): State | undefined {
    const runtime = this.#runtimeReady;
    if (runtime === undefined || this.#options.smallJobs === 'worker') return undefined;
    const job = loadItem(this.repo, id, { ...this.#loaderOptions(), digest: true });
    const reduced = runtime.reduceJsonNow(job);
    if (reduced === undefined) return undefined;
    const damaged = job.info.damaged ?? [];
    this.#noteDamaged(id, damaged);
    if (job.info.incomplete === true || reduced.limited) {
      cache.delete(id);
    } else {
      const entry = { mtime, records: job.info.records ?? listed ?? '', stateJson: reduced.json };
      cache.set(id, damaged.length === 0 ? entry : { ...entry, damaged: damaged.join(',') });
    }
    cache.save();
    return JSON.parse(reduced.json) as State;
  }

  async #reduceKept(id: string, cache: ReductionCache, mtime: number, listed: string | undefined): Promise<State> {
    let state: State = {};
    for await (const reduced of this.#reduceJobs([{ id, digest: true }])) {
      this.#noteDamaged(reduced.id, reduced.damaged);
      state = reduced.state;
      if (reduced.incomplete || reduced.limited) {
        cache.delete(id);
        continue;
      }
      const entry = { mtime, records: reduced.records ?? listed ?? '', stateJson: reduced.json };
      cache.set(id, reduced.damaged.length === 0 ? entry : { ...entry, damaged: reduced.damaged.join(',') });
    }
    cache.save();
    return state;
  }

  async #reduceUncached(
    ids: readonly string[],
    onState: (id: string, state: State, incomplete: boolean, damaged: readonly string[]) => void,
  ): Promise<void> {
    for await (const reduced of this.#reduceJobs(ids.map((id) => ({ id, digest: false })))) {
      this.#noteDamaged(reduced.id, reduced.damaged);
      onState(reduced.id, reduced.state, reduced.incomplete || reduced.limited, reduced.damaged);
    }
  }

  /** Parses a cached entry's JSON; an entry that does not parse is forgotten (and recomputed). */
  /**
   * Item `id` in `cache` (the state cache, an item's own, or a derived one) by its stamp: the
   * entry's value and the length of its JSON text when the entry can be used (the item's records
   * unchanged, the records it names as damaged still damaged, its text readable; an unreadable
   * entry is dropped), else the digest of the item's record set when the lookup took one, for the
   * entry that replaces it.
   */
  #lookUp(
    cache: ReductionCache,
    id: string,
    stamp: ItemStamp,
  ): { hit: { value: unknown; size: number } } | { records: string | undefined } {
    const found = cache.lookup(id, stamp.dir, stamp.mtime);
    const entry = found.entry;
    const parsed =
      entry !== undefined && this.#stillDamaged(id, entry.damaged)
        ? this.#parseEntry(cache, id, entry.stateJson)
        : undefined;
    return parsed === undefined
      ? { records: found.records }
      : { hit: { value: parsed.value, size: entry!.stateJson.length } };
  }

  #parseEntry(cache: ReductionCache, id: string, json: string): { value: unknown } | undefined {
    try {
      return { value: JSON.parse(json) as unknown };
    } catch {
      cache.delete(id);
      return undefined;
    }
  }

  #loaderOptions(): LoadItemOptions {
    return { root: this.repo.root, integrity: this.#integrity, algorithm: this.repo.hashingAlgorithm };
  }

  #poolThreshold(): number {
    return this.#options.poolThreshold ?? 32;
  }

  /** The worker pool, created on first use; its workers read their items through `load_item.ts`. */
  #reducerPool(): Promise<ReducerPool> {
    this.#pool ??= import('../sandbox/mod.ts').then(({ createReducerPool }) =>
      createReducerPool(this.reducers.set, {
        ...this.#limitOptions(),
        ...(this.#options.poolSize === undefined ? {} : { size: this.#options.poolSize }),
        // The loader module of the pool's workers: this folder's `load_item`.
        loader: { module: ownModule('reduce/load_item').href, options: this.#loaderOptions() },
      }),
    );
    return this.#pool;
  }

  async *#reduceJobs(items: ItemDescriptor[]): AsyncIterable<Reduced> {
    const loader = this.#loaderOptions();
    if (items.length <= this.#poolThreshold()) {
      // Few items: this thread reads them (while a worker starts) and takes every digest (one
      // more listing each), so that the cache can append them.
      void this.#prepareSmall();
      // The fast hasher takes longer to load than a few items take to check without it.
      if (items.length > FEW_ITEMS) await prepareLoading();
      const loaded = items.map(({ id }) => loadItem(this.repo, id, { ...loader, digest: true }));
      const results = await this.#reduceSmall(loaded);
      for (const job of loaded) {
        const { json, limited } = results.get(job.id)!;
        const state = JSON.parse(json) as State;
        yield {
          id: job.id,
          state,
          json,
          records: job.info.records,
          incomplete: job.info.incomplete === true,
          limited,
          damaged: job.info.damaged ?? [],
        };
      }
      return;
    }
    const pool = await this.#reducerPool();
    const jobs: LoadJob[] = items.map((item) => ({ id: item.id, load: item, state: { id: item.id } }));
    this.#poolRuns++;
    const onProgress = this.#options.onProgress;
    let done = 0;
    try {
      onProgress?.(0, jobs.length);
      for await (const result of pool.reduceJson(jobs)) {
        onProgress?.(++done, jobs.length);
        const state = JSON.parse(result.json) as State;
        const info = result.info as ItemInfo | undefined;
        yield {
          id: result.id,
          state,
          json: result.json,
          records: info?.records,
          incomplete: info?.incomplete === true,
          limited: result.limited === true,
          damaged: info?.damaged ?? [],
        };
      }
    } finally {
      this.#poolRuns--;
    }
    // The workers hold memory and their stopping takes a while: they stop now, while the caller
    // finishes (writes caches, prints), rather than at close(). A later large job starts a new pool.
    if (this.#poolRuns === 0 && this.#pool !== undefined) {
      this.#closing = Promise.all([this.#closing, this.#closePool().catch(() => undefined)]);
    }
  }

  /** Closes the worker pool, if one was started. */
  async #closePool(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool !== undefined) await (await pool.catch(() => undefined))?.close();
  }

  /** Frees the sandbox (runtime and workers). */
  async close(): Promise<void> {
    const small = this.#small;
    const runtime = this.#runtime;
    this.#small = undefined;
    this.#runtime = undefined;
    const closeSmall = small?.then((pool) => pool.close()).catch(() => undefined);
    this.#runtimeReady = undefined;
    const closeRuntime = runtime?.then((rt) => rt.dispose()).catch(() => undefined);
    await Promise.all([this.#closing, this.#closePool(), closeSmall, closeRuntime]);
  }
}
