/**
 * Where the host of module scripts reads items: what `sit.item`, `sit.search` and the like answer.
 * Each answer is a value when it is known at once (a cache holds it) and a promise otherwise
 * (items must be reduced first), so that a script running in the calling thread goes on at once in
 * the common case (see thread.ts).
 *
 * {@linkcode CacheReader} reads a repository through the engine's caches, as a command does: a
 * command about one item reads that item's own small cache, never the whole repository's; a search
 * reads per-item search data and the printed values of its results from caches of derived results
 * (`Engine.deriveItems`), so that a warm `sit issue list` reads no state at all.
 * {@linkcode StatesReader} answers from states held in memory (a server's index).
 * @module
 */
import type { State } from '../reduce/mod.ts';
import { Engine } from '../reduce/mod.ts';
import type { Repository } from '../store/mod.ts';
import { ItemNotFoundError } from '../store/mod.ts';
import {
  queryReadsText,
  searchEntries,
  searchFields,
  searchText,
  type SearchEntry,
  type SearchFields,
} from '../query/match.ts';
import type { IssueQuery } from '../query/parse.ts';
import type { IssueState } from '../query/types.ts';
import type { EvaluationBudget, Expression } from '../jmespath.ts';
import { extractReferences, type Reference } from '../tracker/mod.ts';
import { jmespathNow, loadStateSearch, stateSearchNow } from './lazy.ts';

/** A value now, or a promise of it. */
export type Maybe<T> = T | Promise<T>;

