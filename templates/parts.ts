/**
 * Small pieces shared by the page templates: icons, times, people, labels.
 * @module
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { absoluteTime, parseTime, relativeTime } from '../src/tracker/time.ts';

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
  return name === '' ? (authors.trim() || 'someone') : name;
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

/** A label chip that links to the list filtered by it. */
export function labelChip(label: string): Html {
  const q = `is:open label:${quoteValue(label)}`;
  return html`<a class="label c${colourSlot(label)}" href="/?q=${encodeURIComponent(q)}">${label}</a>`;
}

/** Quotes a qualifier value when it contains spaces or quotes. */
export function quoteValue(value: string): string {
  return /^[^\s"]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The short form of an item id shown in lists (`#1a2b3c4d`). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/**
 * Plain text with `backtick` spans shown as code (summaries and titles); everything else escaped.
 * An unpaired backtick stays as it is.
 */
export function inlineCode(text: string): Html {
  const parts = text.split('`');
  if (parts.length < 3) return html`${text}`;
  const out: Html[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const isCode = i % 2 === 1 && i < parts.length - (parts.length % 2 === 0 ? 1 : 0);
    if (isCode) out.push(part === '' ? html`\`\`` : html`<code>${part}</code>`);
    else if (i % 2 === 1) out.push(html`\`${part}`);
    else out.push(html`${part}`);
  }
  return html`${out}`;
}
