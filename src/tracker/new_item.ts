/**
 * Creating an item with its first records all at once: the records are written first (each
 * linking to the one before as its parent), then the item is created and the records linked into
 * it. Whatever fails on the way, no item appears half made: a blank issue never shows up in a list.
 * @module
 */
import { rmSync } from 'node:fs';
import { prepareRecordFiles, type RecordFile, type Repository } from '../store/mod.ts';

/** Options of {@linkcode createItem}. */
export interface CreateItemOptions {
  /** The id of the new item (default: a new UUID). It must not exist yet. */
  id?: string | undefined;
  /** Signs a record's hash (see the store's `signRecordHash`). */
  sign?: ((hash: string) => Uint8Array) | undefined;
}

/**
 * Writes `records` (the complete files of each, `.type/*`, `.authors` and `.timestamp` included,
 * but no `.prev/*`), creates the item and links them into it in order; returns the item id. Names
 * are checked before anything is written.
 */
export function createItem(
  repo: Repository,
  records: readonly RecordFile[][],
  options: CreateItemOptions = {},
): string {
  for (const files of records) prepareRecordFiles(files);
  const hashes: string[] = [];
  for (const files of records) {
    const parent = hashes[hashes.length - 1];
    const all = parent === undefined ? files : [...files, { name: `.prev/${parent}`, data: new Uint8Array(0) }];
    hashes.push(
      repo.newRecord(all, { linkParents: false, ...(options.sign === undefined ? {} : { sign: options.sign }) }),
    );
  }
  const id = repo.newItem(...(options.id === undefined ? [] : [options.id]));
  try {
    for (const hash of hashes) repo.linkRecord(id, hash);
  } catch (error) {
    const dir = repo.itemDir(id);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return id;
}
