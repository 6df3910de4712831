import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  commentDeletedRecord,
  commentEditedRecord,
  commentTypes,
  definitionRecord,
  definitionsItemRecords,
  editRecords,
  field,
  formValues,
  newIssueRecords,
  splitList,
  type RecordComposer,
} from '../src/web/form_records.ts';
import type { RecordFile } from '../src/store/hash.ts';
import type { IssueView } from '../src/web/source.ts';

const dec = new TextDecoder();

/** A composer that shows what it was asked for: the types and the text, and the extra files. */
const w: RecordComposer = {
  files: (types, text, extra = []) => [
    { name: 'types', data: new TextEncoder().encode(types.join(',')) },
    ...(text === undefined ? [] : [{ name: 'text', data: new TextEncoder().encode(text) }]),
    ...extra,
  ],
};

function shown(record: RecordFile[]): Record<string, string> {
  return Object.fromEntries(record.map((f) => [f.name, dec.decode(f.data)]));
}

const values = {
  summary: '  A summary  ',
  details: 'Details',
  labels: 'web, bug,\nbug',
  assignees: '',
  milestone: ' 1.0 ',
};

test('field and formValues: text with \\n line ends; anything else is empty', () => {
  assert.is(field({ a: 'x\r\ny\rz' }, 'a'), 'x\ny\nz');
  assert.is(field({ a: new Blob(['file']) }, 'a'), '');
  assert.is(field({}, 'a'), '');
  assert.equal(formValues({ summary: 'S', labels: 'l' }), {
    summary: 'S',
    details: '',
    labels: 'l',
    assignees: '',
    milestone: '',
  });
});

test('splitList: trimmed, sorted, without blanks or repeats', () => {
  assert.equal(splitList(' b, a,\n,a ,c\n'), ['a', 'b', 'c']);
  assert.equal(splitList(''), []);
});

test('a new issue: summary (trimmed), details, labels added, milestone; nothing for empty fields', () => {
  assert.equal(newIssueRecords(w, values).map(shown), [
    { types: 'SummaryChanged', text: 'A summary' },
    { types: 'DetailsChanged', text: 'Details' },
    { types: 'LabelsChanged', added: 'bug\nweb\n' },
    { types: 'MilestoneChanged', milestone: '1.0' },
  ]);
  assert.equal(newIssueRecords(w, { ...values, details: ' ', labels: '', milestone: '' }).map(shown), [
    { types: 'SummaryChanged', text: 'A summary' },
  ]);
});

test('an edit: one record per changed field, lists as added and removed', () => {
  const before: IssueView = {
    id: 'i',
    summary: 'A summary',
    details: 'Details',
    open: true,
    labels: ['bug', 'old'],
    assignees: ['Ada'],
    milestone: '1.0',
  } as IssueView;
  assert.equal(editRecords(w, before, values).map(shown), [
    { types: 'LabelsChanged', added: 'web\n', removed: 'old\n' },
    { types: 'AssigneesChanged', removed: 'Ada\n' },
  ]);
  assert.equal(
    editRecords(w, before, {
      ...values,
      summary: 'New',
      details: 'Details\n',
      labels: 'bug, old',
      assignees: 'Ada',
      milestone: '',
    }).map(shown),
    [
      { types: 'SummaryChanged', text: 'New' },
      { types: 'MilestoneChanged', milestone: '' },
    ],
  );
});

test('a comment: the types of each action; an unknown action has none', () => {
  assert.equal(commentTypes('comment', true), ['Commented']);
  assert.equal(commentTypes('comment-close', true), ['Commented', 'Closed']);
  assert.equal(commentTypes('close', false), ['Closed']);
  assert.equal(commentTypes('reopen', false), ['Reopened']);
  assert.is(commentTypes('delete-everything', true), undefined);
  assert.equal(shown(commentEditedRecord(w, 'HASH', 'new text')), {
    types: 'CommentEdited',
    text: 'new text',
    comment: 'HASH',
  });
  assert.equal(shown(commentDeletedRecord(w, 'HASH')), { types: 'CommentDeleted', comment: 'HASH' });
});

test('definitions: a record of text files; a new definitions item starts closed and says what it is', () => {
  const record = definitionRecord(w, ['LabelDefined'], { name: 'bug', color: '#ff0000', description: '' });
  assert.equal(shown(record), { types: 'LabelDefined', name: 'bug', color: '#ff0000', description: '' });
  const first = definitionsItemRecords(w, record).map(shown);
  assert.is(first.length, 3);
  assert.equal(first[0], { types: 'SummaryChanged,Closed', text: 'Labels and milestones of this tracker' });
  assert.is(first[1]!['types'], 'DetailsChanged');
  assert.equal(first[2], shown(record));
});

test.run();
