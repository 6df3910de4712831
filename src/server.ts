/**
 * `sit web`: the issue tracker's web UI and the original's JSON API, served by Hono on Node.
 *
 * {@linkcode createApp} builds the application (testable with `app.request()`);
 * {@linkcode startServer} binds it, watches the repository for new records and pushes live
 * updates. Security: an access token when listening beyond loopback, a Host check on loopback,
 * same-origin checks on every write, a strict Content-Security-Policy, body limits, and path
 * confinement for `/repo/` and static overlays (see `src/web/security.ts`).
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { SitError } from './errors.ts';
import { indexStates, type IssueState } from './query/mod.ts';
import { formatAuthor, userConfigToJson, type Author, type UserConfig } from './store/user_config.ts';
import { configToJson } from './store/config.ts';
import { isBase32 } from './store/hash.ts';
import { readCheckedRecord } from './store/repository.ts';
import { apiRoutes } from './web/api.ts';
import { Assets, etagMatches, etagOf } from './web/assets.ts';
import { packageRoot } from './paths.ts';
import { ChangeFeed } from './web/changes.ts';
import { Docs } from './web/docs.ts';
import { eventsHandler } from './web/events.ts';
import { namedFilters } from './web/issues.ts';
import { gitPages } from './web/git.ts';
import { pageErrors, pageRoutes, type PagesOptions } from './web/pages.ts';
import { registerIndexing } from './web/indexing.ts';
import { repositoryReducer } from './web/reduce.ts';
import { repoEntry } from './web/repo_files.ts';
import { Overlays, type OverlayDir, type OverlayFile } from './web/overlay.ts';
import {
  isLoopbackHost,
  OVERLAY_APP_CSP,
  RAW_FILE_CSP,
  requireHost,
  requireSameOrigin,
  requireToken,
  safeSegments,
  securityHeaders,
} from './web/security.ts';
import type { ItemSource, RecordStore } from './web/source.ts';
import { watchItems, type ItemsWatcher } from './web/watch.ts';
import { Writer } from './web/writer.ts';

export type { ItemSource, RecordStore, RepositoryReducer } from './web/source.ts';
export type { OverlayDir } from './web/overlay.ts';

/** Largest form body (issue forms, comments). */
export const FORM_LIMIT = 1024 * 1024;
/** How often items waiting for records that have not arrived are reduced again. */
const INCOMPLETE_POLL_MS = 2000;
/** Largest multipart record upload (`POST /api/item/{id}/records`, `POST /api/records`). */
export const UPLOAD_LIMIT = 32 * 1024 * 1024;

/** Options for {@linkcode createApp}. */
export interface AppOptions {
  /** The repository (the store's `Repository`). */
  repo: RecordStore;
  /** Reduced item states kept in memory (the engine's `ItemIndex`). */
  index: ItemSource;
  /** The author of records written through the web. */
  author: Author;
  /** The user configuration (for `/user/config`, named filters and signing). */
  userConfig?: UserConfig | undefined;
  /** Refuse every write and hide the controls. */
  readonly?: boolean | undefined;
  /** When set, every request must present this token (see `requireToken`). */
  token?: string | undefined;
  /** `--overlay` directories: the user's own choice, served as they are; first wins. */
  overlays?: string[] | undefined;
  /**
   * Overlays that come with the repository (`<repo>/web`, each module's `web/`), after the
   * `--overlay` ones, in priority order: only those the caller decided to serve (trusted, see
   * `sit trust`), each restricted to the files and contents that were trusted. None by default.
   */
  repositoryOverlays?: OverlayDir[] | undefined;
  /**
   * Which interface the server's pages are: `auto` (default) serves an overlay web app when an
   * overlay has an `index.html`, else the built-in one; `builtin` always serves the built-in one.
   */
  ui?: 'auto' | 'builtin' | undefined;
  /** A line shown at the top of every built-in page (e.g. that the repository's web app is not served). */
  notice?: string | undefined;
  /** Host names accepted in the `Host` header (any port); unset accepts any. */
  allowedHosts?: string[] | undefined;
  /** The change feed live pages listen to; one is created when not given. */
  feed?: ChangeFeed | undefined;
}

function issuesFilters(config: UserConfig | undefined): Record<string, unknown> | undefined {
  const issues = config?.extra.find(([k]) => k === 'issues')?.[1];
  if (typeof issues !== 'object' || issues === null) return undefined;
  const filters = (issues as Record<string, unknown>)['filters'];
  return typeof filters === 'object' && filters !== null ? (filters as Record<string, unknown>) : undefined;
}

