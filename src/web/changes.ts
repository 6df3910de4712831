/**
 * The change feed behind live updates: every batch of items whose states changed gets the next
 * sequence number, listeners hear about it, and a short history lets a reconnecting page ask
 * "did anything I show change since sequence N?".
 * @module
 */

/** One batch of changed items. */
export interface Change {
  seq: number;
  ids: readonly string[];
}

/** A listener for new changes. */
export type ChangeListener = (change: Change) => void;

/** Sequenced batches of changed item ids with a bounded history. */
export class ChangeFeed {
  #seq = 0;
  #history: Change[] = [];
  #listeners = new Set<ChangeListener>();
  readonly #keep: number;

  /** Creates a feed remembering the last `keep` batches. */
  constructor(keep = 512) {
    this.#keep = keep;
  }

  /** The sequence number of the latest batch (0 before any). */
  get seq(): number {
    return this.#seq;
  }

  /** Records a batch of changed ids and tells every listener; empty batches are ignored. */
  publish(ids: readonly string[]): void {
    if (ids.length === 0) return;
    const change = { seq: ++this.#seq, ids: [...ids] };
    this.#history.push(change);
    if (this.#history.length > this.#keep) this.#history.shift();
    for (const listener of this.#listeners) listener(change);
  }

  /** Starts calling `listener` for every new batch; returns the function that stops it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The number of current listeners. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /**
   * Whether anything changed after sequence `since` (for item `id` only, when given). When the
   * history no longer reaches back that far, the answer is yes.
   */
  changedSince(since: number, id?: string): boolean {
    if (since >= this.#seq) return false;
    const oldest = this.#history[0];
    if (oldest === undefined || oldest.seq > since + 1) return true;
    return this.#history.some((c) => c.seq > since && (id === undefined || c.ids.includes(id)));
  }
}
