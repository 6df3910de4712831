/**
 * From the web's forms to records: the fields of a posted form, and the records that an issue
 * form, a comment, a comment edit or deletion, or a label or milestone definition becomes. What
 * the records say is the issue-tracking module's vocabulary (`SummaryChanged`, `LabelsChanged`
 * with `added`/`removed`, …); each record's files are composed by the writer.
 * @module
 */
import type { IssueFormValues } from '../../templates/forms.ts';
import type { RecordFile } from '../store/hash.ts';
import type { IssueView } from './source.ts';
import { utf8, type Writer } from './writer.ts';

/** What composes the files of a record (the web's {@link Writer}). */
export type RecordComposer = Pick<Writer, 'files'>;

/** A field of a parsed form as text, line ends made `\n`; `''` when absent or not text. */
export function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : '';
}

/** The fields of the new-issue and edit forms. */
export function formValues(form: Record<string, unknown>): IssueFormValues {
  return {
    summary: field(form, 'summary'),
    details: field(form, 'details'),
    labels: field(form, 'labels'),
    assignees: field(form, 'assignees'),
    milestone: field(form, 'milestone'),
  };
}

/** Splits a comma- or newline-separated list, trimmed, without blanks or repeats, sorted. */
export function splitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ].sort();
}

function diffLists(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  return {
    added: after.filter((x) => !before.includes(x)),
    removed: before.filter((x) => !after.includes(x)),
  };
}

/** Files of a LabelsChanged/AssigneesChanged record, or undefined when nothing changes. */
function listChange(
  w: RecordComposer,
  type: string,
  before: readonly string[],
  after: readonly string[],
): RecordFile[] | undefined {
  const { added, removed } = diffLists(before, after);
  if (added.length === 0 && removed.length === 0) return undefined;
  const extra = [];
  if (added.length > 0) extra.push({ name: 'added', data: utf8(added.join('\n') + '\n') });
  if (removed.length > 0) extra.push({ name: 'removed', data: utf8(removed.join('\n') + '\n') });
  return w.files([type], undefined, extra);
}

function milestoneChange(w: RecordComposer, milestone: string): RecordFile[] {
  return w.files(['MilestoneChanged'], undefined, [{ name: 'milestone', data: utf8(milestone) }]);
}

/** The records of a new issue from its form, in order: summary, details, labels, assignees, milestone. */
export function newIssueRecords(w: RecordComposer, values: IssueFormValues): RecordFile[][] {
  const records = [w.files(['SummaryChanged'], values.summary.trim())];
  if (values.details.trim() !== '') records.push(w.files(['DetailsChanged'], values.details));
  const labels = listChange(w, 'LabelsChanged', [], splitList(values.labels));
  if (labels !== undefined) records.push(labels);
  const assignees = listChange(w, 'AssigneesChanged', [], splitList(values.assignees));
  if (assignees !== undefined) records.push(assignees);
  if (values.milestone.trim() !== '') records.push(milestoneChange(w, values.milestone.trim()));
  return records;
}

/** The records that turn issue `before` into the edit form's `values`, one per changed field, in order. */
export function editRecords(w: RecordComposer, before: IssueView, values: IssueFormValues): RecordFile[][] {
  const records: RecordFile[][] = [];
  if (values.summary.trim() !== before.summary.trim()) records.push(w.files(['SummaryChanged'], values.summary.trim()));
  if (values.details !== before.details && values.details.trim() !== before.details.trim()) {
    records.push(w.files(['DetailsChanged'], values.details));
  }
  const labels = listChange(w, 'LabelsChanged', before.labels, splitList(values.labels));
  if (labels !== undefined) records.push(labels);
  const assignees = listChange(w, 'AssigneesChanged', before.assignees, splitList(values.assignees));
  if (assignees !== undefined) records.push(assignees);
  if (values.milestone.trim() !== before.milestone) records.push(milestoneChange(w, values.milestone.trim()));
  return records;
}

/**
 * The record types of the comment form's `action` (`comment`, `close`, `comment-close`,
 * `reopen`) with or without text; `undefined` for an unknown action.
 */
export function commentTypes(action: string, hasText: boolean): string[] | undefined {
  const types: string[] = [];
  if (hasText) types.push('Commented');
  if (action === 'close' || action === 'comment-close') types.push('Closed');
  else if (action === 'reopen') types.push('Reopened');
  else if (action !== 'comment') return undefined;
  return types;
}

/** The record that replaces the text of comment `hash`. */
export function commentEditedRecord(w: RecordComposer, hash: string, text: string): RecordFile[] {
  return w.files(['CommentEdited'], text, [{ name: 'comment', data: utf8(hash) }]);
}

/** The record that deletes comment `hash`. */
export function commentDeletedRecord(w: RecordComposer, hash: string): RecordFile[] {
  return w.files(['CommentDeleted'], undefined, [{ name: 'comment', data: utf8(hash) }]);
}

/** A record of the definitions item: `types` (e.g. `LabelDefined`) with one text file per entry of `files`. */
export function definitionRecord(w: RecordComposer, types: string[], files: Record<string, string>): RecordFile[] {
  return w.files(
    types,
    undefined,
    Object.entries(files).map(([name, text]) => ({ name, data: utf8(text) })),
  );
}

/** The first records of the definitions item (a closed item that says what it is), then `record`. */
export function definitionsItemRecords(w: RecordComposer, record: RecordFile[]): RecordFile[][] {
  return [
    w.files(['SummaryChanged', 'Closed'], 'Labels and milestones of this tracker'),
    w.files(
      ['DetailsChanged'],
      'This item holds the definitions of labels (name, colour, description) and milestones (title, description, due date) of the issue-tracking module. It is not an issue; see `sit issue labels` and `sit issue milestones`.',
    ),
    record,
  ];
}
