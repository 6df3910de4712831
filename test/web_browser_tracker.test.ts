// The tracker features end to end in Debian's Chromium (playwright-core): the timeline, editing
// and deleting one's comment, the labels page with colours from definitions (under the strict
// Content-Security-Policy), the Markdown preview, keyboard shortcuts, forms with JavaScript off,
// and the dark theme. Skips, saying so, when /usr/bin/chromium is absent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { available, browserTest, launchChromium, type Browser } from './helpers/browser.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { recordFiles, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

const run = browserTest('web_browser_tracker.test.ts');

let browser: Browser | undefined;
let fixture: WebFixture | undefined;
let server: RunningServer | undefined;
let base = '';
let other = '';
const errors: string[] = [];

test.before(async () => {
  if (!available) return;
  browser = await launchChromium();
  fixture = await webFixture();
  other = await fixture.issue('Another issue that mentions things', {
    at: new Date(Date.now() - 5 * 86400_000).toISOString(),
  });
  server = await startServer({
    repo: fixture.repo,
    index: fixture.index,
    author: { name: 'Browser Tester', email: 'browser@example.com' },
    listen: '127.0.0.1:0',
    print: () => undefined,
  });
  base = `http://127.0.0.1:${server.port}`;
});

test.after(async () => {
  await browser?.close();
  await server?.close();
  await fixture?.close();
});

