/**
 * The part of YAML that clap application specifications use (`sit args`, original-sit.md §4.21):
 * block mappings and sequences (also the compact `- key: value` form and sequences indented
 * like their key), flow sequences and mappings (`[a, b]`, `{a: b}`), plain, single- and
 * double-quoted scalars, literal and folded block scalars (`|`, `>`), comments and a leading
 * `---`. Scalars resolve as yaml-rust's core schema did: `~`/`null`/empty, `true`/`false`,
 * integers, floats, else strings. Only the first document is read. Anchors, aliases, tags and
 * multi-line flow collections are refused with a clear error.
 * @module
 */
import { SitError } from '../errors.ts';

/** A parsed YAML value; mappings are `Map`s (keys in document order, no prototype keys). */
export type YamlValue = string | number | boolean | null | YamlValue[] | Map<string, YamlValue>;

/** A document that is not YAML, or uses YAML this parser does not support. */
export class YamlError extends SitError {}

interface Line {
  /** 1-based line number in the document. */
  number: number;
  /** Columns of leading spaces. */
  indent: number;
  /** The content after the indentation, comments and trailing spaces removed. */
  text: string;
  /** The raw line (for block scalars). */
  raw: string;
}

function fail(line: Line | undefined, message: string): never {
  throw new YamlError(line === undefined ? `YAML: ${message}` : `YAML line ${line.number}: ${message}`);
}

/** Removes a comment (`#` at the start or after a space, outside quotes). */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (quote === "'" && ch === "'" && text[i + 1] === "'") i++;
      else if (quote === '"' && ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      return text.slice(0, i);
    } else if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:-]/.test(text[i - 1]!))) {
      quote = ch;
    }
  }
  return text;
}

function splitLines(source: string): Line[] {
  const lines: Line[] = [];
  const raw = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  let started = false;
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!;
    if (/^\t/.test(line))
      fail({ number: i + 1, indent: 0, text: '', raw: line }, 'tabs cannot indent YAML; use spaces');
    const text = stripComment(line).replace(/\s+$/, '');
    const trimmed = text.trimStart();
    if (/^(---|\.\.\.)(\s|$)/.test(text)) {
      if (started) break; // a second document
      started = true;
      const rest = text.slice(3).trim();
      if (rest !== '') lines.push({ number: i + 1, indent: 0, text: rest, raw: rest });
      continue;
    }
    if (trimmed === '') {
      lines.push({ number: i + 1, indent: -1, text: '', raw: line });
      continue;
    }
    started = true;
    lines.push({ number: i + 1, indent: text.length - trimmed.length, text: trimmed, raw: line });
  }
  return lines;
}

/** Resolves a plain scalar as yaml-rust did. */
function plainScalar(text: string): YamlValue {
  if (text === '' || text === '~' || text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/** Reads a quoted scalar starting at `text[start]`; returns its value and the index after it. */
function quoted(text: string, start: number, line: Line): { value: string; end: number } {
  const q = text[start]!;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (q === "'") {
      if (ch === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i++;
          continue;
        }
        return { value: out, end: i + 1 };
      }
      out += ch;
      continue;
    }
    if (ch === '"') return { value: out, end: i + 1 };
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = text[++i];
    if (e === undefined) break;
    const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = text.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail(line, `bad escape \\${e}${hex}`);
      out += String.fromCodePoint(Number.parseInt(hex, 16));
      i += width;
    } else if (ESCAPES[e] !== undefined) {
      out += ESCAPES[e];
    } else {
      fail(line, `unknown escape \\${e} in a double-quoted string`);
    }
  }
  return fail(line, 'a quoted string is not closed on its line (multi-line quoted strings are not supported)');
}

