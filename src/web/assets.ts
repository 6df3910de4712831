/**
 * Static assets: the built-in `static/` directory, htmx and its SSE extension from
 * `node_modules` (read once into memory), and overlays (`--overlay` directories, `<repo>/web`,
 * each module's `web/`) that may replace styles, images and fonts but never scripts or pages,
 * and never escape their directory.
 * @module
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { packageRoot } from '../paths.ts';
import { confinedFile } from './security.ts';

/** A file ready to serve. */
export interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** File types an overlay may provide: no scripts, no HTML, nothing a browser would run. */
const OVERLAY_TYPES = new Set(['.css', '.svg', '.png', '.jpg', '.jpeg', '.gif', '.webp', '.ico', '.woff', '.woff2']);

/** The content type for a file name, by extension (`application/octet-stream` when unknown). */
export function contentType(name: string): string {
  return TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** The ETag of a body: quoted lowercase hex BLAKE2b-160, as the original computed it. */
export function etagOf(body: Uint8Array): string {
  return `"${Buffer.from(blake2b(body, { dkLen: 20 })).toString('hex')}"`;
}

/** Whether an `If-None-Match` header matches `etag` (quoted or, like the original, bare). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.slice(1, -1);
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === etag || v === bare || v === '*';
  });
}

function asset(body: Uint8Array, name: string): Asset {
  return { body, type: contentType(name), etag: etagOf(body) };
}

/** Built-in assets plus overlays, looked up by path below `/static/`. */
export class Assets {
  readonly #builtinDir: string;
  readonly #overlays: string[];
  readonly #memory = new Map<string, Asset>();
  readonly #builtinCache = new Map<string, Asset>();

  /** Creates the asset set; `overlays` in priority order (first wins). */
  constructor(overlays: readonly string[] = []) {
    this.#builtinDir = join(packageRoot(), 'static');
    this.#overlays = overlays.filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    });
    const require = createRequire(import.meta.url);
    const htmxDist = join(dirname(require.resolve('htmx.org/package.json')), 'dist');
    this.#memory.set('htmx.js', asset(readFileSync(join(htmxDist, 'htmx.min.js')), 'htmx.js'));
    this.#memory.set('hx-sse.js', asset(readFileSync(join(htmxDist, 'ext', 'hx-sse.min.js')), 'hx-sse.js'));
  }

  /** The overlay directories in use. */
  get overlays(): readonly string[] {
    return this.#overlays;
  }

  /**
   * The asset at `segments` (already checked by `safeSegments`): from the first overlay that has
   * it (allowed types only), else built in; undefined when there is none. Overlay files are read
   * on every request, so edits show up at once.
   */
  get(segments: readonly string[]): { asset: Asset; overlay: boolean } | undefined {
    const name = segments.join('/');
    const fixed = this.#memory.get(name);
    if (fixed !== undefined) return { asset: fixed, overlay: false };
    if (OVERLAY_TYPES.has(extname(name).toLowerCase())) {
      for (const dir of this.#overlays) {
        const path = confinedFile(dir, segments);
        if (path === undefined) continue;
        try {
          return { asset: asset(readFileSync(path), name), overlay: true };
        } catch {
          continue;
        }
      }
    }
    const cached = this.#builtinCache.get(name);
    if (cached !== undefined) return { asset: cached, overlay: false };
    const path = confinedFile(this.#builtinDir, segments);
    if (path === undefined) return undefined;
    const found = asset(readFileSync(path), name);
    this.#builtinCache.set(name, found);
    return { asset: found, overlay: false };
  }
}
