/**
 * Web overlays (original-sit.md §5): directories whose files are served as a whole web app, the
 * first directory that has a file winning, in the original's priority order (`--overlay`
 * directories, then `<repo>/web`, then each module's `web/`), with the first `index.html` as the
 * single-page-app fallback. A directory that comes from the repository is served only as
 * `sit trust` saw it: each file must still have the contents it had then (the server is given
 * those digests); a changed or new file is refused. Nothing is ever served from outside its
 * directory: path segments are checked and real paths confined.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { contentType, etagOf, type Asset } from './assets.ts';
import { confinedFile } from './security.ts';

/** One overlay directory; `files` (path → SHA-256) restricts it to what was trusted. */
export interface OverlayDir {
  dir: string;
  files?: ReadonlyMap<string, string> | undefined;
}

/** A file found in an overlay, or a file that changed since it was trusted. */
export type OverlayFile = { kind: 'file'; asset: Asset; dir: string } | { kind: 'changed'; path: string };

/** The overlay directories of one server. */
export class Overlays {
  readonly #dirs: readonly OverlayDir[];

  /** `dirs` in priority order (first wins). */
  constructor(dirs: readonly OverlayDir[]) {
    this.#dirs = dirs;
  }

  /** The directories, in priority order. */
  get dirs(): readonly OverlayDir[] {
    return this.#dirs;
  }

  /** The file at `segments` (already checked by `safeSegments`) from the first overlay that has it. */
  file(segments: readonly string[]): OverlayFile | undefined {
    if (segments.length === 0) return undefined;
    const name = segments.join('/');
    for (const { dir, files } of this.#dirs) {
      if (files !== undefined && !files.has(name)) continue;
      const path = confinedFile(dir, segments);
      if (path === undefined) continue;
      let body: Buffer;
      try {
        body = readFileSync(path);
      } catch {
        continue;
      }
      if (files !== undefined && createHash('sha256').update(body).digest('hex') !== files.get(name)) {
        return { kind: 'changed', path };
      }
      return { kind: 'file', asset: { body, type: contentType(name), etag: etagOf(body) }, dir };
    }
    return undefined;
  }

  /** The single-page app's page: the first overlay's `index.html`. */
  index(): OverlayFile | undefined {
    return this.file(['index.html']);
  }

  /** Whether some overlay has an `index.html` (a whole web app, not only styles). */
  get hasApp(): boolean {
    return this.#dirs.some(
      ({ dir, files }) =>
        (files === undefined || files.has('index.html')) && confinedFile(dir, ['index.html']) !== undefined,
    );
  }
}
