// `sit web` and `sit-web` with a repository's own web app: not served until `sit trust` (the
// built-in interface is, with a notice), served once trusted, refused again after a change;
// `sit trust --list` shows it without running anything; `sit-web` takes the original's arguments.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, ROOT, sit } from './helpers/cli.ts';
import { failingWeb, SIT_WEB_JS, startWeb } from './helpers/web_process.ts';

const sandbox = makeSandbox();
const APP = join(ROOT, 'test', 'fixtures', 'overlay-app');

function project(name: string, options: { module?: boolean } = {}): string {
  const dir = join(sandbox.dir, name);
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  if (options.module !== false) assert.is(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: dir }).status, 0);
  return dir;
}

/** A module in the repository (as a clone of the original module would be) that ships a web app. */
function moduleWithApp(dir: string): string {
  const module = join(dir, '.sit', 'modules', 'tracker-ui');
  mkdirSync(module, { recursive: true });
  cpSync(APP, join(module, 'web'), { recursive: true });
  return join(module, 'web');
}

test('a repository web app is not served until sit trust; then it is; after a change it is not', async () => {
  const dir = project('trust-web');
  const web = moduleWithApp(dir);
  const list = sit(sandbox, ['trust', '--list'], { cwd: dir });
  assert.is(list.status, 0, list.stderr);
  assert.ok(list.stdout.includes(`${web}/ (web overlay, 3 file(s), not trusted)`), list.stdout);

  let server = await startWeb(sandbox, ['web', '127.0.0.1:0'], dir);
  try {
    const page = await fetch(server.base + '/');
    const html = await page.text();
    assert.match(html, /class="notice-banner"/, 'the built-in interface, with a notice');
    assert.match(html, /ships a web app \(\.sit\/modules\/tracker-ui\/web\) that is not served/);
    assert.match(html, /run <code>sit trust<\/code> to serve it/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
    assert.is((await fetch(server.base + '/app.js')).status, 404);
    for (let i = 0; i < 50 && !server.stderr().includes('ships'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(server.stderr(), /sit web: This repository ships a web app/);
  } finally {
    await server.stop();
  }

  const refused = await failingWeb(sandbox, ['web', '--ui', 'overlay', '127.0.0.1:0'], dir);
  assert.is(refused.status, 1);
  assert.match(
    refused.stderr,
    /the repository's web app \(\.sit\/modules\/tracker-ui\/web\) is not trusted: review it and run `sit trust`/,
  );

  const trust = sit(sandbox, ['trust'], { cwd: dir });
  assert.is(trust.status, 0, trust.stderr);
  assert.match(trust.stdout, /Trusted 3 web file\(s\) in .*tracker-ui\/web \(served by sit web\)/);
  server = await startWeb(sandbox, ['web', '127.0.0.1:0'], dir);
  try {
    const page = await fetch(server.base + '/issue/anything');
    assert.match(await page.text(), /<title>Overlay tracker<\/title>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self' data:/);
    for (let i = 0; i < 50 && !server.stderr().includes('serving'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(server.stderr(), /serving the web app of \.sit\/modules\/tracker-ui\/web/);
    // Changed while the server runs: that file is refused.
    writeFileSync(join(web, 'app.js'), 'alert("changed")');
    assert.is((await fetch(server.base + '/app.js')).status, 403);
  } finally {
    await server.stop();
  }

  // Changed since sit trust: not served at all, and the notice says so.
  server = await startWeb(sandbox, ['web', '127.0.0.1:0'], dir);
  try {
    const html = await (await fetch(server.base + '/')).text();
    assert.match(html, /changed since you trusted it/);
    assert.is((await fetch(server.base + '/app.js')).status, 404);
  } finally {
    await server.stop();
  }
  // --ui builtin keeps the built-in interface even for a trusted app, without a notice.
  assert.is(sit(sandbox, ['trust'], { cwd: dir }).status, 0);
  server = await startWeb(sandbox, ['web', '--ui', 'builtin', '127.0.0.1:0'], dir);
  try {
    const html = await (await fetch(server.base + '/')).text();
    assert.match(html, /<a class="brand" href="\/">/);
    assert.not.match(html, /notice-banner/);
  } finally {
    await server.stop();
  }
});

test("-o DIR is the user's own choice: served without trust", async () => {
  const dir = project('user-overlay');
  const server = await startWeb(sandbox, ['web', '-o', APP, '127.0.0.1:0'], dir);
  try {
    assert.match(await (await fetch(server.base + '/')).text(), /<title>Overlay tracker<\/title>/);
  } finally {
    await server.stop();
  }
  const missing = await failingWeb(sandbox, ['web', '-o', join(dir, 'nope'), '127.0.0.1:0'], dir);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /overlay .*nope is not a directory/);
});

test('sit-web takes the original arguments: --readonly, -o DIR, LISTEN; -r and -d find the repository', async () => {
  const dir = project('sit-web');
  const help = spawnSync(process.execPath, [SIT_WEB_JS, '--help'], { encoding: 'utf8', env: sandbox.env });
  assert.is(help.status, 0);
  assert.match(help.stdout, /^Serve the web interface of a SIT repository/);
  assert.match(help.stdout, /\n {2}\$ sit-web \[OPTIONS\] \[LISTEN\]\n/);
  const bad = spawnSync(process.execPath, [SIT_WEB_JS, '--bogus'], { encoding: 'utf8', env: sandbox.env });
  assert.equal([bad.status, bad.stderr], [1, 'sit-web: unknown option --bogus; see `sit-web --help`\n']);
  const server = await startWeb(sandbox, ['--readonly', '-o', APP, '127.0.0.1:0'], dir, SIT_WEB_JS);
  try {
    assert.equal(await (await fetch(server.base + '/config')).json(), { readonly: true });
    assert.match(await (await fetch(server.base + '/')).text(), /<title>Overlay tracker<\/title>/);
  } finally {
    await server.stop();
  }
  const elsewhere = await startWeb(sandbox, ['-d', dir, '127.0.0.1:0'], sandbox.dir, SIT_WEB_JS);
  try {
    assert.equal(await (await fetch(elsewhere.base + '/config')).json(), { readonly: false });
  } finally {
    await elsewhere.stop();
  }
});

test('sit web in a repository without modules says how to add one', async () => {
  const dir = project('web-no-module', { module: false });
  const server = await startWeb(sandbox, ['web', '127.0.0.1:0'], dir);
  try {
    // stderr is written before the server listens; give its pipe a moment to deliver it.
    for (let i = 0; i < 50 && !server.stderr().includes('no modules'); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(
      server.stderr(),
      /this repository has no modules, so items have no summary or state: add the issue tracker with `sit module add issue-tracking`/,
    );
  } finally {
    await server.stop();
  }
});

test.run();
