/**
 * Reduced states of every item kept in memory for a long-running process (the web server):
 * `refresh` re-reduces only the items whose directories changed, so that a request never walks
 * the disk.
 * @module
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from '../store/mod.ts';
import { Engine, type EngineOptions, type State } from './engine.ts';

/** The reduced states of a repository's items, kept up to date by {@linkcode ItemIndex.refresh}. */
export class ItemIndex {
  /** The engine that reduces (and caches) the states. */
  readonly engine: Engine;
  readonly #states = new Map<string, State>();
  readonly #mtimes = new Map<string, number>();
  /** Items reduced without some of their records: reduced again at every refresh until complete. */
  readonly #incomplete = new Set<string>();
  #sorted: State[] | undefined;
  #refreshing: Promise<string[]> = Promise.resolve([]);

  private constructor(engine: Engine) {
    this.engine = engine;
  }

  /**
   * Reduces every item of `repo` (through the cache) and keeps the states. Small jobs reduce in a
   * worker (unless `smallJobs` says otherwise), so that whoever keeps the index keeps answering
   * while a refresh reduces.
   */
  static async open(repo: Repository, options: EngineOptions = {}): Promise<ItemIndex> {
    const index = new ItemIndex(new Engine(repo, { smallJobs: 'worker', ...options }));
    await index.refresh();
    return index;
  }

  /** Every item's state, sorted by id. The array is shared: do not modify it. */
  states(): readonly State[] {
    this.#sorted ??= [...this.#states.keys()].sort().map((id) => this.#states.get(id)!);
    return this.#sorted;
  }

  /**
   * Items whose record links lead to records that have not arrived yet (a synchronisation in
   * progress). Their directories will not change when the records arrive, so whoever keeps the
   * index fresh should refresh them now and then; every refresh includes them.
   */
  incomplete(): string[] {
    return [...this.#incomplete];
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
        this.#states.delete(id);
        this.#mtimes.delete(id);
        this.#incomplete.delete(id);
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
      const states = await this.engine.reduceItems(toReduce);
      for (const id of toReduce) this.#incomplete.delete(id);
      for (const id of this.engine.lastIncomplete) this.#incomplete.add(id);
      for (const [id, state] of states) {
        const before = this.#states.get(id);
        if (before === undefined || JSON.stringify(before) !== JSON.stringify(state)) changed.push(id);
        this.#states.set(id, state);
      }
    }
    if (changed.length > 0) this.#sorted = undefined;
    return changed;
  }

  /** Frees the sandbox. */
  async close(): Promise<void> {
    await this.engine.close();
  }
}
