// A single-page web app served as an overlay (test/fixtures/overlay-app: an index.html and a
// script that use only the original SIT's JSON API), driven in Debian's Chromium through
// playwright-core: the list, an issue opened by its address (single-page fallback), a comment,
// close and reopen, a new issue, a merge request's patch read through /repo/. Also checks the
// overlay policy: data: scripts and inline styles run, inline scripts do not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { available, browserTest, CHROMIUM, launchChromium } from './helpers/browser.ts';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../src/server.ts';
import { PROJECT_ROOT, recordFiles, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

const APP = join(PROJECT_ROOT, 'test', 'fixtures', 'overlay-app');
const run = browserTest('web_overlay_browser.test.ts');

run(
  'an overlay web app lists, opens, comments, closes, reopens, creates and shows patches through the JSON API',
  async () => {
    assert.ok(available, `${CHROMIUM} is required (SIT_REQUIRE_BROWSER=1) but missing`);
    let fixture: WebFixture | undefined;
    let server: RunningServer | undefined;
    const browser = await launchChromium();
    try {
      fixture = await webFixture();
      const id = await fixture.issue('Overlay issue about wombats', {
        details: 'Seen from the overlay app.',
        comments: ['An earlier comment'],
      });
      const mr = await fixture.issue('Overlay merge request');
      const patch =
        'Subject: [PATCH] wombats\n---\ndiff --git a/w b/w\n--- a/w\n+++ b/w\n@@ -1 +1 @@\n-old wombat\n+new wombat\n';
      const mrHash = fixture.repo.newRecord(
        [
          ...recordFiles(['DetailsChanged', 'MergeRequested'], 'Please merge'),
          { name: 'git/0001-wombats.patch', data: new TextEncoder().encode(patch) },
        ],
        { itemId: mr },
      );
      await fixture.index.refresh([mr]);
      server = await startServer({
        repo: fixture.repo,
        index: fixture.index,
        author: { name: 'Overlay Tester', email: 'overlay@example.com' },
        listen: '127.0.0.1:0',
        overlays: [APP],
        print: () => undefined,
      });
      const base = `http://127.0.0.1:${server.port}`;
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));

      // The list, through GET /api/items//{query}.
      await page.goto(base + '/');
      await page.waitForSelector('body[data-ready="/"]');
      assert.ok(await page.isVisible(`li[data-id="${id}"] a:has-text("Overlay issue about wombats")`));
      assert.is((await page.textContent(`li[data-id="${id}"] .count`))?.trim(), '1');
      assert.is((await page.textContent(`li[data-id="${mr}"] .mr`))?.trim(), 'MR');
      // The overlay policy: the data: script ran, the inline one did not, the inline style applies.
      assert.is(
        await page.evaluate(() => (window as unknown as { dataScriptRan?: boolean }).dataScriptRan),
        true,
        'data: scripts run',
      );
      assert.is(
        await page.evaluate(() => (window as unknown as { inlineScriptRan?: boolean }).inlineScriptRan),
        undefined,
        'inline scripts do not',
      );
      assert.is(
        await page.evaluate(() => getComputedStyle(document.querySelector('header')!).backgroundColor),
        'rgb(255, 214, 124)',
      );
      const refusedInline = (e: string) =>
        /^Executing inline script violates the following Content Security Policy directive 'script-src 'self' data:'/.test(
          e,
        );
      assert.ok(errors.some(refusedInline), 'the refused inline script is reported');

      // Open the issue by its address: the server answers with the app's index.html.
      await page.click(`li[data-id="${id}"] a`);
      await page.waitForSelector(`body[data-ready="/issue/${id}"]`);
      assert.is(await page.textContent('#summary'), 'Overlay issue about wombats');
      assert.is(await page.textContent('#details'), 'Seen from the overlay app.');

      // Comment: a multipart POST whose field names are record file names.
      await page.fill('#comment-text', 'Commented from the overlay app');
      await page.click('#comment');
      await page.waitForSelector('.comment p:has-text("Commented from the overlay app")');
      const comments = fixture.index.get(id)!['comments'] as Array<{ text: string; authors: string }>;
      assert.equal(comments.map((c) => [c.text, c.authors]).pop(), [
        'Commented from the overlay app',
        'Overlay Tester <overlay@example.com>',
      ]);

      // Close and reopen.
      await page.click('#toggle');
      await page.waitForSelector('#state:has-text("closed")');
      assert.is(fixture.index.get(id)!['state'], 'closed');
      await page.click('#toggle');
      await page.waitForSelector('#state:has-text("open")');
      assert.is(fixture.index.get(id)!['state'], 'open');

      // A new issue: POST /api/item, then the summary and details records.
      await page.goto(base + '/new');
      await page.waitForSelector('body[data-ready="/new"]');
      await page.fill('#new-summary', 'Created by the overlay app');
      await page.fill('#new-details', 'With details');
      await page.click('#create');
      await page.waitForSelector('#summary:has-text("Created by the overlay app")');
      const created = page.url().split('/').pop()!;
      assert.match(created, /^[0-9a-f-]{36}$/);
      assert.is(fixture.index.get(created)!['details'], 'With details');

      // A merge request's patch: GET /api/item/{id}/{record}/files, then /repo/items/{id}/{record}/{file}.
      await page.goto(`${base}/issue/${mr}`);
      await page.waitForSelector(`body[data-ready="/issue/${mr}"]`);
      assert.is(await page.textContent('#merge-request h3'), 'git/0001-wombats.patch');
      assert.is(await page.textContent('#merge-request pre.patch'), patch);
      assert.ok(mrHash.length === 32);

      assert.equal(
        errors.filter((e) => !refusedInline(e)),
        [],
        'no other console errors (each page load reports the refused inline script)',
      );
    } finally {
      await browser.close();
      await server?.close();
      await fixture?.close();
    }
  },
);

test.run();
