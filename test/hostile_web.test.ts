// The attacks of the sandbox and JMESPath hardening against `sit web`: a hostile repository's
// reducers (a long native operation, an endless loop, a deep state, globals kept between items),
// a long issue, and JMESPath from addresses that exhausted the heap. The server keeps answering,
// and every other item is unaffected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ItemIndex } from '../src/reduce/mod.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { Repository } from '../src/store/mod.ts';
import { PROJECT_ROOT } from './helpers/web_fixtures.ts';
import { FLATTEN_BOMB, PAD_BOMB, SHARING_BOMB } from './helpers/jmespath_bombs.ts';

const HOSTILE = `
var seen = 0;
module.exports = function (s, r) {
  var f = r.files;
  seen++;
  globalThis.kept = (globalThis.kept || 0) + 1;
  implicitGlobal = (typeof implicitGlobal === 'number' ? implicitGlobal : 0) + 1;
  s.leaks = [seen, globalThis.kept, implicitGlobal];
  if (f['.type/Native'] !== undefined) s.big = Array.prototype.indexOf.call({ length: 1e15 }, 1);
  if (f['.type/Spin'] !== undefined) for (;;) {}
  if (f['.type/Deep'] !== undefined) { var a = []; for (var i = 0; i < 5000; i++) a = [a]; s.deep = a; }
};`;

const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), 'sit-hostile-web-'));
process.env['SIT_CACHE_DIR'] = join(dir, 'cache');
const { path: sitDir } = Repository.init(dir);
mkdirSync(join(sitDir, 'modules'));
symlinkSync(join(PROJECT_ROOT, 'modules', 'issue-tracking'), join(sitDir, 'modules', 'issue-tracking'));
mkdirSync(join(sitDir, 'reducers'));
writeFileSync(join(sitDir, 'reducers', 'Hostile.js'), HOSTILE);
const HOSTILE_FILE = join(sitDir, 'reducers', 'Hostile.js');
const repo = Repository.open(sitDir);

function issue(id: string, types: string[], text = 'text'): string {
  repo.newItem(id);
  types.forEach((type, i) => {
    repo.newRecord(
      [
        { name: `.type/${type}`, data: new Uint8Array(0) },
        { name: 'text', data: enc.encode(`${text} ${i}`) },
        { name: '.authors', data: enc.encode('Mallory <m@example.org>') },
        { name: '.timestamp', data: enc.encode(new Date(Date.UTC(2021, 0, 1, 0, 0, i)).toISOString()) },
      ],
      { itemId: id, linkParents: false },
    );
  });
  return id;
}

const FAST = { itemDeadlineMs: 300, watchdogGraceMs: 300 };
let index: ItemIndex;
let server: RunningServer;
const normal = ['normal-1', 'normal-2', 'normal-3'];

test.before(async () => {
  for (const id of normal) issue(id, ['SummaryChanged', 'Commented', 'Commented']);
  issue('deep', ['SummaryChanged', 'Deep', 'Commented']);
  issue('spin', ['SummaryChanged', 'Spin']);
  issue('long', ['SummaryChanged', ...Array.from({ length: 400 }, () => 'Commented')], 'x'.repeat(500));
  index = await ItemIndex.open(repo, { limits: FAST });
  server = await startServer({
    repo,
    index,
    author: { name: 'T' },
    listen: '127.0.0.1:0',
    print: () => undefined,
    watch: false,
  });
});

