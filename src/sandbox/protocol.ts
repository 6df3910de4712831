/** Messages between the reducer pool and its workers, and the layout of the shared progress memory. */
import type { PackedItem } from './pack.ts';

/** Int32 slot: index of the item being reduced in the current batch (-1: none). */
export const PROGRESS_INDEX = 0;
/** Int32 slot: sequence number of the current batch (-1 while loading reducers). */
export const PROGRESS_SEQ = 1;
/** Bytes of shared progress memory: two Int32 slots, then a Float64 start time (ms since the epoch). */
export const PROGRESS_BYTES = 16;

/** A batch of items for a worker; `probe` reports every reducer call (used after a watchdog kill). */
export interface ToWorker {
  seq: number;
  items: PackedItem[];
  probe: boolean;
}

/** What a worker reports. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'loadError'; file: string; reason: string }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; seq: number; index: number; record: number; reducer: number; state: string }
  | { type: 'done'; seq: number; results: Array<{ id: string; json: string }> };
