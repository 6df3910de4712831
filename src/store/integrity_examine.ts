/** The strict examination of one record, and the messages of the integrity check's workers. */
import { realpathSync, statSync } from 'node:fs';
import type { HashingAlgorithm } from './hash.ts';
import { checkStoredRecord } from './record.ts';
import type { ItemRecordLink, RecordEntry } from './record_walk.ts';
import type { Repository } from './repository.ts';
import { isInside } from './resolve.ts';

/**
 * Whether the record at `entry.dir` is intact, read strictly (every file opened, links and
 * special files refused); undefined when there is no directory there. A directory not reached
 * directly by the walk of `records/` must also lie inside `realRoot` by its real path (checked
 * first, so that nothing outside is opened).
 */
export function examineRecord(entry: RecordEntry, realRoot: string, algorithm: HashingAlgorithm): boolean | undefined {
  if (entry.direct !== true) {
    let real: string;
    try {
      real = realpathSync.native(entry.dir);
      if (!isInside(real, realRoot)) return statSync(real).isDirectory() ? false : undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : false;
    }
  }
  return checkStoredRecord(entry.dir, entry.hash, algorithm);
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

/**
 * One task: walk and examine the records below some top-level directories of `records/`
 * (knowing the hashes items link to there); follow some items' record links; examine given
 * entries.
 */
export type Task =
  | { type: 'walk'; top: string[]; expected: string[] }
  | { type: 'follow'; links: ItemRecordLink[] }
  | { type: 'examine'; entries: RecordEntry[] };

/** The answer to one task (null for a link that leads nowhere, or a record that is absent). */
export type Answer =
  | { type: 'walk'; entries: ExaminedEntry[] }
  | { type: 'follow'; entries: Array<RecordEntry | null> }
  | { type: 'examine'; intact: Array<boolean | null> };

/**
 * A list of tasks shared by the threads of a check: each thread claims the next index from
 * `next` (an atomic counter) until none is left.
 */
export interface ToWorker {
  tasks: Task[];
  next: Int32Array;
}

/** A worker's answer to a task it claimed, the end of its share, or its failure. */
export type FromWorker =
  | { type: 'answer'; index: number; answer: Answer }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** Claims the next task of `tasks` for this thread; undefined when none is left. */
export function claimTask(tasks: ToWorker): number | undefined {
  const index = Atomics.add(tasks.next, 0, 1);
  return index < tasks.tasks.length ? index : undefined;
}

/** Runs one task on `repo` (in a worker, or in the calling thread). */
export function runTask(repo: Repository, realRoot: string, task: Task): Answer {
  const algorithm = repo.hashingAlgorithm;
  switch (task.type) {
    case 'walk':
      return {
        type: 'walk',
        entries: repo.recordEntries({ top: task.top, expected: task.expected }).map((entry) => ({
          ...entry,
          intact: examineRecord(entry, realRoot, algorithm) ?? null,
        })),
      };
    case 'follow':
      return { type: 'follow', entries: task.links.map((link) => repo.followItemRecordLink(link) ?? null) };
    case 'examine':
      return {
        type: 'examine',
        intact: task.entries.map((entry) => examineRecord(entry, realRoot, algorithm) ?? null),
      };
  }
}
