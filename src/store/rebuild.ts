/**
 * `sit rebuild` (original-sit.md §4.20, its intent): every record of a repository re-hashed into
 * a new repository in generation order, `.prev` links mapped to the new hashes, item links
 * recreated, with an optional transformation of each record.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serializeConfig } from './config.ts';
import { ItemExistsError, StoreOperationError } from './errors.ts';
import { prepareHashing } from './hash.ts';
import type { RecordFile } from './hash.ts';
import type { StoredRecord } from './record.ts';
import { TEMPORARY_PREFIX } from './fs_util.ts';
import { orderStoredRecords } from './order_records.ts';
import { Repository } from './repository.ts';

/** Options of {@link rebuildRepository}. */
export interface RebuildOptions {
  /**
   * Changes a record before it is written (its `.prev` links already mapped); returns the files
   * to store. `hash` is the record's hash in the source.
   */
  transform?: (files: RecordFile[], hash: string) => RecordFile[];
  /** Called after each record with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What a rebuild did. */
export interface RebuildResult {
  /** The new repository. */
  repository: Repository;
  /** Source hash → new hash for every rebuilt record. */
  hashes: Map<string, string>;
  /** Top-level entries copied as they are (everything but config.json, items/, records/). */
  copied: string[];
}

const REBUILT = new Set(['config.json', 'items', 'records']);

/**
 * Rebuilds `source` into `destPath`, which must not exist or be empty. Records left out by the
 * source's integrity setting (damaged ones when checking is on) and records on parent cycles are
 * not rebuilt. Hashing is prepared first ({@link prepareHashing}): every record is hashed twice.
 */
export async function rebuildRepository(
  source: Repository,
  destPath: string,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  if (existsSync(destPath) && (!statSync(destPath).isDirectory() || readdirSync(destPath).length > 0)) {
    throw new StoreOperationError(
      `cannot rebuild into ${destPath}: it exists and is not an empty directory; choose a new path`,
    );
  }
  await prepareHashing();
  mkdirSync(join(destPath, 'records'), { recursive: true });
  writeFileSync(join(destPath, 'config.json'), serializeConfig(source.config));
  const copied: string[] = [];
  for (const name of readdirSync(source.root).sort()) {
    if (REBUILT.has(name) || name.startsWith(TEMPORARY_PREFIX)) continue;
    cpSync(join(source.root, name), join(destPath, name), { recursive: true, verbatimSymlinks: true });
    copied.push(name);
  }
  const dest = Repository.open(destPath, { integrity: source.integrity });

  // Every record once: the repository's and those only reachable through items.
  const records = new Map<string, StoredRecord>();
  for (const record of source.readAllRecords({ full: true })) records.set(record.hash, record);
  const items = source.items();
  const itemHashes = new Map<string, string[]>();
  for (const item of items) {
    const hashes: string[] = [];
    for (const record of source.readItemRecords(item, { full: true })) {
      if (!records.has(record.hash)) records.set(record.hash, record);
      hashes.push(record.hash);
    }
    itemHashes.set(item, hashes);
  }
  const ordered = orderStoredRecords(records.values(), source).flat();

  const hashes = new Map<string, string>();
  let done = 0;
  for (const record of ordered) {
    let files = record.files.map((file) => {
      if (!file.name.startsWith('.prev/')) return file;
      const parent = file.name.slice('.prev/'.length);
      return { name: `.prev/${hashes.get(parent) ?? parent}`, data: file.data };
    });
    if (options.transform !== undefined) files = options.transform(files, record.hash);
    hashes.set(record.hash, dest.newRecord(files, { linkParents: false }));
    options.onProgress?.(++done, ordered.length);
  }

  for (const item of items) {
    try {
      dest.newItem(item);
    } catch (error) {
      if (!(error instanceof ItemExistsError)) throw error;
    }
    for (const hash of itemHashes.get(item) ?? []) {
      const rebuilt = hashes.get(hash);
      if (rebuilt !== undefined) dest.linkRecord(item, rebuilt);
    }
  }
  return { repository: dest, hashes, copied };
}
