/**
 * Matching and ordering issues by a parsed query, over the search data of each issue: computed
 * from a state (once per state object, kept in a WeakMap, so repeated searches over the same
 * states only compare; states must therefore not be changed after they were searched), or kept
 * elsewhere as plain JSON (a cache of `searchFields` and `searchText`). No JMESPath here: a
 * command that only matches does not load it (search.ts adds the JMESPath filter).
 * @module
 */
import { QueryOptionError } from './errors.ts';
import { DEFAULT_SORT, effectiveState, type IssueQuery, type QuerySort, type QueryTerm } from './parse.ts';
import { compareInstants, parseTimestamp, type Instant } from '../timestamp.ts';
import type { IssueState } from './types.ts';
import { DEFINITIONS_ID } from '../tracker/definitions.ts';

/** Paging of a search. */
export interface PageOptions {
  /** How many matching issues to skip (default 0). */
  offset?: number;
  /** How many issues to return at most (default: all). */
  limit?: number;
}

/** What a query looks at in one issue, ready to compare. */
export interface Prepared {
  id: string;
  /** The id in lower case, for prefix matches. */
  idLower: string;
  closed: boolean;
  text: string;
  author: string;
  labels: string[];
  assignees: string[];
  milestone: string | null;
  created: Instant | undefined;
  updated: Instant | undefined;
  comments: number;
}

const prepared = new WeakMap<object, Prepared>();

/**
 * What a query looks at in one state, but its text, as plain JSON (to be kept in a cache):
 * `[closed, author, labels, assignees, milestone, created, updated, comments]`, names lower-cased,
 * times as `[seconds, nanos]` (`null` when missing or unreadable; `updated` falls back to
 * `created`).
 */
export type SearchFields = [
  closed: 0 | 1,
  author: string,
  labels: string[],
  assignees: string[],
  milestone: string | null,
  created: [number, number] | null,
  updated: [number, number] | null,
  comments: number,
];

/** One item to search by its {@linkcode SearchFields} (and its {@linkcode searchText} when the query needs it). */
export interface SearchEntry {
  id: string;
  fields: SearchFields;
  text?: string;
}

/** The result of {@linkcode searchEntries}: the ids of the requested page, in order. */
export interface EntrySearchResult {
  total: number;
  ids: string[];
}

/** The {@linkcode SearchFields} of `state`. */
export function searchFields(state: IssueState): SearchFields {
  const comments = Array.isArray(state.comments) ? state.comments : [];
  const created = parseTimestamp(str(state.timestamp));
  const updated = parseTimestamp(str(state.last_updated_timestamp)) ?? created;
  const milestone = str(state.milestone);
  return [
    state.state === 'closed' ? 1 : 0,
    str(state.authors).toLowerCase(),
    strings(state.labels).map((l) => l.toLowerCase()),
    strings(state.assignees).map((a) => a.toLowerCase()),
    milestone === '' ? null : milestone.toLowerCase(),
    created === undefined ? null : [created.seconds, created.nanos],
    updated === undefined ? null : [updated.seconds, updated.nanos],
    comments.length,
  ];
}

/** The text of `state` that words and phrases search: summary, details and comments, normalised. */
export function searchText(state: IssueState): string {
  const parts = [str(state.summary), str(state.details)];
  const comments = Array.isArray(state.comments) ? state.comments : [];
  for (const comment of comments) {
    if (comment !== null && typeof comment === 'object') parts.push(str((comment as { text?: unknown }).text));
  }
  // Fields are joined with NUL so that a phrase never matches across two of them.
  return parts.map(normalize).join('\u0000');
}

/** Whether `query` has words or phrases, so that searching needs each item's {@linkcode searchText}. */
export function queryReadsText(query: IssueQuery): boolean {
  return query.terms.some((term) => term.kind === 'text');
}

function instant(value: [number, number] | null): Instant | undefined {
  return value === null ? undefined : { seconds: value[0], nanos: value[1] };
}

function fromFields(id: string, fields: SearchFields, text: string): Prepared {
  return {
    id,
    idLower: id.toLowerCase(),
    closed: fields[0] === 1,
    text,
    author: fields[1],
    labels: fields[2],
    assignees: fields[3],
    milestone: fields[4],
    created: instant(fields[5]),
    updated: instant(fields[6]),
    comments: fields[7],
  };
}

/**
 * `searchIssues` (search.ts) over search data kept elsewhere (a cache) rather than states: the same
 * matching, order and paging, without a JMESPath filter. Entries need their `text` when the query
 * has words ({@linkcode queryReadsText}).
 */
