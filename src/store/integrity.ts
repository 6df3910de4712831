/** `sit integrity`: every record re-hashed, strictly (original-sit.md §4.13, SPEC §1). */
import { readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isIntact, tryReadRecord } from './record.ts';
import { Repository, TEMPORARY_PREFIX } from './repository.ts';
import type { RecordEntry } from './repository.ts';
import { isInside } from './resolve.ts';

/** One examined record. */
export interface IntegrityResult {
  hash: string;
  intact: boolean;
  /** The item the record was examined for; absent for repository records. */
  item?: string;
}

/** What {@link checkIntegrity} found. */
export interface IntegrityReport {
  /** Every record examined, in order: each item's records (items sorted), then `records/`. */
  checked: IntegrityResult[];
  /** Non-intact records of items, as `sit integrity` prints them (`<ITEM> <HASH>`). */
  itemDamage: Array<{ item: string; hash: string }>;
  /** Non-intact repository records not already reported through an item. */
  repositoryDamage: string[];
  /** Temporary files and directories left by interrupted writes that were removed. */
  removedTemporaries: string[];
}

/** Temporaries older than this are leftovers of interrupted writes. */
const TEMPORARY_AGE_MS = 10 * 60 * 1000;

/**
 * Checks every record strictly: all files are read (`.type/` and `.prev/` too), symbolic links
 * and special files make a record non-intact, and so does a record whose real path lies outside
 * the repository. Also removes temporaries older than ten minutes (or `temporaryAgeMs`).
 */
export function checkIntegrity(repo: Repository, options: { temporaryAgeMs?: number; now?: number } = {}): IntegrityReport {
  const report: IntegrityReport = { checked: [], itemDamage: [], repositoryDamage: [], removedTemporaries: [] };
  const realRoot = realpathSync.native(repo.root);
  // Walk records/ first: directories found by this walk need no real-path check.
  const repositoryEntries = repo.recordEntries();
  const direct = new Set(repositoryEntries.filter((e) => e.direct === true).map((e) => e.dir));
  const cache = new Map<string, boolean>();
  const examine = (entry: RecordEntry): boolean | undefined => {
    const key = `${entry.hash}\0${entry.dir}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const record = tryReadRecord(entry.dir, entry.hash, { full: true });
    if (record === undefined) return undefined;
    let intact: boolean;
    try {
      const inside = direct.has(entry.dir) || isInside(realpathSync.native(entry.dir), realRoot);
      intact = inside && isIntact(record, repo.hashingAlgorithm);
    } catch {
      intact = false;
    }
    cache.set(key, intact);
    return intact;
  };
  const reported = new Set<string>();
  for (const item of repo.items()) {
    for (const entry of repo.itemRecordEntries(item)) {
      const intact = examine(entry);
      if (intact === undefined) continue;
      report.checked.push({ hash: entry.hash, intact, item });
      if (!intact) {
        report.itemDamage.push({ item, hash: entry.hash });
        reported.add(entry.hash);
      }
    }
  }
  for (const entry of repositoryEntries) {
    const intact = examine(entry);
    if (intact === undefined) continue;
    report.checked.push({ hash: entry.hash, intact });
    if (!intact && !reported.has(entry.hash)) report.repositoryDamage.push(entry.hash);
  }
  report.removedTemporaries = removeTemporaries(repo, options);
  return report;
}

/** Removes `.tmp-*` leftovers in the repository root, `records/` and every item directory. */
export function removeTemporaries(repo: Repository, options: { temporaryAgeMs?: number; now?: number } = {}): string[] {
  const limit = (options.now ?? Date.now()) - (options.temporaryAgeMs ?? TEMPORARY_AGE_MS);
  const removed: string[] = [];
  const sweep = (dir: string | undefined): void => {
    if (dir === undefined) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(TEMPORARY_PREFIX)) continue;
      const path = join(dir, name);
      try {
        if (statSync(path).mtimeMs > limit) continue;
        rmSync(path, { recursive: true, force: true });
        removed.push(path);
      } catch {
        // vanished meanwhile
      }
    }
  };
  sweep(repo.root);
  sweep(repo.recordsDir());
  const items = repo.itemsDir();
  for (const item of repo.items()) sweep(join(items, item));
  return removed.sort();
}
