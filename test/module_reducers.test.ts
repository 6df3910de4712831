import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReducerRuntime } from '../src/sandbox/mod.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const reducerDir = path.join(root, 'modules/issue-tracking/reducers');
const reducerFiles = fs
  .readdirSync(reducerDir)
  .filter((f) => f.endsWith('.js'))
  .sort();
const reducers = reducerFiles.map((f) => ({
  file: path.join(reducerDir, f),
  source: fs.readFileSync(path.join(reducerDir, f), 'utf8'),
  dir: reducerDir,
}));

const runtime = await createReducerRuntime({ reducers, requireFiles: {} });
const encoder = new TextEncoder();
test.after(() => runtime.dispose());

type Files = Record<string, string | Uint8Array>;
interface Rec {
  hash: string;
  files: Array<[string, Uint8Array]>;
}

let counter = 0;
/** A record with the given types and files; `hash` is a made-up 32-character name. */
function record(types: string[], files: Files = {}, hash?: string): Rec {
  counter++;
  const name = hash ?? ('R' + String(counter).padStart(4, '2')).padEnd(32, 'Q');
  const all: Files = { ...files };
  for (const t of types) all['.type/' + t] = '';
  return {
    hash: name,
    files: Object.entries(all)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([n, v]) => [n, typeof v === 'string' ? encoder.encode(v) : v]),
  };
}

/** As the original web UI wrote records: `.authors` and a `Date#toISOString` `.timestamp`. */
function webRecord(types: string[], files: Files, timestamp: string, author = 'Alice <alice@example.com>'): Rec {
  return record(types, { '.authors': author, '.timestamp': timestamp, ...files });
}

