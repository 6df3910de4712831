/**
 * Trust in what a repository ships (SPEC §3, §8): programs in `.sit/cli`, in each directory
 * module's `cli/`, and an external module manager that lies inside the repository arrived with
 * somebody else's commits, so they run only after the user has reviewed them and run `sit trust`,
 * which records a digest of them in the user configuration. Computing the digest or listing what
 * it covers never runs anything from the repository.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { externalModuleManager, type Repository, type UserConfig } from '../store/mod.ts';

/** The user-configuration key that holds trusted digests, by repository. */
export const TRUST_KEY = 'trusted_executables';

/** The directories whose executables come from the repository: `.sit/cli`, then each directory module's `cli`. */
export function repositoryCliDirs(repo: Repository): string[] {
  return [join(repo.root, 'cli'), ...repo.directoryModules().map((module) => join(resolve(module), 'cli'))];
}

/** Every file that trusting the repository covers: its cli programs and an in-repository module manager. */
export function trustedFiles(repo: Repository, options: { env?: NodeJS.ProcessEnv } = {}): string[] {
  const files: string[] = [];
  for (const dir of repositoryCliDirs(repo)) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat === undefined || !stat.isFile() || name.endsWith('.js')) continue;
      files.push(path);
    }
  }
  const manager = externalModuleManager(repo, options);
  if (manager?.inRepository === true && manager.path !== undefined && !files.includes(manager.path)) files.push(manager.path);
  return files;
}

/** A digest of every file {@link trustedFiles} lists (paths, executable bits and contents). */
export function executablesDigest(repo: Repository, options: { env?: NodeJS.ProcessEnv } = {}): string {
  const hash = createHash('sha256');
  for (const path of trustedFiles(repo, options)) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile()) continue;
    hash.update(`${path}\0${stat.mode & 0o111}\0`);
    hash.update(readFileSync(path));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/**
 * The key of a repository in the trusted map: a digest of its real path, since the user
 * configuration lower-cases keys when it is loaded (as the original's does).
 */
export function repositoryKey(repo: Repository): string {
  let path = repo.root;
  try {
    path = realpathSync(repo.root);
  } catch {
    // a path that cannot be resolved is keyed as given
  }
  return createHash('sha256').update(path).digest('hex').slice(0, 32);
}

/** The trusted digests of the user configuration, by repository key. */
export function trustedDigests(config: UserConfig): Record<string, string> {
  const entry = config.extra.find(([key]) => key === TRUST_KEY);
  const value = entry?.[1];
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

/** Whether the repository's executables are trusted as they are now. */
export function isTrusted(config: UserConfig, repo: Repository): boolean {
  return trustedDigests(config)[repositoryKey(repo)] === executablesDigest(repo);
}
