/**
 * Small pieces shared by the page templates: icons, times, people, labels.
 * @module
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { absoluteTime, parseTime, relativeTime } from '../src/tracker/time.ts';
import { colorClass, findLabel, type Definitions } from '../src/tracker/definitions.ts';

/** A rendered fragment. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const ICONS: Record<string, string> = {
  open: '<circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="8" cy="8" r="1.75" fill="currentColor"/>',
  closed:
    '<circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M5.2 8.2l1.9 1.9 3.7-3.9" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>',
  comment:
    '<path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
  code: '<path d="M5.5 4.5L2 8l3.5 3.5M10.5 4.5L14 8l-3.5 3.5" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>',
  pencil:
    '<path d="M11 2.5l2.5 2.5-7.5 7.5H3.5V10z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
  plus: '<path d="M8 3v10M3 8h10" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/>',
  book: '<path d="M3 3h4a1.5 1.5 0 011.5 1.5V13A1.5 1.5 0 007 11.5H3zM13 3H9.5A1.5 1.5 0 008 4.5V13a1.5 1.5 0 011.5-1.5H13z" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linejoin="round"/>',
  person:
    '<circle cx="8" cy="5.5" r="2.5" fill="none" stroke="currentColor" stroke-width="1.4"/><path d="M3 13.5c.6-2.6 2.6-4 5-4s4.4 1.4 5 4" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
  milestone:
    '<path d="M3 3.5h7.5l2.5 2.5-2.5 2.5H3zM6 8.5V14" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/>',
  tag: '<path d="M2.5 2.5h5l6 6-5 5-6-6zM5.5 5.5h.01" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" stroke-linecap="round"/>',
  search:
    '<circle cx="7" cy="7" r="4.25" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M10.2 10.2L13.5 13.5" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/>',
  warning:
    '<path d="M8 2.5l6 10.5H2z" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round"/><path d="M8 6.5v3M8 11.3v.2" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/>',
  dots: '<circle cx="3.5" cy="8" r="1.3" fill="currentColor"/><circle cx="8" cy="8" r="1.3" fill="currentColor"/><circle cx="12.5" cy="8" r="1.3" fill="currentColor"/>',
  trash:
    '<path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 8.5h5.6l.7-8.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linejoin="round" stroke-linecap="round"/>',
  link: '<path d="M7 9a2.5 2.5 0 003.5 0l2-2a2.5 2.5 0 00-3.5-3.5l-.7.7M9 7a2.5 2.5 0 00-3.5 0l-2 2A2.5 2.5 0 007 12.5l.7-.7" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
  keyboard:
    '<rect x="1.5" y="4" width="13" height="8" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.3"/><path d="M4 6.5h.01M6.5 6.5h.01M9 6.5h.01M11.5 6.5h.01M5 9.5h6" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
  commit:
    '<circle cx="8" cy="8" r="2.5" fill="none" stroke="currentColor" stroke-width="1.4"/><path d="M1.5 8h4M10.5 8h4" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/>',
};

/** An inline SVG icon (decorative: hidden from screen readers). */
export function icon(name: keyof typeof ICONS | string, cls = ''): Html {
  const body = ICONS[name] ?? '';
  return html`<svg class="icon ${cls}" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">${raw(body)}</svg>`;
}

export { absoluteTime, parseTime, relativeTime } from '../src/tracker/time.ts';

/** A `<time>` element showing a relative time, with the exact time as its title. */
export function timeTag(text: string): Html {
  const d = parseTime(text);
  if (d === undefined) return html`<span class="time-unknown">at an unknown time</span>`;
  return html`<time datetime="${d.toISOString()}" title="${absoluteTime(d)}">${relativeTime(d)}</time>`;
}

/** The display name of an `.authors` value (`Name <email>` → `Name`). */
export function personName(authors: string): string {
  const name = authors.replace(/\s*<[^>]*>\s*$/, '').trim();
  return name === '' ? authors.trim() || 'someone' : name;
}

/** A stable colour slot (0–7) for a name, so a label or person always gets the same colour. */
export function colourSlot(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 8;
}

/** A person's initials in a coloured circle. */
export function avatar(authors: string, size: 'small' | 'large' = 'large'): Html {
  const name = personName(authors);
  const letters = name
    .split(/[\s._-]+/)
    .filter((p) => p !== '')
    .slice(0, 2)
    .map((p) => [...p][0]!.toUpperCase())
    .join('');
  return html`<span class="avatar avatar-${size} c${colourSlot(name)}" aria-hidden="true">${letters || '?'}</span>`;
}

/**
 * A label chip that links to the open issues with it, coloured by its definition (a class from
 * `/labels.css`, since the Content-Security-Policy allows no inline style) and titled with its
 * description; a label without a defined colour is plain.
 */
export function labelChip(label: string, definitions?: Definitions): Html {
  const q = `is:open label:${quoteValue(label)}`;
  const def = definitions === undefined ? undefined : findLabel(definitions, label);
  const cls = def?.color ? colorClass(def.color) : 'label-plain';
  const title = def === undefined ? '' : def.description;
  return html`<a class="label ${cls}" href="/?q=${encodeURIComponent(q)}"${title === '' ? '' : html` title="${title}"`}>${label}</a>`;
}

/** Quotes a qualifier value when it contains spaces or quotes. */
export function quoteValue(value: string): string {
  return /^[^\s"]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The short form of an item id shown in lists (`#1a2b3c4d`). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/** Splits `text` around case-insensitive matches of `words` (longest first); odd parts match. */
function splitMatches(text: string, words: readonly string[]): string[] {
  const needles = [...new Set(words.map((w) => w.trim()).filter((w) => w !== ''))].sort((a, b) => b.length - a.length);
  if (needles.length === 0) return [text];
  const pattern = new RegExp(
    needles.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')).join('|'),
    'giu',
  );
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0] === '') continue;
    out.push(text.slice(last, m.index), m[0]);
    last = m.index! + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

/** Escaped text with the matches of `words` marked (`<mark>`), for search results. */
export function highlighted(text: string, words: readonly string[] = []): Html {
  const parts = splitMatches(text, words);
  if (parts.length === 1) return html`${text}`;
  return html`${parts.map((part, i) => (i % 2 === 1 ? html`<mark>${part}</mark>` : html`${part}`))}`;
}

/**
 * Plain text with `backtick` spans shown as code (summaries and titles); everything else escaped.
 * An unpaired backtick stays as it is. Matches of `words` are marked.
 */
export function inlineCode(text: string, words: readonly string[] = []): Html {
  const parts = text.split('`');
  if (parts.length < 3) return highlighted(text, words);
  const out: Html[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const isCode = i % 2 === 1 && i < parts.length - (parts.length % 2 === 0 ? 1 : 0);
    if (isCode) out.push(part === '' ? html`\`\`` : html`<code>${highlighted(part, words)}</code>`);
    else if (i % 2 === 1) out.push(html`\`${highlighted(part, words)}`);
    else out.push(highlighted(part, words));
  }
  return html`${out}`;
}
