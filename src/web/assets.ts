/**
 * Static assets of the built-in interface: the `static/` directory, htmx and its SSE extension
 * from `node_modules` (read once into memory), and overlays (`--overlay` directories, and the
 * trusted `<repo>/web` and modules' `web/`) that may replace its styles, images and fonts but
 * never its scripts or pages, and never escape their directory. (An overlay with an `index.html`
 * is a whole web app instead: see `overlay.ts`.)
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { packageRoot } from '../paths.ts';
import type { Overlays } from './overlay.ts';
import { confinedFile } from './security.ts';

/** A file ready to serve. */
export interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.eot': 'application/vnd.ms-fontobject',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv; charset=utf-8',
  '.patch': 'text/plain; charset=utf-8',
  '.diff': 'text/plain; charset=utf-8',
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

/** File types an overlay may provide to the built-in interface: no scripts, no HTML, nothing a browser would run. */
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
  readonly #overlays: Overlays | undefined;
  readonly #memory = new Map<string, Asset>();
  readonly #builtinCache = new Map<string, Asset>();

  /** Creates the asset set; `overlays` may replace styles, images and fonts. */
  constructor(overlays?: Overlays) {
    this.#builtinDir = join(packageRoot(), 'static');
    this.#overlays = overlays;
    const require = createRequire(import.meta.url);
    const htmxDist = join(dirname(require.resolve('htmx.org/package.json')), 'dist');
    this.#memory.set('htmx.js', asset(readFileSync(join(htmxDist, 'htmx.min.js')), 'htmx.js'));
    this.#memory.set('hx-sse.js', asset(readFileSync(join(htmxDist, 'ext', 'hx-sse.min.js')), 'hx-sse.js'));
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
    if (this.#overlays !== undefined && OVERLAY_TYPES.has(extname(name).toLowerCase())) {
      const found = this.#overlays.file(segments);
      if (found?.kind === 'file') return { asset: found.asset, overlay: true };
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
