// `sit web` while its index is built, in Debian's Chromium (playwright-core): the list page opened
// at once shows the "Indexing: N of M items" banner, whose count moves on by itself; when indexing
// is over the banner goes and the list shows every issue, without a reload. The repository's
// reducer is deliberately slow, so that the index is not ready while the page is looked at. With
// JavaScript off, the same page reloads itself instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { available, browserTest, CHROMIUM, launchChromium } from './helpers/browser.ts';
import { rmSync } from 'node:fs';
import { ItemIndex } from '../src/reduce/mod.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { coldCache, SLOW_LIMITS, slowFixture } from './helpers/startup_fixtures.ts';

const run = browserTest('web_startup_browser.test.ts');

/** Bounds the waits below: a bound on a stuck page, not a speed requirement. */
const PATIENCE_MS = 240_000;

run('browser: the indexing banner counts up, then the list shows every issue without a reload', async () => {
  assert.ok(available, `${CHROMIUM} is required (SIT_REQUIRE_BROWSER=1) but missing`);
  // Slower than the other start-up tests: the page must be made while the index is built, here
  // where starting a browser takes a while; the index starts once the browser runs.
  const f = slowFixture(40, { iterations: 1_500_000 });
  coldCache(f, 'browser');
  const browser = await launchChromium();
  const index = ItemIndex.start(f.repo, { limits: SLOW_LIMITS });
  let server: RunningServer | undefined;
  try {
    server = await startServer({
      repo: f.repo,
      index,
      author: { name: 'Browser Tester' },
      listen: '127.0.0.1:0',
      print: () => undefined,
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${server.url}/`);
    assert.is(index.progress().ready, false, 'the page was made while indexing');
    const first = await page.textContent('#indexing .indexing-count');
    assert.match(first ?? '', /^(\d+ of 41 items|listing the items)$/);
    // A mark that a reload would wipe out.
    await page.evaluate(() => ((window as unknown as { sitMark: number }).sitMark = 1));
    // With JavaScript off, the same page shows the banner and reloads itself instead.
    const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    let loads = 0;
    plain.on('load', () => (loads += 1));
    await plain.goto(`${server.url}/`);
    assert.ok(await plain.isVisible('#indexing'), 'the banner without JavaScript');
    const reloaded = (async () => {
      const deadline = Date.now() + PATIENCE_MS;
      while (loads < 2 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      return loads;
    })();

    // The count moves on by itself (or indexing ends first).
    await page.waitForFunction(
      (before) => {
        const el = document.querySelector('#indexing .indexing-count');
        return el === null || el.textContent !== before;
      },
      first,
      { timeout: PATIENCE_MS, polling: 100 },
    );

    // Over: the banner goes and the list has every issue.
    await index.whenReady();
    await page.waitForSelector('#indexing', { state: 'hidden', timeout: PATIENCE_MS });
    await page.waitForSelector('.pager-info:has-text("41 issues")', { timeout: PATIENCE_MS });
    assert.is(await page.evaluate(() => (window as unknown as { sitMark?: number }).sitMark), 1, 'no reload');
    assert.ok((await reloaded) >= 2, 'the page without JavaScript reloaded itself');
    assert.ok(await page.isVisible('text=Issue number 39'));
    assert.equal(errors, []);
  } finally {
    await browser.close();
    await server?.close();
    await index.close();
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test.run();
