/**
 * Finding and accepting a repository (original-sit.md §1.2, §1.9): the search from a directory
 * upwards, the checks of `config.json`, and the upgrades a repository may need first.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readConfig } from './config.ts';
import type { RepositoryConfig } from './config.ts';
import { InvalidConfigError, RepositoryNotFoundError, UpgradeRequiredError } from './errors.ts';
import { isDirectory, listDir } from './fs_util.ts';
import { isBase32 } from './hash.ts';

/** The upgrade that renames `issues/` to `items/` (its name as `sit upgrade` prints it). */
export const ISSUES_TO_ITEMS = 'renaming issues/ to items/';
/** The upgrade that moves record directories out of `items/` into `records/`. */
export const ITEMS_TO_FLAT_RECORDS = "migrating items' records to flat records namespace";
/** The feature every current repository declares in `config.json`. */
export const FLAT_RECORDS = 'flat-records';

/**
 * Which upgrade, if any, the repository at `root` needs before it can be used (original-sit.md
 * §1.9). With `scanItems`, also looks for record directories left inside `items/*` (slower: one
 * listing per item).
 */
export function pendingUpgrade(
  root: string,
  config: RepositoryConfig,
  options: { scanItems?: boolean } = {},
): string | undefined {
  if (isDirectory(join(root, 'issues'))) return ISSUES_TO_ITEMS;
  if (!config.features.includes(FLAT_RECORDS)) return ITEMS_TO_FLAT_RECORDS;
  if (options.scanItems === true && legacyRecordDirs(root).length > 0) return ITEMS_TO_FLAT_RECORDS;
  return undefined;
}

/** Record directories (real directories with a base32 name) still stored as `items/<ID>/<HASH>/`. */
export function legacyRecordDirs(root: string): string[] {
  const found: string[] = [];
  const items = join(root, 'items');
  for (const item of listDir(items)) {
    if (!item.isDirectory()) continue;
    for (const entry of listDir(join(items, item.name))) {
      if (entry.isDirectory() && isBase32(entry.name)) found.push(join(items, item.name, entry.name));
    }
  }
  return found.sort();
}

/**
 * The configuration of the repository at `path`, once it is known to be usable: throws
 * {@link RepositoryNotFoundError} without `config.json`, {@link UpgradeRequiredError} when it
 * needs an upgrade, and {@link InvalidConfigError} for a broken `config.json` or an unsupported
 * version.
 */
export function readRepositoryConfig(path: string): RepositoryConfig {
  const root = resolve(path);
  const configPath = join(root, 'config.json');
  if (!existsSync(configPath)) {
    throw new RepositoryNotFoundError(
      `${path} is not a SIT repository (no config.json); run \`sit init\` to create one`,
    );
  }
  const config = readConfig(configPath);
  const upgrade = pendingUpgrade(root, config);
  if (upgrade !== undefined) throw new UpgradeRequiredError(path, upgrade);
  if (config.version !== '1') {
    throw new InvalidConfigError(
      `invalid repository configuration ${configPath}: unsupported version ${JSON.stringify(config.version)} (expected "1"); use a SIT version that supports it`,
    );
  }
  return config;
}

/** Whether `path` holds a repository that opens, or one that only needs an upgrade. */
function isRepository(path: string): boolean {
  try {
    readRepositoryConfig(path);
    return true;
  } catch (error) {
    return error instanceof UpgradeRequiredError;
  }
}

/**
 * Searches `start` and its ancestors like the original (original-sit.md §1.2). Returns the
 * repository path, or the `.sit` directory that stopped the search by not being a repository.
 * A `.sit` directory whose `config.json` is there but broken stops the search with that error.
 */
function findInOrAbove(start: string): { found: string } | { stoppedAt?: string } {
  let dir = resolve(start);
  for (;;) {
    if (isRepository(dir)) return { found: dir };
    const candidate = join(dir, '.sit');
    if (isDirectory(candidate)) {
      if (isRepository(candidate)) return { found: candidate };
      if (existsSync(join(candidate, 'config.json'))) readRepositoryConfig(candidate);
      return { stoppedAt: candidate };
    }
    const parent = dirname(dir);
    if (parent === dir) return {};
    dir = parent;
  }
}

/**
 * The repository path (original-sit.md §1.2): `repository` (from `-r`) or `SIT_DIR` as given,
 * else the first of `start`, `start/.sit`, and their ancestors that holds a repository; a `.sit`
 * directory that is not a repository stops the search ({@link RepositoryNotFoundError}).
 */
export function findRepositoryPath(
  start: string,
  options: { repository?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): string {
  const env = options.env ?? process.env;
  const given = options.repository ?? env['SIT_DIR'];
  if (given !== undefined && given !== '') return given;
  const result = findInOrAbove(start);
  if ('found' in result) return result.found;
  if (result.stoppedAt !== undefined) {
    throw new RepositoryNotFoundError(
      `${result.stoppedAt} has no config.json, so it is not a SIT repository, and it stopped the search from ${resolve(start)}; restore its config.json (e.g. from version control), or pass -r PATH`,
    );
  }
  throw new RepositoryNotFoundError(
    `no SIT repository found in ${resolve(start)} or above it (looked for config.json and .sit/config.json); run \`sit init\` to create one, or pass -r PATH`,
  );
}
