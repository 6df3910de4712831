// Security of `sit web`: user content renders inert, cross-origin writes are refused, read-only
// mode refuses every write, `/repo/` and static overlays never leave their directory, the access
// token and the Host check guard the server, headers and body limits are in place.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/server.ts';
import { formHeaders, recordFiles, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

let f: WebFixture;
let itemId: string;

const HOSTILE = [
  '<script>alert("s")</script>',
  '<img src=x onerror="alert(\'i\')">',
  '<a href="/x" hx-get="/api/item" hx-trigger="load">hx link</a>',
  '<div hx-on:click="alert(\'o\')" hx-on::load="alert(1)" data-hx-post="/new">hx-on</div>',
  '[click me](javascript:alert("j"))',
  '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
  '<iframe src="https://example.com"></iframe>',
  '<svg><script>alert(2)</script></svg>',
  '<p style="background:url(javascript:alert(3))" onmouseover="alert(4)">styled</p>',
  '<form action="/new" method="post"><button>go</button></form>',
].join('\n\n');

test.before(async () => {
  f = await webFixture();
  itemId = await f.issue('<script>alert("summary")</script> <img src=x onerror=alert(1)> hx-get="/x" hx-on:click="y"', {
    details: HOSTILE,
    comments: [HOSTILE],
  });
  // A label and an author that try to break out of attributes.
  f.repo.newRecord(
    [
      ...recordFiles(['LabelsChanged'], undefined, undefined, '"><script>alert(5)</script> <x@y>'),
      { name: 'added', data: new TextEncoder().encode('"><img src=x onerror=alert(6)>\n') },
    ],
    { itemId },
  );
  await f.index.refresh([itemId]);
});

test.after(async () => {
  await f.close();
});

/** Every tag of the page with its attributes, parsed crudely but strictly enough for the checks. */
function tags(html: string): Array<{ name: string; attrs: string }> {
  const out: Array<{ name: string; attrs: string }> = [];
  const re = /<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  for (let m = re.exec(html); m !== null; m = re.exec(html)) out.push({ name: m[1]!.toLowerCase(), attrs: m[2] ?? '' });
  return out;
}

/** The attributes of a tag as name/value pairs (values unescaped only as far as needed here). */
function attributes(attrs: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const re = /\s([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  for (let m = re.exec(attrs); m !== null; m = re.exec(attrs))
    out.push([m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '']);
  return out;
}

const OUR_HTMX =
  /^(hx-get|hx-post|hx-trigger|hx-select|hx-swap|hx-target|hx-push-url|hx-sse:connect|hx-ignore|hx-disable)$/;

function assertInert(html: string, where: string): void {
  const all = tags(html);
  for (const s of all.filter((t) => t.name === 'script')) {
    assert.match(s.attrs, /^ src="\/static\/(htmx|hx-sse|sit)\.js" defer$/, `${where}: only our own scripts`);
  }
  assert.not.ok(
    all.some((t) => t.name === 'iframe' || t.name === 'object' || t.name === 'embed'),
    `${where}: no frames`,
  );
  for (const t of all) {
    const show = `<${t.name}${t.attrs}>`;
    for (const [name, value] of attributes(t.attrs)) {
      assert.not.match(name, /^on/, `${where}: event handler attribute in ${show}`);
      assert.is.not(name, 'style', `${where}: style attribute in ${show}`);
      if (name === 'href' || name === 'src' || name === 'action' || name === 'formaction') {
        assert.not.match(
          value.replace(/&#?\w+;/g, ''),
          /^\s*(javascript|data|vbscript):/i,
          `${where}: script URL in ${show}`,
        );
      }
      if (/^(data-)?hx-/.test(name)) {
        // Only our own templates carry htmx attributes: known names, requests to our own routes.
        assert.match(name, OUR_HTMX, `${where}: unexpected htmx attribute ${name} in ${show}`);
        if (name === 'hx-get' || name === 'hx-post' || name === 'hx-sse:connect') {
          assert.match(
            value,
            /^\/($|\?|issue\/|events\?|new$|preview$)/,
            `${where}: htmx request to ${value} in ${show}`,
          );
        }
      }
    }
    if (t.name === 'form') {
      assert.match(
        t.attrs,
        /class="(comment-form|search|issue-form card|shortcuts-close|card|card def-form new-def|def-form|def-delete)"/,
        `${where}: a form from user content`,
      );
    }
  }
}

test('issue page: hostile summary, details, comment, label and author render inert', async () => {
  const res = await f.app.request(`/issue/${itemId}`);
  assert.is(res.status, 200);
  const html = await res.text();
  assertInert(html, 'issue page');
  // The text is still there, escaped, so the reader sees what was written.
  assert.ok(html.includes('&lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt;'));
  assert.ok(
    html.includes('&lt;script&gt;alert(&quot;s&quot;)&lt;/script&gt;') ||
      html.includes('&lt;script&gt;alert("s")&lt;/script&gt;'),
  );
  assert.ok(html.includes('>hx link</a>'), 'the link text survives without its htmx attributes');
  assert.ok(html.includes('>click me</a>'), 'the javascript: link keeps its text, loses its target');
  // User markdown sits inside hx-ignore containers.
  const ignored = html.match(/<div class="markdown" hx-ignore>/g) ?? [];
  assert.ok(ignored.length >= 2, 'details and comment are wrapped in hx-ignore');
});

test('list page and edit form: hostile summary and label render inert', async () => {
  for (const path of ['/', '/?q=' + encodeURIComponent('sort:updated-desc'), `/issue/${itemId}/edit`]) {
    const res = await f.app.request(path);
    assert.ok(res.status === 200, `${path} answers`);
    const html = await res.text();
    assertInert(html, path);
    assert.not.ok(html.includes('<img src=x'), `${path}: no raw img`);
  }
});

test('a bad query is shown escaped, with status 400', async () => {
  const res = await f.app.request('/?q=' + encodeURIComponent('"<script>alert(1)</script>'));
  assert.is(res.status, 400);
  const html = await res.text();
  assertInert(html, 'bad query');
  assert.ok(html.includes('role="alert"'));
});

test('CSP and security headers on pages, API and raw files', async () => {
  for (const path of ['/', `/issue/${itemId}`, '/api/items//id', '/repo/config.json', '/static/style.css']) {
    const res = await f.app.request(path);
    const csp = res.headers.get('content-security-policy') ?? '';
    if (path.startsWith('/repo/')) assert.match(csp, /default-src 'none'.*sandbox/, `${path}: raw files run nothing`);
    else assert.match(csp, /script-src 'self'/, `${path}: script-src`);
    assert.not.match(csp, /unsafe-inline'.*script|script-src[^;]*unsafe/, `${path}: no unsafe scripts`);
    if (!path.startsWith('/repo/')) assert.match(csp, /frame-ancestors 'none'/, `${path}: frame-ancestors`);
    assert.is(res.headers.get('x-content-type-options'), 'nosniff', `${path}: nosniff`);
    assert.is(res.headers.get('x-frame-options'), 'DENY', `${path}: x-frame-options`);
    assert.is(res.headers.get('referrer-policy'), 'no-referrer', `${path}: referrer-policy`);
  }
  const raw = await f.app.request('/repo/config.json');
  assert.match(raw.headers.get('content-security-policy') ?? '', /sandbox/);
});

test('the page itself has no inline script or style', async () => {
  const html = await (await f.app.request(`/issue/${itemId}`)).text();
  assert.not.match(html, /<script(?![^>]*\ssrc=)[^>]*>/i, 'no inline <script>');
  assert.not.match(html, /<style/i, 'no <style>');
});

function countRecords(repoRoot: string): number {
  let n = 0;
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (depth === 15) n++;
      else walk(join(dir, e.name), depth + 1);
    }
  };
  walk(join(repoRoot, 'records'), 0);
  return n;
}

function writeRoutes(id: string): Array<{ path: string; init: RequestInit }> {
  const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', body: new URLSearchParams(fields) });
  const multipart = (): RequestInit => {
    const body = new FormData();
    body.append('text', new Blob(['x']), 'text');
    body.append('.type/Commented', new Blob([]), '.type/Commented');
    return { method: 'POST', body };
  };
  const timeline = (f.index.get(id)?.['timeline'] ?? []) as Array<{ type: string; hash: string }>;
  const comment = timeline.find((e) => e.type === 'comment')?.hash ?? 'NONE';
  return [
    { path: '/new', init: form({ summary: 'csrf' }) },
    { path: '/labels', init: form({ name: 'csrf', color: '#000000' }) },
    { path: '/labels/delete', init: form({ name: 'csrf' }) },
    { path: '/milestones', init: form({ title: 'csrf' }) },
    { path: '/milestones/delete', init: form({ title: 'csrf' }) },
    { path: `/issue/${id}/comment/${comment}/edit`, init: form({ text: 'csrf' }) },
    { path: `/issue/${id}/comment/${comment}/delete`, init: form({}) },
    { path: `/issue/${id}/comment`, init: form({ text: 'csrf', action: 'comment' }) },
    { path: `/issue/${id}/comment`, init: form({ action: 'close' }) },
    { path: `/issue/${id}/edit`, init: form({ summary: 'csrf edit' }) },
    { path: '/api/item', init: { method: 'POST' } },
    { path: `/api/item/${id}/records`, init: multipart() },
    { path: '/api/records', init: multipart() },
  ];
}

test('CSRF: cross-origin, cross-site and origin-less writes are refused and write nothing', async () => {
  const before = countRecords(f.repo.root);
  const itemsBefore = f.repo.items().length;
  const variants: Array<Record<string, string>> = [
    { origin: 'http://evil.example' },
    { origin: 'null' },
    { origin: 'http://localhost:9999' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site', origin: 'http://localhost' },
    { 'sec-fetch-site': 'cross-site', origin: 'null' },
    { 'sec-fetch-site': 'same-site', origin: 'null' },
    { 'sec-fetch-site': 'none', origin: 'null' },
    { 'sec-fetch-site': 'same-origin', origin: 'http://evil.example' },
    {},
  ];
  for (const route of writeRoutes(itemId)) {
    for (const headers of variants) {
      const init = {
        ...route.init,
        headers: { ...(route.init.headers as Record<string, string> | undefined), ...headers },
      };
      if (init.body instanceof URLSearchParams)
        init.headers = { ...init.headers, 'content-type': 'application/x-www-form-urlencoded' };
      const res = await f.app.request(route.path, init);
      assert.is(res.status, 403, `${route.path} with ${JSON.stringify(headers)} → ${res.status}`);
    }
  }
  assert.is(countRecords(f.repo.root), before, 'no record written');
  assert.is(f.repo.items().length, itemsBefore, 'no item created');
});

test('CSRF: the same write from the same origin succeeds', async () => {
  const res = await f.app.request(`/issue/${itemId}/comment`, {
    method: 'POST',
    headers: formHeaders(),
    body: new URLSearchParams({ text: 'same origin', action: 'comment' }),
  });
  assert.is(res.status, 303);
  const res2 = await f.app.request('/api/item', { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
  assert.is(res2.status, 200);
});

test('CSRF: a form posted with JavaScript off (Origin: null under no-referrer, Sec-Fetch-Site: same-origin) succeeds', async () => {
  const res = await f.app.request(`/issue/${itemId}/comment`, {
    method: 'POST',
    headers: { origin: 'null', 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ text: 'posted without JavaScript', action: 'comment' }),
  });
  assert.is(res.status, 303);
});

test('read-only: every write route refuses, writes nothing, and the controls are hidden', async () => {
  const ro = createApp({ repo: f.repo, index: f.index, author: { name: 'R' }, readonly: true });
  const before = countRecords(f.repo.root);
  const itemsBefore = f.repo.items().length;
  for (const route of writeRoutes(itemId)) {
    const init = { ...route.init, headers: { origin: 'http://localhost' } as Record<string, string> };
    if (init.body instanceof URLSearchParams) init.headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await ro.request(route.path, init);
    assert.ok(res.status === 403 || res.status === 404, `${route.path} refused (${res.status})`);
  }
  for (const path of ['/new', `/issue/${itemId}/edit`]) {
    assert.is((await ro.request(path)).status, 403, `${path} form refused`);
  }
  for (const path of ['/labels', '/milestones']) {
    const page = await (await ro.request(path)).text();
    assert.not.match(page, /method="post"/, `${path}: no forms when read-only`);
  }
  assert.is(countRecords(f.repo.root), before);
  assert.is(f.repo.items().length, itemsBefore);
  const list = await (await ro.request('/')).text();
  const issue = await (await ro.request(`/issue/${itemId}`)).text();
  for (const html of [list, issue]) {
    assert.not.match(html, /method="post"/, 'no form posts');
    assert.not.match(html, /href="\/new"/, 'no new issue link');
    assert.not.match(html, /\/edit"/, 'no edit link');
    assert.match(html, /Read only/);
  }
  assert.equal(await (await ro.request('/config')).json(), { readonly: true });
});

test('path traversal: /repo/ stays inside the repository', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'sit-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  symlinkSync(join(outside, 'secret.txt'), join(f.repo.root, 'escape-link'));
  symlinkSync(outside, join(f.repo.root, 'escape-dir'));
  writeFileSync(join(f.repo.root, 'text-link'), outside); // a text link pointing outside
  try {
    const attempts = [
      '/repo/../config.json',
      '/repo/%2e%2e/%2e%2e/secret.txt',
      '/repo/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/repo/items/..%2F..%2F..%2Fetc%2Fpasswd',
      '/repo/..%5c..%5cetc%5cpasswd',
      '/repo/%2Fetc%2Fpasswd',
      '/repo//etc/passwd',
      '/repo/%00config.json',
      '/repo/config.json%00.png',
      '/repo/escape-link',
      '/repo/escape-dir/secret.txt',
      '/repo/text-link/secret.txt',
      '/repo/C:%5cWindows',
      '/repo/%',
    ];
    for (const path of attempts) {
      const res = await f.app.request(path);
      const body = await res.text();
      assert.is(res.status, 404, `${path} → ${res.status}`);
      assert.not.ok(body.includes('SECRET') || body.includes('root:'), `${path} leaked`);
    }
    const ok = await f.app.request('/repo/config.json');
    assert.is(ok.status, 200);
    assert.match(await ok.text(), /hashing_algorithm/);
  } finally {
    rmSync(outside, { recursive: true, force: true });
    for (const n of ['escape-link', 'escape-dir', 'text-link']) rmSync(join(f.repo.root, n), { force: true });
  }
});

test('path traversal: overlays serve styles but never escape, and never serve scripts', async () => {
  const base = mkdtempSync(join(tmpdir(), 'sit-overlay-'));
  const overlay = join(base, 'overlay');
  mkdirSync(overlay);
  writeFileSync(join(base, 'secret.css'), 'SECRET');
  writeFileSync(join(overlay, 'style.css'), 'body { color: red }');
  writeFileSync(join(overlay, 'htmx.js'), 'alert("overlay")');
  writeFileSync(join(overlay, 'evil.js'), 'alert("overlay")');
  writeFileSync(join(overlay, 'page.html'), '<script>alert(1)</script>');
  symlinkSync(join(base, 'secret.css'), join(overlay, 'link.css'));
  const app = createApp({ repo: f.repo, index: f.index, author: { name: 'O' }, overlays: [overlay] });
  try {
    const style = await app.request('/static/style.css');
    assert.is(style.status, 200);
    assert.is(await style.text(), 'body { color: red }', 'the overlay replaces the stylesheet');
    const htmx = await (await app.request('/static/htmx.js')).text();
    assert.not.ok(htmx.includes('overlay'), 'htmx cannot be replaced');
    for (const path of ['/static/evil.js', '/static/page.html']) {
      assert.is((await app.request(path)).status, 404, `${path} not served from an overlay`);
    }
    const attempts = [
      '/static/../secret.css',
      '/static/%2e%2e/secret.css',
      '/static/%2e%2e%2fsecret.css',
      '/static/..%2Fsecret.css',
      '/static/..%5csecret.css',
      '/static/%2F' + encodeURIComponent(join(base, 'secret.css').slice(1)),
      '/static/link.css',
      '/static/' + encodeURIComponent(join(base, 'secret.css')),
    ];
    for (const path of attempts) {
      const res = await app.request(path);
      const body = await res.text();
      assert.is(res.status, 404, `${path} → ${res.status}`);
      assert.not.ok(body.includes('SECRET'), `${path} leaked`);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('access token: required, accepted once by query (cookie), by bearer; Host check', async () => {
  const app = createApp({
    repo: f.repo,
    index: f.index,
    author: { name: 'T' },
    token: 'tok-123',
    allowedHosts: ['localhost'],
  });
  assert.is((await app.request('/')).status, 401);
  assert.is((await app.request('/?token=wrong')).status, 401);
  assert.is((await app.request('/api/items//id', { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const first = await app.request('/?q=is%3Aopen&token=tok-123');
  assert.is(first.status, 303);
  assert.is(first.headers.get('location'), '/?q=is%3Aopen', 'the token leaves the address');
  const cookie = first.headers.get('set-cookie') ?? '';
  assert.match(cookie, /sit_token=tok-123/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.is((await app.request('/', { headers: { cookie: 'sit_token=tok-123' } })).status, 200);
  assert.is((await app.request('/api/items//id', { headers: { authorization: 'Bearer tok-123' } })).status, 200);
  assert.is((await app.request('/static/style.css')).status, 401, 'assets need the token too');
  assert.is(
    (await app.request('http://evil.example/', { headers: { cookie: 'sit_token=tok-123', host: 'evil.example' } }))
      .status,
    421,
  );
});

test('body limits: large forms get 413 and write nothing', async () => {
  const before = countRecords(f.repo.root);
  const big = 'x'.repeat(1024 * 1024 + 10);
  const res = await f.app.request(`/issue/${itemId}/comment`, {
    method: 'POST',
    headers: formHeaders({ 'content-length': String(big.length + 5) }),
    body: new URLSearchParams({ text: big }),
  });
  assert.is(res.status, 413);
  assert.is(countRecords(f.repo.root), before);
});

// ---- the tracker's newer inputs: definitions, templates, references, timeline, edits -----------

const enc = new TextEncoder();

function files(
  types: string[],
  named: Record<string, string>,
  authors = 'Mallory <m@example.com>',
): Parameters<typeof f.repo.newRecord>[0] {
  return [
    ...recordFiles(types, undefined, undefined, authors),
    ...Object.entries(named).map(([name, text]) => ({ name, data: enc.encode(text) })),
  ];
}

test('hostile label and milestone definitions render inert; the label style sheet holds only #rrggbb rules', async () => {
  const defs = 'issue-tracking-definitions';
  if (!f.repo.hasItem(defs)) f.repo.newItem(defs);
  f.repo.newRecord(
    files(['LabelDefined'], {
      name: '"><script>alert(7)</script>',
      color: '#112233',
      description: '<b hx-get="/api/item" hx-trigger="load" onclick="x()">d</b>',
    }),
    { itemId: defs },
  );
  f.repo.newRecord(
    files(['LabelDefined'], { name: 'evil-colour', color: 'red;}body{background:url(javascript:alert(1))' }),
    { itemId: defs },
  );
  f.repo.newRecord(
    files(['MilestoneDefined'], { title: '<img src=x onerror=alert(8)>', due: '2020-01-01', description: HOSTILE }),
    { itemId: defs },
  );
  await f.index.refresh([defs]);
  f.repo.newRecord(files(['LabelsChanged'], { added: '"><script>alert(7)</script>\nevil-colour\n' }), { itemId });
  f.repo.newRecord(files(['MilestoneChanged'], { milestone: '<img src=x onerror=alert(8)>' }), { itemId });
  await f.index.refresh([itemId]);
  for (const path of ['/labels', '/milestones', '/', `/issue/${itemId}`, `/issue/${itemId}/edit`]) {
    const res = await f.app.request(path);
    assert.is(res.status, 200, path);
    assertInert(await res.text(), path);
  }
  const css = await (await f.app.request('/labels.css')).text();
  for (const line of css.trim().split('\n'))
    assert.match(
      line,
      /^\.label\.lc-[0-9a-f]{6}\{background:#[0-9a-f]{6};color:#(000000|ffffff);border-color:rgba\(0,0,0,\.15\)\}$/,
    );
  assert.not.match(css, /url|javascript|\}body/);
});

test('hostile issue templates render inert; templates outside .sit/templates are never read', async () => {
  const dir = join(f.repo.root, 'templates');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'evil.md'),
    '---\nname: <script>alert(9)</script>\nabout: <a hx-get="/api/item" hx-trigger="load">x</a>\ntitle: "\\"><img src=x onerror=alert(10)>"\nlabels: <b onclick=x>l</b>\n---\n</textarea><script>alert(11)</script><div hx-post="/new" hx-trigger="load"></div>\n',
  );
  const outside = mkdtempSync(join(tmpdir(), 'sit-outside-'));
  writeFileSync(join(outside, 'secret.md'), '---\nname: Secret\n---\nTOP SECRET');
  symlinkSync(join(outside, 'secret.md'), join(dir, 'leak.md'));
  writeFileSync(join(dir, '../escape.md'), 'not a template');
  try {
    for (const path of ['/new', '/new?template=evil']) {
      const res = await f.app.request(path);
      assert.is(res.status, 200, path);
      const html = await res.text();
      assertInert(html, path);
      assert.not.match(html, /TOP SECRET|Secret/);
    }
    const form = await (await f.app.request('/new?template=evil')).text();
    assert.ok(
      form.includes('&lt;/textarea&gt;&lt;script&gt;alert(11)&lt;/script&gt;'),
      'the body is escaped inside the text area',
    );
    assert.is((await (await f.app.request('/new?template=leak')).text()).includes('TOP SECRET'), false);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('references to a hostile id, and mentions from a hostile issue, render inert', async () => {
  const evil = 'deadbeef-"><img src=x onerror=alert(12)>';
  f.repo.newItem(evil);
  f.repo.newRecord(files(['SummaryChanged'], { text: '<img src=x onerror=alert(13)> "quoted"' }), { itemId: evil });
  const mentioning = f.repo.newItem();
  f.repo.newRecord(files(['SummaryChanged'], { text: '<script>alert(14)</script>' }), { itemId: mentioning });
  f.repo.newRecord(
    files(['DetailsChanged'], {
      text: `See #deadbeef and #${itemId.slice(0, 8)}: <a class="issue-ref" href="/issue/deadbeef">#deadbeef</a>`,
    }),
    { itemId: mentioning },
  );
  await f.index.refresh([evil, mentioning]);
  const page = await (await f.app.request(`/issue/${mentioning}`)).text();
  assertInert(page, 'mentioning issue');
  assert.match(
    page,
    /<a class="issue-ref" href="\/issue\/deadbeef-%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert\(12\)%3E" title="&lt;img src=x onerror=alert\(13\)&gt; &quot;quoted&quot;">#deadbeef<\/a>/,
  );
  const target = await (await f.app.request(`/issue/${encodeURIComponent(evil)}`)).text();
  assertInert(target, 'the hostile id');
  assert.match(target, /mentioned this issue in/);
  const mentioned = await (await f.app.request(`/issue/${itemId}`)).text();
  assertInert(mentioned, 'mentioned issue');
  const redirect = await f.app.request('/issue/deadbeef');
  assert.is(redirect.status, 302);
  assert.is(redirect.headers.get('location'), `/issue/${encodeURIComponent(evil)}`);
});

test('comment edits: records that target another item, another author or no comment change nothing; the web refuses them', async () => {
  const victim = await f.issue('Victim', { comments: ['Original words'] });
  const state = f.index.get(victim)!;
  const hash = (state['timeline'] as Array<{ type: string; hash: string }>).find((e) => e.type === 'comment')!.hash;
  // Written into another item, or by another author: ignored by the reducers.
  const elsewhere = await f.issue('Elsewhere');
  f.repo.newRecord(
    files(['CommentEdited'], { comment: hash, text: 'Edited from elsewhere' }, 'Ada Lovelace <ada@example.com>'),
    { itemId: elsewhere },
  );
  f.repo.newRecord(files(['CommentEdited'], { comment: hash, text: 'Edited by Mallory' }), { itemId: victim });
  f.repo.newRecord(files(['CommentDeleted'], { comment: hash }), { itemId: victim });
  await f.index.refresh([victim, elsewhere]);
  const page = await (await f.app.request(`/issue/${victim}`)).text();
  assert.match(page, /Original words/);
  assert.not.match(page, /Edited from elsewhere|Edited by Mallory|deleted a comment/);
  // The server's author (Web Tester) did not write it: no controls, and the routes refuse.
  assert.not.match(page, /comment-menu/);
  const before = countRecords(f.repo.root);
  for (const mode of ['edit', 'delete']) {
    const get = await f.app.request(`/issue/${victim}/comment/${hash}/${mode}`);
    assert.is(get.status, 403, `GET ${mode}`);
    const post = await f.app.request(`/issue/${victim}/comment/${hash}/${mode}`, {
      method: 'POST',
      headers: formHeaders(),
      body: new URLSearchParams({ text: 'x' }),
    });
    assert.is(post.status, 403, `POST ${mode}`);
    const other = await f.app.request(`/issue/${elsewhere}/comment/${hash}/${mode}`, {
      method: 'POST',
      headers: formHeaders(),
      body: new URLSearchParams({ text: 'x' }),
    });
    assert.is(other.status, 404, `a comment of another item (${mode})`);
  }
  assert.is(countRecords(f.repo.root), before, 'nothing written');
});

test('timeline events carrying hostile values, and previews, render inert', async () => {
  const id = await f.issue('Timeline');
  f.repo.newRecord(files(['SummaryChanged'], { text: '<script>alert(15)</script>' }), { itemId: id });
  f.repo.newRecord(files(['AssigneesChanged'], { added: '<img src=x onerror=alert(16)> <x@y>\n' }), { itemId: id });
  f.repo.newRecord(files(['Merged'], { record: '<script>alert(17)</script>' }), { itemId: id });
  await f.index.refresh([id]);
  const page = await (await f.app.request(`/issue/${id}`)).text();
  assertInert(page, 'timeline');
  assert.match(
    page,
    /changed the summary from <del>Timeline<\/del> to <ins>&lt;script&gt;alert\(15\)&lt;\/script&gt;<\/ins>/,
  );
  const preview = await f.app.request('/preview', {
    method: 'POST',
    headers: formHeaders(),
    body: new URLSearchParams({ preview: 'text', text: HOSTILE }),
  });
  assert.is(preview.status, 200);
  const html = await preview.text();
  assert.match(html, /^<div class="markdown" hx-ignore>/);
  assertInert(html, 'preview');
});

test.run();
