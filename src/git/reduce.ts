/**
 * Item states at a git revision: each item's state is looked up in the git state cache by its
 * tree ids, and only the items not found there are read (their records' blobs through the one
 * cat-file process) and reduced with the working tree's reducers, in this thread for a few items
 * and in the worker pool for many, as `src/reduce/engine.ts` does for the working tree.
 * @module
 */
import type { LoadedReducers } from '../reduce/reducers.ts';
import { toSandboxRecords } from '../reduce/load_item.ts';
import type { ReduceJob, ReducerPool, ReducerRuntime, SandboxLimits } from '../sandbox/mod.ts';
import { orderStoredRecords, prepareHashing, type StoredRecord } from '../store/mod.ts';
import { listRecords, type RecordsIndex } from './listing.ts';
import type { ItemListing, Revision } from './revision.ts';
import { GitStateCache } from './state_cache.ts';

/** A reduced state. */
export type State = Record<string, unknown>;

/** Options of {@link RevisionReducer}. */
export interface RevisionReducerOptions {
  /** The reducer set (the working tree's). */
  reducers: LoadedReducers;
  /** Leave out records that do not match their hash. */
  integrity: boolean;
  /** Use the git state cache (default true). */
  cache?: boolean;
  /** The environment that locates the cache (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Sandbox limits. */
  limits?: SandboxLimits;
  /** More items to reduce than this go to the worker pool (default 32). */
  poolThreshold?: number;
  /** Told how far a reduction in the worker pool has got: `done` of `total` items, from 0. */
  onProgress?: (done: number, total: number) => void;
}

/** Items listed in a row before their states are looked up. */
const WINDOW = 64;
/** Asking for more items than this lists the whole `records/` tree once instead of walking to each record. */
const LIST_THRESHOLD = 48;

/** A promise with its settling functions. */
interface Deferred {
  promise: Promise<State>;
  resolve(state: State): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: (state: State) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<State>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** A state that was not in the cache. */
interface Miss {
  listing: ItemListing;
  key: string;
}

/** Reduces items at revisions, through the git state cache. */
export class RevisionReducer {
  /** Items reduced (not taken from the cache) so far. */
  reduced = 0;
  /** Items taken from the cache so far. */
  cached = 0;
  /** Items read while objects were missing from the clone (not cached). */
  incomplete = 0;
  readonly #options: RevisionReducerOptions;
  readonly #cache: GitStateCache | undefined;
  #runtime: Promise<ReducerRuntime> | undefined;
  /** States being reduced now, by key. */
  readonly #pending = new Map<string, Deferred>();

  /** Creates a reducer; the sandbox starts on first use. */
  constructor(options: RevisionReducerOptions) {
    this.#options = options;
    this.#cache =
      options.cache === false
        ? undefined
        : GitStateCache.open({ reducers: options.reducers.digest, integrity: options.integrity }, options.env);
  }

  /** The records of an item, ordered (and checked) for reducing. */
  #order(records: readonly StoredRecord[], revision: Revision, roots?: readonly string[]): StoredRecord[] {
    const order = roots === undefined ? {} : { roots };
    return orderStoredRecords(
      records,
      { hashingAlgorithm: revision.hashingAlgorithm, integrity: this.#options.integrity },
      order,
    ).flat();
  }

  /**
   * The states of items `ids` at `revision`, each given to `onState` as soon as it is known (in
   * no fixed order). Resolves to the ids that do not exist there.
   */
  async reduce(
    revision: Revision,
    ids: readonly string[],
    onState: (id: string, state: State) => void,
  ): Promise<string[]> {
    let index: RecordsIndex | undefined;
    if (ids.length > LIST_THRESHOLD) {
      const records = await revision.recordsTree();
      if (records !== undefined) index = await listRecords(revision.git, records, revision.recordDepth);
    }
    const absent: string[] = [];
    const misses: Miss[] = [];
    // States being reduced by another call (another revision with the same item tree): awaited, not reduced again.
    const waits: Array<Promise<void>> = [];
    for (let at = 0; at < ids.length; at += WINDOW) {
      const listings = await Promise.all(ids.slice(at, at + WINDOW).map((id) => revision.itemListing(id, index)));
      const keys = await Promise.all(
        listings.map((listing) => (listing === undefined ? '' : revision.stateKey(listing))),
      );
      listings.forEach((listing, i) => {
        if (listing === undefined) {
          absent.push(ids[at + i]!);
          return;
        }
        const key = keys[i]!;
        const state = listing.missing ? undefined : this.#cache?.get(key);
        const pending = listing.missing ? undefined : this.#pending.get(key);
        if (state !== undefined) {
          this.cached++;
          onState(listing.id, state);
        } else if (pending !== undefined) {
          this.cached++;
          waits.push(pending.promise.then((reduced) => onState(listing.id, reduced)));
        } else {
          misses.push({ listing, key });
          if (!listing.missing) this.#pending.set(key, deferred());
        }
      });
    }
    try {
      if (misses.length > 0) await this.#reduceMisses(revision, misses, onState);
    } finally {
      for (const { key } of misses) {
        this.#pending.get(key)?.reject(new Error('the reduction of this state failed'));
        this.#pending.delete(key);
      }
    }
    await Promise.all(waits);
    this.#cache?.save();
    return absent;
  }

