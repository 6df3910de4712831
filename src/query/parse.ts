/**
 * The issue query language shared by `sit issue list` and the web UI, in the style of GitHub and
 * git-bug: `is:open label:bug -label:wontfix author:alice sort:updated-desc "exact phrase" words`.
 * @module
 */
import { QuerySyntaxError, UnknownQualifierError } from './errors.ts';

/** Which issues `is:` selects: `all` is both open and closed. */
export type QueryState = 'open' | 'closed' | 'all';

/** What `sort:` orders by: creation time, last update, or number of comments. */
export type SortKey = 'created' | 'updated' | 'comments';

/** The direction of a sort. */
export type SortDirection = 'asc' | 'desc';

/** A `sort:KEY-DIRECTION` qualifier. */
export interface QuerySort {
  /** What to order by. */
  key: SortKey;
  /** `asc` or `desc`. */
  direction: SortDirection;
}

/** Qualifiers that take a free value. */
export type FieldName = 'label' | 'author' | 'assignee' | 'milestone';

/** What `no:` accepts. */
export type MissingName = 'label' | 'assignee' | 'milestone';

/** One condition of a query; `negated` inverts it (`-label:bug`, `-word`). */
export type QueryTerm =
  | { kind: 'text'; value: string; negated: boolean }
  | { kind: 'field'; field: FieldName; value: string; negated: boolean }
  | { kind: 'missing'; field: MissingName; negated: boolean };

/** A parsed query. Plain data: callers may change it and format it back. */
export interface IssueQuery {
  /** `is:open` / `is:closed` / `is:all`, or `null` when the query has no `is:` (then {@linkcode DEFAULT_STATE}). */
  state: QueryState | null;
  /** Conditions that must all hold, in the order written. */
  terms: QueryTerm[];
  /** The requested order, or `null` for the default {@linkcode DEFAULT_SORT}. */
  sort: QuerySort | null;
}

/** The issues a query without `is:` selects, in the CLI, the web UI and module scripts alike. */
export const DEFAULT_STATE: QueryState = 'open';

/** The state a query selects: its `is:`, else {@linkcode DEFAULT_STATE}. */
export function effectiveState(query: IssueQuery): QueryState {
  return query.state ?? DEFAULT_STATE;
}

/** The order used when a query has no `sort:`: newest first. */
export const DEFAULT_SORT: Readonly<QuerySort> = Object.freeze({ key: 'created', direction: 'desc' });

/** Every qualifier name, as listed in error messages. */
export const QUALIFIERS: readonly string[] = ['is', 'label', 'no', 'author', 'assignee', 'milestone', 'sort'];

const FIELDS: readonly FieldName[] = ['label', 'author', 'assignee', 'milestone'];
const MISSING: Readonly<Record<string, MissingName>> = {
  label: 'label',
  labels: 'label',
  assignee: 'assignee',
  assignees: 'assignee',
  milestone: 'milestone',
};
const SORT_KEYS: readonly SortKey[] = ['created', 'updated', 'comments'];
const QUALIFIER_NAME = /^[A-Za-z][A-Za-z_-]*$/;

/** An empty query: every issue, default order. */
export function emptyQuery(): IssueQuery {
  return { state: null, terms: [], sort: null };
}

/**
 * Parses query text. Bare words and "quoted phrases" search summary, details and comments; a
 * leading `-` negates a word or a qualifier. Throws {@linkcode QuerySyntaxError} or
 * {@linkcode UnknownQualifierError}.
 */
export function parseQuery(text: string): IssueQuery {
  const query = emptyQuery();
  const scanner = new Scanner(text);
  for (;;) {
    scanner.skipSpace();
    if (scanner.done()) break;
    const start = scanner.pos;
    const negated = scanner.peek() === '-';
    if (negated) {
      scanner.pos++;
      if (scanner.done() || scanner.atSpace()) {
        throw scanner.error(`"-" at column ${start + 1} must be followed by a word or a qualifier`);
      }
    }
    if (scanner.peek() === '"') {
      const value = scanner.quoted();
      if (value.trim() !== '') query.terms.push({ kind: 'text', value, negated });
      continue;
    }
    const word = scanner.bare(true);
    if (scanner.peek() === ':' && QUALIFIER_NAME.test(word)) {
      scanner.pos++;
      const value = scanner.peek() === '"' ? scanner.quoted() : scanner.bare(false);
      applyQualifier(query, { name: word.toLowerCase(), raw: word, value, negated, column: start + 1 }, scanner);
      continue;
    }
    const rest = scanner.peek() === ':' ? scanner.bare(false) : '';
    query.terms.push({ kind: 'text', value: word + rest, negated });
  }
  return query;
}

interface Qualifier {
  name: string;
  raw: string;
  value: string;
  negated: boolean;
  column: number;
}

