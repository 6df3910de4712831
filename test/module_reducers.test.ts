import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReducerRuntime } from '../src/sandbox/mod.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const reducerDir = path.join(root, 'modules/issue-tracking/reducers');
const reducerFiles = fs.readdirSync(reducerDir).filter((f) => f.endsWith('.js')).sort();
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
  return record(types, { '.authors': 'Yurii Rashkovskii <me@yrashk.com>', '.timestamp': timestamp, ...extra, ...files });
}

async function reduce(records: Rec[], id = 'a0d4f3b2-5c2e-4f7a-9d7c-3f2b1c0e9a11'): Promise<Record<string, any>> {
  const state = await runtime.reduce({ id, state: { id }, records });
  return JSON.parse(JSON.stringify(state));
}

test('the module ships the reducers in the original order of application', () => {
  assert.equal(reducerFiles, [
    'Commented.js', 'DetailsChanged.js', 'MergeRequested.js', 'Merged.js', 'State.js', 'SummaryChanged.js',
    'activity.js', 'assignees.js', 'labels.js', 'milestone.js',
  ]);
});

test('reducer sources stay within the dialect the original SIT (Duktape) runs', () => {
  for (const r of reducers) {
    const code = r.source.replace(/^\s*\/\/.*$/gm, '');
    assert.match(code, /^module\.exports = function \(state, record\) \{/m, r.file);
    for (const banned of [/=>/, /\blet\s/, /\bconst\s/, /`/, /\brequire\s*\(/, /\bexports\./, /\bclass\s/, /\.\.\./, /\bfor\s*\([^)]*\bof\b/, /\bnew (Map|Set)\b/]) {
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
    { text: '  Looks good\n\n', authors: 'Yurii Rashkovskii <me@yrashk.com>', timestamp: '2018-12-20T19:37:00.000000000Z', merge_request: null, merge_request_report: null },
    { text: 'Done.', authors: 'Yurii Rashkovskii <me@yrashk.com>', timestamp: '2018-12-20T19:38:00.5Z', merge_request: null, merge_request_report: null },
  ]);
  assert.is(state.errors, undefined);

  const reopened = await reduce([s, d, close, cliRecord(['Reopened'], {}, '2018-12-21T00:00:00Z')]);
  assert.is(reopened.state, 'open');
  const both = await reduce([s, cliRecord(['Closed', 'Reopened'], {}, '2018-12-21T00:00:00Z')]);
  assert.is(both.state, 'closed', 'Closed wins over Reopened in one record');
  const reclosed = await reduce([s, close, cliRecord(['Reopened'], {}, '2018-12-21T00:00:00Z'), cliRecord(['Closed'], {}, '2018-12-22T00:00:00Z')]);
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
  assert.equal(state.comments, [{ text: 'no aux files', authors: '', timestamp: '', merge_request: null, merge_request_report: null }]);
  const bare = await reduce([record(['SummaryChanged'], { text: 'S' })]);
  assert.is('last_updated_timestamp' in bare, false);
  assert.is(bare.authors, '');
  assert.is(bare.timestamp, '');
});

test('merge requests: primary one, every one in order, revisions, reports and merges', async () => {
  const ts = (n: number) => `2018-10-03T04:1${n}:52.257592768Z`;
  const summary = cliRecord(['SummaryChanged'], { text: 'Problem: P' }, ts(0));
  const mr1 = cliRecord(['DetailsChanged', 'MergeRequested'], { text: 'Solution: S\n', 'git/0001-fix.patch': 'From 1\n' }, ts(1));
  const ok = record(['Commented', 'MergeRequestVerificationSucceeded'], { text: 'passed\n', record: mr1.hash, '.authors': 'SIT Merge Request CI' });
  const mr2 = cliRecord(['Commented', 'MergeRequested'], { text: 'Revised\n', 'git/0001-fix.patch': 'From 2\n' }, ts(2));
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
    { text: 'passed\n', authors: 'SIT Merge Request CI', timestamp: '', merge_request: null, merge_request_report: 'success' },
    { text: 'Revised\n', authors: 'Yurii Rashkovskii <me@yrashk.com>', timestamp: ts(2), merge_request: mr2.hash, merge_request_report: null },
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
  assert.equal(alone.comments.map((c: { text: string }) => c.text), ['Merged', 'merged by hand'], 'Merged entry first, trimmed');
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
  assert.equal((await reduce([s, add, add2, remove, swap])).labels, ['good first issue', 'zeta'], 'removed first, then added');
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
  const one = [webRecord(['SummaryChanged'], { text: 'One' }, '2018-02-21T23:13:01.954Z'), record(['Commented'], { text: 'c1' }), record(['LabelsChanged'], { added: 'x' })];
  const two = [webRecord(['SummaryChanged'], { text: 'Two' }, '2018-02-22T23:13:01.954Z')];
  const first = await reduce(one, 'item-1');
  const second = await reduce(two, 'item-2');
  assert.is(JSON.stringify(await reduce(one, 'item-1')), JSON.stringify(first));
  assert.is(second.comments, undefined);
  assert.equal(second.labels, []);
  assert.is(second.id, 'item-2');
});

test('the original fields survive a start state and extend its lists', async () => {
  const state = await runtime.reduce({
    id: 'x',
    state: { id: 'x', comments: [{ text: 'old', authors: '', timestamp: '' }], labels: ['keep'], merge_requests: ['OLD'] },
    records: [record(['Commented', 'MergeRequested'], { text: 'new' }, 'NEWHASHQQQQQQQQQQQQQQQQQQQQQQQQQ'), record(['LabelsChanged'], { added: 'more' })],
  });
  const s = JSON.parse(JSON.stringify(state));
  assert.equal(s.comments.map((c: { text: string }) => c.text), ['old', 'new']);
  assert.equal(s.merge_requests, ['OLD', 'NEWHASHQQQQQQQQQQQQQQQQQQQQQQQQQ']);
  assert.equal(s.labels, ['keep', 'more']);
});

test.run();
