/**
 * Building what the list and issue pages show from the in-memory states: the query, counts,
 * sorting, paging, links; rendered Markdown; merge request patches (read once per record, since
 * records never change).
 * @module
 */
import { SitError } from '../errors.ts';
import {
  countStates,
  DEFAULT_SORT,
  effectiveState,
  formatQuery,
  parseQuery,
  searchedTexts,
  searchIssues,
  type IssueQuery,
  type IssueState,
  type SortKey,
} from '../query/mod.ts';
import { DEFINITIONS_ID, namedFilters as trackerFilters, repositoryFilters } from '../tracker/mod.ts';
import type { IssuePage, MergeRequestView, PatchFile } from '../../templates/issue.ts';
import type { ListPage, ListRow, NavLink } from '../../templates/list.ts';
import { readCheckedRecord } from '../store/repository.ts';
import { highlightDiff } from './highlight.ts';
import { renderMarkdown } from './markdown.ts';
import { issueView, type ItemSource, type ItemState, type RecordStore } from './source.ts';
import { buildTimeline } from './timeline.ts';
import type { TrackerView } from './tracker.ts';

/** The query the list starts with: open issues, newest first (the default of every query). */
export const DEFAULT_QUERY = 'is:open';

/** Issues per list page. */
export const PAGE_SIZE = 25;

const SORTS: Array<{ key: SortKey; direction: 'asc' | 'desc'; label: string }> = [
  { key: 'created', direction: 'desc', label: 'Newest' },
  { key: 'created', direction: 'asc', label: 'Oldest' },
  { key: 'updated', direction: 'desc', label: 'Recently updated' },
  { key: 'comments', direction: 'desc', label: 'Most commented' },
  { key: 'updated', direction: 'asc', label: 'Least recently updated' },
];

function listHref(q: string, page = 1): string {
  return `/?q=${encodeURIComponent(q)}${page > 1 ? `&page=${page}` : ''}`;
}

/**
 * Named filters as the Filters menu shows them (label → query): the built-in ones, the
 * repository's (`issue-tracking.filters` of `.sit/config.json`) and the user configuration's
 * `issues.filters`, as `sit issue filters` lists them.
 */
export function namedFilters(
  configured: Record<string, unknown> | undefined,
  options: { me?: string | undefined; repository?: Record<string, unknown> | undefined } = {},
): Array<[string, string]> {
  return trackerFilters({
    me: options.me,
    repository: options.repository === undefined ? undefined : repositoryFilters(options.repository),
    user: configured,
  }).map((f) => [f.label, f.query]);
}

/** Inputs of {@linkcode buildListPage}. */
export interface ListRequest {
  q: string;
  page: number;
  filters: Array<[string, string]>;
  readonly: boolean;
  seq: number;
  /** Label definitions and references; optional for callers that have none. */
  tracker?: TrackerView;
}

