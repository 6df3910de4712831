/**
 * The files a module script may `require()`: every `.js` file in the script's own directory (the
 * module's `cli/`) and below it, read before the run. Only real directories are entered. A link
 * counts when it stays inside that directory by its real path; one that leads out of it is
 * listed as refused, so that requiring it fails with a clear error rather than reading anything
 * outside the module (SPEC §8).
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ScriptFiles } from '../sandbox/mod.ts';
import { isConfined } from '../store/mod.ts';
import { ModuleScriptError } from './errors.ts';

/** Most files, and most bytes in all, that a module script's directory may hold. */
const MAX_FILES = 1000;
const MAX_BYTES = 16 * 1024 * 1024;
/** How deep below the script's directory files are looked for. */
const MAX_DEPTH = 8;

/** The files `require()` may load for the module script `file`, by path relative to its directory. */
export function scriptFiles(file: string): ScriptFiles {
  const top = dirname(file);
  const files: ScriptFiles = {};
  collect({ top, files, bytes: 0 }, top, '', MAX_DEPTH);
  return files;
}

interface Walk {
  top: string;
  files: ScriptFiles;
  bytes: number;
}

function collect(walk: Walk, dir: string, prefix: string, depth: number): void {
  if (depth < 0) return;
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      collect(walk, path, `${name}/`, depth - 1);
    } else if (entry.isSymbolicLink()) {
      if (!isConfined(path, walk.top)) {
        walk.files[name] = {
          refused: `cannot require ${name}: it is a link that leads outside ${walk.top}; a module script may only require files inside its own directory`,
        };
      } else if (entry.name.endsWith('.js') && statSync(path, { throwIfNoEntry: false })?.isFile() === true) {
        add(walk, name, path);
      }
    } else if (entry.isFile() && entry.name.endsWith('.js')) {
      add(walk, name, path);
    }
  }
}

function add(walk: Walk, name: string, path: string): void {
  const source = readFileSync(path, 'utf8');
  walk.bytes += source.length;
  if (Object.keys(walk.files).length >= MAX_FILES || walk.bytes > MAX_BYTES) {
    throw new ModuleScriptError(
      `module script directory ${walk.top} holds more than ${MAX_FILES} .js files or ${MAX_BYTES / 1024 / 1024} MiB of them; a module script may require at most that`,
    );
  }
  walk.files[name] = { source };
}
