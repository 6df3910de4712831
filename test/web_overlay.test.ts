// Overlays as whole web apps (original-sit.md §5): any file type in priority order, the first
// index.html for every other page address, the JSON API and /repo/ unchanged, the overlay's own
// Content-Security-Policy; and hostile input: traversal, symbolic links out of the overlay, files
// of a trusted repository overlay that changed or appeared after `sit trust`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type OverlayDir } from '../src/server.ts';
import { OVERLAY_APP_CSP } from '../src/web/security.ts';
import { PROJECT_ROOT, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

const APP = join(PROJECT_ROOT, 'test', 'fixtures', 'overlay-app');
let f: WebFixture;
let base: string;
let id: string;

test.before(async () => {
  f = await webFixture();
  id = await f.issue('Overlay issue', { details: 'Shown by the overlay', comments: ['first'] });
  base = mkdtempSync(join(tmpdir(), 'sit-overlays-'));
});

test.after(async () => {
  await f.close();
  rmSync(base, { recursive: true, force: true });
});

function app(options: {
  overlays?: string[];
  repositoryOverlays?: OverlayDir[];
  ui?: 'auto' | 'builtin';
  notice?: string;
}) {
  return createApp({ repo: f.repo, index: f.index, author: { name: 'O', email: 'o@example.org' }, ...options });
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

test('an overlay app: its files by path, index.html for page addresses, our API and /repo/ unchanged', async () => {
  const server = app({ overlays: [APP] });
  const index = readFileSync(join(APP, 'index.html'), 'utf8');
  for (const path of [
    '/',
    '/issue/' + id,
    '/new',
    '/search/state%20%3D%3D%20%27open%27',
    '/doc/getting_started.md',
    '/deep/er/path/',
  ]) {
    const res = await server.request(path);
    assert.is(res.status, 200, path);
    assert.is(res.headers.get('content-type'), 'text/html; charset=utf-8', path);
    assert.is(res.headers.get('content-security-policy'), OVERLAY_APP_CSP, path);
    assert.is(await res.text(), index, `${path} is the app's page`);
  }
  const script = await server.request('/app.js');
  assert.is(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.is(await script.text(), readFileSync(join(APP, 'app.js'), 'utf8'));
  const etag = script.headers.get('etag')!;
  assert.is(
    (await server.request('/app.js', { headers: { 'if-none-match': etag.slice(1, -1) } })).status,
    304,
    'a bare ETag, as the original sent',
  );
  assert.is((await server.request('/style.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  const api = await server.request('/api/items//' + encodeURIComponent('{id: id, summary: summary}'));
  assert.equal(await api.json(), [{ id, summary: 'Overlay issue' }]);
  assert.equal(await (await server.request('/config')).json(), { readonly: false });
  assert.match(await (await server.request('/repo/config.json')).text(), /hashing_algorithm/);
  assert.is((await server.request('/api/nothing/here')).status, 404, 'unknown API paths are not the app page');
});

test('the first overlay that has a file wins; any file type is served with its type', async () => {
  const first = join(base, 'first');
  const second = join(base, 'second');
  mkdirSync(join(first, 'src'), { recursive: true });
  mkdirSync(second);
  writeFileSync(join(first, 'src', 'part.html'), '<dom-module>first</dom-module>');
  writeFileSync(join(second, 'src.txt'), 'second');
  writeFileSync(join(second, 'index.html'), '<!doctype html><p>second index');
  writeFileSync(join(second, 'manifest.json'), '{"name": "x"}');
  writeFileSync(join(second, 'data.bin'), Buffer.from([0, 1, 2]));
  const server = app({ overlays: [first, second] });
  assert.is(await (await server.request('/src/part.html')).text(), '<dom-module>first</dom-module>');
  assert.is(
    await (await server.request('/')).text(),
    '<!doctype html><p>second index',
    'the first index.html of any overlay',
  );
  assert.is((await server.request('/manifest.json')).headers.get('content-type'), 'application/json');
  assert.is((await server.request('/data.bin')).headers.get('content-type'), 'application/octet-stream');
});

test('the built-in interface keeps its strict policy: --ui builtin, and overlays without index.html', async () => {
  for (const server of [app({ overlays: [APP], ui: 'builtin' }), app({})]) {
    const res = await server.request('/');
    assert.is(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.not.match(csp, /data:|unsafe-inline/);
    assert.match(await res.text(), /Overlay issue/, 'the built-in list');
    assert.is(
      (await server.request('/app.js')).status,
      404,
      'overlay scripts are not served beside the built-in interface',
    );
  }
});

test('hostile paths never leave the overlay: traversal, encoded separators, symbolic links', async () => {
  const root = join(base, 'hostile');
  const overlay = join(root, 'web');
  mkdirSync(join(overlay, 'sub'), { recursive: true });
  writeFileSync(join(root, 'secret.txt'), 'SECRET');
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'also.txt'), 'SECRET TOO');
  writeFileSync(join(overlay, 'index.html'), 'INDEX');
  symlinkSync(join(root, 'secret.txt'), join(overlay, 'leak.txt'));
  symlinkSync(join(root, 'outside'), join(overlay, 'sub', 'dir'));
  symlinkSync('../../secret.txt', join(overlay, 'sub', 'relative.txt'));
  const server = app({ overlays: [overlay] });
  const attempts = [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2Fsecret.txt',
    '/sub/..%2F..%2Fsecret.txt',
    '/..%5csecret.txt',
    '/%2F' + encodeURIComponent(join(root, 'secret.txt').slice(1)),
    '/' + encodeURIComponent(join(root, 'secret.txt')),
    '/leak.txt',
    '/sub/dir/also.txt',
    '/sub/relative.txt',
    '/sub/%00x',
  ];
  for (const path of attempts) {
    const res = await server.request(path);
    const body = await res.text();
    assert.not.ok(body.includes('SECRET'), `${path} must not leak (${res.status})`);
    assert.ok(res.status === 404 || body === 'INDEX', `${path}: refused or the app page, got ${res.status}`);
  }
});

test('a trusted repository overlay is served only as trusted: a changed file is refused, a new one is not served', async () => {
  const overlay = join(base, 'repo-web');
  cpSync(APP, overlay, { recursive: true });
  const files = new Map([
    ['index.html', sha(readFileSync(join(overlay, 'index.html')))],
    ['app.js', sha(readFileSync(join(overlay, 'app.js')))],
    ['style.css', sha(readFileSync(join(overlay, 'style.css')))],
  ]);
  const server = app({ repositoryOverlays: [{ dir: overlay, files }] });
  assert.is((await server.request('/app.js')).status, 200);
  writeFileSync(join(overlay, 'app.js'), 'alert("changed after sit trust")');
  const changed = await server.request('/app.js');
  assert.is(changed.status, 403);
  assert.match(await changed.text(), /changed since `sit trust`/);
  writeFileSync(join(overlay, 'extra.js'), 'alert("new")');
  const extra = await server.request('/extra.js');
  assert.not.ok((await extra.text()).includes('alert'), 'a file added after sit trust is not served');
  writeFileSync(join(overlay, 'index.html'), '<script>changed</script>');
  const page = await server.request('/issue/x');
  assert.is(page.status, 403, 'a changed index.html is refused too');
});

test('/user/config leaves out which repositories the user trusts; built-in pages show the notice', async () => {
  const { loadUserConfig } = await import('../src/store/mod.ts');
  const dir = mkdtempSync(join(base, 'cfg-'));
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      author: { name: 'U' },
      trusted_executables: { k: 'd' },
      trusted_web: { k: 'd' },
      issues: { filters: {} },
    }),
  );
  const server = createApp({
    repo: f.repo,
    index: f.index,
    author: { name: 'U' },
    userConfig: loadUserConfig({ path }),
    notice: 'Run `sit trust` to serve it.',
  });
  const json = (await (await server.request('/user/config')).json()) as Record<string, unknown>;
  assert.equal(Object.keys(json).sort(), ['author', 'issues']);
  const page = await (await server.request('/')).text();
  assert.match(page, /<p class="notice-banner" role="status">Run <code>sit trust<\/code> to serve it\.<\/p>/);
});

test.run();