async function page(options: { javaScript?: boolean; dark?: boolean; width?: number } = {}) {
  const context = await browser!.newContext({
    viewport: { width: options.width ?? 1100, height: 800 },
    javaScriptEnabled: options.javaScript ?? true,
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const p = await context.newPage();
  p.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  return p;
}

run('timeline: labels, a comment and comment-and-close appear in order with who and when', async () => {
  const p = await page();
  await p.goto(base + '/new?template=');
  await p.fill('#summary', 'Timeline issue about wombats');
  await p.fill('#details', `See #${other.slice(0, 8)} first.`);
  await p.fill('#labels', 'bug');
  await p.click('button:has-text("Create issue")');
  await p.waitForSelector('h1 .summary:has-text("Timeline issue about wombats")');
  const id = p.url().split('/').pop()!;
  // The reference links to the other issue by its full id, titled with its summary.
  const ref = p.locator('.opening .markdown a.issue-ref');
  assert.is(await ref.getAttribute('href'), `/issue/${other}`);
  assert.is(await ref.getAttribute('title'), 'Another issue that mentions things');
  await p.fill('#comment-text', 'Closing this: done.');
  await p.click('button[value="comment-close"]');
  await p.waitForSelector('.state-pill.closed');
  const entries = await p.$$eval('.timeline > .comment:not(.opening), .timeline > .tl-event', (els) =>
    els.map((e) =>
      e.classList.contains('tl-event')
        ? `event: ${e.textContent!.replace(/\s+/g, ' ').trim()}`
        : `comment: ${e.querySelector('.markdown')!.textContent!.trim()}`,
    ),
  );
  assert.equal(entries.length, 3, entries.join(' | '));
  assert.match(entries[0]!, /^event: Browser Tester added bug label (?:just now|a minute ago|\d+ minutes ago)$/);
  assert.is(entries[1], 'comment: Closing this: done.');
  assert.match(entries[2]!, /^event: Browser Tester closed this (?:just now|a minute ago|\d+ minutes ago)$/);
  // The other issue shows where it was mentioned.
  await p.goto(`${base}/issue/${other}`);
  assert.match(
    (await p.textContent('.tl-mentioned'))!,
    /mentioned this issue in #[0-9a-f]{8} Timeline issue about wombats/,
  );
  // A short id in the address leads to the issue.
  await p.goto(`${base}/issue/${id.slice(0, 8)}`);
  assert.is(p.url(), `${base}/issue/${id}`);
  await p.context().close();
});

run('comment edit and delete: only on your own comments; the timeline says edited, then deleted', async () => {
  const id = await fixture!.issue('Comments to change');
  fixture!.repo.newRecord(
    recordFiles(['Commented'], 'Written by someone else', new Date().toISOString(), 'Someone Else <else@example.com>'),
    { itemId: id },
  );
  await fixture!.index.refresh([id]);
  const p = await page();
  await p.goto(`${base}/issue/${id}`);
  await p.fill('#comment-text', 'My first wording');
  await p.click('button[value="comment"]');
  await p.waitForSelector('.comment .markdown:has-text("My first wording")');
  assert.is(await p.locator('.comment-menu').count(), 1, 'only my comment has actions');
  await p.click('.comment-menu summary');
  await p.click('.comment-menu a:has-text("Edit")');
  await p.waitForSelector('h1:has-text("Edit comment 2")');
  await p.fill('#comment-text', 'My **better** wording');
  await p.click('button:has-text("Save comment")');
  await p.waitForSelector('.comment .markdown strong:has-text("better")');
  assert.match(
    (await p.textContent('.comment:has-text("better") .edited'))!,
    /edited (?:just now|a minute ago|\d+ minutes ago)/,
  );
  await p.click('.comment-menu summary');
  await p.click('.comment-menu a:has-text("Delete")');
  await p.click('button:has-text("Delete comment")');
  await p.waitForSelector('.tl-deleted');
  assert.match((await p.textContent('.tl-deleted'))!, /Browser Tester deleted a comment/);
  assert.is(await p.locator('.comment .markdown:has-text("better")').count(), 0);
  assert.is(await p.locator('.comment .markdown:has-text("Written by someone else")').count(), 1);
  await p.context().close();
});

run('labels page: define a label with a colour; chips take it under the strict CSP', async () => {
  const p = await page();
  await p.goto(base + '/labels');
  await p.fill('#new-label-name', 'wombat');
  await p.fill('#new-label-color', '#0e8a16');
  await p.fill('#new-label-description', 'About wombats');
  await p.click('button:has-text("Create label")');
  await p.waitForSelector('.def-row .label:has-text("wombat")');
  const chip = p.locator('.def-row .label:has-text("wombat")');
  assert.is(await chip.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(14, 138, 22)');
  assert.is(await chip.getAttribute('title'), 'About wombats');
  // An issue carrying it shows the same colour in the list.
  const id = await fixture!.issue('A wombat issue');
  fixture!.repo.newRecord(
    [...recordFiles(['LabelsChanged']), { name: 'added', data: new TextEncoder().encode('wombat\n') }],
    { itemId: id },
  );
  await fixture!.index.refresh([id]);
  await p.goto(base + '/?q=label:wombat');
  assert.is(
    await p.locator('.issue-row .label:has-text("wombat")').evaluate((e) => getComputedStyle(e).backgroundColor),
    'rgb(14, 138, 22)',
  );
  await p.goto(base + '/labels');
  assert.match((await p.textContent('.def-row:has-text("wombat") .def-counts'))!, /1 open\s+0 closed/);
  await p.context().close();
});

run('preview: the server renders the Markdown with the same sanitiser; Write goes back to the text', async () => {
  const p = await page();
  await p.goto(`${base}/issue/${other}`);
  await p.fill('#comment-text', '**bold** and <script>alert(1)</script> <b onclick="alert(1)" hx-get="/x">b</b>');
  await p.click('[data-editor-preview]');
  await p.waitForSelector('#comment-text-preview .markdown strong:has-text("bold")');
  assert.ok(await p.isHidden('#comment-text'), 'the text is hidden while previewing');
  const preview = await p.innerHTML('#comment-text-preview');
  assert.match(preview, /hx-ignore/);
  assert.not.match(preview, /<script|onclick|hx-get/);
  await p.click('[data-editor-write]');
  assert.ok(await p.isVisible('#comment-text'));
  assert.is(
    await p.inputValue('#comment-text'),
    '**bold** and <script>alert(1)</script> <b onclick="alert(1)" hx-get="/x">b</b>',
  );
  await p.context().close();
});

run('keyboard shortcuts: / focuses the search, j and k move, o opens, ? lists them, c creates', async () => {
  const p = await page();
  await p.goto(base + '/?q=is:all');
  await p.keyboard.press('/');
  assert.is(await p.evaluate(() => document.activeElement?.id), 'q');
  await p.keyboard.press('Escape');
  await p.keyboard.press('j');
  await p.keyboard.press('j');
  await p.keyboard.press('k');
  const titles = await p.$$eval('.issue-row', (rows) =>
    rows.map((r) => ({
      selected: r.classList.contains('selected'),
      title: r.querySelector('.issue-title')!.textContent!.trim(),
    })),
  );
  assert.is(titles.filter((t) => t.selected).length, 1);
  assert.ok(titles[0]!.selected, 'j, j, k: the first row');
  await p.keyboard.press('o');
  await p.waitForURL(/\/issue\//);
  assert.is(await p.textContent('h1 .summary'), titles[0]!.title);
  await p.keyboard.press('?');
  assert.ok(await p.isVisible('#shortcuts'));
  assert.match((await p.textContent('#shortcuts'))!, /Focus the search box/);
  await p.keyboard.press('Escape');
  assert.ok(await p.isHidden('#shortcuts'));
  await p.keyboard.press('c');
  await p.waitForURL(/\/new/);
  await p.context().close();
});

run('JavaScript off: a comment, a new issue and a preview all work as plain forms', async () => {
  const p = await page({ javaScript: false });
  await p.goto(`${base}/issue/${other}`);
  await p.fill('#comment-text', 'Posted without *JavaScript*');
  await p.click('button[value="comment"]');
  await p.waitForSelector('.comment .markdown em:has-text("JavaScript")');
  await p.fill('#comment-text', 'A **preview** without JavaScript');
  await p.click('button[name="preview"]');
  await p.waitForSelector('#comment-text-preview strong:has-text("preview")');
  assert.is(await p.inputValue('#comment-text'), 'A **preview** without JavaScript', 'the draft is kept');
  await p.goto(base + '/new');
  await p.fill('#summary', 'Created without JavaScript');
  await p.click('button:has-text("Create issue")');
  await p.waitForSelector('h1 .summary:has-text("Created without JavaScript")');
  await p.context().close();
});

run('dark mode follows prefers-color-scheme', async () => {
  const light = await page();
  await light.goto(base + '/');
  const dark = await page({ dark: true });
  await dark.goto(base + '/');
  const bg = (p: typeof light) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.is(await bg(light), 'rgb(246, 247, 249)');
  assert.is(await bg(dark), 'rgb(13, 17, 23)');
  await light.context().close();
  await dark.context().close();
  assert.equal(errors, [], 'no console errors');
});

test.run();
