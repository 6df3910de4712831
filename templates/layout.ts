/**
 * The page frame: head (styles, htmx and its SSE extension, all served locally), the yellow top
 * bar with navigation, and the main landmark.
 * @module
 */
import { html, raw } from 'hono/html';
import { icon, type Html } from './parts.ts';

/** What every page passes to {@linkcode layout}. */
export interface LayoutOptions {
  /** The page title (before " · SIT"). */
  title: string;
  /** Hides the write controls. */
  readonly: boolean;
  /** The navigation entry to mark as current. */
  current?: 'issues' | 'new' | 'docs';
  /** The contents of `<main>`. */
  body: Html;
  /** A notice shown above the page (plain text; `code` spans in backquotes). */
  notice?: string;
}

/**
 * htmx configuration: no inline styles (CSP), only the SSE extension, same-origin requests only,
 * and live updates (morphs) leave a menu open or closed as the reader left it (`open`).
 */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorCSS: false,
  extensions: 'sse',
  mode: 'same-origin',
  defaultSettleDelay: 0,
  morphIgnore: ['data-htmx-powered', 'open'],
});

/** Plain text with `code` spans written in backquotes; everything escaped. */
function noticeText(text: string): Html {
  return html`${text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : html`${part}`))}`;
}

/** Renders a whole HTML page. */
export function layout(options: LayoutOptions): Html {
  const cur = (name: LayoutOptions['current']) => raw(options.current === name ? ' aria-current="page"' : '');
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${options.title} · SIT</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
<script src="/static/htmx.js" defer></script>
<script src="/static/hx-sse.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/"><img src="/static/logo.svg" alt="" width="30" height="30"><span class="brand-name">SIT</span><span class="brand-sub">Issue Tracker</span></a>
    <nav class="mainnav" aria-label="Main">
      <a href="/"${cur('issues')}>Issues</a>
      <a href="/doc" aria-label="Documentation"${cur('docs')}>${icon('book')}<span>Docs</span></a>
      ${options.readonly
        ? html`<span class="readonly-badge" title="This server refuses every change">Read only</span>`
        : html`<a class="button button-primary" href="/new" aria-label="New issue"${cur('new')}>${icon('plus')}<span>New issue</span></a>`}
    </nav>
  </div>
</header>
${options.notice === undefined ? '' : html`<p class="notice-banner" role="status">${noticeText(options.notice)}</p>`}
<main id="main" tabindex="-1">
${options.body}
</main>
<footer class="footer"><p>SIT — serverless information tracker. Everything here is plain files in <code>.sit/</code>.</p></footer>
</body>
</html>
`;
}