export function searchEntries(
  entries: readonly SearchEntry[],
  query: IssueQuery,
  options: PageOptions = {},
): EntrySearchResult {
  const offset = checkCount('offset', options.offset, 0);
  const limit = checkCount('limit', options.limit, Infinity);
  const matches = matcher(query.terms);
  const wanted = effectiveState(query);
  const found: Array<{ prepared: Prepared }> = [];
  for (const entry of entries) {
    if (entry.id === DEFINITIONS_ID) continue;
    const p = fromFields(entry.id, entry.fields, entry.text ?? '');
    if (wanted !== 'all' && p.closed !== (wanted === 'closed')) continue;
    if (!matches(p)) continue;
    found.push({ prepared: p });
  }
  found.sort(comparator(query.sort ?? DEFAULT_SORT));
  const end = limit === Infinity ? found.length : offset + limit;
  return { total: found.length, ids: found.slice(offset, end).map((e) => e.prepared.id) };
}

/** Checks a paging count (`offset`, `limit`), `fallback` when absent. */
export function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new QueryOptionError(`${name} must be a whole number of 0 or more, got ${String(value)}`);
  }
  return value;
}

/** Normalises text for matching: lower case, every run of white space one space. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ');
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The search data of `state`, computed once per state object. */
export function prepare(state: IssueState): Prepared {
  let p = prepared.get(state);
  if (p !== undefined) return p;
  // The same data as a cache of searchFields and searchText holds, so that both search alike.
  p = fromFields(String(state.id), searchFields(state), searchText(state));
  prepared.set(state, p);
  return p;
}

/** A test of every term of a query. */
export function matcher(terms: readonly QueryTerm[]): (p: Prepared) => boolean {
  const tests = terms.map(termTest);
  return (p) => {
    for (const test of tests) if (!test(p)) return false;
    return true;
  };
}

function termTest(term: QueryTerm): (p: Prepared) => boolean {
  const test = positiveTest(term);
  return term.negated ? (p) => !test(p) : test;
}

function positiveTest(term: QueryTerm): (p: Prepared) => boolean {
  if (term.kind === 'text') {
    const needle = normalize(term.value.trim());
    const prefix = idPrefix(term.value);
    if (prefix !== undefined) return (p) => p.idLower.startsWith(prefix) || p.text.includes(needle);
    return (p) => p.text.includes(needle);
  }
  if (term.kind === 'missing') {
    if (term.field === 'label') return (p) => p.labels.length === 0;
    if (term.field === 'assignee') return (p) => p.assignees.length === 0;
    return (p) => p.milestone === null;
  }
  const value = term.value.toLowerCase();
  switch (term.field) {
    case 'label':
      return (p) => p.labels.includes(value);
    case 'author':
      return (p) => p.author.includes(value);
    case 'assignee':
      return (p) => p.assignees.some((a) => a.includes(value));
    case 'milestone':
      return (p) => p.milestone === value;
  }
}

/**
 * The id prefix a search word stands for, lower-cased: `#` and at least 4 characters (`#ec4a`), or
 * at least 8 characters without `#` (`ec4a71bf`, the short id the pages show). Undefined for other
 * words, and for words with white space.
 */
export function idPrefix(word: string): string | undefined {
  const w = word.trim();
  if (/\s/.test(w)) return undefined;
  if (w.startsWith('#')) return w.length >= 5 ? w.slice(1).toLowerCase() : undefined;
  return w.length >= 8 ? w.toLowerCase() : undefined;
}

/** The words and phrases a query searches for (not negated ones), to highlight them in results. */
export function searchedTexts(query: IssueQuery): string[] {
  const out: string[] = [];
  for (const term of query.terms) {
    if (term.kind === 'text' && !term.negated && term.value.trim() !== '') out.push(term.value.trim());
  }
  return out;
}

/** The order of a query's `sort:` (ties by id). */
export function comparator(
  sort: Readonly<QuerySort>,
): (a: { prepared: Prepared }, b: { prepared: Prepared }) => number {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const byKey =
    sort.key === 'created'
      ? (a: Prepared, b: Prepared) => compareInstants(a.created, b.created)
      : sort.key === 'updated'
        ? (a: Prepared, b: Prepared) => compareInstants(a.updated, b.updated)
        : (a: Prepared, b: Prepared) => a.comments - b.comments;
  return (x, y) => {
    const a = x.prepared;
    const b = y.prepared;
    const order = byKey(a, b);
    if (order !== 0) return sign * order;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}
