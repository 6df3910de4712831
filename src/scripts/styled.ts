/**
 * Styled output for module scripts. A script cannot print escape sequences (its output is other
 * people's record text, and on a terminal every control character is shown escaped), so it hands
 * the host *segments*: plain text, text with a style, or a time; the host escapes each text and
 * adds the colour codes itself, only when colour is on. Tables are laid out here too, with the
 * display width of every cell, so that columns line up whatever the script's text contains.
 * @module
 */
import { SitError } from '../errors.ts';
import { escapeControls } from '../terminal.ts';
import { absoluteTime, parseTime, relativeTime, shortAge } from '../tracker/time.ts';

/** A segment a script may print: text, `{text, style}`, or `{time, format}`. */
export type Segment = string | { text?: unknown; style?: unknown; time?: unknown; format?: unknown };

/** A segment or a table cell that is not well formed. */
export class StyleError extends SitError {}

/** How output is rendered. */
export interface RenderOptions {
  /** Add colour codes. */
  color: boolean;
  /** Escape control characters in texts (output going to a terminal, or coloured). */
  escape: boolean;
  /** Now, for times (milliseconds since the epoch). */
  now: number;
}

const STYLES: Readonly<Record<string, string>> = {
  bold: '1',
  dim: '2',
  italic: '3',
  underline: '4',
  inverse: '7',
  strike: '9',
  black: '30',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  white: '37',
  gray: '90',
  grey: '90',
};

/** The style names a segment may use (besides `fg:#rrggbb` and `bg:#rrggbb`). */
export const STYLE_NAMES: readonly string[] = Object.keys(STYLES);

function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `${(n >> 16) & 255};${(n >> 8) & 255};${n & 255}`;
}

/** The SGR parameters of a style string (`"bold green"`, `"fg:#ffffff bg:#d73a4a"`). */
export function styleCodes(style: string): string[] {
  const codes: string[] = [];
  for (const word of style.split(/\s+/).filter((w) => w !== '')) {
    const named = STYLES[word];
    if (named !== undefined) {
      codes.push(named);
      continue;
    }
    const m = /^(fg|bg):(#[0-9a-fA-F]{6})$/.exec(word);
    if (m !== null) {
      codes.push(`${m[1] === 'fg' ? '38' : '48'};2;${rgb(m[2]!)}`);
      continue;
    }
    throw new StyleError(
      `unknown style ${JSON.stringify(word)}; use ${STYLE_NAMES.join(', ')}, fg:#rrggbb or bg:#rrggbb`,
    );
  }
  return codes;
}

function timeText(value: unknown, format: unknown, now: number): string {
  if (format !== undefined && format !== null && format !== 'relative' && format !== 'short' && format !== 'absolute') {
    throw new StyleError(`unknown time format ${JSON.stringify(format)}; use relative, short or absolute`);
  }
  const d = typeof value === 'string' ? parseTime(value) : undefined;
  if (d === undefined) return '-';
  if (format === 'short') return shortAge(d, now);
  if (format === 'absolute') return absoluteTime(d);
  return relativeTime(d, now);
}

/** One segment as plain text and its style codes. */
function segmentParts(segment: unknown, now: number): { text: string; codes: string[] } {
  if (typeof segment === 'string') return { text: segment, codes: [] };
  if (typeof segment === 'number' || typeof segment === 'boolean') return { text: String(segment), codes: [] };
  if (typeof segment !== 'object' || segment === null || Array.isArray(segment)) {
    throw new StyleError(`a segment is a string, {text, style} or {time, format}, got ${JSON.stringify(segment)}`);
  }
  const s = segment as Record<string, unknown>;
  const style = s['style'];
  if (style !== undefined && style !== null && typeof style !== 'string')
    throw new StyleError('a segment style must be a string');
  const codes = typeof style === 'string' ? styleCodes(style) : [];
  if ('time' in s) return { text: timeText(s['time'], s['format'], now), codes };
  const text = s['text'];
  return { text: text === undefined || text === null ? '' : String(text), codes };
}

/** The segments of a value: one string or segment, or an array of them (nested arrays flattened). */
function segmentsOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]).flat(8) : [value];
}

/** Renders a string or segments to text for the output stream. */
export function renderSegments(value: unknown, options: RenderOptions): string {
  let out = '';
  for (const segment of segmentsOf(value)) {
    const { text, codes } = segmentParts(segment, options.now);
    const safe = options.escape ? escapeControls(text) : text;
    out += options.color && codes.length > 0 && safe !== '' ? `\x1b[${codes.join(';')}m${safe}\x1b[0m` : safe;
  }
  return out;
}