function serveBytes(
  c: Context,
  body: Uint8Array,
  type: string | undefined,
  etag: string | undefined,
  csp?: string,
): Response {
  const headers: Record<string, string> = {};
  if (type !== undefined) headers['content-type'] = type;
  if (csp !== undefined) headers['content-security-policy'] = csp;
  if (etag !== undefined) {
    headers['etag'] = etag;
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
  }
  return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}

/** Content types `/repo/` serves as themselves; everything else is plain text or bytes. */
const REPO_IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

function repoFileType(name: string, body: Uint8Array): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  if (ext !== undefined && REPO_IMAGE_TYPES[ext] !== undefined) return REPO_IMAGE_TYPES[ext];
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return 'text/plain; charset=utf-8';
  } catch {
    return 'application/octet-stream';
  }
}

/** The record a `/repo/` path addresses (or a file in it): `items/<id>/<HASH>/…` or `records/<split>/<HASH>/…`. */
function recordInPath(segments: readonly string[]): { hash: string; item?: string } | undefined {
  if (segments[0] === 'items' && segments.length >= 3 && isBase32(segments[2]!))
    return { hash: segments[2]!, item: segments[1]! };
  if (segments[0] === 'records') {
    const hash = segments
      .slice(1)
      .find((s, i) => isBase32(s) && s.length > 2 && s.startsWith(segments.slice(1, i + 1).join('')) && i > 0);
    if (hash !== undefined) return { hash };
  }
  return undefined;
}

