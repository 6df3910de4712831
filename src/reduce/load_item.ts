/**
 * Loading an item for reduction: its records read once, checked against their hashes and put in
 * generation order, plus the digest of its record set for the cache. The engine uses it in its
 * own thread, and the reducer pool's workers import this module as their loader (`init` and
 * `loadJob`), so that reading and hashing happen where the reducing does.
 * @module
 */
import { readdirSync } from 'node:fs';
import type { LoadedJob, SandboxRecord } from '../sandbox/mod.ts';
import {
  ItemNotFoundError,
  orderStoredRecords,
  prepareHashing,
  Repository,
  type HashingAlgorithm,
  type StoredRecord,
} from '../store/mod.ts';
import { recordSetDigest } from './cache.ts';

/** The loader options the engine gives the pool (plain data: they cross to the workers). */
export interface LoadItemOptions {
  /** The repository root. */
  root: string;
  /** Drop records whose content does not match their hash. */
  integrity: boolean;
  /** The repository's hashing algorithm. */
  algorithm: HashingAlgorithm;
}

/** What a pool job carries: the item, and whether to take the digest of its record set. */
export interface ItemDescriptor {
  id: string;
  digest: boolean;
}

/** What comes back with a loaded item's state. */
export interface ItemInfo {
  /** {@linkcode recordSetDigest} of the item directory's entries, when asked for (one more listing). */
  records?: string;
  /**
   * Some of the item's record links lead to records that are not there (yet: a synchronisation
   * can bring a link before its record). Such a state must not be cached: the item's directory
   * will not change when the record arrives.
   */
  incomplete?: boolean;
  /**
   * Records of the item left out because they do not hash to their names (damaged, or still
   * arriving file by file). The state is kept, but these records are checked again before it is
   * believed, so that a record that becomes whole is not missed.
   */
  damaged?: string[];
}

/** A loaded item: the job for the sandbox and its {@linkcode ItemInfo}. */
export interface LoadedItem extends LoadedJob {
  info: ItemInfo;
}

/** Turns stored records into the sandbox's records (the same bytes, no copy). */
export function toSandboxRecords(records: readonly StoredRecord[]): SandboxRecord[] {
  const out: SandboxRecord[] = [];
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    const files: Array<[string, Uint8Array]> = [];
    for (let f = 0; f < record.files.length; f++) files.push([record.files[f]!.name, record.files[f]!.data]);
    out.push({ hash: record.hash, files });
  }
  return out;
}

/** Makes record hashing fast (the store's WebAssembly hasher) before many records are checked. */
export async function prepareLoading(): Promise<void> {
  await prepareHashing();
}

/**
 * Reads item `id` of `repo` for reduction: initial state `{id}`, its records in generation order
 * (without the non-intact ones when `integrity` is on). The digest is taken from the listing made
 * before the records are read, so that a record arriving meanwhile makes the cache entry stale.
 */
export function loadItem(
  repo: Repository,
  id: string,
  options: { integrity: boolean; algorithm?: HashingAlgorithm; digest: boolean },
): LoadedItem {
  const info: ItemInfo = {};
  if (options.digest) {
    const dir = repo.itemDir(id);
    if (dir === undefined) throw new ItemNotFoundError(`Item ${id} not found`);
    info.records = recordSetDigest(readdirSync(dir));
  }
  const source = { hashingAlgorithm: options.algorithm ?? repo.hashingAlgorithm, integrity: options.integrity };
  const missing: string[] = [];
  const damaged: string[] = [];
  const records = toSandboxRecords(
    orderStoredRecords(repo.readItemRecords(id, { missing }), source, { damaged }).flat(),
  );
  if (missing.length > 0) info.incomplete = true;
  if (damaged.length > 0) info.damaged = damaged.sort();
  return { id, state: { id }, records, info };
}

let opened: { root: string; repo: Repository } | undefined;

function repository(options: LoadItemOptions): Repository {
  if (opened?.root !== options.root)
    opened = { root: options.root, repo: Repository.open(options.root, { integrity: options.integrity }) };
  return opened.repo;
}

/** Pool-worker hook: prepares hashing and opens the repository once per worker. */
export async function init(options: LoadItemOptions): Promise<void> {
  await prepareLoading();
  repository(options);
}

/** Pool-worker hook: loads the item that `load` ({@linkcode ItemDescriptor}) names ({@linkcode loadItem}). */
export function loadJob(load: unknown, options: LoadItemOptions): LoadedItem {
  const { id, digest } = (load ?? {}) as Partial<ItemDescriptor>;
  if (typeof id !== 'string')
    throw new TypeError(`an item job is described by {id, digest}, got ${JSON.stringify(load)}`);
  return loadItem(repository(options), id, { ...options, digest: digest === true });
}
