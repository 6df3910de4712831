/**
 * The issue page's timeline: comments and the changes between them (closed, reopened, labels,
 * assignees, milestone, summary, details, merges, deleted comments) from the state's `timeline`,
 * with the issues that mention this one placed by their time. States are untrusted: every event is
 * checked before it is shown, and one of an unknown shape is left out.
 * @module
 */
import { parseTime, type Mention } from '../tracker/mod.ts';
import type { IssueComment, ItemState } from './source.ts';

/** A change shown as a line of the timeline. */
export type TimelineAction =
  | { type: 'closed' | 'reopened' }
  | { type: 'summary'; from: string; to: string }
  | { type: 'details'; mergeRequest: boolean }
  | { type: 'labels' | 'assignees'; added: string[]; removed: string[] }
  | { type: 'milestone'; from: string | null; to: string | null }
  | { type: 'merged'; text: string }
  | { type: 'deleted' }
  | { type: 'mentioned'; id: string; summary: string; open: boolean; place: string };

/** One entry of the timeline. */
export type TimelineItem =
  | {
      kind: 'comment';
      /** 1-based position among the issue's comments. */
      number: number;
      /** The record that wrote it (null for states without a timeline). */
      hash: string | null;
      comment: IssueComment;
      /** Sanitised HTML of its text. */
      html: string;
      /** When it was last edited, or null. */
      edited: string | null;
      /** The server's author wrote it, so may edit and delete it. */
      mine: boolean;
    }
  | { kind: 'event'; authors: string; timestamp: string; hash: string | null; action: TimelineAction };

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function nullable(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** What {@linkcode buildTimeline} needs. */
export interface TimelineInput {
  state: ItemState;
  comments: readonly IssueComment[];
  /** Sanitised HTML of each comment, in order. */
  commentsHtml: readonly string[];
  /** The issues that mention this one. */
  mentions: readonly Mention[];
  /** Looks up another issue's summary and state. */
  issue: (id: string) => { summary: string; open: boolean } | undefined;
  /** The `.authors` the server writes with (its comments may be edited); undefined when read-only. */
  me: string | undefined;
}

function eventOf(raw: Record<string, unknown>): TimelineItem | undefined {
  const base = { authors: str(raw['authors']), timestamp: str(raw['timestamp']), hash: nullable(raw['hash']) };
  switch (raw['type']) {
    case 'closed':
    case 'reopened':
      return { kind: 'event', ...base, action: { type: raw['type'] } };
    case 'summary':
      return { kind: 'event', ...base, action: { type: 'summary', from: str(raw['from']), to: str(raw['to']) } };
    case 'details':
      return { kind: 'event', ...base, action: { type: 'details', mergeRequest: raw['merge_request'] === true } };
    case 'labels':
    case 'assignees': {
      const added = strings(raw['added']);
      const removed = strings(raw['removed']);
      if (added.length === 0 && removed.length === 0) return undefined;
      return { kind: 'event', ...base, action: { type: raw['type'], added, removed } };
    }
    case 'milestone':
      return {
        kind: 'event',
        ...base,
        action: { type: 'milestone', from: nullable(raw['from']), to: nullable(raw['to']) },
      };
    case 'comment_deleted':
      return { kind: 'event', ...base, timestamp: str(raw['deleted']), action: { type: 'deleted' } };
    default:
      return undefined;
  }
}

function commentItem(
  index: number,
  hash: string | null,
  edited: string | null,
  input: TimelineInput,
): TimelineItem | undefined {
  const comment = input.comments[index];
  if (comment === undefined) return undefined;
  return {
    kind: 'comment',
    number: index + 1,
    hash,
    comment,
    html: input.commentsHtml[index] ?? '',
    edited,
    mine: input.me !== undefined && hash !== null && comment.authors !== '' && comment.authors === input.me,
  };
}

function time(item: TimelineItem): number | undefined {
  return parseTime(item.kind === 'comment' ? item.comment.timestamp : item.timestamp)?.getTime();
}

/** The timeline of an issue, in order. */
export function buildTimeline(input: TimelineInput): TimelineItem[] {
  const items: TimelineItem[] = [];
  const raw = input.state['timeline'];
  if (Array.isArray(raw)) {
    const seen = new Set<number>();
    for (const entry of raw) {
      if (typeof entry !== 'object' || entry === null) continue;
      const e = entry as Record<string, unknown>;
      const index = typeof e['comment'] === 'number' && Number.isInteger(e['comment']) ? e['comment'] : -1;
      if ((e['type'] === 'comment' || e['type'] === 'merged') && index >= 0 && !seen.has(index)) {
        seen.add(index);
        if (e['type'] === 'merged') {
          const c = input.comments[index];
          if (c !== undefined) {
            items.push({
              kind: 'event',
              authors: c.authors,
              timestamp: c.timestamp,
              hash: nullable(e['hash']),
              action: { type: 'merged', text: c.text.replace(/^Merged\s*/, '') },
            });
          }
          continue;
        }
        const item = commentItem(index, nullable(e['hash']), nullable(e['edited']), input);
        if (item !== undefined) items.push(item);
        continue;
      }
      const event = eventOf(e);
      if (event !== undefined) items.push(event);
    }
    // Comments the timeline does not name (a state built by other reducers) still show, at the end.
    input.comments.forEach((_, i) => {
      if (!seen.has(i)) {
        const item = commentItem(i, null, null, input);
        if (item !== undefined) items.push(item);
      }
    });
  } else {
    input.comments.forEach((_, i) => {
      const item = commentItem(i, null, null, input);
      if (item !== undefined) items.push(item);
    });
  }
  // Mentions go before the first entry that happened after them.
  const mentions = [...input.mentions].sort(
    (a, b) => (parseTime(a.timestamp)?.getTime() ?? 0) - (parseTime(b.timestamp)?.getTime() ?? 0),
  );
  for (const m of mentions) {
    const other = input.issue(m.id);
    const item: TimelineItem = {
      kind: 'event',
      authors: m.authors,
      timestamp: m.timestamp,
      hash: null,
      action: { type: 'mentioned', id: m.id, summary: other?.summary ?? '', open: other?.open ?? true, place: m.place },
    };
    const at = parseTime(m.timestamp)?.getTime();
    const index = at === undefined ? -1 : items.findIndex((x) => (time(x) ?? -Infinity) > at);
    if (index < 0) items.push(item);
    else items.splice(index, 0, item);
  }
  return items;
}
