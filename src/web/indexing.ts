/**
 * `sit web` while its index is being built: the server answers from the start, and what needs
 * every item's state says that it is not ready yet.
 *
 * - Pages show an "Indexing: N of M items" banner that fetches itself again every second
 *   (`GET /indexing`), and what is ready: an issue page reduces its one item on its own, the list
 *   and the counts show the items indexed so far (the banner says so). When indexing is over the
 *   banner goes, and the page's live regions (list, issue) fetch their full view, or, on pages
 *   without live regions that show counts (labels, milestones), the page reloads.
 * - JSON API calls that read every item (`/api/items/…`) answer `503` with `Retry-After` and a
 *   one-line JSON error; an item's own query reduces that item. Writes work: a record does not
 *   need the index, and the item written is reduced at once.
 * - Static files, `/repo/`, `/events` and the configuration answer as always.
 * @module
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { DEFINITIONS_ID } from '../tracker/mod.ts';
import type { IndexProgress, ItemSource, RecordStore } from './source.ts';

/** Items a page address that is an id prefix makes the server reduce on their own, at most. */
const MAX_PREFIX_ITEMS = 20;

/** How often a page of lists reloads while indexing when JavaScript is off, in seconds. */
const NOSCRIPT_RELOAD_S = 5;

/** What to do on a page when indexing is over. */
export type Then = 'update' | 'reload' | 'none';

/** Options for {@linkcode registerIndexing}. */
export interface IndexingOptions {
  index: ItemSource;
  repo: RecordStore;
  /** An overlay web app is served: its pages are left as they are (no banner). */
  overlayApp: boolean;
}

/** The first indexing's progress, or undefined when the index is complete (or has no progress to tell). */
function pending(index: ItemSource): IndexProgress | undefined {
  const progress = index.progress?.();
  return progress === undefined || (progress.ready && progress.failed === undefined) ? undefined : progress;
}