/** Builds the web application. */
export function createApp(options: AppOptions): Hono {
  const readonly = options.readonly ?? false;
  const repo = options.repo;
  const index = options.index;
  const feed = options.feed ?? new ChangeFeed();
  const userConfig = options.userConfig;
  const writer = new Writer({
    repo,
    index,
    feed,
    authors: formatAuthor(options.author),
    signing: userConfig?.signing,
  });
  const overlays = new Overlays([
    ...(options.overlays ?? []).map((dir) => ({ dir })),
    ...(options.repositoryOverlays ?? []),
  ]);
  const assets = new Assets(overlays);
  const overlayApp = options.ui !== 'builtin' && overlays.hasApp;
  const docs = new Docs(packageRoot());

  const app = new Hono();
  app.use('*', securityHeaders());
  if (options.allowedHosts !== undefined) app.use('*', requireHost(options.allowedHosts));
  if (options.token !== undefined) app.use('*', requireToken(options.token));
  app.use('*', csrf());
  app.use('*', requireSameOrigin());
  app.use('/api/item/*', bodyLimit({ maxSize: UPLOAD_LIMIT, onError: (c) => c.text('Request body too large', 413) }));
  app.use('/api/records', bodyLimit({ maxSize: UPLOAD_LIMIT, onError: (c) => c.text('Request body too large', 413) }));
  app.use('*', async (c, next) => {
    if (c.req.method !== 'POST' || c.req.path.startsWith('/api/')) return next();
    return bodyLimit({ maxSize: FORM_LIMIT, onError: (cc) => cc.text('Request body too large', 413) })(c, next);
  });

  if (overlayApp) {
    // A whole web app from the overlays (original-sit.md §5): any file by its path, the first
    // overlay's index.html for every other page address; the JSON API and /repo/ stay ours.
    app.use('*', async (c, next) => {
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
      const path = new URL(c.req.url).pathname;
      if (OWN_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) return next();
      const segments = safeSegments(path.slice(1).replace(/\/$/, ''));
      if (segments === undefined) return c.text('Not found', 404);
      const found = overlays.file(segments);
      if (found === undefined && (path === '/favicon.ico' || path.startsWith('/static/'))) return next();
      return serveOverlayFile(c, found ?? overlays.index());
    });
  }

  // While the index is built: a banner on pages, 503 for API calls that read every item.
  registerIndexing(app, { index, repo, overlayApp });

  app.get('/static/*', (c) => {
    const segments = safeSegments(new URL(c.req.url).pathname.slice('/static/'.length));
    if (segments === undefined || segments.length === 0) return c.text('Not found', 404);
    const found = assets.get(segments);
    if (found === undefined) return c.text('Not found', 404);
    c.header('cache-control', found.overlay ? 'no-cache' : 'public, max-age=300');
    return serveBytes(
      c,
      found.asset.body,
      found.asset.type,
      found.asset.etag,
      found.overlay ? RAW_FILE_CSP : undefined,
    );
  });
  app.get('/favicon.ico', (c) => {
    const found = assets.get(['favicon.svg']);
    return found === undefined
      ? c.text('Not found', 404)
      : serveBytes(c, found.asset.body, found.asset.type, found.asset.etag);
  });

  app.get('/repo/*', (c) => {
    const segments = safeSegments(new URL(c.req.url).pathname.slice('/repo/'.length).replace(/\/$/, ''));
    if (segments === undefined) return c.text('Not found', 404);
    const record = recordInPath(segments);
    if (record !== undefined) {
      // A record's files are served only if the record is intact, as the command line reads them.
      const checked = readCheckedRecord(repo, record.hash, record.item === undefined ? {} : { item: record.item });
      if (checked !== undefined && 'damaged' in checked) {
        return c.text(`record ${record.hash} is damaged (its files do not match its hash); run \`sit integrity\``, 404);
      }
    }
    const entry = repoEntry(repo.root, segments);
    if (entry === undefined) return c.text('Not found', 404);
    if (entry.kind === 'directory') {
      return serveBytes(
        c,
        new TextEncoder().encode(entry.listing),
        'text/plain; charset=utf-8',
        undefined,
        RAW_FILE_CSP,
      );
    }
    const name = segments[segments.length - 1] ?? '';
    return serveBytes(c, entry.body, repoFileType(name, entry.body), etagOf(entry.body), RAW_FILE_CSP);
  });

  app.get('/events', eventsHandler({ feed }));

  app.route(
    '/',
    apiRoutes({
      repo,
      index,
      writer,
      readonly,
      reducer: repositoryReducer(repo, index),
      userConfig: () => {
        const json = userConfig === undefined ? {} : userConfigToJson(userConfig);
        // Which repositories the user trusts is none of a web page's business.
        for (const key of ['trusted_executables', 'trusted_web']) delete json[key];
        if (json['author'] === undefined) {
          const a = options.author;
          json['author'] = a.email === undefined ? { name: a.name } : { name: a.name, email: a.email };
        }
        return json;
      },
    }),
  );
  app.route('/', gitPages({ repo, filters: () => namedFilters(issuesFilters(userConfig)) }));
  const pages: PagesOptions = {
    repo,
    index,
    feed,
    writer,
    docs,
    readonly,
    filters: () =>
      namedFilters(issuesFilters(userConfig), {
        me: readonly ? undefined : options.author.name,
        repository: configToJson(repo.config),
      }),
    ...(options.notice === undefined ? {} : { notice: options.notice }),
  };
  app.route('/', pageRoutes(pages));
  const errors = pageErrors(pages);
  app.onError(errors.onError);
  app.notFound(errors.notFound);
  return app;
}

/** Paths that stay the server's own when an overlay app is served. */
const OWN_PATHS = ['/api', '/repo', '/config', '/user/config', '/events'];

function serveOverlayFile(c: Context, found: OverlayFile | undefined): Response {
  if (found === undefined) return c.text('Not found', 404);
  if (found.kind === 'changed') {
    return c.text(
      `${found.path} changed since \`sit trust\`: review the change, run \`sit trust\` and restart sit web`,
      403,
    );
  }
  c.header('cache-control', 'no-cache');
  return serveBytes(c, found.asset.body, found.asset.type, found.asset.etag, OVERLAY_APP_CSP);
}

/** Options for {@linkcode startServer}: those of {@linkcode createApp} plus where to listen. */
export interface ServerOptions extends Omit<AppOptions, 'token' | 'allowedHosts' | 'feed'> {
  /** `HOST:PORT` (IPv6 as `[::1]:8080`); default `127.0.0.1:8080`. Port 0 picks a free port. */
  listen?: string | undefined;
  /**
   * The access token for non-loopback addresses; a random one is made when needed and not given.
   * Loopback addresses need none.
   */
  token?: string | undefined;
  /** Watch the repository and push live updates (default true). */
  watch?: boolean | undefined;
  /** Where the start-up line goes (default: standard output). */
  print?: ((line: string) => void) | undefined;
  /** Answer the reads of `sit` commands from the index, as `sit daemon` does (default: no). */
  daemon?: { integrity: boolean } | undefined;
}

