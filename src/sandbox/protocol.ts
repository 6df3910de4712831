/** Messages between the reducer pool and its workers, and the layout of the shared progress memory. */
import type { PackedItem } from './pack.ts';

/** Int32 slot: index of the item being reduced in the current batch (-1: none). */
export const PROGRESS_INDEX = 0;
/** Int32 slot: sequence number of the current batch (-1 while loading reducers). */
export const PROGRESS_SEQ = 1;
/**
 * Bytes of shared progress memory: two Int32 slots, a Float64 start time (ms since the epoch, 0
 * while nothing is timed) and a Float64 of the time allowed from that start (ms, before the grace).
 */
export const PROGRESS_BYTES = 24;

/** One item of a batch: packed records, or a descriptor the worker's loader turns into records. */
export type WorkerItem = PackedItem | { id: string; load: unknown };

/** A batch of items for a worker; `probe` reports every reducer call (used after a watchdog kill). */
export interface ToWorker {
  seq: number;
  items: WorkerItem[];
  probe: boolean;
}

/**
 * A probe report: before each reducer call (and, for a loaded item, once after loading with
 * `record` and `reducer` -1), the state so far as JSON and the hash of the record being applied.
 */
export interface ProgressMessage {
  type: 'progress';
  seq: number;
  index: number;
  record: number;
  reducer: number;
  state: string;
  hash?: string | undefined;
  info?: unknown;
}

/** What a worker reports. `failed` ends a batch early: the loader threw on that item. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'loadError'; file: string; reason: string }
  | { type: 'fatal'; message: string }
  | ProgressMessage
  | {
      type: 'done';
      seq: number;
      results: Array<{ id: string; json: string; info?: unknown; limited?: boolean }>;
      failed?: { index: number; message: string };
    };
