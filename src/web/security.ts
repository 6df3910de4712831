/**
 * The web server's defences: the access token (required when listening beyond loopback), a Host
 * check against DNS rebinding, same-origin checks on every write, security headers with a strict
 * Content-Security-Policy, and path confinement for `/repo/` and static overlays.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';

/** The name of the cookie that carries the access token after the first visit. */
export const TOKEN_COOKIE = 'sit_token';

/** Whether `host` (a name or address, IPv6 with or without brackets) is a loopback address. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Requires `token` on every request: as `Authorization: Bearer TOKEN`, as the HttpOnly cookie
 * set on the first visit, or as `?token=TOKEN`, which sets that cookie and redirects to the same
 * address without the token so that it leaves the address bar and the history.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const auth = c.req.header('authorization');
    if (auth !== undefined && /^Bearer\s+/i.test(auth) && sameToken(auth.replace(/^Bearer\s+/i, ''), token)) {
      return next();
    }
    const cookie = getCookie(c, TOKEN_COOKIE);
    if (cookie !== undefined && sameToken(cookie, token)) return next();
    const url = new URL(c.req.url);
    const given = url.searchParams.get('token');
    if (given !== null && sameToken(given, token)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        url.searchParams.delete('token');
        return c.redirect(url.pathname + url.search, 303);
      }
      return next();
    }
    return c.text('This server needs its access token: open the address printed at start-up (with ?token=…).', 401);
  };
}

/**
 * Accepts only requests whose `Host` header names one of `hosts` (any port). A page on another
 * site whose name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
 */
export function requireHost(hosts: readonly string[]): MiddlewareHandler {
  const allowed = new Set(hosts.map((h) => h.replace(/^\[|\]$/g, '').toLowerCase()));
  return async (c, next) => {
    const header = c.req.header('host') ?? new URL(c.req.url).host;
    const name = hostName(header);
    if (!allowed.has(name)) return c.text(`Unknown host ${JSON.stringify(header)}`, 421);
    return next();
  };
}

function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/** The origin (`scheme://host[:port]`) the browser used to reach this server. */
export function requestOrigin(c: Context): string {
  const url = new URL(c.req.url);
  const host = c.req.header('host');
  return host === undefined ? url.origin : `${url.protocol}//${host}`;
}

/**
 * Refuses (403) every request that is not GET, HEAD or OPTIONS unless the browser says it came from
 * this very origin: `Sec-Fetch-Site: same-origin`, or an `Origin` header equal to ours (an opaque
 * `Origin: null` counts as no origin, so only `Sec-Fetch-Site: same-origin` lets it in). Applies to
 * every content type (forms, multipart, JSON, none), so it also covers the JSON API; scripts send
 * `Origin: http://HOST:PORT` explicitly.
 */
export function requireSameOrigin(): MiddlewareHandler {
  return async (c, next) => {
    if (/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    // Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` with a plain form post
    // (JavaScript off); `Sec-Fetch-Site`, which pages cannot forge, then says where it came from.
    const sent = c.req.header('origin');
    const origin = sent === 'null' ? undefined : sent;
    const fromHere = origin !== undefined ? origin === requestOrigin(c) : site === 'same-origin';
    if (!fromHere || (site !== undefined && site !== 'same-origin')) {
      return c.text('Cross-origin request refused: writes must come from this server’s own pages.', 403);
    }
    return next();
  };
}

/** Security headers and the Content-Security-Policy for every response. */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      manifestSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    crossOriginResourcePolicy: 'same-origin',
    crossOriginOpenerPolicy: 'same-origin',
    strictTransportSecurity: false,
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    // Raw files set their own, stricter policy (RAW_FILE_CSP); keep it.
    overwrite: false,
  });
}

/**
 * The Content-Security-Policy for raw files from the repository or an overlay: they may be
 * anything a contributor committed, so they run no script and load nothing, even when opened
 * directly.
 */
export const RAW_FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

/**
 * The Content-Security-Policy for a trusted overlay web app (its pages, scripts and styles): what
 * apps of the original's era need and no more. Scripts from the server and `data:` URLs (the
 * HTML-imports polyfill runs the scripts of imported documents as `data:` scripts), inline styles
 * (Polymer and its polyfills write `<style>` elements and style attributes), images and fonts from
 * the server or `data:`, requests to the server only. No inline scripts or event handlers, no
 * `eval` (the original issue tracker evaluates syntax-highlighting code fetched by a name taken
 * from comment text; without `eval` code blocks are shown unhighlighted), no plugins, no framing
 * by other sites.
 */
export const OVERLAY_APP_CSP =
  "default-src 'self'; script-src 'self' data:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; media-src 'self'; manifest-src 'self'; worker-src 'self'; " +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * Splits a URL path tail (still percent-encoded) into decoded segments and refuses anything that
 * could leave the directory it is joined to: `.` and `..` segments (also when encoded), segments
 * holding a slash, backslash or NUL once decoded (`%2f`, `%5c`, `%00`), empty segments and bad
 * percent-encoding. Returns undefined when refused.
 */
export function safeSegments(encodedTail: string): string[] | undefined {
  if (encodedTail === '') return [];
  const segments: string[] = [];
  for (const raw of encodedTail.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === '' || seg === '.' || seg === '..' || /[/\\\0]/.test(seg) || isAbsolute(seg)) return undefined;
    if (/^[a-zA-Z]:/.test(seg)) return undefined;
    segments.push(seg);
  }
  return segments;
}

/**
 * Joins safe `segments` to `root` and returns the path of an existing regular file whose real path
 * (symbolic links followed) is still inside the real `root`; undefined otherwise.
 */
export function confinedFile(root: string, segments: readonly string[]): string | undefined {
  const base = resolve(root);
  const path = join(base, ...segments);
  if (path !== base && !path.startsWith(base + sep)) return undefined;
  try {
    const realRoot = realpathSync.native(base);
    const real = realpathSync.native(path);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    return statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