const EXCERPT_CHARS = 90;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A piece of the details or a comment around the first searched word, when the summary has none. */
function excerpt(state: ItemState, words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  const needles = words.map((w) => w.toLowerCase().replace(/\s+/g, ' '));
  const summary = str(state['summary']).toLowerCase();
  if (needles.some((n) => summary.includes(n))) return undefined;
  const texts = [str(state['details'])];
  const comments = Array.isArray(state['comments']) ? (state['comments'] as unknown[]) : [];
  for (const c of comments)
    if (typeof c === 'object' && c !== null) texts.push(str((c as Record<string, unknown>)['text']));
  for (const raw of texts) {
    const text = raw.replace(/\s+/g, ' ');
    const lower = text.toLowerCase();
    for (const n of needles) {
      const at = lower.indexOf(n);
      if (at < 0) continue;
      const start = Math.max(0, at - 30);
      const end = Math.min(text.length, start + EXCERPT_CHARS);
      return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
    }
  }
  return undefined;
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
  const shownState = query === undefined ? undefined : effectiveState(query);
  const tab = (state: 'open' | 'closed'): NavLink & { count: number } => ({
    label: state,
    href: listHref(formatQuery({ ...base, state })),
    current: shownState === state,
    count: counts[state],
  });
  const sorts = SORTS.map((s) => {
    const cur = base.sort ?? DEFAULT_SORT;
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
  let page = Math.max(1, req.page);
  if (query !== undefined) {
    let result = searchIssues(states as readonly IssueState[], query, {
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    total = result.total;
    const last = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > last) {
      // A page beyond the last one shows the last one.
      page = last;
      result = searchIssues(states as readonly IssueState[], query, {
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
    }
    rows = result.items as ItemState[];
  }
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const highlight = query === undefined ? [] : searchedTexts(query).filter((w) => !w.startsWith('#'));
  const listRows: ListRow[] = rows.map((state) => {
    const view: ListRow = issueView(state);
    const piece = excerpt(state, highlight);
    if (piece !== undefined) view.excerpt = piece;
    return view;
  });
  return {
    readonly: req.readonly,
    queryText,
    ...(error === undefined ? {} : { error }),
    open: tab('open'),
    closed: tab('closed'),
    sorts,
    filters,
    rows: listRows,
    total,
    page,
    pages,
    ...(page > 1 ? { prevHref: listHref(queryText, Math.min(page - 1, pages)) } : {}),
    ...(page < pages ? { nextHref: listHref(queryText, page + 1) } : {}),
    selfHref: listHref(queryText, page),
    seq: req.seq,
    highlight,
    emptyTracker: states.length === 0 || states.every((s) => s['id'] === DEFINITIONS_ID),
    openByDefault: query !== undefined && query.state === null,
    definitions: req.tracker?.definitions() ?? { labels: [], milestones: [] },
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

/** What {@linkcode buildIssuePage} needs besides the issue. */
export interface IssuePageRequest {
  readonly: boolean;
  seq: number;
  error?: string;
  draft?: string;
  /** Sanitised HTML of a preview of `draft`. */
  preview?: string;
  /** Definitions, references and mentions; optional for callers that have none. */
  tracker?: TrackerView;
  /** The `.authors` the server writes with: its own comments get edit and delete controls. */
  me?: string;
}

/** Builds the issue page for `id`; undefined when there is no such item. */
export function buildIssuePage(
  index: ItemSource,
  repo: RecordStore,
  id: string,
  extra: IssuePageRequest,
): IssuePage | undefined {
  const state = index.get(id);
  if (state === undefined) return undefined;
  const issue = issueView(state);
  const hashes = new Set<string>(issue.mergeRequests);
  if (issue.mergeRequest !== null) hashes.add(issue.mergeRequest);
  for (const c of issue.comments) if (c.mergeRequest !== null) hashes.add(c.mergeRequest);
  const mergeRequests = new Map<string, MergeRequestView>();
  for (const h of hashes) mergeRequests.set(h, mergeRequestView(repo, id, h));
  const tracker = extra.tracker;
  const link = (html: string): string => (tracker === undefined ? html : tracker.linkReferences(html));
  const commentsHtml = issue.comments.map((c) => link(renderMarkdown(c.text)));
  const timeline = buildTimeline({
    state,
    comments: issue.comments,
    commentsHtml,
    mentions: tracker?.mentions(id) ?? [],
    issue: (other) => {
      const s = index.get(other);
      return s === undefined ? undefined : { summary: str(s['summary']), open: s['state'] !== 'closed' };
    },
    me: extra.readonly ? undefined : extra.me,
  });
  return {
    readonly: extra.readonly,
    issue,
    detailsHtml: link(renderMarkdown(issue.details)),
    commentsHtml,
    timeline,
    mergeRequests,
    seq: extra.seq,
    definitions: tracker?.definitions() ?? { labels: [], milestones: [] },
    damaged: index.damagedRecords?.(id) ?? [],
    ...(extra.error === undefined ? {} : { error: extra.error }),
    ...(extra.draft === undefined ? {} : { draft: extra.draft }),
    ...(extra.preview === undefined ? {} : { preview: extra.preview }),
  };
}