/** Whether code point `c` takes two columns on a terminal (East Asian wide, emoji). */
function wide(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe30 && c <= 0xfe4f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** Whether code point `c` takes no column (combining marks, zero-width characters). */
function zeroWidth(c: number): boolean {
  return (c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || (c >= 0xfe00 && c <= 0xfe0f) || c === 0xfeff;
}

/** The number of terminal columns `text` takes (as shown: control characters escaped count 4). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) width += c === 0x09 ? 1 : 4;
    else if (zeroWidth(c)) continue;
    else width += wide(c) ? 2 : 1;
  }
  return width;
}

/** `text` cut to at most `width` columns, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

/** How {@linkcode renderTable} lays out a table. */
export interface TableOptions {
  /** `left` or `right` per column (default left). */
  align?: Array<'left' | 'right'>;
  /** The column that is cut to make the table fit `width` (default: none). */
  shrink?: number;
  /** The terminal's width; unlimited when undefined. */
  width?: number | undefined;
  /** Spaces between columns (default 2). */
  gap?: number;
  /** A line printed before the table (a string or segments). */
  title?: unknown;
}

interface Cell {
  parts: Array<{ text: string; codes: string[] }>;
  width: number;
}

function cellOf(value: unknown, now: number): Cell {
  const parts = segmentsOf(value).map((s) => segmentParts(s, now));
  // A cell is one line: line breaks in record text become spaces.
  for (const p of parts) p.text = p.text.replace(/[\r\n\t]+/g, ' ');
  return { parts, width: parts.reduce((n, p) => n + displayWidth(p.text), 0) };
}

function cutCell(cell: Cell, width: number): Cell {
  if (cell.width <= width) return cell;
  const parts: Cell['parts'] = [];
  let left = width;
  for (const p of cell.parts) {
    const w = displayWidth(p.text);
    if (w < left || (w === left && p === cell.parts[cell.parts.length - 1])) {
      parts.push(p);
      left -= w;
      continue;
    }
    parts.push({ text: truncate(p.text, left), codes: p.codes });
    break;
  }
  return { parts, width: Math.min(cell.width, width) };
}

/**
 * Lays out `rows` (each an array of cells; a cell is a string, a segment or an array of segments)
 * in aligned columns, one line per row, and renders them.
 */
export function renderTable(rows: unknown, table: TableOptions, options: RenderOptions): string {
  if (!Array.isArray(rows)) throw new StyleError('sit.table: rows must be an array of arrays of cells');
  const cells = rows.map((row) => {
    if (!Array.isArray(row)) throw new StyleError('sit.table: every row must be an array of cells');
    return row.map((value) => cellOf(value, options.now));
  });
  const columns = Math.max(0, ...cells.map((r) => r.length));
  const gap = table.gap ?? 2;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...cells.map((r) => r[i]?.width ?? 0)));
  const shrink = table.shrink;
  if (table.width !== undefined && shrink !== undefined && shrink >= 0 && shrink < columns) {
    const total = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, columns - 1);
    const over = total - table.width;
    if (over > 0) widths[shrink] = Math.max(10, widths[shrink]! - over);
  }
  const lines: string[] = [];
  if (table.title !== undefined && table.title !== null)
    lines.push(renderSegments(table.title, options).replace(/[\r\n]+/g, ' '));
  for (const row of cells) {
    let line = '';
    // Trailing empty cells leave no padding behind.
    let last = row.length - 1;
    while (last >= 0 && row[last]!.width === 0) last--;
    for (let i = 0; i <= last; i++) {
      const cell = cutCell(row[i]!, widths[i]!);
      const text = cell.parts
        .map((p) => {
          const safe = options.escape ? escapeControls(p.text) : p.text;
          return options.color && p.codes.length > 0 && safe !== '' ? `\x1b[${p.codes.join(';')}m${safe}\x1b[0m` : safe;
        })
        .join('');
      const padding = ' '.repeat(Math.max(0, widths[i]! - cell.width));
      const right = table.align?.[i] === 'right';
      if (i > 0) line += ' '.repeat(gap);
      line += right ? padding + text : i === last ? text : text + padding;
    }
    lines.push(line);
  }
  return cells.length === 0 ? '' : lines.join('\n') + '\n';
}
