/**
 * `GET /repo/<path>`: raw files and directory listings from inside the repository, with item link
 * files followed along the path (so `/repo/items/<id>/<hash>/text` reaches the record's file), as
 * the original served them, but confined: every segment is checked, and the real path of the
 * result must lie inside the real repository directory.
 * @module
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { resolveDir } from '../store/resolve.ts';

/** What `/repo/<path>` found. */
export type RepoEntry =
  | { kind: 'file'; path: string; body: Uint8Array }
  | { kind: 'directory'; path: string; listing: string };

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/**
 * Looks up `segments` (already checked by `safeSegments`) below `repoRoot`. Returns undefined
 * for anything missing or outside the repository.
 */
export function repoEntry(repoRoot: string, segments: readonly string[]): RepoEntry | undefined {
  const root = resolve(repoRoot);
  let realRoot: string;
  try {
    realRoot = realpathSync.native(root);
  } catch {
    return undefined;
  }
  const lexical = join(root, ...segments);
  if (!inside(lexical, root)) return undefined;
  const candidates = [resolveDir(lexical, root), lexical];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    let real: string;
    try {
      real = realpathSync.native(candidate);
    } catch {
      continue;
    }
    if (!inside(real, realRoot)) continue;
    let stats;
    try {
      stats = statSync(real);
    } catch {
      continue;
    }
    if (stats.isFile()) return { kind: 'file', path: real, body: readFileSync(real) };
    if (stats.isDirectory()) {
      const names = readdirSync(real, { withFileTypes: true })
        .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
        .sort();
      return { kind: 'directory', path: real, listing: names.join('\n') };
    }
  }
  return undefined;
}