test.after(async () => {
  await server.close();
  await index.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return { status: response.status, text: await response.text() };
}

function normalUnaffected(): void {
  for (const id of normal) {
    const state = index.get(id)!;
    assert.is((state.comments as unknown[]).length, 2, id);
    assert.is(state.errors, undefined, id);
    assert.equal(state.leaks, [3, 3, 3], `${id}: every item starts from a fresh environment`);
  }
}

test('a long native operation in a reducer is stopped while the server keeps answering', async () => {
  issue('native', ['SummaryChanged', 'Native', 'Commented']);
  let refreshed = false;
  const refreshing = index.refresh(['native']).then((changed) => {
    refreshed = true;
    return changed;
  });
  // requests are answered while the item is being reduced (in the index's worker)
  const during = await get(`/api/items//id`);
  assert.is(during.status, 200);
  assert.not.ok(refreshed, 'answered before the hostile item was done');
  assert.equal(await refreshing, ['native']);
  const state = index.get('native')!;
  const errors = state.errors as Array<{ file: string; error: string }>;
  assert.is(errors.length, 1, JSON.stringify(errors));
  assert.is(errors[0]!.file, HOSTILE_FILE);
  assert.match(errors[0]!.error, /^watchdog: worker terminated after \d+ ms in record [A-Z2-7]+$/);
  assert.is(state.summary, 'text 0', 'the state before the record');
  // not final, but not reduced again at every poll either: the sandbox is not kept busy by it
  assert.equal(index.engine.lastLimited, ['native']);
  assert.not.ok(index.incomplete().includes('native'));
  normalUnaffected();
});

test('an endless loop and a 5000-deep state are errors of their items only, listed with the others', async () => {
  const spin = index.get('spin')!;
  assert.match((spin.errors as Array<{ error: string }>)[0]!.error, /^deadline exceeded \(300 ms\) in record /);
  const deep = index.get('deep')!;
  const deepErrors = deep.errors as Array<{ file: string; error: string }>;
  assert.is(deepErrors.length, 1);
  assert.is(deepErrors[0]!.error, 'RangeError: the state is nested more than 100 levels deep (the limit of a state)');
  assert.is((deep.comments as unknown[]).length, 1, 'the records after the deep one still apply');
  const listed = await get('/api/items//id');
  assert.is(listed.status, 200);
  const ids = JSON.parse(listed.text) as string[];
  for (const id of [...normal, 'deep', 'spin', 'long']) assert.ok(ids.includes(id), id);
  normalUnaffected();
});

test('a long issue is shown whole', async () => {
  const count = await get(`/api/item/long/${encodeURIComponent('length(comments)')}`);
  assert.equal(JSON.parse(count.text), 400);
  assert.is(index.get('long')!.errors, undefined);
});

test('JMESPath that exhausted the heap gets a one-line 400 from every endpoint; the server keeps answering', async () => {
  for (const bomb of [PAD_BOMB, FLATTEN_BOMB, SHARING_BOMB]) {
    const e = encodeURIComponent(bomb);
    for (const path of [`/api/items//${e}`, `/api/items/${e}/id`, `/api/item/normal-1/${e}`, `/api/reduce/${e}`]) {
      const started = performance.now();
      const response = await get(path);
      assert.is(response.status, 400, `${path}: ${response.text.slice(0, 200)}`);
      assert.match(response.text, /stopped: /);
      assert.not.match(response.text, '\n');
      process.stderr.write(`  ${path.slice(0, 40)}…: 400 in ${(performance.now() - started).toFixed(0)} ms\n`);
    }
  }
  const after = await get(`/api/item/normal-2/summary`);
  assert.equal(JSON.parse(after.text), 'text 0');
});

test('an initial state nested too deep is a 400', async () => {
  const state = encodeURIComponent(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`);
  const response = await get(`/api/reduce/@?state=${state}`);
  assert.is(response.status, 400);
  assert.match(response.text, /nested more than 100 levels deep/);
});

test('the states an index keeps are bounded in all: past the bound an item is an error, the others stay', async () => {
  const small = await ItemIndex.open(repo, { limits: FAST, maxChars: 20_000 });
  try {
    const long = small.get('long')!;
    assert.match(
      (long.errors as Array<{ error: string }>)[0]!.error,
      /^not kept in memory: the states of this repository would take more than/,
    );
    for (const id of normal) assert.is((small.get(id)!.comments as unknown[]).length, 2);
  } finally {
    await small.close();
  }
});

test.run();
