// The store's hostile cases against `sit web`: what the command line refuses or leaves out, the
// server refuses or leaves out too, and it keeps answering.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ItemIndex } from '../src/reduce/mod.ts';
import { createApp } from '../src/server.ts';
import { Repository, splitPath } from '../src/store/mod.ts';
import { formHeaders, recordFiles, webFixture } from './helpers/web_fixtures.ts';

test('an item name that is not UTF-8 does not stop the list from showing every other issue', async () => {
  const fixture = await webFixture();
  try {
    await fixture.issue('A plain issue');
    mkdirSync(Buffer.concat([Buffer.from(`${fixture.repo.root}/items/bad-`), Buffer.from([0xc3, 0x28])]));
    await fixture.index.refresh();
    const response = await fixture.app.request('/?q=');
    assert.is(response.status, 200);
    assert.match(await response.text(), /A plain issue/);
  } finally {
    await fixture.close();
  }
});

test('a record directory linked out of the repository is not shown, and the page still answers', async () => {
  const fixture = await webFixture();
  try {
    const id = await fixture.issue('Linked out', { comments: ['an honest comment'] });
    const hash = fixture.repo.newRecord(recordFiles(['Commented'], 'will be replaced'), { itemId: id });
    const dir = join(fixture.repo.root, 'records', splitPath(hash));
    const host = mkdtempSync(join(tmpdir(), 'sit-host-'));
    writeFileSync(join(host, 'text'), 'host secret');
    mkdirSync(join(host, '.type'));
    writeFileSync(join(host, '.type', 'Commented'), '');
    rmSync(dir, { recursive: true });
    symlinkSync(host, dir);
    await fixture.index.refresh([id]);
    const page = await (await fixture.app.request(`/issue/${id}`)).text();
    assert.match(page, /an honest comment/);
    assert.not.match(page, /host secret/);
    assert.match(page, /left out/);
    const api = await fixture.app.request(`/api/item/${id}/${hash}/files`);
    assert.is(api.status, 404);
    rmSync(host, { recursive: true, force: true });
  } finally {
    await fixture.close();
  }
});

test('a comment posted while records/ links out of the repository is refused with a message; nothing is written outside', async () => {
  const fixture = await webFixture();
  try {
    const id = await fixture.issue('Writes refused');
    const outside = mkdtempSync(join(tmpdir(), 'sit-host-'));
    rmSync(join(fixture.repo.root, 'records'), { recursive: true });
    symlinkSync(outside, join(fixture.repo.root, 'records'));
    const repo = Repository.open(fixture.repo.root);
    const index = await ItemIndex.open(repo, { poolThreshold: 1_000_000 });
    const app = createApp({ repo, index, author: { name: 'Web Tester' } });
    const response = await app.request(`/issue/${id}/comment`, {
      method: 'POST',
      headers: formHeaders(),
      body: new URLSearchParams({ text: 'goes nowhere' }),
    });
    assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
    assert.match(await response.text(), /leads outside the repository/);
    assert.equal(readdirSync(outside), []);
    const api = await app.request(`/api/item/${id}/records`, {
      method: 'POST',
      headers: { origin: 'http://localhost' },
      body: (() => {
        const form = new FormData();
        form.append('text', 'via the API');
        return form;
      })(),
    });
    assert.is(api.status, 400);
    assert.equal(readdirSync(outside), []);
    await index.close();
    rmSync(outside, { recursive: true, force: true });
  } finally {
    await fixture.close();
  }
});

test('a damaged or FIFO cache does not make the server show wrong data or hang', async () => {
  const fixture = await webFixture();
  try {
    const id = await fixture.issue('Cached summary');
    await fixture.index.close();
    const cacheDir = join(process.env['SIT_CACHE_DIR']!, 'repositories');
    const [repoDir] = readdirSync(cacheDir);
    const file = join(cacheDir, repoDir!, 'items.cache');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Cached summary', 'Forged summary'));
    const index = await ItemIndex.open(fixture.repo, { poolThreshold: 1_000_000 });
    assert.is(index.get(id)?.['summary'], 'Cached summary');
    await index.close();
    rmSync(file);
    assert.is(spawnSync('mkfifo', [file]).status, 0);
    const again = await ItemIndex.open(fixture.repo, { poolThreshold: 1_000_000 });
    assert.is(again.get(id)?.['summary'], 'Cached summary');
    await again.close();
  } finally {
    fixture.index.close = async () => undefined;
    await fixture.close();
  }
});

test.run();
