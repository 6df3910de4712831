/**
 * Reduced states of every item kept in memory for a long-running process (the web server):
 * `refresh` re-reduces only the items whose directories changed, so that a request never walks
 * the disk. The states kept are bounded in all (each is bounded by the sandbox): an item past the
 * bound is kept as an error, so that a hostile repository cannot make the process run out of memory.
 * @module
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SitError } from '../errors.ts';
import { ItemNotFoundError, type Repository } from '../store/mod.ts';
import { Engine, type EngineOptions, type State } from './engine.ts';

/** How long after a reduction cut short by a limit the item is reduced again; the wait doubles up to 10 min. */
const LIMITED_RETRY_MS = 30_000;
const LIMITED_RETRY_MAX_MS = 600_000;

/** The most characters of JSON that the states of one index may have in all (256 MiB). */
export const MAX_INDEX_CHARS = 256 * 1024 * 1024;

/** How far an index started with {@linkcode ItemIndex.start} got with its first indexing. */
export interface IndexProgress {
  /** Items of the first indexing whose state is known. */
  done: number;
  /** Items found when the first indexing began. */
  total: number;
  /** Whether the first indexing is over (every state is kept, or it failed). */
  ready: boolean;
  /** Why the first indexing stopped, when it failed (its states are then incomplete). */
  failed?: string;
}

/** The first indexing stopped because the index was closed (the server stops). */
export class IndexClosedError extends SitError {}

/** How many items the first indexing stats before it lets other work of the thread run. */
const STAT_BATCH = 500;

/** The reduced states of a repository's items, kept up to date by {@linkcode ItemIndex.refresh}. */
export class ItemIndex {
  /** The engine that reduces (and caches) the states. */
  readonly engine: Engine;
  readonly #states = new Map<string, State>();
  readonly #mtimes = new Map<string, number>();
  /** The JSON length of each state kept, and their sum. */
  readonly #sizes = new Map<string, number>();
  #total = 0;
  readonly #limit: number;
  /**
   * Items reduced without some of their records (links to records not there yet, or records that
   * do not hash to their names yet): looked at again at every refresh until they are whole.
   */
  readonly #incomplete = new Set<string>();
  /**
   * Items whose reduction a limit cut short, with when to try again and the wait after that: a
   * hostile item must not keep the sandbox busy, a slow machine's cut state should not stay.
   */
  readonly #limited = new Map<string, { at: number; wait: number }>();
  #sorted: State[] | undefined;
  #refreshing: Promise<string[]> = Promise.resolve([]);
  /** The first indexing's progress; `ready` from the start for an index made by `open`. */
  #progress: IndexProgress = { done: 0, total: 0, ready: true };
  #whenReady: Promise<void> = Promise.resolve();
  /**
   * While the first indexing runs: the items reduced on their own since it began (a page asked
   * for one, a record arrived). Their states are newer than what the indexing finds for them.
   */
  readonly #direct = new Set<string>();
  #closed = false;
  /** Reductions of single items while the first indexing runs, one after another. */
  #directChain: Promise<unknown> = Promise.resolve();

  private constructor(engine: Engine, limit: number) {
    this.engine = engine;
    this.#limit = limit;
  }

  /**
   * Reduces every item of `repo` (through the cache) and keeps the states. Small jobs reduce in a
   * worker (unless `smallJobs` says otherwise), so that whoever keeps the index keeps answering
   * while a refresh reduces.
   */
  static async open(repo: Repository, options: EngineOptions & { maxChars?: number } = {}): Promise<ItemIndex> {
    const { maxChars, ...engineOptions } = options;
    const index = new ItemIndex(
      new Engine(repo, { smallJobs: 'worker', ...engineOptions }),
      maxChars ?? MAX_INDEX_CHARS,
    );
    await index.refresh();
    return index;
  }

