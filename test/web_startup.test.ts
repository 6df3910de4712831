// `sit web` while its index is built: the server answers at once, pages show an "Indexing: N of M
// items" banner that fetches itself again, API reads of every item answer 503 with Retry-After,
// an issue page is answered by reducing its one item, writes are kept, and when indexing is over
// the pages bring their full view. A module whose reducer is deliberately slow (a busy loop per
// record) keeps the index from being ready while the test looks; nothing here depends on timing
// beyond that.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { ItemIndex } from '../src/reduce/mod.ts';
import { createApp, startServer } from '../src/server.ts';
import { indexingBanner, noscriptReload } from '../src/web/indexing.ts';
import { coldCache, HOSTILE_ID, SLOW_LIMITS as LIMITS, slowFixture as fixture } from './helpers/startup_fixtures.ts';
import { makeSandbox } from './helpers/cli.ts';
import { formHeaders } from './helpers/web_fixtures.ts';
import { startWeb } from './helpers/web_process.ts';

const ITEMS = 40;

/** The banner of a page, or undefined. */
function bannerOf(page: string): string | undefined {
  return /<div id="indexing"[^>]*>[\s\S]*?<\/div>/.exec(page)?.[0];
}

/** Waits (without a time limit of its own: uvu's runner and the sandbox bound it) until `done` is past `n`. */
async function progressPast(index: ItemIndex, n: number): Promise<void> {
  while (!index.progress().ready && index.progress().done <= n) await new Promise((r) => setTimeout(r, 20));
}

