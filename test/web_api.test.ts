// The original SIT's JSON API as `sit web` serves it: item queries and filters, record file
// lists, item and record creation (multipart), repository reduction, `/repo/`, `/config`,
// `/user/config`, ETags.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../src/server.ts';
import { emptyUserConfig } from '../src/store/mod.ts';
import { recordFiles, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

let f: WebFixture;
let openId: string;
let closedId: string;
const ORIGIN = { origin: 'http://localhost' };

test.before(async () => {
  f = await webFixture();
  openId = await f.issue('Open one', { details: 'd1', comments: ['c1', 'c2'] });
  closedId = await f.issue('Closed one', { closed: true });
});

test.after(async () => {
  await f.close();
});

async function getJson(path: string): Promise<{ status: number; body: unknown; type: string | null }> {
  const res = await f.app.request(path);
  const text = await res.text();
  return {
    status: res.status,
    body: res.status === 200 ? JSON.parse(text) : text,
    type: res.headers.get('content-type'),
  };
}

test('/config and /user/config', async () => {
  assert.equal((await getJson('/config')).body, { readonly: false });
  const user = await getJson('/user/config');
  assert.equal(user.body, { author: { name: 'Web Tester', email: 'web@example.com' } });
  const config = emptyUserConfig();
  config.extra.push(['issues', { filters: { mine: 'assignee:me' } }]);
  const app = createApp({ repo: f.repo, index: f.index, author: { name: 'X' }, userConfig: config });
  assert.equal(JSON.parse(await (await app.request('/user/config')).text()), {
    author: { name: 'X' },
    issues: { filters: { mine: 'assignee:me' } },
  });
});

test('/api/items/{filter}/{query}: empty filter, filters, sorted compact JSON, bad expressions', async () => {
  const all = await getJson('/api/items//id');
  assert.is(all.status, 200);
  assert.match(all.type ?? '', /application\/json/);
  assert.equal([...(all.body as string[])].sort(), [openId, closedId].sort());
  const open = await getJson(
    `/api/items/${encodeURIComponent("state == 'open'")}/${encodeURIComponent('{s: summary, n: length(comments)}')}`,
  );
  assert.equal(open.body, [{ n: 2, s: 'Open one' }]);
  const raw = await (
    await f.app.request(`/api/items/${encodeURIComponent("state == 'open'")}/${encodeURIComponent('{z: `1`, a: `2`}')}`)
  ).text();
  assert.is(raw, '[{"a":2,"z":1}]', 'keys sorted, compact');
  // A filter that is not boolean true drops the item.
  assert.equal((await getJson(`/api/items/${encodeURIComponent('summary')}/id`)).body, []);
  assert.is((await getJson(`/api/items/${encodeURIComponent('state ==')}/id`)).status, 400);
  assert.is((await getJson(`/api/items//${encodeURIComponent('{id')}`)).status, 400);
  // A slash inside a segment stays in it.
  assert.equal((await getJson(`/api/items/${encodeURIComponent("summary == 'a/b'")}/id`)).body, []);
});

test('/api/item/{id}/{query}: whole state, query, unknown item, bad query', async () => {
  const state = (await getJson(`/api/item/${openId}/@`)).body as Record<string, unknown>;
  assert.is(state['id'], openId);
  assert.is(state['summary'], 'Open one');
  assert.is(state['state'], 'open');
  assert.equal((await getJson(`/api/item/${closedId}/state`)).body, 'closed');
  assert.is((await getJson('/api/item/no-such-item/@')).status, 404);
  assert.is((await getJson(`/api/item/${openId}/${encodeURIComponent('[')}`)).status, 400);
});

test('record file lists: in the item, in the repository, unknown ones', async () => {
  const hashes = f.repo.listItemRecords(openId);
  const hash = hashes[0]!;
  const names = (await getJson(`/api/item/${openId}/${hash}/files`)).body as string[];
  assert.ok(names.includes('.authors') && names.includes('.timestamp'));
  assert.equal([...names].sort(), names, 'sorted');
  assert.equal((await getJson(`/api/record/${hash}/files`)).body, names);
  assert.is((await getJson(`/api/item/${closedId}/${hash}/files`)).status, 404, 'not in that item');
  assert.is((await getJson(`/api/record/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/files`)).status, 404);
  assert.is((await getJson(`/api/record/not-base32!/files`)).status, 404);
});

test('POST /api/item and multipart records, as the original web UI sent them', async () => {
  const created = await f.app.request('/api/item', { method: 'POST', headers: ORIGIN });
  assert.is(created.status, 200);
  const id = JSON.parse(await created.text()) as string;
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const form = new FormData();
  for (const file of recordFiles(
    ['SummaryChanged'],
    'From the API',
    '2024-01-02T03:04:05.678Z',
    'API <api@example.com>',
  )) {
    form.append(file.name, new Blob([file.data as Uint8Array<ArrayBuffer>], { type: 'text/plain' }), file.name);
  }
  const res = await f.app.request(`/api/item/${id}/records`, { method: 'POST', headers: ORIGIN, body: form });
  assert.is(res.status, 200);
  const hash = JSON.parse(await res.text()) as string;
  assert.match(hash, /^[A-Z2-7]{32}$/);
  assert.equal(f.repo.listItemRecords(id), [hash]);
  // The index was refreshed: the API shows the new state at once.
  assert.is((await getJson(`/api/item/${id}/summary`)).body, 'From the API');
  const record = f.repo.readRecord(hash)!;
  assert.is(new TextDecoder().decode(record.files.find((x) => x.name === 'text')!.data), 'From the API');

  // A second record links the first as its parent, unless the client names parents itself.
  const form2 = new FormData();
  form2.append('.type/Commented', new Blob([]), '.type/Commented');
  form2.append('text', new Blob(['second']), 'text');
  const h2 = JSON.parse(
    await (await f.app.request(`/api/item/${id}/records`, { method: 'POST', headers: ORIGIN, body: form2 })).text(),
  ) as string;
  assert.ok(
    f.repo.readRecord(h2)!.files.some((x) => x.name === `.prev/${hash}`),
    'auto-linked to the head',
  );
  const form3 = new FormData();
  form3.append('.type/Commented', new Blob([]), '.type/Commented');
  form3.append('text', new Blob(['third']), 'text');
  form3.append(`.prev/${hash}`, new Blob([]), `.prev/${hash}`);
  const h3 = JSON.parse(
    await (await f.app.request(`/api/item/${id}/records`, { method: 'POST', headers: ORIGIN, body: form3 })).text(),
  ) as string;
  const prevs = f.repo
    .readRecord(h3)!
    .files.filter((x) => x.name.startsWith('.prev/'))
    .map((x) => x.name);
  assert.equal(prevs, [`.prev/${hash}`], 'client-given parents only');
});

test('multipart records: unknown item 404, hostile names 400, not multipart 400, nothing written', async () => {
  const form = new FormData();
  form.append('text', new Blob(['x']), 'text');
  assert.is(
    (await f.app.request('/api/item/no-such/records', { method: 'POST', headers: ORIGIN, body: form })).status,
    404,
  );
  for (const name of ['../escape', 'a/../../b', 'x\0y', '']) {
    const bad = new FormData();
    bad.append(name, new Blob(['x']), 'x');
    const before = f.repo.listItemRecords(openId).length;
    const res = await f.app.request(`/api/item/${openId}/records`, { method: 'POST', headers: ORIGIN, body: bad });
    assert.is(res.status, 400, `name ${JSON.stringify(name)} → ${res.status}`);
    assert.is(f.repo.listItemRecords(openId).length, before);
  }
  const plain = await f.app.request(`/api/item/${openId}/records`, {
    method: 'POST',
    headers: { ...ORIGIN, 'content-type': 'text/plain' },
    body: 'text',
  });
  assert.is(plain.status, 400);
});

test('POST /api/records writes a repository-level record', async () => {
  const form = new FormData();
  form.append('.type/Note', new Blob([]), '.type/Note');
  form.append('text', new Blob(['repository note']), 'text');
  const res = await f.app.request('/api/records', { method: 'POST', headers: ORIGIN, body: form });
  assert.is(res.status, 200);
  const hash = JSON.parse(await res.text()) as string;
  assert.ok(f.repo.readRecord(hash) !== undefined);
  for (const id of f.repo.items()) assert.not.ok(f.repo.listItemRecords(id).includes(hash), 'not linked into an item');
});

test('/api/reduce/{query} and /api/{roots}/reduce/{query}', async () => {
  mkdirSync(join(f.repo.root, 'reducers', 'counter'), { recursive: true });
  writeFileSync(
    join(f.repo.root, 'reducers', 'counter', 'count.js'),
    'module.exports = function (state, record) { return Object.assign(state, { count: (state.count || 0) + 1 }); };',
  );
  const counted = await getJson(`/api/reduce/count?reducers=counter`);
  assert.is(counted.status, 200);
  assert.type(counted.body, 'number');
  assert.ok((counted.body as number) >= 1);
  assert.is((await getJson(`/api/reduce/${encodeURIComponent('[')}`)).status, 400);
  assert.is((await getJson(`/api/reduce/@?state=${encodeURIComponent('[1]')}`)).status, 500);
  assert.is(
    (await getJson(`/api/reduce/@?reducers=${encodeURIComponent('../../etc')}`)).status,
    500,
    'reducers must be names inside the repository',
  );
  const seeded = await getJson(`/api/reduce/seed?state=${encodeURIComponent('{"seed": 7}')}`);
  assert.is(seeded.body, 7);
  assert.is((await getJson('/api/NOT-A-HASH/reduce/@')).status, 400);
});

test('/repo/: files, item link files followed, directory listings, ETags', async () => {
  const hash = f.repo
    .listItemRecords(openId)
    .find((h) => f.repo.readRecord(h)!.files.some((x) => x.name === '.type/SummaryChanged'))!;
  const config = await f.app.request('/repo/config.json');
  assert.is(config.status, 200);
  const etag = config.headers.get('etag');
  assert.match(etag ?? '', /^"[0-9a-f]{40}"$/);
  assert.is((await f.app.request('/repo/config.json', { headers: { 'if-none-match': etag! } })).status, 304);
  assert.is(
    (await f.app.request('/repo/config.json', { headers: { 'if-none-match': etag!.slice(1, -1) } })).status,
    304,
    'bare form as the original',
  );
  const listing = await (await f.app.request(`/repo/items/${openId}/${hash}`)).text();
  assert.ok(listing.split('\n').includes('.authors'), 'the link file lists the record');
  assert.ok(listing.split('\n').includes('.type/'), 'sub-directories end in /');
  const text = await f.app.request(`/repo/items/${openId}/${hash}/text`);
  assert.is(text.status, 200);
  assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
  assert.is(await text.text(), 'Open one');
  assert.is((await f.app.request('/repo/items/nope')).status, 404);
});

test('write API answers 404 in read-only mode, like the original', async () => {
  const ro = createApp({ repo: f.repo, index: f.index, author: { name: 'R' }, readonly: true });
  assert.is((await ro.request('/api/item', { method: 'POST', headers: ORIGIN })).status, 404);
  const form = new FormData();
  form.append('text', new Blob(['x']), 'text');
  assert.is(
    (await ro.request(`/api/item/${openId}/records`, { method: 'POST', headers: ORIGIN, body: form })).status,
    404,
  );
  assert.is((await ro.request('/api/records', { method: 'POST', headers: ORIGIN, body: form })).status, 404);
  assert.is((await ro.request('/api/items//id')).status, 200, 'reads still work');
});

test.run();