/** Parses a flow collection or scalar starting at `text[i]`; returns it and the index after it. */
function flowValue(text: string, i: number, line: Line, inFlow: boolean): { value: YamlValue; end: number } {
  while (text[i] === ' ') i++;
  const ch = text[i];
  if (ch === '[' || ch === '{') {
    const close = ch === '[' ? ']' : '}';
    const seq: YamlValue[] = [];
    const map = new Map<string, YamlValue>();
    i++;
    for (;;) {
      while (text[i] === ' ') i++;
      if (text[i] === close) return { value: ch === '[' ? seq : map, end: i + 1 };
      if (i >= text.length)
        fail(line, `"${ch}" is not closed on its line (multi-line flow collections are not supported)`);
      const item = flowValue(text, i, line, true);
      i = item.end;
      while (text[i] === ' ') i++;
      if (ch === '{' || text[i] === ':') {
        let value: YamlValue = null;
        if (text[i] === ':') {
          const v = flowValue(text, i + 1, line, true);
          value = v.value;
          i = v.end;
          while (text[i] === ' ') i++;
        }
        const key = item.value === null ? '' : String(item.value);
        if (ch === '{') map.set(key, value);
        else seq.push(new Map([[key, value]]));
      } else {
        seq.push(item.value);
      }
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(line, `expected "," or "${close}" in a flow collection`);
    }
  }
  if (ch === '"' || ch === "'") return quoted(text, i, line);
  if (ch === '&' || ch === '*' || ch === '!') fail(line, 'anchors, aliases and tags are not supported');
  let end = i;
  while (end < text.length) {
    const c = text[end]!;
    if (inFlow && (c === ',' || c === ']' || c === '}')) break;
    if (inFlow && c === ':' && (end + 1 >= text.length || /[\s,\]}]/.test(text[end + 1]!))) break;
    end++;
  }
  return { value: plainScalar(text.slice(i, end).trim()), end };
}

/** Finds the `:` that ends a mapping key on this line, or -1. */
function keyColon(text: string): number {
  let i = 0;
  if (text[0] === '"' || text[0] === "'") {
    const q = text[0];
    i = 1;
    while (i < text.length) {
      if (q === "'" && text[i] === "'" && text[i + 1] === "'") i += 2;
      else if (q === '"' && text[i] === '\\') i += 2;
      else if (text[i] === q) break;
      else i++;
    }
    i++;
    while (text[i] === ' ') i++;
    return text[i] === ':' && (i + 1 >= text.length || text[i + 1] === ' ') ? i : -1;
  }
  if (text[0] === '[' || text[0] === '{') return -1;
  for (; i < text.length; i++) {
    if (text[i] === ':' && (i + 1 >= text.length || text[i + 1] === ' ')) return i;
  }
  return -1;
}

class Parser {
  readonly #lines: Line[];
  #i = 0;

  constructor(lines: Line[]) {
    this.#lines = lines;
  }

