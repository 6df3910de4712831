/** The strict examination of one record, and the messages of the integrity check's workers. */
import { realpathSync } from 'node:fs';
import type { HashingAlgorithm } from './hash.ts';
import { isIntact, tryReadRecord } from './record.ts';
import type { RecordEntry } from './repository.ts';
import { isInside } from './resolve.ts';

/**
 * Whether the record at `entry.dir` is intact, read strictly (every file opened, links and
 * special files refused); undefined when there is no directory there. A directory not reached
 * directly by the walk of `records/` must also lie inside `realRoot` by its real path.
 */
export function examineRecord(entry: RecordEntry, realRoot: string, algorithm: HashingAlgorithm): boolean | undefined {
  const record = tryReadRecord(entry.dir, entry.hash, { full: true });
  if (record === undefined) return undefined;
  try {
    const inside = entry.direct === true || isInside(realpathSync.native(entry.dir), realRoot);
    return inside && isIntact(record, algorithm);
  } catch {
    return false;
  }
}

/** The data a worker starts with. */
export interface WorkerInit {
  /** The absolute repository path. */
  root: string;
  /** Its real path. */
  realRoot: string;
}

/** An entry with its examination: intact, damaged, or null when the record is absent. */
export type ExaminedEntry = RecordEntry & { intact: boolean | null };

/** An item's record entries and the temporaries of its directory. */
export interface ListedItem {
  item: string;
  entries: RecordEntry[];
  temporaries: string[];
}

/**
 * A task for a worker: walk and examine the records below some top-level directories of
 * `records/`; list some items' record entries; examine given entries.
 */
export type ToWorker =
  | { type: 'walk'; top: string[] }
  | { type: 'items'; items: string[] }
  | { type: 'examine'; entries: RecordEntry[] };

/** A worker's answer to one task, in the same order as the tasks it was given. */
export type FromWorker =
  | { type: 'walk'; entries: ExaminedEntry[] }
  | { type: 'items'; items: ListedItem[] }
  | { type: 'examine'; intact: Array<boolean | null> }
  | { type: 'error'; message: string };
