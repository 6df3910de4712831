/**
 * The shape of an issue's state as the issue-tracking module's reducers build it. States come
 * from reducers (possibly other modules' too), so every field but `id` may be absent or of an
 * unexpected type; the query code checks before it uses a value.
 * @module
 */

/** One entry of {@linkcode IssueState.comments}. */
export interface IssueComment {
  /** The comment's text as written (not trimmed). */
  text?: string;
  /** The comment's `.authors`. */
  authors?: string;
  /** The comment's `.timestamp` (RFC 3339). */
  timestamp?: string;
  /** The record's own hash when the comment also carries a merge request. */
  merge_request?: string | null;
  /** `"success"` or `"failure"` for a merge request verification report. */
  merge_request_report?: string | null;
}

/** The reduced state of one issue. */
export interface IssueState {
  /** The item id. */
  id: string;
  /** The latest summary. */
  summary?: string;
  /** The latest details. */
  details?: string;
  /** The issue's author. */
  authors?: string;
  /** When the issue was opened (RFC 3339). */
  timestamp?: string;
  /** `"open"` or `"closed"`. */
  state?: string;
  /** Comments in processing order. */
  comments?: IssueComment[];
  /** The `.timestamp` of the last record applied. */
  last_updated_timestamp?: string;
  /** The primary merge request's record hash. */
  merge_request?: string;
  /** Every merge request's record hash, in order. */
  merge_requests?: string[];
  /** One entry per Merged record. */
  merges?: Array<{ hash: string; record: string }>;
  /** Current labels, sorted. */
  labels?: string[];
  /** Current assignees, sorted. */
  assignees?: string[];
  /** The current milestone. */
  milestone?: string | null;
  /** Anything else reducers put in the state. */
  [key: string]: unknown;
}