/** As the original CLI wrote records: nine-digit fractions and a `.prev` link. */
function cliRecord(types: string[], files: Files, timestamp: string, prev?: string): Rec {
  const extra: Files = prev === undefined ? {} : { ['.prev/' + prev]: '' };
  return record(types, {
    '.authors': 'Yurii Rashkovskii <me@yrashk.com>',
    '.timestamp': timestamp,
    ...extra,
    ...files,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read states of many shapes
async function reduce(records: Rec[], id = 'a0d4f3b2-5c2e-4f7a-9d7c-3f2b1c0e9a11'): Promise<Record<string, any>> {
  const state = await runtime.reduce({ id, state: { id }, records });
  return JSON.parse(JSON.stringify(state));
}

test('the module ships the reducers in the original order of application', () => {
  assert.equal(reducerFiles, [
    'Commented.js',
    'DetailsChanged.js',
    'MergeRequested.js',
    'Merged.js',
    'State.js',
    'SummaryChanged.js',
    'activity.js',
    'assignees.js',
    'definitions.js',
    'labels.js',
    'milestone.js',
  ]);
});

test('reducer sources stay within the dialect the original SIT (Duktape) runs', () => {
  for (const r of reducers) {
    const code = r.source.replace(/^\s*\/\/.*$/gm, '');
    assert.match(code, /^module\.exports = function \(state, record\) \{/m, r.file);
    for (const banned of [
      /=>/,
      /\blet\s/,
      /\bconst\s/,
      /`/,
      /\brequire\s*\(/,
      /\bexports\./,
      /\bclass\s/,
      /\.\.\./,
      /\bfor\s*\([^)]*\bof\b/,
      /\bnew (Map|Set)\b/,
    ]) {
      assert.not.match(code, banned, `${path.basename(r.file)} uses ${banned}`);
    }
  }
});

test('a new issue as the original web UI wrote it (two roots, toISOString timestamps)', async () => {
  const ts = '2018-02-21T23:13:01.954Z';
  const state = await reduce([
    webRecord(['SummaryChanged'], { text: '  Crash on start \n' }, ts),
    webRecord(['DetailsChanged'], { text: '' }, ts),
  ]);
  assert.equal(state, {
    id: 'a0d4f3b2-5c2e-4f7a-9d7c-3f2b1c0e9a11',
    summary: 'Crash on start',
    details: '',
    authors: 'Alice <alice@example.com>',
    timestamp: ts,
    state: 'open',
    last_updated_timestamp: ts,
    labels: [],
    assignees: [],
    milestone: null,
    comments: [],
    merge_requests: [],
    merges: [],
    timeline: [],
  });
});

test('comments, close and reopen as the original CLI wrote them', async () => {
  const s = cliRecord(['SummaryChanged'], { text: 'Problem: X\n' }, '2018-12-20T19:36:21.344727532Z');
  const d = cliRecord(['DetailsChanged'], { text: '\n  Solution: Y  \n\n' }, '2018-12-20T19:36:22.090000001Z', s.hash);
  const c = cliRecord(['Commented'], { text: '  Looks good\n\n' }, '2018-12-20T19:37:00.000000000Z', d.hash);
  const close = cliRecord(['Commented', 'Closed'], { text: 'Done.' }, '2018-12-20T19:38:00.5Z', c.hash);
  const state = await reduce([s, d, c, close]);
  assert.is(state.summary, 'Problem: X');
  assert.is(state.details, 'Solution: Y');
  assert.is(state.state, 'closed');
  assert.is(state.timestamp, '2018-12-20T19:36:21.344727532Z');
  assert.is(state.last_updated_timestamp, '2018-12-20T19:38:00.5Z');
  assert.equal(state.comments, [
    {
      text: '  Looks good\n\n',
      authors: 'Yurii Rashkovskii <me@yrashk.com>',
      timestamp: '2018-12-20T19:37:00.000000000Z',
      merge_request: null,
      merge_request_report: null,
    },
    {
      text: 'Done.',
      authors: 'Yurii Rashkovskii <me@yrashk.com>',
      timestamp: '2018-12-20T19:38:00.5Z',
      merge_request: null,
      merge_request_report: null,
    },
  ]);
  assert.is(state.errors, undefined);

  const reopened = await reduce([s, d, close, cliRecord(['Reopened'], {}, '2018-12-21T00:00:00Z')]);
  assert.is(reopened.state, 'open');
  const both = await reduce([s, cliRecord(['Closed', 'Reopened'], {}, '2018-12-21T00:00:00Z')]);
  assert.is(both.state, 'closed', 'Closed wins over Reopened in one record');
  const reclosed = await reduce([
    s,
    close,
    cliRecord(['Reopened'], {}, '2018-12-21T00:00:00Z'),
    cliRecord(['Closed'], {}, '2018-12-22T00:00:00Z'),
  ]);
  assert.is(reclosed.state, 'closed');
});

test('later summaries and details win; authors and timestamp keep the first non-empty value', async () => {
  const state = await reduce([
    record(['SummaryChanged'], { text: 'First' }),
    webRecord(['DetailsChanged'], { text: 'one' }, '2018-03-02T08:31:52.611Z', 'Bob <bob@example.com>'),
    webRecord(['SummaryChanged'], { text: ' Second ' }, '2018-03-03T00:00:00.000Z', 'Carol'),
    webRecord(['DetailsChanged'], { text: 'two\n' }, '2018-03-04T00:00:00.000Z', 'Carol'),
  ]);
  assert.is(state.summary, 'Second');
  assert.is(state.details, 'two');
  assert.is(state.authors, 'Bob <bob@example.com>', 'the first record had no .authors');
  assert.is(state.timestamp, '2018-03-02T08:31:52.611Z');
  assert.is(state.last_updated_timestamp, '2018-03-04T00:00:00.000Z');
});

test('records without .timestamp keep last_updated_timestamp; an item of them only has none', async () => {
  const state = await reduce([
    webRecord(['SummaryChanged'], { text: 'S' }, '2018-03-02T08:31:52.611Z'),
    record(['Commented'], { text: 'no aux files' }),
  ]);
  assert.is(state.last_updated_timestamp, '2018-03-02T08:31:52.611Z');
  assert.equal(state.comments, [
    { text: 'no aux files', authors: '', timestamp: '', merge_request: null, merge_request_report: null },
  ]);
  const bare = await reduce([record(['SummaryChanged'], { text: 'S' })]);
  assert.is('last_updated_timestamp' in bare, false);
  assert.is(bare.authors, '');
  assert.is(bare.timestamp, '');
});

test('merge requests: primary one, every one in order, revisions, reports and merges', async () => {
  const ts = (n: number) => `2018-10-03T04:1${n}:52.257592768Z`;
  const summary = cliRecord(['SummaryChanged'], { text: 'Problem: P' }, ts(0));
  const mr1 = cliRecord(
    ['DetailsChanged', 'MergeRequested'],
    { text: 'Solution: S\n', 'git/0001-fix.patch': 'From 1\n' },
    ts(1),
  );
  const ok = record(['Commented', 'MergeRequestVerificationSucceeded'], {
    text: 'passed\n',
    record: mr1.hash,
    '.authors': 'SIT Merge Request CI',
  });
  const mr2 = cliRecord(
    ['Commented', 'MergeRequested'],
    { text: 'Revised\n', 'git/0001-fix.patch': 'From 2\n' },
    ts(2),
  );
  const failed = record(['Commented', 'MergeRequestVerificationFailed'], { text: 'failed\n', record: mr2.hash });
  const edit = cliRecord(['DetailsChanged'], { text: 'Solution: S, edited' }, ts(3));
  const merged = cliRecord(['Merged', 'Closed'], { record: mr1.hash + '\n' }, ts(4));
  const state = await reduce([summary, mr1, ok, mr2, failed, edit, merged]);
  assert.is(state.merge_request, mr1.hash, 'a plain details edit keeps the primary merge request');
  assert.equal(state.merge_requests, [mr1.hash, mr2.hash]);
  assert.is(state.details, 'Solution: S, edited');
  assert.is(state.state, 'closed');
  assert.equal(state.merges, [{ hash: merged.hash, record: mr1.hash + '\n' }]);
  assert.equal(state.comments, [
    {
      text: 'passed\n',
      authors: 'SIT Merge Request CI',
      timestamp: '',
      merge_request: null,
      merge_request_report: 'success',
    },
    {
      text: 'Revised\n',
      authors: 'Yurii Rashkovskii <me@yrashk.com>',
      timestamp: ts(2),
      merge_request: mr2.hash,
      merge_request_report: null,
    },
    { text: 'failed\n', authors: '', timestamp: '', merge_request: null, merge_request_report: 'failure' },
    { text: 'Merged ' + mr1.hash, authors: 'Yurii Rashkovskii <me@yrashk.com>', timestamp: ts(4) },
  ]);
  assert.equal(Object.keys(state.comments[3]).sort(), ['authors', 'text', 'timestamp'], 'Merged entries have 3 keys');

  const mr3 = cliRecord(['DetailsChanged', 'MergeRequested'], { text: 'Another' }, ts(5));
  const later = await reduce([summary, mr1, mr3]);
  assert.is(later.merge_request, mr3.hash, 'a new DetailsChanged+MergeRequested becomes the primary one');
  assert.equal(later.merge_requests, [mr1.hash, mr3.hash]);
});

test('Merged without a record file refers to the primary merge request, or to nothing', async () => {
  const mr = cliRecord(['DetailsChanged', 'MergeRequested'], { text: 'S' }, '2018-02-08T18:39:04.614596752Z');
  const merged = cliRecord(['Merged'], {}, '2018-02-09T00:00:00Z');
  const state = await reduce([mr, merged]);
  assert.equal(state.merges, [{ hash: merged.hash, record: mr.hash }]);
  assert.is(state.comments[0].text, 'Merged ' + mr.hash);
  const alone = await reduce([record(['Merged', 'Commented'], { text: 'merged by hand' })]);
  assert.equal(alone.merges, [{ hash: alone.merges[0].hash, record: '' }]);
  assert.equal(
    alone.comments.map((c: { text: string }) => c.text),
    ['Merged', 'merged by hand'],
    'Merged entry first, trimmed',
  );
});

test('labels: added and removed lines, trimmed, blank lines ignored, sorted, each once', async () => {
  const s = record(['SummaryChanged'], { text: 'S' });
  const add = record(['LabelsChanged'], { added: '  bug \n\ngood first issue\r\n  \nbug\n' });
  const add2 = record(['LabelsChanged'], { added: 'Alpha\nzeta' });
  const remove = record(['LabelsChanged'], { removed: 'bug\nnot-there\n' });
  const swap = record(['LabelsChanged'], { removed: 'zeta\nAlpha', added: 'zeta' });
  assert.equal((await reduce([s, add])).labels, ['bug', 'good first issue']);
  assert.equal((await reduce([s, add, add2])).labels, ['Alpha', 'bug', 'good first issue', 'zeta']);
  assert.equal((await reduce([s, add, add2, remove])).labels, ['Alpha', 'good first issue', 'zeta']);
  assert.equal(
    (await reduce([s, add, add2, remove, swap])).labels,
    ['good first issue', 'zeta'],
    'removed first, then added',
  );
  assert.equal((await reduce([s, record(['LabelsChanged'], {})])).labels, []);
  assert.equal((await reduce([s, record([], { added: 'bug' })])).labels, [], 'files without the type change nothing');
});

test('assignees work like labels', async () => {
  const s = record(['SummaryChanged'], { text: 'S' });
  const a = record(['AssigneesChanged'], { added: 'Carol <carol@example.com>\nBob <bob@example.com>\n' });
  const b = record(['AssigneesChanged'], { removed: 'Carol <carol@example.com>', added: 'Dave' });
  assert.equal((await reduce([s, a])).assignees, ['Bob <bob@example.com>', 'Carol <carol@example.com>']);
  assert.equal((await reduce([s, a, b])).assignees, ['Bob <bob@example.com>', 'Dave']);
  assert.equal((await reduce([s, a, b])).labels, [], 'labels untouched');
});

test('milestone: set trimmed, replaced, cleared by an empty or missing file', async () => {
  const s = record(['SummaryChanged'], { text: 'S' });
  const m1 = record(['MilestoneChanged'], { milestone: '  1.0 \n' });
  const m2 = record(['MilestoneChanged'], { milestone: '2.0' });
  assert.is((await reduce([s])).milestone, null);
  assert.is((await reduce([s, m1])).milestone, '1.0');
  assert.is((await reduce([s, m1, m2])).milestone, '2.0');
  assert.is((await reduce([s, m1, record(['MilestoneChanged'], { milestone: ' \n' })])).milestone, null);
  assert.is((await reduce([s, m1, record(['MilestoneChanged'], {})])).milestone, null);
  assert.is((await reduce([s, m1, record(['Commented'], { text: 'x' })])).milestone, '1.0');
});

test('bad UTF-8 becomes replacement characters and never an error', async () => {
  const bad = new Uint8Array([0x41, 0xff, 0xfe, 0x42, 0xc3]);
  const state = await reduce([
    record(['SummaryChanged'], { text: bad, '.authors': bad, '.timestamp': bad }),
    record(['DetailsChanged'], { text: bad }),
    record(['Commented'], { text: bad }),
    record(['LabelsChanged'], { added: bad }),
    record(['AssigneesChanged'], { added: bad }),
    record(['MilestoneChanged'], { milestone: bad }),
    record(['Merged'], { record: bad }),
  ]);
  const text = 'A\uFFFD\uFFFDB\uFFFD';
  assert.is(state.errors, undefined);
  assert.is(state.summary, text);
  assert.is(state.details, text);
  assert.is(state.authors, text);
  assert.is(state.comments[0].text, text);
  assert.equal(state.labels, [text]);
  assert.equal(state.assignees, [text]);
  assert.is(state.milestone, text);
  assert.equal(state.merges[0].record, text);
});

test('reductions are deterministic and items do not share anything', async () => {
  const one = [
    webRecord(['SummaryChanged'], { text: 'One' }, '2018-02-21T23:13:01.954Z'),
    record(['Commented'], { text: 'c1' }),
    record(['LabelsChanged'], { added: 'x' }),
  ];
  const two = [webRecord(['SummaryChanged'], { text: 'Two' }, '2018-02-22T23:13:01.954Z')];
  const first = await reduce(one, 'item-1');
  const second = await reduce(two, 'item-2');
  assert.is(JSON.stringify(await reduce(one, 'item-1')), JSON.stringify(first));
  assert.equal(second.comments, [], 'every array field is there, empty');
  assert.equal(second.timeline, []);
  assert.equal(second.labels, []);
  assert.is(second.id, 'item-2');
});

test('the original fields survive a start state and extend its lists', async () => {
  const state = await runtime.reduce({
    id: 'x',
    state: {
      id: 'x',
      comments: [{ text: 'old', authors: '', timestamp: '' }],
      labels: ['keep'],
      merge_requests: ['OLD'],
    },
    records: [
      record(['Commented', 'MergeRequested'], { text: 'new' }, 'NEWHASHQQQQQQQQQQQQQQQQQQQQQQQQQ'),
      record(['LabelsChanged'], { added: 'more' }),
    ],
  });
  const s = JSON.parse(JSON.stringify(state));
  assert.equal(
    s.comments.map((c: { text: string }) => c.text),
    ['old', 'new'],
  );
  assert.equal(s.merge_requests, ['OLD', 'NEWHASHQQQQQQQQQQQQQQQQQQQQQQQQQ']);
  assert.equal(s.labels, ['keep', 'more']);
});

// ---- timeline, comment edits and deletions, definitions -------------------------------------

const ALICE = 'Alice <alice@example.com>';
const BOB = 'Bob <bob@example.com>';
const at = (n: number) => `2025-01-0${n}T10:00:00.000Z`;

test('timeline: events in processing order with who and when; comment-and-close shows both', async () => {
  const s = webRecord(['SummaryChanged'], { text: 'Crash' }, at(1));
  const d = webRecord(['DetailsChanged'], { text: 'Steps' }, at(1));
  const label = webRecord(['LabelsChanged'], { added: 'bug\nui\n' }, at(2), BOB);
  const noop = webRecord(['LabelsChanged'], { added: 'bug', removed: 'absent' }, at(2), BOB);
  const rename = webRecord(['SummaryChanged'], { text: 'Crash on start' }, at(3), BOB);
  const same = webRecord(['SummaryChanged'], { text: 'Crash on start' }, at(3), BOB);
  const details = webRecord(['DetailsChanged'], { text: 'More steps' }, at(3), BOB);
  const assign = webRecord(['AssigneesChanged'], { added: 'Carol' }, at(4));
  const milestone = webRecord(['MilestoneChanged'], { milestone: '1.0' }, at(4));
  const close = webRecord(['Commented', 'Closed'], { text: 'Fixed.' }, at(5), BOB);
  const closeAgain = webRecord(['Closed'], {}, at(5), BOB);
  const reopen = webRecord(['Reopened'], {}, at(6));
  const unlabel = webRecord(['LabelsChanged'], { removed: 'ui' }, at(7));
  const clear = webRecord(['MilestoneChanged'], {}, at(7));
  const state = await reduce([
    s,
    d,
    label,
    noop,
    rename,
    same,
    details,
    assign,
    milestone,
    close,
    closeAgain,
    reopen,
    unlabel,
    clear,
  ]);
  const who = (e: Record<string, unknown>) => e;
  assert.equal(state.timeline.map(who), [
    { type: 'labels', hash: label.hash, authors: BOB, timestamp: at(2), added: ['bug', 'ui'], removed: [] },
    { type: 'summary', hash: rename.hash, authors: BOB, timestamp: at(3), from: 'Crash', to: 'Crash on start' },
    { type: 'details', hash: details.hash, authors: BOB, timestamp: at(3) },
    { type: 'assignees', hash: assign.hash, authors: ALICE, timestamp: at(4), added: ['Carol'], removed: [] },
    { type: 'milestone', hash: milestone.hash, authors: ALICE, timestamp: at(4), from: null, to: '1.0' },
    { type: 'comment', hash: close.hash, comment: 0 },
    { type: 'closed', hash: close.hash, authors: BOB, timestamp: at(5) },
    { type: 'reopened', hash: reopen.hash, authors: ALICE, timestamp: at(6) },
    { type: 'labels', hash: unlabel.hash, authors: ALICE, timestamp: at(7), added: [], removed: ['ui'] },
    { type: 'milestone', hash: clear.hash, authors: ALICE, timestamp: at(7), from: '1.0', to: null },
  ]);
  assert.is(state.comments[0].text, 'Fixed.');
});

test('timeline: merge requests, revisions and merges', async () => {
  const s = cliRecord(['SummaryChanged'], { text: 'Problem' }, at(1));
  const mr1 = cliRecord(['DetailsChanged', 'MergeRequested'], { text: 'Solution' }, at(1));
  const mr2 = cliRecord(['Commented', 'MergeRequested'], { text: 'Revised' }, at(2));
  const mr3 = cliRecord(['DetailsChanged', 'MergeRequested'], { text: 'Solution 2' }, at(3));
  const merged = cliRecord(['Merged', 'Closed'], { record: mr3.hash }, at(4));
  const state = await reduce([s, mr1, mr2, mr3, merged]);
  assert.equal(
    state.timeline.map((e: { type: string }) => e.type),
    ['comment', 'details', 'merged', 'closed'],
  );
  assert.is(state.timeline[1].merge_request, true);
  assert.is(state.timeline[2].comment, 1);
  assert.is(state.comments[1].text, 'Merged ' + mr3.hash);
});

test('comment edits and deletions: only by the comment author, only comments of this item', async () => {
  const s = webRecord(['SummaryChanged'], { text: 'S' }, at(1));
  const c1 = webRecord(['Commented'], { text: 'first' }, at(2));
  const c2 = webRecord(['Commented'], { text: 'second' }, at(3), BOB);
  const c3 = webRecord(['Commented'], { text: 'third' }, at(4));
  const edit = webRecord(['CommentEdited'], { comment: c1.hash + '\n', text: 'first, corrected' }, at(5));
  const edit2 = webRecord(['CommentEdited'], { comment: c1.hash, text: 'first, again' }, at(6));
  const foreign = webRecord(['CommentEdited'], { comment: c2.hash, text: 'not yours' }, at(6));
  const otherItem = webRecord(
    ['CommentEdited'],
    { comment: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', text: 'elsewhere' },
    at(6),
  );
  const notAComment = webRecord(['CommentDeleted'], { comment: s.hash }, at(6));
  const anonymous = record(['CommentDeleted'], { comment: c1.hash });
  const remove = webRecord(['CommentDeleted'], { comment: c2.hash }, at(7), BOB);
  const state = await reduce([s, c1, c2, c3, edit, edit2, foreign, otherItem, notAComment, anonymous, remove]);
  assert.equal(
    state.comments.map((c: { text: string }) => c.text),
    ['first, again', 'third'],
  );
  assert.equal(Object.keys(state.comments[0]).sort(), [
    'authors',
    'merge_request',
    'merge_request_report',
    'text',
    'timestamp',
  ]);
  assert.is(state.comments[0].timestamp, at(2), 'the comment keeps its own time');
  assert.equal(state.timeline, [
    { type: 'comment', hash: c1.hash, comment: 0, edited: at(6), edits: 2 },
    { type: 'comment_deleted', hash: c2.hash, authors: BOB, timestamp: at(3), deleted: at(7) },
    { type: 'comment', hash: c3.hash, comment: 1 },
  ]);
  // An edit of a deleted comment, or one that comes before its comment, changes nothing.
  const late = await reduce([
    s,
    c1,
    c2,
    remove,
    webRecord(['CommentEdited'], { comment: c2.hash, text: 'zombie' }, at(8), BOB),
  ]);
  assert.equal(
    late.comments.map((c: { text: string }) => c.text),
    ['first'],
  );
  const early = await reduce([s, edit, c1]);
  assert.equal(
    early.comments.map((c: { text: string }) => c.text),
    ['first'],
  );
  // A Merged entry is not a comment anybody wrote: it cannot be edited.
  const merged = webRecord(['Merged'], { record: 'X' }, at(2));
  const mergedEdit = await reduce([
    s,
    merged,
    webRecord(['CommentEdited'], { comment: merged.hash, text: 'rewritten' }, at(3)),
  ]);
  assert.is(mergedEdit.comments[0].text, 'Merged X');
});

test('label and milestone definitions: defined, updated, deleted; bad values ignored', async () => {
  const def = (types: string[], files: Files, n: number) => webRecord(types, files, at(n));
  const state = await reduce([
    def(['LabelDefined'], { name: ' bug \n', color: '#D73A4A', description: 'Something is wrong' }, 1),
    def(['LabelDefined'], { name: 'ui', color: 'red; background: url(x)' }, 2),
    def(['LabelDefined'], { name: 'bug', description: '' }, 3),
    def(['LabelDefined'], { name: '__proto__', color: '#000000' }, 3),
    def(['LabelDefined'], { name: 'two\nlines' }, 3),
    def(['LabelDefined', 'LabelDeleted'], { name: 'gone' }, 3),
    def(['LabelDefined'], { name: 'wontfix' }, 4),
    def(['LabelDeleted'], { name: 'wontfix' }, 5),
    def(['MilestoneDefined'], { title: '1.0', due: '2025-03-01', description: 'First release' }, 1),
    def(['MilestoneDefined'], { title: '1.0', due: 'soon', state: 'closed' }, 2),
    def(['MilestoneDefined'], { title: '2.0', due: '2025-09-01' }, 2),
    def(['MilestoneDefined'], { title: '2.0', due: '' }, 3),
  ]);
  assert.equal(state.label_definitions, [
    { name: '__proto__', color: '#000000', description: '' },
    { name: 'bug', color: '#d73a4a', description: '' },
    { name: 'ui', color: null, description: '' },
  ]);
  assert.equal(state.milestone_definitions, [
    { title: '1.0', description: 'First release', due: '2025-03-01', state: 'closed' },
    { title: '2.0', description: '', due: null, state: 'open' },
  ]);
  assert.is(state.errors, undefined);
  const issue = await reduce([webRecord(['SummaryChanged'], { text: 'S' }, at(1))]);
  assert.is(issue.label_definitions, undefined, 'issues carry no definitions');
});

test.run();
