/**
 * Modules (original-sit.md §1.6) and the external programs a repository may name: the entries of
 * `modules/`, the external module manager (found on `PATH`, run only once trusted when it arrived
 * with the repository), and finding executables.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { RepositoryConfig } from './config.ts';
import { ModuleError } from './errors.ts';
import { isDirectory } from './fs_util.ts';
import { compareUtf8 } from './hash.ts';
import { resolveShippedLink } from './module_link.ts';
import { resolveDirectory } from './resolve.ts';

/** The external module manager a repository names (see {@link externalModuleManager}). */
export interface ModuleManager {
  /** The program's name, `sit-<NAME>`. */
  program: string;
  /** Where it was found on `PATH`, or undefined when it is not installed. */
  path: string | undefined;
  /**
   * Whether the program lies inside the repository or the project that holds it (it arrived with
   * somebody's commits): it runs only once trusted.
   */
  inRepository: boolean;
}

/** Names `external_module_manager` may hold: a plain program name, never a path. */
const MANAGER_NAME = /^[A-Za-z0-9._-]+$/;

/** The modules of `<root>/modules/` (never runs anything), in name order. */
export function directoryModules(root: string): string[] {
  const dir = join(root, 'modules');
  const modules: string[] = [];
  if (!isDirectory(dir)) return modules;
  for (const name of readdirSync(dir).sort(compareUtf8)) {
    const resolved = resolveShippedLink(join(dir, name)) ?? resolveDirectory(join(dir, name), '/');
    if (resolved === undefined) {
      throw new ModuleError(
        `module ${join(dir, name)} does not resolve to a directory; fix the link or remove the entry`,
      );
    }
    modules.push(resolved);
  }
  return modules;
}

/**
 * The external module manager named by `config.json` (`sit-<NAME>`, looked up on the absolute
 * entries of `PATH` only), or undefined when none is named. Finding it runs nothing. A name that
 * is not a plain program name (letters, digits, `.`, `_`, `-`) is a {@link ModuleError}.
 */
export function externalModuleManager(
  repo: { root: string; config: RepositoryConfig },
  options: { env?: NodeJS.ProcessEnv } = {},
): ModuleManager | undefined {
  const entry = repo.config.extra.find(([key]) => key === 'external_module_manager');
  if (entry === undefined) return undefined;
  const name = entry[1];
  if (typeof name !== 'string' || !MANAGER_NAME.test(name) || name === '.' || name === '..') {
    throw new ModuleError(
      `invalid "external_module_manager" ${JSON.stringify(name)} in ${join(repo.root, 'config.json')}: it must be a plain program name (letters, digits, ".", "_", "-"); fix or remove it`,
    );
  }
  const env = options.env ?? process.env;
  const program = `sit-${name}`;
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((p) => p !== '' && isAbsolute(p));
  const path = findExecutable(program, dirs);
  return { program, path, inRepository: path !== undefined && liesInRepository(repo, path) };
}

/**
 * The module paths printed by the external module manager, run with `SIT_DIR` set to the
 * repository's `path`. A manager that lies inside the repository runs only when `trusted` is set
 * or `trust` accepts it; a manager that is missing or fails is a {@link ModuleError}.
 */
export function runModuleManager(
  repo: { path: string },
  manager: ModuleManager,
  options: { trusted?: boolean; trust?: ((program: string) => boolean) | undefined; env?: NodeJS.ProcessEnv } = {},
): string[] {
  const env = options.env ?? process.env;
  const found = manager.path;
  if (found === undefined) {
    throw new ModuleError(
      `Can't find external module manager \`${manager.program}\`. Please install it before proceeding`,
    );
  }
  if (manager.inRepository && options.trusted !== true && options.trust?.(found) !== true) {
    throw new ModuleError(
      `external module manager ${found} comes from the repository; review it and run \`sit trust\` before using it`,
    );
  }
  const result = spawnSync(found, [], {
    env: { ...env, SIT_DIR: repo.path, SIT_MODULE_MANAGER: 'list-modules' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.error !== undefined || result.status !== 0) {
    throw new ModuleError(
      `external module manager ${found} failed (${result.error?.message ?? `exit status ${result.status}`}); fix it or remove "external_module_manager" from config.json`,
    );
  }
  return result.stdout
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '');
}

/**
 * Whether `path` (by its real path) lies inside the repository, or inside the project directory
 * that holds a repository called `.sit`: files there arrived with the project's history.
 */
function liesInRepository(repo: { root: string }, path: string): boolean {
  let real: string;
  let root: string;
  try {
    real = realpathSync.native(path);
    root = realpathSync.native(repo.root);
  } catch {
    return false;
  }
  const inside = (dir: string): boolean => real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  return inside(root) || (basename(root) === '.sit' && inside(dirname(root)));
}

/** The first executable regular file called `name` in `dirs`. */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const path = isAbsolute(dir) ? join(dir, name) : resolve(dir, name);
    try {
      const stats = statSync(path);
      if (stats.isFile() && (stats.mode & 0o111) !== 0) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
