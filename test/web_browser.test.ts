// End to end in Debian's Chromium (playwright-core): create an issue, comment, see a comment made
// meanwhile by a separate process appear without a reload, close the issue, search for it. Saves
// screenshots of the list and the issue page (desktop and 375 px wide) to test-output/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { available, browserTest, CHROMIUM, launchChromium } from './helpers/browser.ts';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../src/server.ts';
import { PROJECT_ROOT, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

const OUT = join(PROJECT_ROOT, 'test-output');
const run = browserTest('web_browser.test.ts');

run('browser: create, comment, live comment from another process, close, search', async () => {
  assert.ok(available, `${CHROMIUM} is required (SIT_REQUIRE_BROWSER=1) but missing`);
  mkdirSync(OUT, { recursive: true });
  let fixture: WebFixture | undefined;
  let server: RunningServer | undefined;
  const browser = await launchChromium();
  try {
    fixture = await webFixture();
    await fixture.issue('Web list should remember the last query', {
      details: 'After going back the list shows `is:open` again.',
      comments: ['The search now pushes its address.'],
      at: new Date(Date.now() - 3 * 86400_000).toISOString(),
    });
    await fixture.issue('Record hash differs for files larger than 4 KiB', {
      details: 'The original hashes the **whole** buffer.',
      closed: true,
      at: new Date(Date.now() - 9 * 86400_000).toISOString(),
    });
    server = await startServer({
      repo: fixture.repo,
      index: fixture.index,
      author: { name: 'Browser Tester', email: 'browser@example.com' },
      listen: '127.0.0.1:0',
      print: () => undefined,
    });
    const base = `http://127.0.0.1:${server.port}`;
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(base + '/');
    assert.ok(await page.isVisible('text=Web list should remember the last query'));

    // New issue.
    await page.click('a[href="/new"]');
    await page.fill('#summary', 'Browser test issue about quokkas');
    await page.fill('#details', 'Details with `code` and a list:\n\n- one\n- two');
    await page.fill('#labels', 'web, tests');
    await page.click('button:has-text("Create issue")');
    await page.waitForSelector('h1 .summary:has-text("Browser test issue about quokkas")');
    const issueUrl = page.url();
    assert.match(issueUrl, /\/issue\/[0-9a-f-]{36}$/);
    const id = issueUrl.split('/').pop()!;

    // Comment.
    await page.fill('#comment-text', 'A first comment from the browser');
    await page.click('button[value="comment"]');
    await page.waitForSelector('.comment .markdown:has-text("A first comment from the browser")');

    // A comment made meanwhile by another process appears without a reload, on the issue page
    // and in the list open in another tab.
    const list = await browser.newPage({ viewport: { width: 1100, height: 800 } });
    await list.goto(base + '/?q=' + encodeURIComponent('is:open sort:updated-desc'));
    const count = `a.comment-count[href="/issue/${id}#comments"]`;
    assert.is((await list.textContent(count))?.replace(/\D+/g, ''), '1');
    // A menu the reader opened stays open through the live refresh.
    await list.click('.sort-menu summary');
    for (const p of [page, list]) {
      await p.evaluate(() => {
        (window as unknown as { sitMarker: number }).sitMarker = 42;
      });
    }
    await page.waitForTimeout(300);
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PROJECT_ROOT, 'test/helpers/write_comment.ts'),
        fixture.repo.root,
        id,
        'Written in another terminal',
      ],
      {
        cwd: PROJECT_ROOT,
      },
    );
    await page.waitForSelector('.comment .markdown:has-text("Written in another terminal")', { timeout: 10_000 });
    await list.waitForFunction((sel) => document.querySelector(sel)?.textContent?.replace(/\D+/g, '') === '2', count, {
      timeout: 10_000,
    });
    assert.ok(
      await list.$eval('.sort-menu', (menu) => (menu as HTMLDetailsElement).open),
      'the sort menu is still open',
    );
    for (const p of [page, list]) {
      const marker = await p.evaluate(() => (window as unknown as { sitMarker?: number }).sitMarker);
      assert.is(marker, 42, 'the page was not reloaded');
    }
    await list.close();

    await page.screenshot({ path: join(OUT, 'web-issue.png'), fullPage: true });

    // Close.
    await page.click('button[value="close"]');
    await page.waitForSelector('.state-pill.closed');

    // Search.
    await page.goto(base + '/');
    await page.fill('#q', 'is:closed quokkas');
    await page.press('#q', 'Enter');
    await page.waitForSelector('.issue-row.closed .issue-title:has-text("Browser test issue about quokkas")');
    assert.match(page.url(), /q=is%3Aclosed(\+|%20)quokkas/);
    await page.goto(base + '/?q=' + encodeURIComponent('sort:updated-desc'));
    await page.screenshot({ path: join(OUT, 'web-list.png'), fullPage: true });

    // Phone width.
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2 });
    await phone.goto(base + '/?q=' + encodeURIComponent('sort:updated-desc'));
    await phone.screenshot({ path: join(OUT, 'web-list-375.png'), fullPage: true });
    await phone.goto(issueUrl);
    await phone.screenshot({ path: join(OUT, 'web-issue-375.png'), fullPage: true });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the issue page is ${overflow}px wider than a 375px screen`);

    assert.equal(errors, [], 'no console errors');
  } finally {
    await browser.close();
    await server?.close();
    await fixture?.close();
  }
});

test.run();