test('while indexing: API 503 with Retry-After, banner with counts, issue pages and writes; then the full view', async () => {
  const f = fixture();
  coldCache(f, 'app');
  const index = ItemIndex.start(f.repo, { limits: LIMITS });
  const app = createApp({ repo: f.repo, index, author: { name: 'Startup Tester' } });
  try {
    // The API that reads every item is not ready.
    const api = await app.request('/api/items//id');
    assert.is(index.progress().ready, false, 'the slow reducer keeps the index from being ready');
    assert.is(api.status, 503);
    assert.match(api.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    const apiText = await api.text();
    assert.not.match(apiText, /\n/, 'one line');
    assert.match(
      String((JSON.parse(apiText) as { error: string }).error),
      /^indexing: (\d+ of 41 items so far|listing the items); try again in \d+ s$/,
    );

    // What does not need the index answers as always.
    assert.is((await app.request('/static/style.css')).status, 200);
    assert.is((await app.request('/config')).status, 200);

    // The list: the banner with numbers, polling itself; the list is what is indexed so far.
    const list = await app.request('/');
    assert.is(list.status, 200);
    const listPage = await list.text();
    const banner = bannerOf(listPage);
    assert.ok(banner !== undefined, 'the list page has the banner');
    assert.match(
      banner!,
      /Indexing:<\/strong> <span class="indexing-count">(\d+ of 41 items|listing the items)<\/span>/,
    );
    assert.match(banner!, /hx-get="\/indexing\?then=update" hx-trigger="every 1s" hx-swap="outerHTML"/);
    assert.ok(listPage.indexOf(banner!) < listPage.indexOf('<main id="main"'), 'above the main landmark');

    // An issue the index has not reached is answered by reducing that one item.
    const late = f.ids
      .slice(0, ITEMS)
      .reverse()
      .find((id) => index.get(id) === undefined);
    assert.ok(late !== undefined, 'some item is not indexed yet');
    const issue = await app.request(`/issue/${late}`);
    assert.is(issue.status, 200);
    const issueText = await issue.text();
    assert.match(issueText, `Issue number ${f.ids.indexOf(late!)}`);
    assert.match(bannerOf(issueText) ?? '', /hx-get="\/indexing\?then=update"/);

    // An item's own API query is answered the same way; the labels page reloads when done.
    const other = f.ids.slice(0, ITEMS).find((id) => index.get(id) === undefined);
    if (other !== undefined) {
      const one = await app.request(`/api/item/${other}/summary`);
      assert.is(one.status, 200);
      assert.is(await one.json(), `Issue number ${f.ids.indexOf(other)}`);
    }
    assert.match(bannerOf(await (await app.request('/labels')).text()) ?? '', /hx-get="\/indexing\?then=reload"/);

    // A write while indexing is kept, and the indexing that reaches the item later does not undo it.
    assert.is(index.progress().ready, false);
    const posted = await app.request(`/issue/${late}/comment`, {
      method: 'POST',
      headers: formHeaders(),
      body: new URLSearchParams({ text: 'written while indexing', action: 'comment' }),
    });
    assert.is(posted.status, 303);
    const created = await app.request('/api/item', { method: 'POST', headers: { origin: 'http://localhost' } });
    assert.is(created.status, 200);
    const newId = (await created.json()) as string;
    assert.ok(index.get(newId) !== undefined, 'a new item is kept at once');

    // The banner fragment counts up while indexing.
    const first = index.progress().done;
    const fragment = await (await app.request('/indexing?then=update')).text();
    assert.match(fragment, /^<div id="indexing"[^>]*hx-trigger="every 1s"[^>]*>.*(\d+ of 41 items|listing the items)/);
    await progressPast(index, first);
    if (!index.progress().ready) {
      const later = await (await app.request('/indexing?then=update')).text();
      const shown = Number(/(\d+) of 41 items/.exec(later)![1]);
      assert.ok(shown > first, `the count moved on: ${first} → ${shown}`);
    }

    await index.whenReady();
    assert.equal(index.progress(), { done: 41, total: 41, ready: true });

    // Over: the banner goes and tells the page to fetch its full view (or to reload).
    const done = await app.request('/indexing?then=update');
    assert.is(await done.text(), '<div id="indexing" hidden></div>');
    assert.equal(JSON.parse(done.headers.get('hx-trigger') ?? 'null'), { situpdate: { target: 'body' } });
    assert.is((await app.request('/indexing?then=reload')).headers.get('hx-refresh'), 'true');
    const plain = await app.request('/indexing?then=none');
    assert.is(plain.headers.get('hx-trigger'), null);
    assert.is(plain.headers.get('hx-refresh'), null);

    // The full view: every item, no banner; the write made while indexing is there.
    const all = await app.request('/api/items//id');
    assert.is(all.status, 200);
    assert.is(((await all.json()) as string[]).length, 42);
    const full = await (await app.request('/?q=is:all')).text();
    assert.is(bannerOf(full), undefined);
    assert.match(full, '42 issues');
    const comments = await (await app.request(`/api/item/${late}/comments[].text`)).json();
    assert.equal(comments, ['comment of ' + f.ids.indexOf(late!), 'written while indexing']);
    assert.is((index.get(late!) as { slow?: number }).slow, 3, 'every record reduced by the slow module');
  } finally {
    await index.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('a hostile repository cannot break the banner: it shows numbers only', async () => {
  const f = fixture();
  coldCache(f, 'hostile');
  const index = ItemIndex.start(f.repo, { limits: LIMITS });
  const app = createApp({ repo: f.repo, index, author: { name: 'Startup Tester' } });
  try {
    const pages = [
      await (await app.request('/')).text(),
      await (await app.request(`/issue/${encodeURIComponent(HOSTILE_ID)}`)).text(),
      await (await app.request('/issue/%3Cscript%3E')).text(),
      await (await app.request('/indexing?then=%22%3E%3Cscript%3E')).text(),
    ];
    assert.is(index.progress().ready, false);
    for (const page of pages) {
      const banner = bannerOf(page);
      assert.ok(banner !== undefined);
      // (`noscript` is the banner's own.)
      assert.not.match(banner!, /(?<!no)script|alert|img|svg|99999/, 'nothing of the repository or the address');
      assert.match(banner!, /then=(update|none)"/);
    }
    // The hostile item's own page was answered by reducing it: its summary is escaped.
    assert.match(pages[1]!, '&lt;img src=x onerror=alert(2)&gt;');
    assert.not.match(pages[1]!, '<img src=x');
    // Whatever the numbers, the banner holds only digits, separators and its fixed words.
    for (const progress of [
      { done: -5, total: Number.NaN, ready: false },
      { done: 1e21, total: 3, ready: false },
      { done: 12345, total: 1234567, ready: false },
      { done: 3, total: 9, ready: true, failed: '<script>alert(3)</script>' },
    ]) {
      const banner = indexingBanner(progress, 'update');
      assert.not.match(banner, /<script|alert\(|NaN|Infinity|e\+/);
    }
    assert.match(indexingBanner({ done: 12345, total: 1234567, ready: false }, 'none'), '12,345 of 1,234,567 items');
    // Without JavaScript a page of lists reloads itself; a page with a form does not, and the
    // banner that replaces itself never carries the reload.
    assert.match(pages[0]!, '<noscript><meta http-equiv="refresh" content="5"></noscript>');
    assert.not.match(pages[3]!, '<noscript>');
    assert.not.match(indexingBanner({ done: 1, total: 9, ready: false }, 'update'), '<noscript>');
    assert.is(noscriptReload({ done: 1, total: 9, ready: false }, 'none'), '');
    assert.is(noscriptReload({ done: 9, total: 9, ready: true, failed: 'x' }, 'update'), '');
  } finally {
    await index.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('startServer prints its address before the index is ready; closing while indexing ends it cleanly', async () => {
  const f = fixture();
  coldCache(f, 'server');
  const index = ItemIndex.start(f.repo, { limits: LIMITS });
  const lines: string[] = [];
  const server = await startServer({
    repo: f.repo,
    index,
    author: { name: 'T' },
    listen: '127.0.0.1:0',
    print: (l) => lines.push(l),
    watch: false,
  });
  try {
    assert.match(lines[0] ?? '', /^Serving on http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/api/items//id`);
    assert.is(index.progress().ready, false, 'printed and answering before the index is ready');
    assert.is(res.status, 503);
    assert.ok(res.headers.get('retry-after') !== null);
    await res.arrayBuffer();
  } finally {
    await server.close();
    await index.close();
  }
  // Stopped half-way: whoever waits for the index is not left waiting.
  await index.whenReady();
  assert.ok(index.progress().ready);
  rmSync(f.dir, { recursive: true, force: true });
});

test('sit web (the command) serves before its index is ready, then every item', async () => {
  const f = fixture();
  const sandbox = makeSandbox();
  const server = await startWeb(sandbox, ['-r', f.repo.root, 'web', '127.0.0.1:0'], sandbox.dir);
  try {
    const res = await fetch(`${server.base}/api/items//id`);
    assert.is(res.status, 503, 'the address is printed before the items are reduced');
    assert.match(res.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    await res.arrayBuffer();
    let ids: unknown;
    for (;;) {
      const again = await fetch(`${server.base}/api/items//id`);
      if (again.status === 200) {
        ids = await again.json();
        break;
      }
      assert.is(again.status, 503);
      await again.arrayBuffer();
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.is((ids as string[]).length, 41);
  } finally {
    await server.stop();
    rmSync(sandbox.dir, { recursive: true, force: true });
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test.run();
