/**
 * The issue query language (`is:open label:bug sort:updated-desc words`) and search over reduced
 * issue states, shared by `sit issue list` and the web UI.
 * @module
 */
export { QueryOptionError, QuerySyntaxError, UnknownQualifierError } from './errors.ts';
export {
  DEFAULT_SORT,
  DEFAULT_STATE,
  effectiveState,
  emptyQuery,
  formatQuery,
  parseQuery,
  QUALIFIERS,
  type FieldName,
  type IssueQuery,
  type MissingName,
  type QuerySort,
  type QueryState,
  type QueryTerm,
  type SortDirection,
  type SortKey,
} from './parse.ts';
export {
  countStates,
  indexStates,
  searchIssues,
  type CountOptions,
  type SearchOptions,
  type SearchResult,
  type StateCounts,
} from './search.ts';
export {
  idPrefix,
  queryReadsText,
  searchedTexts,
  searchEntries,
  searchFields,
  searchText,
  type EntrySearchResult,
  type PageOptions,
  type SearchEntry,
  type SearchFields,
} from './match.ts';
export { compareInstants, parseTimestamp, type Instant } from '../timestamp.ts';
export type { IssueComment, IssueState } from './types.ts';
export { JmesPathError } from '../jmespath.ts';
