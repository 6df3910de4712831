/**
 * The narrow read interface of the store (SPEC §6).
 * @module
 */
import type { HashingAlgorithm } from './hash.ts';
import type { StoredRecord } from './record.ts';

/**
 * What reduction and queries need of a store. The file system repository implements it; a git
 * revision can implement it too.
 */
export interface RecordSource {
  /** The algorithm the records are hashed with. */
  readonly hashingAlgorithm: HashingAlgorithm;
  /** Whether ordered reads drop non-intact records by default (true when absent). */
  readonly integrity?: boolean;
  /** Item identifiers, sorted. */
  listItems(): string[];
  /** The hashes of an item's records, sorted; throws ItemNotFoundError for an unknown item. */
  listItemRecords(id: string): string[];
  /** One record, looked up in the item when `item` is given; undefined when absent. */
  readRecord(hash: string, options?: { item?: string; full?: boolean }): StoredRecord | undefined;
  /** Every record of an item, each read once, in no particular order. */
  readItemRecords(id: string): StoredRecord[];
  /** Every record of the repository (`records/`), each read once, in no particular order. */
  readAllRecords(): StoredRecord[];
}
