/** Temporary directories and the corpus for the store tests. */
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const created: string[] = [];

/** A new empty temporary directory, removed by {@link cleanupTempDirs}. */
export function tempDir(prefix = 'sit-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory made by {@link tempDir}. */
export function cleanupTempDirs(): void {
  for (const dir of created.splice(0)) {
    makeWritable(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The corpus repository (`../shared/corpus/sit/.sit` from the project root), or undefined when absent. */
export function corpusRepository(): string | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const path = join(root, '..', 'shared', 'corpus', 'sit', '.sit');
  return existsSync(join(path, 'config.json')) ? path : undefined;
}

function makeWritable(path: string): void {
  try {
    const stats = statSync(path);
    if (stats.isDirectory()) {
      chmodSync(path, 0o755);
      for (const name of readdirSync(path)) makeWritable(join(path, name));
    } else if (stats.isFile()) {
      chmodSync(path, 0o644);
    }
  } catch {
    // dangling links and the like
  }
}

/** A writable copy of the corpus repository in a temporary directory, or undefined when absent. */
export function copyCorpus(): string | undefined {
  const source = corpusRepository();
  if (source === undefined) return undefined;
  const dest = join(tempDir('sit-corpus-'), '.sit');
  cpSync(source, dest, { recursive: true });
  makeWritable(dest);
  return dest;
}