function applyQualifier(query: IssueQuery, q: Qualifier, scanner: Scanner): void {
  const known = QUALIFIERS.map((name) => name + ':').join(', ');
  if (!QUALIFIERS.includes(q.name)) {
    throw new UnknownQualifierError(
      `unknown qualifier "${q.raw}:" in query ${JSON.stringify(scanner.text)}; known qualifiers: ${known} ` +
        `(to search for the text, quote it: "${q.raw}:${q.value}")`,
    );
  }
  if (q.value.trim() === '') {
    throw scanner.error(`qualifier "${q.name}:" at column ${q.column} needs a value`);
  }
  const value = q.value.trim();
  const lower = value.toLowerCase();
  if (q.name === 'is') {
    if (lower !== 'open' && lower !== 'closed' && lower !== 'all') {
      throw scanner.error(`"is:${value}" at column ${q.column} is not a state; use is:open, is:closed or is:all`);
    }
    if (lower === 'all' && q.negated)
      throw scanner.error(`"-is:all" at column ${q.column} selects nothing; use is:open or is:closed`);
    const state: QueryState = lower === 'all' ? 'all' : (lower === 'open') !== q.negated ? 'open' : 'closed';
    if (query.state !== null && query.state !== state) {
      throw scanner.error(`the query asks for both is:${query.state} and is:${state}; keep one`);
    }
    query.state = state;
  } else if (q.name === 'no') {
    const field = MISSING[lower];
    if (field === undefined) {
      throw scanner.error(
        `"no:${value}" at column ${q.column} is not supported; use no:label, no:assignee or no:milestone`,
      );
    }
    query.terms.push({ kind: 'missing', field, negated: q.negated });
  } else if (q.name === 'sort') {
    if (q.negated) throw scanner.error(`"sort:" at column ${q.column} cannot be negated`);
    if (query.sort !== null) throw scanner.error(`the query has more than one sort:; keep one`);
    query.sort = parseSort(lower, q, scanner);
  } else {
    const field = FIELDS.find((name) => name === q.name);
    if (field === undefined) throw new Error(`unhandled qualifier ${q.name}`);
    query.terms.push({ kind: 'field', field, value, negated: q.negated });
  }
}

function parseSort(value: string, q: Qualifier, scanner: Scanner): QuerySort {
  const m = /^([a-z]+)(?:-(asc|desc))?$/.exec(value);
  const key = m?.[1] as SortKey | undefined;
  if (m === null || key === undefined || !SORT_KEYS.includes(key)) {
    throw scanner.error(
      `"sort:${q.value.trim()}" at column ${q.column} is not a sort order; use sort:created, sort:updated ` +
        `or sort:comments, optionally with -asc or -desc`,
    );
  }
  return { key, direction: (m[2] as SortDirection | undefined) ?? 'desc' };
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  atSpace(): boolean {
    return /\s/.test(this.peek());
  }

  skipSpace(): void {
    while (!this.done() && this.atSpace()) this.pos++;
  }

  /** Reads up to whitespace (and up to `:` when `stopAtColon`); a quote inside is an error. */
  bare(stopAtColon: boolean): string {
    const start = this.pos;
    while (!this.done() && !this.atSpace() && !(stopAtColon && this.peek() === ':')) {
      if (this.peek() === '"') {
        throw this.error(`unexpected quote at column ${this.pos + 1}; quote the whole word or value`);
      }
      this.pos++;
    }
    return this.text.slice(start, this.pos);
  }

  /** Reads a `"…"` string with `\"` and `\\` escapes; it must end the term. */
  quoted(): string {
    const start = this.pos;
    this.pos++;
    let value = '';
    for (;;) {
      if (this.done()) {
        throw this.error(`unterminated quote at column ${start + 1}; close it with "`);
      }
      const c = this.peek();
      this.pos++;
      if (c === '"') break;
      if (c === '\\' && (this.peek() === '"' || this.peek() === '\\')) {
        value += this.peek();
        this.pos++;
      } else {
        value += c;
      }
    }
    if (!this.done() && !this.atSpace()) {
      throw this.error(
        `unexpected ${JSON.stringify(this.peek())} after the closing quote at column ${this.pos}; put a space after it`,
      );
    }
    return value;
  }

  error(message: string): QuerySyntaxError {
    return new QuerySyntaxError(`bad query ${JSON.stringify(this.text)}: ${message}`);
  }
}

/** Formats a query back to canonical text that {@linkcode parseQuery} reads as the same query. */
export function formatQuery(query: IssueQuery): string {
  const parts: string[] = [];
  if (query.state !== null) parts.push(`is:${query.state}`);
  for (const term of query.terms) {
    const sign = term.negated ? '-' : '';
    if (term.kind === 'text') {
      parts.push(sign + quote(term.value, /^-|:/.test(term.value)));
    } else if (term.kind === 'field') {
      parts.push(`${sign}${term.field}:${quote(term.value, false)}`);
    } else {
      parts.push(`${sign}no:${term.field}`);
    }
  }
  if (query.sort !== null) parts.push(`sort:${query.sort.key}-${query.sort.direction}`);
  return parts.join(' ');
}

function quote(value: string, force: boolean): string {
  if (!force && value !== '' && !/[\s"\\]/.test(value)) return value;
  return '"' + value.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}
