/**
 * Finding a repository's reducers (original-sit.md §3.1): `<repo>/reducers/*.js`, then each
 * module's `reducers/*.js`, modules in name order, files in name order; or the sources given
 * with `sit reduce -r`. Also the digest of the set that keys the reduction cache.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { SitError } from '../errors.ts';
import type { ReducerSet, ReducerSource } from '../sandbox/mod.ts';
import { isConfined, isInside, resolveDirectory, type Repository } from '../store/mod.ts';

/** A reducer source given with `-r` that is neither a file nor a directory. */
export class ReducerNotFoundError extends SitError {}

/** A reducer set with the digest of everything it is made of. */
export interface LoadedReducers {
  /** What the sandbox loads. */
  set: ReducerSet;
  /** SHA-256 over every reducer's path and text and every file `require()` may load. */
  digest: string;
}

/** Options for {@linkcode loadReducers}. */
export interface LoadReducersOptions {
  /** Sources given with `-r`: a file (relative to `cwd`), else a directory `<repo>/reducers/<name>`. */
  sources?: string[];
  /** The directory `-r` file paths are relative to (default: the process's). */
  cwd?: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The `.js` files directly in `dir`, sorted by name. A file that is a symbolic link counts only
 * when its target lies inside `dir` too: a link to a file elsewhere is never read.
 */
function reducerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => {
      if (!entry.name.endsWith('.js')) return false;
      if (entry.isFile()) return true;
      const path = join(dir, entry.name);
      return entry.isSymbolicLink() && isFile(path) && isConfined(path, dir);
    })
    .map((entry) => entry.name)
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Every `.js` file below `dir` (what `require()` may load), at most `depth` levels deep. Only
 * real directories are entered, and a file that is a link counts only when it stays inside `dir`.
 */
function collectRequireFiles(dir: string, into: Record<string, string>, depth = 8, top = dir): void {
  if (depth < 0) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collectRequireFiles(path, into, depth - 1, top);
    else if (!entry.name.endsWith('.js')) continue;
    else if (entry.isFile() || (entry.isSymbolicLink() && isFile(path) && isConfined(path, top)))
      into[path] = readFileSync(path, 'utf8');
  }
}

/**
 * The default sources: `<repo>/reducers`, then `<module>/reducers` of every module. A
 * `reducers/` directory counts only when it lies inside the repository or its module by its real
 * path (a module directory may be a link; what is inside it may not lead out of it).
 */
function defaultSources(repo: Repository): string[] {
  const dirs = [
    { dir: join(repo.root, 'reducers'), root: repo.root },
    ...repo.modules().map((module) => ({ dir: join(resolve(module), 'reducers'), root: resolve(module) })),
  ];
  return dirs.filter(({ dir, root }) => isDirectory(dir) && isConfined(dir, root)).map(({ dir }) => dir);
}

/**
 * Resolves one `-r` value as the original did (original-sit.md §3.1): a file path relative to
 * `cwd` first; else `<repo>/reducers/<value>` with text links followed inside the repository (an
 * absolute value stands for itself), when that is a directory; else, as an extension, a directory
 * relative to `cwd`. A path inside the repository must stay inside it by its real path; one
 * elsewhere is the user's choice. A directory without any `.js` file is refused: it would reduce
 * nothing and print the initial state as if that were the answer.
 */
function resolveSource(repo: Repository, value: string, cwd: string): string {
  const usable = (path: string): boolean => !isInside(path, repo.root) || isConfined(path, repo.root);
  const asFile = resolve(cwd, value);
  if (isFile(asFile) && usable(asFile)) return asFile;
  // A name is repository content: its text links may not lead out of the repository (SPEC §8).
  const named = isAbsolute(value)
    ? resolveDirectory(value, '/')
    : resolveDirectory(resolve(repo.root, 'reducers', value), repo.root);
  const dir = named !== undefined && usable(named) ? named : isDirectory(asFile) && usable(asFile) ? asFile : undefined;
  if (dir === undefined) {
    throw new ReducerNotFoundError(
      `reducer ${JSON.stringify(value)} not found: give a .js file, a directory, or a directory name under ${join(repo.root, 'reducers')}`,
    );
  }
  if (reducerFiles(dir).length === 0) {
    throw new ReducerNotFoundError(
      `reducer directory ${dir} (from -r ${JSON.stringify(value)}) has no .js files directly in it; give the directory that holds them`,
    );
  }
  return dir;
}

/** Reads the reducer set of `repo` (or of the given sources) and computes its digest. */
export function loadReducers(repo: Repository, options: LoadReducersOptions = {}): LoadedReducers {
  const cwd = options.cwd ?? process.cwd();
  const sources =
    options.sources === undefined ? defaultSources(repo) : options.sources.map((s) => resolveSource(repo, s, cwd));
  const reducers: ReducerSource[] = [];
  const requireFiles: Record<string, string> = {};
  const hash = createHash('sha256');
  for (const source of sources) {
    const dir = isDirectory(source) ? source : resolve(source, '..');
    const files = isDirectory(source) ? reducerFiles(source) : [source];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      reducers.push({ file, source: text, dir });
      hash.update(`reducer\0${file}\0${text}\0`);
    }
    // A file given on its own may require its siblings (one level down at most).
    collectRequireFiles(dir, requireFiles, isDirectory(source) ? 8 : 1);
  }
  for (const path of Object.keys(requireFiles).sort()) hash.update(`require\0${path}\0${requireFiles[path]}\0`);
  return { set: { reducers, requireFiles }, digest: hash.digest('hex') };
}