/** A running server. */
export interface RunningServer {
  /** The address to open, with `?token=…` when one is needed. */
  url: string;
  host: string;
  port: number;
  token: string | undefined;
  feed: ChangeFeed;
  /** Stops watching and listening. */
  close(): Promise<void>;
}

/** A bad `--listen` value. */
export class ListenAddressError extends SitError {}

/** Why binding failed, and what to do about it. */
function listenFailure(host: string, port: number, error: NodeJS.ErrnoException): string {
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const next = host.includes(':') ? `[${host}]:${port + 1}` : `${host}:${port + 1}`;
  if (error.code === 'EADDRINUSE') {
    return `cannot listen on ${shown}: another program (another sit web?) already uses that port; stop it, or pick another port with --listen ${next}`;
  }
  if (error.code === 'EACCES')
    return `cannot listen on ${shown}: not allowed (ports below 1024 need privileges); pick another port with --listen ${host.includes(':') ? `[${host}]` : host}:8080`;
  if (error.code === 'EADDRNOTAVAIL')
    return `cannot listen on ${shown}: this machine has no such address; use --listen 127.0.0.1:${port}`;
  return `cannot listen on ${shown}: ${error.code ?? error.message}`;
}

/** Parses `HOST:PORT` (`[v6]:PORT` for IPv6). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) {
    throw new ListenAddressError(
      `invalid listen address ${JSON.stringify(text)}: use HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080`,
    );
  }
  return { host: (m[1] ?? m[2])!, port };
}

/** How many states get their search data at a time, after indexing, before other work runs. */
const SEARCH_BATCH = 500;

/**
 * Once the index is complete, prepares the search data of every state in batches (rather than on
 * the first request), letting requests be answered in between.
 */
async function afterIndexing(index: ItemSource): Promise<void> {
  await index.whenReady?.();
  const states = index.states() as readonly IssueState[];
  for (let i = 0; i < states.length; i += SEARCH_BATCH) {
    indexStates(states.slice(i, i + SEARCH_BATCH));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Starts `sit web`: binds, prints `Serving on http://HOST:PORT` (with `?token=…` when the address
 * is not loopback), watches `items/` and re-reduces and announces items as records arrive.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:8080');
  const loopback = isLoopbackHost(host);
  const token = loopback ? undefined : (options.token ?? randomBytes(18).toString('base64url'));
  const feed = new ChangeFeed();
  const app = createApp({
    ...options,
    token,
    feed,
    ...(loopback ? { allowedHosts: ['localhost', '127.0.0.1', '::1', host] } : {}),
  });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) => reject(new ListenAddressError(listenFailure(host, port, error))));
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${actualPort}${token === undefined ? '' : `/?token=${token}`}`;
  (options.print ?? ((line: string) => process.stdout.write(line + '\n')))(`Serving on ${url}`);
  void afterIndexing(options.index);

  let watcher: ItemsWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  if (options.watch ?? true) {
    let running = Promise.resolve();
    const refresh = (ids: string[]): void => {
      running = running.then(async () => {
        try {
          feed.publish(await options.index.refresh(ids));
        } catch (error) {
          console.error(
            `sit web: cannot refresh ${ids.length} item(s): ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      });
    };
    watcher = watchItems(options.repo.root, refresh, { onWarning: (message) => console.error(`sit web: ${message}`) });
    // Records that arrive after their item links change no item directory: look for them.
    poller = setInterval(() => {
      const waiting = options.index.incomplete?.() ?? [];
      if (waiting.length > 0) refresh(waiting);
    }, INCOMPLETE_POLL_MS);
    poller.unref();
  }
  // Commands read from this server's index while it runs (see src/daemon/), once it is complete:
  // until then they read the repository themselves.
  let closing = false;
  const daemon = (async () => {
    if (options.daemon === undefined) return undefined;
    await options.index.whenReady?.();
    if (closing || options.index.progress?.().failed !== undefined) return undefined;
    return (await import('./daemon/mod.ts')).startWebDaemon(options.repo, options.index, {
      integrity: options.daemon.integrity,
      onChanged: (ids) => feed.publish(ids),
      onWarning: (message) => console.error(`sit web: ${message}`),
    });
  })().catch((error: unknown) => {
    console.error(`sit web: not answering other commands: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  return {
    url,
    host,
    port: actualPort,
    token,
    feed,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        void daemon.then((service) => service?.close());
        watcher?.close();
        if (poller !== undefined) clearInterval(poller);
        if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
