/**
 * Building what the list and issue pages show from the in-memory states: the query, counts,
 * sorting, paging, links; rendered Markdown; merge request patches (read once per record, since
 * records never change).
 * @module
 */
import { SitError } from '../errors.ts';
import {
  countStates,
  formatQuery,
  parseQuery,
  searchIssues,
  type IssueQuery,
  type IssueState,
  type SortKey,
} from '../query/mod.ts';
import type { IssuePage, MergeRequestView, PatchFile } from '../../templates/issue.ts';
import type { ListPage, NavLink } from '../../templates/list.ts';
import { readCheckedRecord } from '../store/repository.ts';
import { highlightDiff } from './highlight.ts';
import { renderMarkdown } from './markdown.ts';
import { issueView, type ItemSource, type ItemState, type RecordStore } from './source.ts';

/** The query the list starts with. */
export const DEFAULT_QUERY = 'is:open sort:updated-desc';

/** Issues per list page. */
export const PAGE_SIZE = 25;

const SORTS: Array<{ key: SortKey; direction: 'asc' | 'desc'; label: string }> = [
  { key: 'updated', direction: 'desc', label: 'Recently updated' },
  { key: 'created', direction: 'desc', label: 'Newest' },
  { key: 'created', direction: 'asc', label: 'Oldest' },
  { key: 'comments', direction: 'desc', label: 'Most commented' },
  { key: 'updated', direction: 'asc', label: 'Least recently updated' },
];

const BUILTIN_FILTERS: Array<[string, string]> = [
  ['Open issues', 'is:open sort:updated-desc'],
  ['Closed issues', 'is:closed sort:updated-desc'],
  ['Unassigned', 'is:open no:assignee'],
  ['Unlabelled', 'is:open no:label'],
  ['All issues', 'sort:updated-desc'],
];

function listHref(q: string, page = 1): string {
  return `/?q=${encodeURIComponent(q)}${page > 1 ? `&page=${page}` : ''}`;
}

/** Named filters: a few built in, then the user configuration's `issues.filters` (name → query). */
export function namedFilters(configured: Record<string, unknown> | undefined): Array<[string, string]> {
  const out = [...BUILTIN_FILTERS];
  if (configured !== undefined && configured !== null && typeof configured === 'object') {
    for (const [name, value] of Object.entries(configured).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
      if (typeof value === 'string') out.push([name, value]);
    }
  }
  return out;
}

/** Inputs of {@linkcode buildListPage}. */
export interface ListRequest {
  q: string;
  page: number;
  filters: Array<[string, string]>;
  readonly: boolean;
  seq: number;
}

/** Runs the query over `states` and builds the list page; a bad query becomes `error`. */
export function buildListPage(states: readonly ItemState[], req: ListRequest): ListPage {
  const queryText = req.q;
  let query: IssueQuery | undefined;
  let error: string | undefined;
  try {
    query = parseQuery(queryText);
  } catch (e) {
    if (!(e instanceof SitError)) throw e;
    error = e.message;
  }
  const base: IssueQuery = query ?? { state: 'open', terms: [], sort: null };
  const counts = query === undefined ? { open: 0, closed: 0 } : countStates(states as readonly IssueState[], query);
  const tab = (state: 'open' | 'closed'): NavLink & { count: number } => ({
    label: state,
    href: listHref(formatQuery({ ...base, state })),
    current: query?.state === state,
    count: counts[state],
  });
  const sorts = SORTS.map((s) => {
    const cur = base.sort ?? { key: 'created', direction: 'desc' };
    return {
      label: s.label,
      href: listHref(formatQuery({ ...base, sort: { key: s.key, direction: s.direction } })),
      current: cur.key === s.key && cur.direction === s.direction,
    };
  });
  const normalized = query === undefined ? undefined : formatQuery(query);
  const filters = req.filters.map(([label, q]) => {
    let same = false;
    try {
      same = normalized !== undefined && formatQuery(parseQuery(q)) === normalized;
    } catch {
      same = false;
    }
    return { label, href: listHref(q), current: same };
  });
  let total = 0;
  let rows: ItemState[] = [];
  const page = Math.max(1, req.page);
  if (query !== undefined) {
    const result = searchIssues(states as readonly IssueState[], query, { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE });
    total = result.total;
    rows = result.items as ItemState[];
  }
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return {
    readonly: req.readonly,
    queryText,
    ...(error === undefined ? {} : { error }),
    open: tab('open'),
    closed: tab('closed'),
    sorts,
    filters,
    rows: rows.map(issueView),
    total,
    page,
    pages,
    ...(page > 1 ? { prevHref: listHref(queryText, Math.min(page - 1, pages)) } : {}),
    ...(page < pages ? { nextHref: listHref(queryText, page + 1) } : {}),
    selfHref: listHref(queryText, page),
    seq: req.seq,
  };
}

