/**
 * Finding this package's own modules by path, for worker threads and for modules that workers
 * import: the compiled `dist/src/<name>.js` (bundled: its callers may live in a shared chunk, so
 * paths are taken from the package root, never from the caller's location), or `src/<name>.ts`
 * when `sit` runs from its TypeScript sources under tsx.
 * @module
 */
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

/** The URL of this package's module `name`, a path below `src/` without extension (`reduce/load_item`). */
export function ownModule(name: string): URL {
  const file = FROM_SOURCE
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
  if (!FROM_SOURCE) return { script: entry, eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const script = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { script, eval: true };
}
