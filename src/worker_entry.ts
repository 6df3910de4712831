/**
 * Finding this package's own modules by path, for worker threads and for modules that workers
 * import: the compiled `dist/src/<name>.js` (bundled: its callers may live in a shared chunk, so
 * paths are taken from the package root, never from the caller's location), or `src/<name>.ts`
 * when `sit` runs from its TypeScript sources under tsx and dist/ is missing or older than them.
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './paths.ts';

/** What `new Worker(script, { eval })` needs. */
export interface WorkerEntry {
  script: string | URL;
  eval: boolean;
}

/** Whether this is the TypeScript source (run by tsx) rather than the compiled bundle. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** Whether workers run the compiled bundle although this is the source (see {@linkcode builtIsCurrent}). */
let useBuilt: boolean | undefined;

/** The newest modification time of the files below `dir` (0 when there is none). */
function newest(dir: string): number {
  let time = 0;
  for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/**
 * Whether dist/ was built from the sources as they are now (no file of `src/` or `templates/` is
 * newer than it): then the workers of a process run from source start from it, as in the
 * compiled command, in about 50 ms rather than the 300 ms that registering tsx in each worker
 * and compiling its modules takes. Looked at once per process.
 */
function builtIsCurrent(): boolean {
  if (useBuilt !== undefined) return useBuilt;
  const root = packageRoot();
  const cli = join(root, 'dist', 'src', 'cli.js');
  useBuilt =
    existsSync(cli) && statSync(cli).mtimeMs >= Math.max(newest(join(root, 'src')), newest(join(root, 'templates')));
  return useBuilt;
}

/** Whether worker-side modules come from the TypeScript source (only when run from source, without a current build). */
function workersFromSource(): boolean {
  return FROM_SOURCE && !builtIsCurrent();
}

/**
 * The URL of this package's module `name` for a worker thread, a path below `src/` without
 * extension (`reduce/load_item`): from the same tree as {@linkcode workerEntry}.
 */
export function ownModule(name: string): URL {
  const file = workersFromSource()
    ? join(packageRoot(), 'src', `${name}.ts`)
    : join(packageRoot(), 'dist', 'src', `${name}.js`);
  return pathToFileURL(file);
}

/**
 * The entry of the worker module `name` (as for {@linkcode ownModule}): the compiled file, or
 * under tsx a small bootstrap that registers tsx first (Node 20 does not apply `--import` hooks
 * to a worker's entry module).
 */
export function workerEntry(name: string): WorkerEntry {
  const entry = ownModule(name);
  if (!workersFromSource()) return { script: entry, eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { script, eval: true };
}