const decoder = new TextDecoder();
const patchCache = new Map<string, MergeRequestView>();

/**
 * Lines added and removed by a patch: only lines inside hunks count, as many as each `@@ -a,b
 * +c,d @@` header announces, so the e-mail header, the commit message and the `-- ` signature
 * that `git format-patch` appends are never taken for changes. Exported for tests.
 */
export function countLines(patch: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of patch.split('\n')) {
    if (oldLeft > 0 || newLeft > 0) {
      if (line.startsWith('+')) {
        added++;
        newLeft--;
      } else if (line.startsWith('-')) {
        removed++;
        oldLeft--;
      } else if (line.startsWith(' ') || line === '') {
        oldLeft--;
        newLeft--;
      } else if (!line.startsWith('\\')) {
        oldLeft = newLeft = 0;
      }
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk !== null) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
    }
  }
  return { added, removed };
}

/** The patch files (`git/*`, `patch/*`) of merge request record `hash` of item `itemId`. */
export function mergeRequestView(repo: RecordStore, itemId: string, hash: string): MergeRequestView {
  const key = `${itemId}/${hash}`;
  const cached = patchCache.get(key);
  if (cached !== undefined) return cached;
  // Read with the command line's integrity rule: a damaged record shows no patch.
  const record = readCheckedRecord(repo, hash, { item: itemId });
  if (record === undefined) return { hash, patches: [], missing: true };
  if ('damaged' in record) return { hash, patches: [], missing: true, damaged: true };
  const patches: PatchFile[] = [];
  for (const file of record.files) {
    if (!file.name.startsWith('git/') && !file.name.startsWith('patch/')) continue;
    const text = decoder.decode(file.data);
    patches.push({
      name: file.name,
      href: `/repo/items/${encodeURIComponent(itemId)}/${hash}/${file.name.split('/').map(encodeURIComponent).join('/')}`,
      html: highlightDiff(text),
      lines: text.split('\n').length,
      ...countLines(text),
    });
  }
  const view = { hash, patches, missing: false };
  if (patchCache.size > 2000) patchCache.clear();
  patchCache.set(key, view);
  return view;
}

/** Builds the issue page for `id`; undefined when there is no such item. */
export function buildIssuePage(
  index: ItemSource,
  repo: RecordStore,
  id: string,
  extra: { readonly: boolean; seq: number; error?: string; draft?: string },
): IssuePage | undefined {
  const state = index.get(id);
  if (state === undefined) return undefined;
  const issue = issueView(state);
  const hashes = new Set<string>(issue.mergeRequests);
  if (issue.mergeRequest !== null) hashes.add(issue.mergeRequest);
  for (const c of issue.comments) if (c.mergeRequest !== null) hashes.add(c.mergeRequest);
  const mergeRequests = new Map<string, MergeRequestView>();
  for (const h of hashes) mergeRequests.set(h, mergeRequestView(repo, id, h));
  return {
    readonly: extra.readonly,
    issue,
    detailsHtml: renderMarkdown(issue.details),
    commentsHtml: issue.comments.map((c) => renderMarkdown(c.text)),
    mergeRequests,
    seq: extra.seq,
    damaged: index.damagedRecords?.(id) ?? [],
    ...(extra.error === undefined ? {} : { error: extra.error }),
    ...(extra.draft === undefined ? {} : { draft: extra.draft }),
  };
}