  /**
   * Creates the index of `repo` and returns at once: the first indexing reduces every item in the
   * background (see {@linkcode ItemIndex.progress}), handing each state on as soon as it is known
   * and letting other work of the thread run between batches, so that a server keeps answering.
   * Until it is over, {@linkcode ItemIndex.states} holds the items indexed so far, and
   * {@linkcode ItemIndex.ensure} and `refresh(ids)` reduce the items they name at once.
   */
  static start(repo: Repository, options: EngineOptions & { maxChars?: number } = {}): ItemIndex {
    const { maxChars, ...engineOptions } = options;
    const index = new ItemIndex(
      new Engine(repo, { smallJobs: 'worker', ...engineOptions }),
      maxChars ?? MAX_INDEX_CHARS,
    );
    index.#progress = { done: 0, total: 0, ready: false };
    const first = index.#firstIndexing();
    index.#refreshing = first.catch(() => []);
    index.#whenReady = first.then(
      () => undefined,
      () => undefined,
    );
    return index;
  }

  /** How far the first indexing got (`ready` at once for an index made by `open`). */
  progress(): IndexProgress {
    return { ...this.#progress };
  }

  /** Resolves when the first indexing is over (also when it failed; see `progress().failed`). */
  whenReady(): Promise<void> {
    return this.#whenReady;
  }

  /**
   * Makes sure the states of `ids` are kept: while the first indexing runs, those it has not
   * reached yet are reduced now, on their own; afterwards every state is kept already. Ids of
   * items that do not exist are left out.
   */
  async ensure(ids: readonly string[]): Promise<void> {
    if (this.#progress.ready) return;
    const missing = ids.filter((id) => !this.#states.has(id) && this.engine.repo.hasItem(id));
    if (missing.length > 0) await this.#reduceDirectly(missing);
  }

  /** Reduces `ids` on their own while the first indexing runs; resolves to those whose state changed. */
  #reduceDirectly(ids: readonly string[]): Promise<string[]> {
    const run = this.#directChain.then(async () => {
      const changed: string[] = [];
      for (const id of ids) {
        if (!this.engine.repo.hasItem(id)) {
          if (this.#states.has(id)) {
            this.#forget(id);
            changed.push(id);
          }
          continue;
        }
        let state: State;
        try {
          state = await this.engine.itemState(id);
        } catch (error) {
          // the item went away meanwhile, or cannot be read: the first indexing will say so
          if (error instanceof ItemNotFoundError) continue;
          throw error;
        }
        this.#direct.add(id);
        const json = JSON.stringify(state);
        const before = this.#states.get(id);
        const kept = this.#admit(id, state, json.length);
        if (before === undefined || JSON.stringify(before) !== json) changed.push(id);
        this.#states.set(id, kept);
        this.#sorted = undefined;
      }
      return changed;
    });
    this.#directChain = run.catch(() => undefined);
    return run;
  }

  /**
   * The first indexing: every item, its states kept as they come (not also collected and then
   * copied), stat and cache look-ups in batches that let requests be answered in between. The
   * items reduced on their own meanwhile are reduced once more afterwards, the usual way, so that
   * what is incomplete or cut short is looked at again as after any refresh.
   */
  async #firstIndexing(): Promise<string[]> {
    try {
      // Whoever started the index (a server about to bind) goes first.
      await new Promise((resolve) => setImmediate(resolve));
      const repo = this.engine.repo;
      const itemsDir = repo.itemsDir();
      const ids = repo.items();
      this.#progress.total = ids.length;
      for (let i = 0; i < ids.length; i++) {
        if (i % STAT_BATCH === STAT_BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
        const id = ids[i]!;
        this.#mtimes.set(id, statSync(join(itemsDir, id), { throwIfNoEntry: false })?.mtimeMs ?? -1);
      }
      if (this.#closed) throw new IndexClosedError('the index was closed before its first indexing was over');
      const sizes = new Map<string, number>();
      const onState = (id: string, state: State): void => {
        // Closed meanwhile: stop the reduction (this ends its run of the worker pool).
        if (this.#closed) throw new IndexClosedError('the index was closed before its first indexing was over');
        this.#progress.done++;
        const size = sizes.get(id);
        sizes.delete(id);
        if (this.#direct.has(id)) return;
        this.#states.set(id, this.#admit(id, state, size ?? JSON.stringify(state).length));
        this.#sorted = undefined;
      };
      if (ids.length > 0) await this.engine.reduceItems(ids, { sizes, onState, yielding: true });
      this.#note(ids);
      await this.#directChain;
      const again = [...this.#direct];
      this.#direct.clear();
      this.#progress.ready = true;
      if (again.length > 0) return await this.#refresh(again);
      // The states are kept here: the cache's JSON text of each need not stay in memory too.
      this.engine.releaseCache();
      return [];
    } catch (error) {
      // Closed half-way (the server stops): nothing failed.
      if (!this.#closed) this.#progress.failed = error instanceof Error ? error.message : String(error);
      this.#progress.ready = true;
      this.#direct.clear();
      throw error;
    }
  }

  /** Every item's state, sorted by id. The array is shared: do not modify it. */
  states(): readonly State[] {
    this.#sorted ??= [...this.#states.keys()].sort().map((id) => this.#states.get(id)!);
    return this.#sorted;
  }

  /**
   * Items whose record links lead to records that have not arrived yet, or whose records do not
   * hash to their names (damaged, or a synchronisation still writing them file by file), and items
   * whose last reduction a limit cut short once their wait is over (30 s, doubling up to 10 min).
   * Their directories will not change when the records are whole, so whoever keeps the index
   * fresh should refresh them now and then; every refresh includes the first two kinds.
   */
  incomplete(): string[] {
    const now = Date.now();
    const due = [...this.#limited].filter(([, retry]) => retry.at <= now).map(([id]) => id);
    return [...this.#incomplete, ...due];
  }

  /** The records item `id`'s state leaves out because they do not hash to their names (sorted). */
  damagedRecords(id: string): readonly string[] {
    return this.engine.damagedRecords(id);
  }

  /** The state of item `id`, if it exists. */
  get(id: string): State | undefined {
    return this.#states.get(id);
  }

  /**
   * Re-reduces the items whose directories changed (or only `ids`, when given) and forgets items
   * that are gone. Resolves to the ids whose state changed. Calls are serialised.
   */
  refresh(ids?: readonly string[]): Promise<string[]> {
    // While the first indexing runs, named items do not wait for it.
    if (!this.#progress.ready && ids !== undefined) return this.#reduceDirectly(ids);
    const next = this.#refreshing.then(() => this.#refresh(ids));
    this.#refreshing = next.catch(() => []);
    return next;
  }

  async #refresh(ids?: readonly string[]): Promise<string[]> {
    const repo = this.engine.repo;
    const existing = new Set(repo.items());
    const itemsDir = repo.itemsDir();
    const wanted = ids === undefined ? [...existing] : [...new Set([...ids, ...this.#incomplete])];
    const candidates = wanted.filter((id) => existing.has(id));
    const changed: string[] = [];
    for (const id of this.#states.keys()) {
      if (!existing.has(id)) {
        this.#forget(id);
        changed.push(id);
      }
    }
    const toReduce: string[] = [];
    for (const id of candidates) {
      const mtime = statSync(join(itemsDir, id), { throwIfNoEntry: false })?.mtimeMs ?? -1;
      if (ids !== undefined || this.#mtimes.get(id) !== mtime || !this.#states.has(id) || this.#incomplete.has(id)) {
        toReduce.push(id);
        this.#mtimes.set(id, mtime);
      }
    }
    if (toReduce.length > 0) {
      const sizes = new Map<string, number>();
      const reduced = await this.engine.reduceItems(toReduce, { sizes });
      this.engine.releaseCache();
      this.#note(toReduce);
      for (const [id, reducedState] of reduced) {
        const state = this.#admit(id, reducedState, sizes.get(id) ?? JSON.stringify(reducedState).length);
        const before = this.#states.get(id);
        if (before === undefined || JSON.stringify(before) !== JSON.stringify(state)) changed.push(id);
        this.#states.set(id, state);
      }
    }
    if (changed.length > 0) this.#sorted = undefined;
    return changed;
  }

  /** Forgets item `id` (gone from the repository). */
  #forget(id: string): void {
    this.#states.delete(id);
    this.#limited.delete(id);
    this.#total -= this.#sizes.get(id) ?? 0;
    this.#sizes.delete(id);
    this.#mtimes.delete(id);
    this.#incomplete.delete(id);
    this.#sorted = undefined;
  }

  /** Notes which of `reduced` (just reduced by the engine) are incomplete, damaged or cut short. */
  #note(reduced: readonly string[]): void {
    for (const id of reduced) this.#incomplete.delete(id);
    for (const id of this.engine.lastIncomplete) this.#incomplete.add(id);
    for (const id of this.engine.lastDamaged) this.#incomplete.add(id);
    const limited = new Set(this.engine.lastLimited);
    for (const id of reduced) {
      if (!limited.has(id)) {
        this.#limited.delete(id);
        continue;
      }
      const wait = Math.min(LIMITED_RETRY_MAX_MS, 2 * (this.#limited.get(id)?.wait ?? LIMITED_RETRY_MS / 2));
      this.#limited.set(id, { at: Date.now() + wait, wait });
    }
  }

  /** The state to keep for item `id`: itself while the states kept stay within the bound, else an error. */
  #admit(id: string, state: State, size: number): State {
    const previous = this.#sizes.get(id) ?? 0;
    let kept = state;
    let keptSize = size;
    if (this.#total - previous + size > this.#limit) {
      const mib = Math.round(this.#limit / 1048576);
      const error = `not kept in memory: the states of this repository would take more than ${mib} MiB of JSON in all (the limit of an index)`;
      kept = { id, errors: [{ file: '', error }] };
      keptSize = JSON.stringify(kept).length;
    }
    this.#total += keptSize - previous;
    this.#sizes.set(id, keptSize);
    return kept;
  }

  /** Frees the sandbox (a first indexing still running stops). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.engine.close();
    if (!this.#progress.ready) {
      // The first indexing stops at its next state; what it started meanwhile is freed too.
      await this.#whenReady;
      await this.engine.close();
    }
  }
}
