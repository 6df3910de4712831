/**
 * What the web server needs from the rest of SIT, as small interfaces: an index of reduced item
 * states kept in memory, and a repository that reads and writes records. The engine's
 * `ItemIndex` and the store's `Repository` satisfy them.
 * @module
 */
import type { IndexProgress } from '../reduce/item_index.ts';
import type { Repository } from '../store/repository.ts';

export type { IndexProgress } from '../reduce/item_index.ts';

/** One reduced item: its `id` and whatever reducers put there (untrusted). */
export type ItemState = Record<string, unknown>;

/** Reduced item states kept in memory, refreshed when records arrive. */
export interface ItemSource {
  /** Every reduced item, sorted by id. */
  states(): readonly ItemState[];
  /** One reduced item, or undefined when there is no such item. */
  get(id: string): ItemState | undefined;
  /**
   * Re-reduces the items whose record sets changed (all items when `ids` is omitted) and
   * returns the ids of the items whose states changed.
   */
  refresh(ids?: string[]): Promise<string[]>;
  /**
   * Items whose record links lead to records that have not arrived yet; the server refreshes
   * them every few seconds, since nothing in their directories will change when they arrive.
   */
  incomplete?(): string[];
  /** The records item `id`'s state leaves out because they do not hash to their names. */
  damagedRecords?(id: string): readonly string[];
  /**
   * How far the first indexing got, for an index built after the server started; without it, or
   * once `ready`, every state is there.
   */
  progress?(): IndexProgress;
  /** Resolves when the first indexing is over (at once when there is none). */
  whenReady?(): Promise<void>;
  /** Makes sure the states of `ids` are there while indexing runs (reducing them on their own). */
  ensure?(ids: readonly string[]): Promise<void>;
  /** The engine behind the index, used for whole-repository reductions (`/api/reduce`). */
  readonly engine?: { reduceRepository(options: { state?: ItemState; roots?: readonly string[] }): Promise<ItemState> };
}

/** The repository operations the web server uses (the store's `Repository` provides them). */
export type RecordStore = Repository;

/** A comment entry as the issue-tracking reducers produce it. */
export interface IssueComment {
  text: string;
  authors: string;
  timestamp: string;
  mergeRequest: string | null;
  report: string | null;
}

/** The fields the pages show, read defensively from an untrusted state. */
export interface IssueView {
  id: string;
  summary: string;
  details: string;
  authors: string;
  timestamp: string;
  updated: string;
  open: boolean;
  comments: IssueComment[];
  labels: string[];
  assignees: string[];
  milestone: string;
  mergeRequest: string | null;
  mergeRequests: string[];
  errors: number;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads the fields the pages show from `state`, with defaults for anything missing or malformed. */
export function issueView(state: ItemState): IssueView {
  const rawComments = Array.isArray(state['comments']) ? (state['comments'] as unknown[]) : [];
  const comments: IssueComment[] = [];
  for (const c of rawComments) {
    if (typeof c !== 'object' || c === null) continue;
    const o = c as Record<string, unknown>;
    comments.push({
      text: str(o['text']),
      authors: str(o['authors']),
      timestamp: str(o['timestamp']),
      mergeRequest: typeof o['merge_request'] === 'string' ? o['merge_request'] : null,
      report: typeof o['merge_request_report'] === 'string' ? o['merge_request_report'] : null,
    });
  }
  const timestamp = str(state['timestamp']);
  return {
    id: typeof state['id'] === 'string' ? state['id'] : String(state['id'] ?? ''),
    summary: str(state['summary']),
    details: str(state['details']),
    authors: str(state['authors']),
    timestamp,
    updated: str(state['last_updated_timestamp']) || timestamp,
    open: state['state'] !== 'closed',
    comments,
    labels: strings(state['labels']),
    assignees: strings(state['assignees']),
    milestone: str(state['milestone']),
    mergeRequest: typeof state['merge_request'] === 'string' ? state['merge_request'] : null,
    mergeRequests: strings(state['merge_requests']),
    errors: Array.isArray(state['errors']) ? state['errors'].length : 0,
  };
}

/** Reduces the whole repository (`sit reduce` without an item), for `/api/reduce`. */
export type RepositoryReducer = (options: {
  roots?: string[];
  state?: Record<string, unknown>;
  reducers?: string[];
}) => unknown;
