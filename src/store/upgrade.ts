/** Upgrades of deprecated layouts (original-sit.md §1.9): `issues/` → `items/`, item record directories → `records/`. */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readConfig, serializeConfig } from './config.ts';
import { StoreOperationError } from './errors.ts';
import { isBase32 } from './hash.ts';
import { FLAT_RECORDS, ISSUES_TO_ITEMS, ITEMS_TO_FLAT_RECORDS, legacyRecordDirs, pendingUpgrade } from './discovery.ts';
import { errorCode, writeFileAtomic } from './fs_util.ts';
import { itemLinkText, splitPath } from './names.ts';
import { isIntact, readRecord } from './record.ts';

/** Renames `issues/` to `items/`, or moves its entries into an existing `items/`. */
function issuesToItems(root: string): void {
  const issues = join(root, 'issues');
  const items = join(root, 'items');
  if (!existsSync(items)) {
    renameSync(issues, items);
    return;
  }
  for (const name of readdirSync(issues)) {
    const target = join(items, name);
    if (!existsSync(target)) {
      renameSync(join(issues, name), target);
      continue;
    }
    // The item exists in both: merge its entries (records are content-addressed).
    for (const entry of readdirSync(join(issues, name))) {
      if (!existsSync(join(target, entry))) renameSync(join(issues, name, entry), join(target, entry));
    }
  }
  rmSync(issues, { recursive: true, force: true });
}

/** Moves every `items/<ID>/<HASH>/` directory to `records/<split path>` and leaves a link file. */
function itemsToFlatRecords(root: string, onProgress?: (done: number, total: number) => void): void {
  const configPath = join(root, 'config.json');
  const config = readConfig(configPath);
  const records = join(root, 'records');
  mkdirSync(records, { recursive: true });
  const legacyDirs = legacyRecordDirs(root);
  let done = 0;
  for (const legacy of legacyDirs) {
    onProgress?.(done++, legacyDirs.length);
    const hash = basename(legacy);
    const dest = join(records, splitPath(hash));
    if (existsSync(dest)) {
      // Keep whichever copy is intact; the legacy one replaces a damaged copy.
      const algorithm = config.hashingAlgorithm;
      const destIntact = isIntact(readRecord(dest, hash, { full: true }), algorithm);
      if (!destIntact && isIntact(readRecord(legacy, hash, { full: true }), algorithm)) {
        rmSync(dest, { recursive: true, force: true });
        renameSync(legacy, dest);
      } else {
        rmSync(legacy, { recursive: true, force: true });
      }
    } else {
      mkdirSync(dirname(dest), { recursive: true });
      renameSync(legacy, dest);
    }
    writeFileAtomic(legacy, itemLinkText(hash));
  }
  onProgress?.(legacyDirs.length, legacyDirs.length);
  if (!config.features.includes(FLAT_RECORDS)) config.features = [...config.features, FLAT_RECORDS];
  config.version = '1';
  writeFileAtomic(configPath, serializeConfig(config));
}

/**
 * The upgrades the repository at `path` needs, in the order they would run, without changing
 * anything (scans `items/` and `issues/` for record directories too).
 */
export function pendingUpgrades(path: string): string[] {
  const root = resolve(path);
  const config = readConfig(join(root, 'config.json'));
  const out: string[] = [];
  if (pendingUpgrade(root, config) === ISSUES_TO_ITEMS) out.push(ISSUES_TO_ITEMS);
  if (!config.features.includes(FLAT_RECORDS) || legacyRecordDirs(root).length > 0 || hasLegacyIssueRecords(root)) {
    out.push(ITEMS_TO_FLAT_RECORDS);
  }
  return out;
}

function hasLegacyIssueRecords(root: string): boolean {
  try {
    return readdirSync(join(root, 'issues'), { withFileTypes: true }).some(
      (item) =>
        item.isDirectory() &&
        readdirSync(join(root, 'issues', item.name), { withFileTypes: true }).some(
          (e) => e.isDirectory() && isBase32(e.name),
        ),
    );
  } catch {
    return false;
  }
}

/**
 * Performs every pending upgrade of the repository at `path` and returns their names (as
 * `sit upgrade` prints them, one per line), in order. Re-runnable: records that arrive later in
 * the legacy layout are migrated by the next run. `onUpgrade` is called before each upgrade;
 * `onProgress` is told how many of the records to move have moved.
 */
export function upgradeRepository(
  path: string,
  options: { onUpgrade?: (name: string) => void; onProgress?: (done: number, total: number) => void } = {},
): string[] {
  const root = resolve(path);
  const done: string[] = [];
  for (let round = 0; round < 4; round++) {
    const config = readConfig(join(root, 'config.json'));
    const upgrade = pendingUpgrade(root, config, { scanItems: true });
    if (upgrade === undefined) return done;
    if (done.includes(upgrade)) break;
    options.onUpgrade?.(upgrade);
    try {
      if (upgrade === ISSUES_TO_ITEMS) issuesToItems(root);
      else itemsToFlatRecords(root, options.onProgress);
    } catch (error) {
      if (error instanceof StoreOperationError) throw error;
      throw new StoreOperationError(
        `upgrade "${upgrade}" of ${path} failed: ${errorCode(error)}; fix the cause and run \`sit upgrade\` again`,
      );
    }
    done.push(upgrade);
  }
  throw new StoreOperationError(
    `upgrade of ${path} did not finish; run \`sit upgrade\` again or inspect items/ and issues/`,
  );
}