  /** The next non-blank line at or after the cursor, without consuming it. */
  peek(): Line | undefined {
    while (this.#i < this.#lines.length && this.#lines[this.#i]!.indent < 0) this.#i++;
    return this.#lines[this.#i];
  }

  get position(): number {
    return this.#i;
  }

  /** Parses the node that starts at the next line, whose indentation must be `indent` or more. */
  node(minIndent: number): YamlValue {
    const line = this.peek();
    if (line === undefined || line.indent < minIndent) return null;
    if (line.text === '-' || line.text.startsWith('- ')) return this.sequence(line.indent);
    if (keyColon(line.text) >= 0) return this.mapping(line.indent);
    this.#i++;
    return this.scalarWithContinuation(line.text, 0, line, line.indent - 1);
  }

  sequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (;;) {
      const line = this.peek();
      if (line === undefined || line.indent < indent) break;
      if (line.indent > indent) fail(line, 'unexpected indentation in a sequence');
      if (!(line.text === '-' || line.text.startsWith('- '))) break;
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.#i++;
        items.push(this.node(indent + 1));
        continue;
      }
      // `- key: value` or `- - x`: the rest is a node indented where it starts.
      const column = line.indent + (line.text.length - rest.length);
      this.#lines[this.#i] = { number: line.number, indent: column, text: rest, raw: line.raw };
      items.push(this.node(column));
    }
    return items;
  }

  mapping(indent: number): Map<string, YamlValue> {
    const map = new Map<string, YamlValue>();
    for (;;) {
      const line = this.peek();
      if (line === undefined || line.indent < indent) break;
      if (line.indent > indent) fail(line, 'unexpected indentation in a mapping');
      const colon = keyColon(line.text);
      if (colon < 0) {
        if (line.text === '-' || line.text.startsWith('- ')) break;
        fail(line, `expected "key: value", found ${JSON.stringify(line.text)}`);
      }
      const keyText = line.text.slice(0, colon).trim();
      const key = keyText.startsWith('"') || keyText.startsWith("'") ? quoted(keyText, 0, line).value : keyText;
      if (map.has(key)) fail(line, `the key ${JSON.stringify(key)} appears twice`);
      const rest = line.text.slice(colon + 1).trim();
      this.#i++;
      if (rest === '') {
        const next = this.peek();
        // A sequence may sit at the same indentation as its key.
        if (next !== undefined && next.indent === indent && (next.text === '-' || next.text.startsWith('- '))) {
          map.set(key, this.sequence(indent));
        } else {
          map.set(key, this.node(indent + 1));
        }
      } else {
        map.set(key, this.scalarWithContinuation(rest, 0, line, indent));
      }
    }
    return map;
  }

  /** A value on its line (flow, quoted, plain or block scalar), plain ones folded with more-indented lines. */
  scalarWithContinuation(text: string, start: number, line: Line, parentIndent: number): YamlValue {
    const header = /^([|>])([-+]?)(\d?)([-+]?)$/.exec(text.slice(start));
    if (header !== null) return this.blockScalar(header[1]!, header[2]! || header[4]!, parentIndent);
    const first = text[start];
    const { value, end } = flowValue(text, start, line, false);
    if (text.slice(end).trim() !== '') fail(line, `unexpected ${JSON.stringify(text.slice(end).trim())} after a value`);
    if (typeof value !== 'string' && value !== null && !(typeof value === 'number' || typeof value === 'boolean'))
      return value;
    if (first === '"' || first === "'") return value;
    // Plain scalars continue on more-indented lines, folded with spaces.
    let folded = text.slice(start).trim();
    let more = false;
    for (;;) {
      const next = this.peek();
      if (
        next === undefined ||
        next.indent <= parentIndent ||
        (next.text.startsWith('- ') && next.indent <= parentIndent + 1)
      )
        break;
      if (keyColon(next.text) >= 0) break;
      folded += ' ' + next.text;
      more = true;
      this.#i++;
    }
    return more ? folded : value;
  }

  blockScalar(style: string, chomp: string, parentIndent: number): string {
    const body: string[] = [];
    let indent = -1;
    while (this.#i < this.#lines.length) {
      const line = this.#lines[this.#i]!;
      const leading = line.raw.length - line.raw.trimStart().length;
      if (line.raw.trim() !== '') {
        if (indent < 0) indent = leading;
        if (leading < indent || leading <= parentIndent) break;
      }
      body.push(line.raw.trim() === '' ? '' : line.raw.slice(indent).replace(/\s+$/, ''));
      this.#i++;
    }
    while (body.length > 0 && body[body.length - 1] === '' && chomp !== '+') body.pop();
    let text = '';
    if (style === '|') {
      text = body.join('\n');
    } else {
      // Folded: a line break between two text lines becomes a space; each empty line a newline.
      body.forEach((l, k) => {
        if (k === 0) text = l;
        else if (l === '') text += '\n';
        else text += body[k - 1] === '' ? l : ` ${l}`;
      });
    }
    return chomp === '-' || body.length === 0 ? text : `${text}\n`;
  }
}

/** Parses the first document of `source`. */
export function parseYaml(source: string): YamlValue {
  const lines = splitLines(source);
  const parser = new Parser(lines);
  const first = parser.peek();
  if (first === undefined) return null;
  const value = parser.node(first.indent);
  const rest = parser.peek();
  if (rest !== undefined) fail(rest, `unexpected ${JSON.stringify(rest.text)} (check the indentation)`);
  return value;
}