  async #reduceMisses(revision: Revision, misses: Miss[], onState: (id: string, state: State) => void): Promise<void> {
    if (this.#options.integrity) await prepareHashing();
    const byId = new Map(misses.map((miss) => [miss.listing.id, miss]));
    const incomplete = new Set<string>();
    const jobs = this.#jobs(revision, misses, incomplete);
    const finish = (id: string, state: State, json: string, limited: boolean): void => {
      this.reduced++;
      const miss = byId.get(id)!;
      if (incomplete.has(id)) this.incomplete++;
      // A state a sandbox limit cut short is not final: another run may get further.
      else if (!limited) this.#cache?.set(miss.key, json);
      this.#pending.get(miss.key)?.resolve(state);
      this.#pending.delete(miss.key);
      onState(id, state);
    };
    if (misses.length <= (this.#options.poolThreshold ?? 32)) {
      const runtime = await this.#inThread();
      for await (const job of jobs) {
        const { json, limited } = await runtime.reduceJson(job);
        finish(job.id, JSON.parse(json) as State, json, limited === true);
      }
      return;
    }
    const { createReducerPool } = await import('../sandbox/mod.ts');
    const pool: ReducerPool = createReducerPool(this.#options.reducers.set, this.#limits());
    const onProgress = this.#options.onProgress;
    let done = 0;
    try {
      onProgress?.(0, misses.length);
      for await (const result of pool.reduceJson(jobs)) {
        finish(result.id, JSON.parse(result.json) as State, result.json, result.limited === true);
        onProgress?.(++done, misses.length);
      }
    } finally {
      await pool.close();
    }
  }

  /** The jobs of `misses`, read a few items ahead of the one being handed out. */
  async *#jobs(revision: Revision, misses: readonly Miss[], incomplete: Set<string>): AsyncGenerator<ReduceJob> {
    const ahead = 16;
    const reads = misses.slice(0, ahead).map((miss) => revision.readListing(miss.listing));
    for (let i = 0; i < misses.length; i++) {
      if (i + ahead < misses.length) reads.push(revision.readListing(misses[i + ahead]!.listing));
      const read = await reads[i]!;
      reads[i] = undefined as never;
      const id = misses[i]!.listing.id;
      if (read.missing) incomplete.add(id);
      yield { id, state: { id }, records: toSandboxRecords(this.#order(read.records, revision)) };
    }
  }

  /**
   * Reduces one item of `revision` from scratch (no cache), optionally from an initial state or
   * fixed roots; undefined when the item does not exist there.
   */
  async reduceItem(
    revision: Revision,
    id: string,
    options: { state?: State; roots?: readonly string[] } = {},
  ): Promise<State | undefined> {
    const read = await revision.readItem(id);
    if (read === undefined) return undefined;
    if (this.#options.integrity) await prepareHashing();
    const runtime = await this.#inThread();
    return runtime.reduce({
      id,
      state: { ...options.state, id },
      records: toSandboxRecords(this.#order(read.records, revision, options.roots)),
    });
  }

  /** Reduces the repository-level records of `revision` (initial state `{}` unless given). */
  async reduceRepository(
    revision: Revision,
    options: { state?: State; roots?: readonly string[] } = {},
  ): Promise<State> {
    if (this.#options.integrity) await prepareHashing();
    const records = toSandboxRecords(this.#order(await revision.readAllRecords(), revision, options.roots));
    const state = options.state ?? {};
    if (records.length === 0) return { ...state };
    return (await this.#inThread()).reduce({ id: '', state, records });
  }

  #limits(): { limits?: SandboxLimits } {
    return this.#options.limits === undefined ? {} : { limits: this.#options.limits };
  }

  #inThread(): Promise<ReducerRuntime> {
    this.#runtime ??= import('../sandbox/mod.ts').then((sandbox) =>
      sandbox.createReducerRuntime(this.#options.reducers.set, this.#limits()),
    );
    return this.#runtime;
  }

  /** Frees the sandbox. */
  async close(): Promise<void> {
    const runtime = this.#runtime;
    this.#runtime = undefined;
    if (runtime !== undefined) (await runtime).dispose();
  }
}
