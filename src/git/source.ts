/**
 * The store's read interface (`RecordSource`) over a revision. `RecordSource` is synchronous and
 * git answers through a stream, so the source is loaded first (asynchronously, through the one
 * cat-file process): the list of items always, the records of the items asked for, and every
 * record of `records/` when asked for. Code written against `RecordSource` (ordering, integrity
 * filtering, `readItemRecords`, `readRepositoryRecords`) then works on it unchanged.
 * @module
 */
import { ItemNotFoundError, type HashingAlgorithm, type RecordSource, type StoredRecord } from '../store/mod.ts';
import { GitError } from './errors.ts';
import type { Revision } from './revision.ts';

/** What {@link GitRecordSource.load} reads. */
export interface GitSourceOptions {
  /** Items whose records are read (default: none). */
  items?: readonly string[];
  /** Also read every record of `records/` (default false). */
  all?: boolean;
  /** Whether ordered reads leave out non-intact records (default true). */
  integrity?: boolean;
}

/** The records of a revision, loaded, behind the store's `RecordSource`. */
export class GitRecordSource implements RecordSource {
  /** The revision read. */
  readonly revision: Revision;
  /** The hashing algorithm of the revision's records. */
  readonly hashingAlgorithm: HashingAlgorithm;
  /** Whether ordered reads leave out non-intact records. */
  readonly integrity: boolean;
  readonly #items: string[];
  readonly #records = new Map<string, StoredRecord[]>();
  #all: StoredRecord[] | undefined;

  private constructor(revision: Revision, items: string[], integrity: boolean) {
    this.revision = revision;
    this.hashingAlgorithm = revision.hashingAlgorithm;
    this.integrity = integrity;
    this.#items = items;
  }

  /** Loads what `options` asks for from `revision`. */
  static async load(revision: Revision, options: GitSourceOptions = {}): Promise<GitRecordSource> {
    const source = new GitRecordSource(revision, await revision.listItems(), options.integrity ?? true);
    for (const id of options.items ?? []) {
      const read = await revision.readItem(id);
      if (read !== undefined) source.#records.set(id, read.records);
    }
    if (options.all === true) source.#all = await revision.readAllRecords();
    return source;
  }

  #loaded(id: string): StoredRecord[] {
    const records = this.#records.get(id);
    if (records !== undefined) return records;
    if (!this.#items.includes(id)) throw new ItemNotFoundError(`Item ${id} not found at ${this.revision.name}`);
    throw new GitError(
      `the records of item ${id} at ${this.revision.name} were not loaded; name it in GitRecordSource.load`,
    );
  }

  /** Item identifiers at the revision, sorted. */
  listItems(): string[] {
    return [...this.#items];
  }

  /** The hashes of a loaded item's records that are there, sorted. */
  listItemRecords(id: string): string[] {
    return this.#loaded(id)
      .map((record) => record.hash)
      .sort();
  }

  /** A record of a loaded item (with `item`), or of `records/` when every record was loaded. */
  readRecord(hash: string, options: { item?: string; full?: boolean } = {}): StoredRecord | undefined {
    if (options.item !== undefined) {
      if (!this.#items.includes(options.item)) return undefined;
      return this.#loaded(options.item).find((record) => record.hash === hash);
    }
    return this.readAllRecords().find((record) => record.hash === hash);
  }

  /** Every record of a loaded item. */
  readItemRecords(id: string): StoredRecord[] {
    return [...this.#loaded(id)];
  }

  /** Every record of `records/` (when loaded with `all`). */
  readAllRecords(): StoredRecord[] {
    if (this.#all === undefined)
      throw new GitError(`the records of ${this.revision.name} were not loaded; load them with {all: true}`);
    return [...this.#all];
  }
}
