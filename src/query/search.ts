/**
 * Filtering, sorting and paging issue states with a parsed query. What a query needs from a
 * state (lower-cased search text, parsed timestamps) is computed once per state object and kept
 * in a WeakMap, so repeated searches over the same states (the web UI, per request) only compare.
 * States must therefore not be changed after they were searched; replace them instead.
 * @module
 */
import { compileExpression, EvaluationBudget, JmesPathLimitError, type Expression } from '../jmespath.ts';
import { QueryOptionError } from './errors.ts';
import { DEFAULT_SORT, effectiveState, type IssueQuery, type QuerySort, type QueryTerm } from './parse.ts';
import { compareInstants, parseTimestamp, type Instant } from '../timestamp.ts';
import type { IssueState } from './types.ts';
import { DEFINITIONS_ID } from '../tracker/definitions.ts';

/** Options for {@linkcode searchIssues}. */
export interface SearchOptions {
  /** A JMESPath expression that must evaluate to `true` for a state to match. */
  jmespath?: string;
  /** How many matching states to skip (default 0). */
  offset?: number;
  /** How many states to return at most (default: all). */
  limit?: number;
}

/** The result of {@linkcode searchIssues}. */
export interface SearchResult {
  /** How many states match, before paging. */
  total: number;
  /** The requested page of matching states, in order. */
  items: IssueState[];
}

/** Open and closed counts, as shown on the web UI's tabs. */
export interface StateCounts {
  /** States that are not closed. */
  open: number;
  /** States whose `state` is `"closed"`. */
  closed: number;
}

/** Options for {@linkcode countStates}. */
export interface CountOptions {
  /** A JMESPath filter, as in {@linkcode SearchOptions.jmespath}. */
  jmespath?: string;
}

interface Prepared {
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

interface Entry {
  state: IssueState;
  prepared: Prepared;
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
 * {@linkcode searchIssues} over search data kept elsewhere (a cache) rather than states: the same
 * matching, order and paging, without a JMESPath filter. Entries need their `text` when the query
 * has words ({@linkcode queryReadsText}).
 */
export function searchEntries(entries: readonly SearchEntry[], query: IssueQuery, options: Omit<SearchOptions, 'jmespath'> = {}): EntrySearchResult {
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

/**
 * Returns the states that match `query` (all of its terms, its `is:` (open ones when it has none)
 * and the JMESPath filter), sorted by its `sort:` (default newest first; ties by id), and the
 * requested page of them. An issue is closed when its `state` is `"closed"` and open otherwise.
 * A filter that fails on one state (e.g. `length()` of a missing field) does not match it. The
 * item that holds label and milestone definitions is not an issue and never matches.
 */
export function searchIssues(states: readonly IssueState[], query: IssueQuery, options: SearchOptions = {}): SearchResult {
  const offset = checkCount('offset', options.offset, 0);
  const limit = checkCount('limit', options.limit, Infinity);
  const matches = matcher(query.terms);
  const filter = options.jmespath === undefined ? undefined : compileExpression(options.jmespath, { role: 'filter' });
  // one budget of time and values for the filter over every state
  const budget = new EvaluationBudget();
  const entries: Entry[] = [];
  const wanted = effectiveState(query);
  for (const state of states) {
    if (state.id === DEFINITIONS_ID) continue;
    const p = prepare(state);
    if (wanted !== 'all' && p.closed !== (wanted === 'closed')) continue;
    if (!matches(p)) continue;
    if (filter !== undefined && !passes(filter, state, budget)) continue;
    entries.push({ state, prepared: p });
  }
  entries.sort(comparator(query.sort ?? DEFAULT_SORT));
  const end = limit === Infinity ? entries.length : offset + limit;
  return { total: entries.length, items: entries.slice(offset, end).map((e) => e.state) };
}

/** Counts open and closed states that match `query`, ignoring its `is:` (for the tabs). */
export function countStates(states: readonly IssueState[], query: IssueQuery, options: CountOptions = {}): StateCounts {
  const matches = matcher(query.terms);
  const filter = options.jmespath === undefined ? undefined : compileExpression(options.jmespath, { role: 'filter' });
  const budget = new EvaluationBudget();
  const counts = { open: 0, closed: 0 };
  for (const state of states) {
    if (state.id === DEFINITIONS_ID) continue;
    const p = prepare(state);
    if (!matches(p)) continue;
    if (filter !== undefined && !passes(filter, state, budget)) continue;
    if (p.closed) counts.closed++;
    else counts.open++;
  }
  return counts;
}

/**
 * Computes the search data of `states` now rather than on their first search, e.g. right after a
 * server loaded them, so that the first request is as fast as the others.
 */
export function indexStates(states: readonly IssueState[]): void {
  for (const state of states) prepare(state);
}

function checkCount(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new QueryOptionError(`${name} must be a whole number of 0 or more, got ${String(value)}`);
  }
  return value;
}

function passes(filter: Expression, state: IssueState, budget: EvaluationBudget): boolean {
  try {
    return filter.search(state, budget) === true;
  } catch (error) {
    // A budget spent is the query's fault, for every item: it ends the search.
    if (error instanceof JmesPathLimitError) throw error;
    // An expression that fails on this state (a function given a missing field) is a miss here,
    // not an error for the whole search.
    return false;
  }
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

function prepare(state: IssueState): Prepared {
  let p = prepared.get(state);
  if (p !== undefined) return p;
  // The same data as a cache of searchFields and searchText holds, so that both search alike.
  p = fromFields(String(state.id), searchFields(state), searchText(state));
  prepared.set(state, p);
  return p;
}

function matcher(terms: readonly QueryTerm[]): (p: Prepared) => boolean {
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

function comparator(sort: Readonly<QuerySort>): (a: { prepared: Prepared }, b: { prepared: Prepared }) => number {
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