/** Applies `fn` to `value` now, or once the promise resolves. */
export function then<T, U>(value: Maybe<T>, fn: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** What a search asks for besides its query. */
export interface ReaderSearch {
  /** A JMESPath filter: a state matches only when it gives `true`. */
  jmespath?: string;
  limit?: number;
  offset?: number;
  /** What to return of each matching state (default: the state); JMESPath is loaded then. */
  select?: Expression;
}

/** A page of search results. */
export interface ReaderPage {
  total: number;
  items: unknown[];
}

/** The item reads a script host makes. */
export interface ItemReader {
  /** The ids of every item, sorted. */
  ids(): Maybe<string[]>;
  /** The state of item `id`; throws `ItemNotFoundError` when there is none. */
  state(id: string): Maybe<State>;
  /** Every item's state. */
  states(): Maybe<State[]>;
  /** The records the state of item `id` leaves out because they do not hash to their names. */
  damaged(id: string): Maybe<readonly string[]>;
  /** The issues that match `query`. */
  search(query: IssueQuery, options: ReaderSearch): Maybe<ReaderPage>;
  /** Every issue's references to others (`#prefix`), by id, for those that make any. */
  references(): Maybe<Array<[string, Reference[]]>>;
  /** The summary and state (`open` or `closed`) of every issue. */
  summaries(): Maybe<Map<string, [summary: string, state: string]>>;
  /** Says that a record was written: what was read before may be out of date. */
  written(): void;
  /** Frees what the reader holds. */
  close(): Promise<void>;
}

/** Cache keys of derived results: change one when what it derives changes. */
const FIELDS_KEY = 'issue search fields 1';
const TEXT_KEY = 'issue search text 1';
const SELECT_KEY = 'issue search select 1';
const REFERENCES_KEY = 'issue-tracking references 1';
const SUMMARIES_KEY = 'issue summaries 1';

/** A new budget for the evaluations of one search (JMESPath is loaded: an expression was compiled). */
export function newBudget(): EvaluationBudget {
  return new (jmespathNow()!.EvaluationBudget)();
}

/** `select` applied to one state; an expression that fails on this state gives null for it. */
export function selectOne(select: Expression, state: unknown, budget: EvaluationBudget): unknown {
  try {
    return select.search(state, budget);
  } catch (error) {
    // A budget spent ends the whole search; anything else is a miss for this one state.
    if (error instanceof jmespathNow()!.JmesPathLimitError) throw error;
    return null;
  }
}

function summaryOf(state: State): [string, string] {
  return [
    typeof state['summary'] === 'string' ? state['summary'] : '',
    state['state'] === 'closed' ? 'closed' : 'open',
  ];
}

/** Searches states in memory, as every reader does for a JMESPath filter (once the search is loaded). */
export function searchStates(states: readonly State[], query: IssueQuery, options: ReaderSearch): Maybe<ReaderPage> {
  const module = stateSearchNow();
  if (module === undefined) return loadStateSearch().then(() => searchStates(states, query, options));
  const { select, ...rest } = options;
  const result = module.searchIssues(states as IssueState[], query, rest);
  if (select === undefined) return { total: result.total, items: result.items };
  const budget = newBudget();
  return { total: result.total, items: result.items.map((state) => selectOne(select, state, budget)) };
}

/** Reads a repository through the engine's caches (see the module's header). */
export class CacheReader implements ItemReader {
  readonly #repo: Repository;
  readonly #integrity: boolean;
  readonly #onProgress: ((done: number, total: number) => void) | undefined;
  #engine: Engine | undefined;
  #states: State[] | undefined;

  /**
   * A reader of `repo`; nothing is read yet. `onProgress` is told how far a reduction of many
   * items has got (see `EngineOptions.onProgress`).
   */
  constructor(
    repo: Repository,
    options: { integrity: boolean; onProgress?: ((done: number, total: number) => void) | undefined },
  ) {
    this.#repo = repo;
    this.#integrity = options.integrity;
    this.#onProgress = options.onProgress;
  }

  #engineFor(): Engine {
    this.#engine ??= new Engine(this.#repo, {
      integrity: this.#integrity,
      keepStamps: true,
      ...(this.#onProgress === undefined ? {} : { onProgress: this.#onProgress }),
    });
    return this.#engine;
  }

  ids(): string[] {
    return this.#repo.items();
  }

  state(id: string): Maybe<State> {
    const known = this.#states?.find((state) => state['id'] === id);
    if (known !== undefined) return known;
    if (!this.#repo.hasItem(id)) throw new ItemNotFoundError(`Item ${id} not found`);
    return this.#engineFor().itemState(id);
  }

  states(): Maybe<State[]> {
    if (this.#states !== undefined) return this.#states;
    return this.#engineFor()
      .reduceItems()
      .then((states) => (this.#states = [...states.values()]));
  }

  damaged(id: string): Maybe<readonly string[]> {
    return then(this.state(id), () => this.#engineFor().damagedRecords(id));
  }

  search(query: IssueQuery, options: ReaderSearch): Maybe<ReaderPage> {
    // A JMESPath filter looks at whole states.
    if (options.jmespath !== undefined || this.#states !== undefined)
      return then(this.states(), (states) => searchStates(states, query, options));
    const engine = this.#engineFor();
    const fields = engine.deriveItemsNow(FIELDS_KEY, (state) => searchFields(state as IssueState));
    const texts = queryReadsText(query)
      ? engine.deriveItemsNow(TEXT_KEY, (state) => searchText(state as IssueState))
      : undefined;
    return then(fields, (fieldsById) =>
      then(texts ?? new Map<string, unknown>(), (textsById) => {
        const entries: SearchEntry[] = [];
        for (const [id, value] of fieldsById) {
          const entry: SearchEntry = { id, fields: value as SearchFields };
          const text = textsById.get(id);
          if (typeof text === 'string') entry.text = text;
          entries.push(entry);
        }
        const { select, jmespath: _filter, ...paging } = options;
        const found = searchEntries(entries, query, paging);
        if (found.ids.length === 0) return { total: found.total, items: [] };
        if (select === undefined) {
          return engine
            .reduceItems(found.ids)
            .then((states) => ({ total: found.total, items: found.ids.map((id) => states.get(id)) }));
        }
        const budget = newBudget();
        const values = engine.deriveItemsNow(
          `${SELECT_KEY}\0${select.text}`,
          (state) => selectOne(select, state, budget),
          found.ids,
        );
        return then(values, (byId) => ({ total: found.total, items: found.ids.map((id) => byId.get(id) ?? null) }));
      }),
    );
  }

  references(): Maybe<Array<[string, Reference[]]>> {
    const derived = this.#engineFor().deriveItemsNow(REFERENCES_KEY, (state) => extractReferences(state));
    return then(derived, (byId) => {
      const out: Array<[string, Reference[]]> = [];
      for (const [from, refs] of byId)
        if (Array.isArray(refs) && refs.length > 0) out.push([from, refs as Reference[]]);
      return out;
    });
  }

  summaries(): Maybe<Map<string, [string, string]>> {
    const derived = this.#engineFor().deriveItemsNow(SUMMARIES_KEY, summaryOf);
    return then(derived, (byId) => byId as Map<string, [string, string]>);
  }

  written(): void {
    this.#states = undefined;
    this.#engine?.forgetStamps();
  }

  async close(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine !== undefined) await engine.close();
  }
}

/**
 * Reads states held in memory, e.g. by a server's index of every item: every answer is known at
 * once. `damaged` tells the records each state leaves out.
 */
export class StatesReader implements ItemReader {
  readonly #source: StatesSource;

  /** A reader of `source`. */
  constructor(source: StatesSource) {
    this.#source = source;
  }

  ids(): string[] {
    return this.#source.ids();
  }

  state(id: string): State {
    const state = this.#source.get(id);
    if (state === undefined) throw new ItemNotFoundError(`Item ${id} not found`);
    return state;
  }

  states(): State[] {
    return [...this.#source.states()];
  }

  damaged(id: string): readonly string[] {
    this.state(id);
    return this.#source.damagedRecords(id);
  }

  search(query: IssueQuery, options: ReaderSearch): Maybe<ReaderPage> {
    return searchStates(this.#source.states(), query, options);
  }

  references(): Array<[string, Reference[]]> {
    const out: Array<[string, Reference[]]> = [];
    for (const state of this.#source.states()) {
      const refs = extractReferences(state);
      if (refs.length > 0) out.push([String(state['id']), refs]);
    }
    return out;
  }

  summaries(): Map<string, [string, string]> {
    return new Map(this.#source.states().map((state) => [String(state['id']), summaryOf(state)]));
  }

  written(): void {
    // nothing is written through this reader
  }

  async close(): Promise<void> {
    // the states belong to their source
  }
}

/** States held in memory: every item's, sorted by id. */
export interface StatesSource {
  /** Every item's id, sorted. */
  ids(): string[];
  /** Every item's state, sorted by id. */
  states(): readonly State[];
  /** The state of item `id`, if there is such an item. */
  get(id: string): State | undefined;
  /** The records item `id`'s state leaves out as damaged. */
  damagedRecords(id: string): readonly string[];
}
