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
  current?: 'issues' | 'new' | 'docs' | 'labels' | 'milestones';
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

/** The keyboard shortcuts, as `static/sit.js` implements them and the `?` dialog lists them. */
export const SHORTCUTS: ReadonlyArray<{ keys: string[]; what: string; write?: boolean }> = [
  { keys: ['/'], what: 'Focus the search box' },
  { keys: ['j'], what: 'Select the next issue in the list' },
  { keys: ['k'], what: 'Select the previous issue in the list' },
  { keys: ['o', 'Enter'], what: 'Open the selected issue' },
  { keys: ['c'], what: 'Create an issue', write: true },
  { keys: ['r'], what: 'Reply: focus the comment box of an issue', write: true },
  { keys: ['e'], what: 'Edit the issue', write: true },
  { keys: ['g', 'i'], what: 'Go to the issues' },
  { keys: ['g', 'l'], what: 'Go to the labels' },
  { keys: ['g', 'm'], what: 'Go to the milestones' },
  { keys: ['Ctrl', 'Enter'], what: 'Submit the form you are typing in' },
  { keys: ['?'], what: 'Show this list' },
  { keys: ['Esc'], what: 'Close this list, or leave a text field' },
];

function shortcutsDialog(readonly: boolean): Html {
  return html`<dialog id="shortcuts" class="shortcuts" aria-labelledby="shortcuts-title">
  <h2 id="shortcuts-title">${icon('keyboard')} Keyboard shortcuts</h2>
  <table>
    <tbody>${SHORTCUTS.filter((s) => !(readonly && s.write)).map(
      (s) =>
        html`<tr><td>${s.keys.map((k, i) => html`${i > 0 ? (s.keys[0] === 'g' ? ' then ' : s.keys[0] === 'Ctrl' ? '+' : ' or ') : ''}<kbd>${k}</kbd>`)}</td><td>${s.what}</td></tr>`,
    )}</tbody>
  </table>
  <form method="dialog" class="shortcuts-close"><button class="button" type="submit">Close</button></form>
</dialog>`;
}

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
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="/static/style.css">
<link rel="stylesheet" href="/labels.css">
<script src="/static/htmx.js" defer></script>
<script src="/static/hx-sse.js" defer></script>
<script src="/static/sit.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
  <div class="topbar-inner">
    <a class="brand" href="/"><img src="/static/logo.svg" alt="" width="30" height="30"><span class="brand-name">SIT</span><span class="brand-sub">Issue Tracker</span></a>
    <nav class="mainnav" aria-label="Main">
      <a href="/"${cur('issues')}>Issues</a>
      <a href="/labels" aria-label="Labels"${cur('labels')}>${icon('tag')}<span>Labels</span></a>
      <a href="/milestones" aria-label="Milestones"${cur('milestones')}>${icon('milestone')}<span>Milestones</span></a>
      <a href="/doc" aria-label="Documentation"${cur('docs')}>${icon('book')}<span>Docs</span></a>
      ${
        options.readonly
          ? html`<span class="readonly-badge" title="This server refuses every change">Read only</span>`
          : html`<a class="button button-primary" href="/new" aria-label="New issue"${cur('new')}>${icon('plus')}<span>New issue</span></a>`
      }
    </nav>
  </div>
</header>
${options.notice === undefined ? '' : html`<p class="notice-banner" role="status">${noticeText(options.notice)}</p>`}
<main id="main" tabindex="-1">
${options.body}
</main>
<footer class="footer"><p>SIT — serverless information tracker. Everything here is plain files in <code>.sit/</code>.
  <a href="/doc/web#keyboard-shortcuts" data-shortcuts>${icon('keyboard')} Keyboard shortcuts</a></p></footer>
${shortcutsDialog(options.readonly)}
</body>
</html>
`;
}
