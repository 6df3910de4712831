/** Where this installation of `sit` lives: its package root, shipped modules, templates and docs. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The directory holding this package's `package.json` (the project root when run from source,
 * the installed package when compiled).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sit') {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the sit package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The directory of a module shipped with `sit` (e.g. `issue-tracking`). */
export function shippedModule(name: string): string {
  return join(packageRoot(), 'modules', name);
}