/** A whole number of 0 or more (anything else is 0). */
function whole(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** A count as people read it: digits in groups of three. */
function count(n: number): string {
  return whole(n).toLocaleString('en-US');
}

/**
 * What a whole page of lists gets beside the banner while indexing: without JavaScript it reloads
 * now and then instead of updating itself (a page with a form is left alone). Never part of the
 * banner that updates itself: a browser with JavaScript reads `<noscript>` as text only while it
 * parses a page, not in a fragment swapped in later.
 */
export function noscriptReload(progress: IndexProgress, then: Then): string {
  if (then === 'none' || progress.failed !== undefined) return '';
  return `<noscript><meta http-equiv="refresh" content="${NOSCRIPT_RELOAD_S}"></noscript>`;
}

/**
 * The banner, made of numbers only (nothing of the repository's text). While indexing it fetches
 * itself every second; `then` travels with it to the answer that ends it.
 */
export function indexingBanner(progress: IndexProgress, then: Then): string {
  const done = count(Math.min(whole(progress.done), whole(progress.total)));
  const total = count(progress.total);
  if (progress.failed !== undefined) {
    return `<div id="indexing" class="notice-banner indexing-banner" role="alert"><strong>Indexing stopped</strong> after ${done} of ${total} items: lists and counts are incomplete. The output of <code>sit web</code> says why; restart it.</div>`;
  }
  const max = Math.max(1, whole(progress.total));
  const value = Math.min(max, whole(progress.done));
  return (
    `<div id="indexing" class="notice-banner indexing-banner" role="status" hx-get="/indexing?then=${then}" hx-trigger="every 1s" hx-swap="outerHTML">` +
    `<strong>Indexing:</strong> <span class="indexing-count">${listing(progress) ? 'listing the items' : `${done} of ${total} items`}</span> ` +
    `<progress max="${max}" value="${value}">${done} of ${total}</progress> ` +
    `Until it is done, lists and counts show only the items indexed so far; this page updates itself.</div>`
  );
}

/** Whether indexing has not even listed the items yet (it does that first, after the server binds). */
function listing(progress: IndexProgress): boolean {
  return whole(progress.total) === 0 && whole(progress.done) === 0;
}

/** Seconds a client should wait before asking again: the time left at the rate so far, 1 to 10. */
function retryAfter(progress: IndexProgress, elapsedMs: number): number {
  if (progress.done <= 0) return 2;
  const left = ((progress.total - progress.done) * elapsedMs) / progress.done / 1000;
  return Math.min(10, Math.max(1, Math.ceil(left)));
}

/** What a page needs to do when indexing is over, by its address. */
function thenFor(path: string): Then {
  if (path === '/' || path.startsWith('/issue/')) return 'update';
  if (path === '/labels' || path === '/milestones') return 'reload';
  return 'none';
}

/** Paths that never need the index. */
function independent(path: string): boolean {
  return (
    path.startsWith('/static/') ||
    path === '/favicon.ico' ||
    path.startsWith('/repo/') ||
    path === '/events' ||
    path === '/config' ||
    path === '/user/config' ||
    path === '/indexing'
  );
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The items an `/issue/{id}…` address may mean: the item itself, or the items whose ids start
 * with it (`#` allowed), from the names in `items/` (up to {@linkcode MAX_PREFIX_ITEMS}).
 */
function issueItems(repo: RecordStore, path: string): string[] {
  const m = /^\/issue\/([^/]+)/.exec(path);
  const given = m === null ? undefined : decoded(m[1]!);
  if (given === undefined || given === '') return [];
  if (repo.hasItem(given)) return [given];
  const prefix = given.replace(/^#/, '').toLowerCase();
  if (prefix === '') return [];
  const found = repo.items().filter((id) => id.toLowerCase().startsWith(prefix));
  return found.length <= MAX_PREFIX_ITEMS ? found : [];
}

const MAIN_MARK = '<main id="main"';

/** Puts `banner` above the main landmark of a whole built-in page; other answers stay as they are. */
async function withBanner(res: Response, banner: string): Promise<Response> {
  if (!(res.headers.get('content-type') ?? '').startsWith('text/html') || res.body === null) return res;
  const text = await res.text();
  const at = text.indexOf(MAIN_MARK);
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  const body = at < 0 ? text : `${text.slice(0, at)}${banner}\n${text.slice(at)}`;
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
}

/** The one-line JSON error of an API call that needs the index while it is not ready. */
function notReady(c: Context, progress: IndexProgress, started: number): Response {
  c.header('cache-control', 'no-store');
  if (progress.failed !== undefined) {
    return c.json(
      {
        error: `indexing stopped after ${progress.done} of ${progress.total} items; see the output of sit web and restart it`,
      },
      500,
    );
  }
  const seconds = retryAfter(progress, Date.now() - started);
  c.header('retry-after', String(seconds));
  const sofar = listing(progress)
    ? 'listing the items'
    : `${whole(progress.done)} of ${whole(progress.total)} items so far`;
  return c.json({ error: `indexing: ${sofar}; try again in ${seconds} s` }, 503);
}

/**
 * Registers the middleware that answers for what the index does not have yet, and
 * `GET /indexing` (the banner, fetched again by itself). Register it before the routes it guards.
 */
export function registerIndexing(app: Hono, options: IndexingOptions): void {
  const { index, repo } = options;
  const started = Date.now();

  app.get('/indexing', (c) => {
    c.header('cache-control', 'no-store');
    const then = c.req.query('then');
    const progress = pending(index);
    if (progress !== undefined)
      return c.html(indexingBanner(progress, then === 'update' || then === 'reload' ? then : 'none'));
    // Over: the banner goes, and the page shows its full view.
    if (then === 'update') c.header('hx-trigger', JSON.stringify({ situpdate: { target: 'body' } }));
    else if (then === 'reload') c.header('hx-refresh', 'true');
    return c.html('<div id="indexing" hidden></div>');
  });

  const gate: MiddlewareHandler = async (c, next) => {
    const progress = pending(index);
    const path = c.req.path;
    if (progress === undefined || independent(path)) return next();
    if (path.startsWith('/api/')) {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
      const parts = path.slice('/api/'.length).split('/');
      if (parts[0] === 'items') return notReady(c, progress, started);
      if (parts[0] === 'item' && parts.length === 3) {
        const id = decoded(parts[1]!);
        if (id !== undefined) await index.ensure?.([id]);
      }
      return next();
    }
    await index.ensure?.([DEFINITIONS_ID, ...issueItems(repo, path)]);
    await next();
    if (options.overlayApp) return;
    // A page made while indexing gets the banner even if indexing ended meanwhile: its first
    // fetch of the banner then brings the full view.
    const now = pending(index) ?? progress;
    const then = thenFor(path);
    c.res = await withBanner(c.res, indexingBanner(now, then) + noscriptReload(now, then));
  };
  app.use('*', gate);
}
