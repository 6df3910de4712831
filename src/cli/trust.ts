/**
 * Trust in what a repository ships (SPEC §3, §8): programs in `.sit/cli`, in each directory
 * module's `cli/`, and an external module manager that lies inside the repository arrived with
 * somebody else's commits, so they run only after the user has reviewed them and run `sit trust`,
 * which records a digest of them in the user configuration. Web overlays (`.sit/web`, each
 * module's `web/`) run in the user's browser with write access, so `sit trust` records a digest of
 * their files too, and `sit web` serves them only while it matches. Computing the digests or
 * listing what they cover never runs anything from the repository.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { packageRoot } from '../paths.ts';
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
  if (manager?.inRepository === true && manager.path !== undefined && !files.includes(manager.path))
    files.push(manager.path);
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

/** The user-configuration key that holds trusted digests of web overlays, by repository. */
export const WEB_TRUST_KEY = 'trusted_web';

/** An overlay directory and, for one that comes from the repository, the files `sit trust` saw. */
export interface WebDir {
  /** The directory. */
  dir: string;
  /**
   * For a directory from the repository: each file that may be served (path relative to `dir`,
   * with `/`) and the SHA-256 of its contents when digested. Undefined for directories that need
   * no trust (modules shipped with sit, modules listed by an external module manager).
   */
  files?: Map<string, string> | undefined;
}

/** The web overlays of a repository and the digest of those that come from it. */
export interface WebManifest {
  /** Overlay directories in the original's priority order: `<repo>/web`, then each module's `web/`. */
  dirs: WebDir[];
  /** SHA-256 over the files of the directories that come from the repository. */
  digest: string;
  /** Whether any directory comes from the repository (and so needs trust). */
  needsTrust: boolean;
}

/** Whether `dir` lies inside this installation of sit (a shipped module: part of sit itself). */
function isShipped(dir: string): boolean {
  try {
    const real = realpathSync(dir);
    const root = realpathSync(packageRoot());
    return real === root || real.startsWith(root + sep);
  } catch {
    return false;
  }
}

/**
 * The files below `dir` that a browser could be served: regular files, and symbolic links to
 * regular files inside `dir` (by real path). Symbolic links to directories are not followed.
 * Each maps to the SHA-256 of its contents; the link text of a symbolic link goes into `hash` too.
 */
function digestTree(dir: string, hash: Hash, prefix: string): Map<string, string> {
  const files = new Map<string, string>();
  let realRoot: string;
  try {
    realRoot = realpathSync(dir);
  } catch {
    return files;
  }
  const walk = (here: string, rel: string, depth: number): void => {
    if (depth > 32) return;
    let entries;
    try {
      entries = readdirSync(here, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(here, entry.name);
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        walk(path, name, depth + 1);
        continue;
      }
      let target = path;
      if (entry.isSymbolicLink()) {
        try {
          target = realpathSync(path);
          hash.update(`link\0${prefix}${name}\0${readlinkSync(path)}\0`);
        } catch {
          continue;
        }
        if (!target.startsWith(realRoot + sep)) continue;
      } else if (!entry.isFile()) {
        continue;
      }
      let body: Buffer;
      try {
        if (!statSync(target).isFile()) continue;
        body = readFileSync(target);
      } catch {
        continue;
      }
      const sum = createHash('sha256').update(body).digest('hex');
      files.set(name, sum);
      hash.update(`file\0${prefix}${name}\0${sum}\0`);
    }
  };
  walk(dir, '', 0);
  return files;
}

/**
 * The web overlays of `repo` (`<repo>/web`, then each module's `web/`, existing directories only)
 * with a digest of every file of those that come from the repository. `modules` defaults to the
 * directory modules (nothing is run); pass `repo.modules()` to include an external manager's,
 * which need no trust. Reading only: nothing from the repository runs.
 */
export function webManifest(repo: Repository, options: { modules?: string[] } = {}): WebManifest {
  const directory = repo.directoryModules();
  const modules = options.modules ?? directory;
  const candidates: Array<{ dir: string; fromRepository: boolean }> = [
    { dir: join(repo.root, 'web'), fromRepository: true },
    ...modules.map((m) => ({ dir: join(resolve(m), 'web'), fromRepository: directory.includes(m) && !isShipped(m) })),
  ];
  const hash = createHash('sha256');
  const dirs: WebDir[] = [];
  let needsTrust = false;
  for (const { dir, fromRepository } of candidates) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    if (!fromRepository) {
      dirs.push({ dir });
      continue;
    }
    needsTrust = true;
    hash.update(`dir\0${dir}\0`);
    dirs.push({ dir, files: digestTree(dir, hash, `${dir}\0`) });
  }
  return { dirs, digest: hash.digest('hex'), needsTrust };
}

/** The trusted web digests of the user configuration, by repository key. */
export function trustedWebDigests(config: UserConfig): Record<string, string> {
  const value = config.extra.find(([key]) => key === WEB_TRUST_KEY)?.[1];
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

/** Whether the repository's web overlays are trusted as `manifest` found them (true when it has none). */
export function isWebTrusted(config: UserConfig, repo: Repository, manifest: WebManifest): boolean {
  return !manifest.needsTrust || trustedWebDigests(config)[repositoryKey(repo)] === manifest.digest;
}

/**
 * Records in `config` (not saved) that the repository's executables and web overlays are trusted
 * as they are now; returns what was covered.
 */
export function recordTrust(config: UserConfig, repo: Repository): { executables: string[]; web: WebManifest } {
  const key = repositoryKey(repo);
  const web = webManifest(repo);
  const executables = { ...trustedDigests(config), [key]: executablesDigest(repo) };
  const webDigests = { ...trustedWebDigests(config) };
  if (web.needsTrust) webDigests[key] = web.digest;
  else delete webDigests[key];
  config.extra = [
    ...config.extra.filter(([k]) => k !== TRUST_KEY && k !== WEB_TRUST_KEY),
    [TRUST_KEY, executables],
    ...(Object.keys(webDigests).length > 0 ? [[WEB_TRUST_KEY, webDigests] as [string, unknown]] : []),
  ];
  return { executables: trustedFiles(repo), web };
}
