/**
 * Filtering, sorting and paging issue states with a parsed query. What a query needs from a
 * state (lower-cased search text, parsed timestamps) is computed once per state object and kept
 * in a WeakMap, so repeated searches over the same states (the web UI, per request) only compare.
 * States must therefore not be changed after they were searched; replace them instead.
 * @module
 */
import { compileExpression, EvaluationBudget, JmesPathLimitError, type Expression } from '../jmespath.ts';
import { DEFAULT_SORT, effectiveState, type IssueQuery } from './parse.ts';
import type { IssueState } from './types.ts';
import { DEFINITIONS_ID } from '../tracker/definitions.ts';
import { checkCount, comparator, matcher, prepare, type PageOptions, type Prepared } from './match.ts';

/** Options for {@linkcode searchIssues}. */
export interface SearchOptions extends PageOptions {
  /** A JMESPath expression that must evaluate to `true` for a state to match. */
  jmespath?: string;
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

/**
 * Returns the states that match `query` (all of its terms, its `is:` (open ones when it has none)
 * and the JMESPath filter), sorted by its `sort:` (default newest first; ties by id), and the
 * requested page of them. An issue is closed when its `state` is `"closed"` and open otherwise.
 * A filter that fails on one state (e.g. `length()` of a missing field) does not match it. The
 * item that holds label and milestone definitions is not an issue and never matches.
 */
export function searchIssues(
  states: readonly IssueState[],
  query: IssueQuery,
  options: SearchOptions = {},
): SearchResult {
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

interface Entry {
  state: IssueState;
  prepared: Prepared;
}
