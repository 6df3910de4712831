// A hostile `.sit/` that links reducers, required files and module scripts to host files, and
// records whose files no longer match their hash: nothing is read through a link that leaves its
// directory, and the web serves records with the same integrity rule as the command line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, loadReducers } from '../src/reduce/mod.ts';
import { Repository, splitPath } from '../src/store/mod.ts';
import { makeSandbox, sit } from './helpers/cli.ts';
import { recordFiles, webFixture } from './helpers/web_fixtures.ts';

const made: string[] = [];
function tempDir(prefix = 'sit-links-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A host file with a secret, written as JavaScript that would put it in the state if it were loaded. */
function hostSecret(): string {
  const file = join(tempDir('sit-host-'), 'secret.js');
  writeFileSync(file, "module.exports = function (state) { return { id: state.id, leaked: 'host secret' }; };");
  return file;
}

function repositoryWithItem(): Repository {
  const { path } = Repository.init(tempDir());
  const repo = Repository.open(path);
  repo.newItem('one');
  repo.newRecord(recordFiles(['Commented'], 'hello'), { itemId: 'one' });
  return repo;
}

async function reduceOne(repo: Repository): Promise<Record<string, unknown>> {
  const engine = new Engine(repo, { cache: false });
  try {
    return (await engine.reduceItems(['one'])).get('one')!;
  } finally {
    await engine.close();
  }
}

test('a reducer file that is a symbolic link to a host file is not loaded', async () => {
  const repo = repositoryWithItem();
  mkdirSync(join(repo.root, 'reducers'));
  writeFileSync(join(repo.root, 'reducers', 'a.js'), 'module.exports = function (state) { return state; };');
  symlinkSync(hostSecret(), join(repo.root, 'reducers', 'b.js'));
  assert.equal(
    loadReducers(repo).set.reducers.map((r) => r.file),
    [join(repo.root, 'reducers', 'a.js')],
  );
  assert.equal(await reduceOne(repo), { id: 'one' });
});

test('a reducers/ directory that links out of its module or repository is not used', async () => {
  const repo = repositoryWithItem();
  const host = join(tempDir('sit-host-'), 'reducers');
  mkdirSync(host);
  symlinkSync(hostSecret(), join(host, 'x.js'));
  writeFileSync(
    join(host, 'y.js'),
    "module.exports = function (state) { return { id: state.id, leaked: 'host reducer' }; };",
  );
  symlinkSync(host, join(repo.root, 'reducers'));
  const module = join(repo.root, 'modules', 'm');
  mkdirSync(module, { recursive: true });
  symlinkSync(host, join(module, 'reducers'));
  assert.equal(loadReducers(repo).set.reducers, []);
  assert.equal(await reduceOne(repo), { id: 'one' });
  // A module directory that is itself a link is used, as designed.
  const linked = join(tempDir('sit-module-'), 'linked');
  mkdirSync(join(linked, 'reducers'), { recursive: true });
  writeFileSync(
    join(linked, 'reducers', 'r.js'),
    'module.exports = function (state) { return { id: state.id, linked: true }; };',
  );
  rmSync(module, { recursive: true });
  symlinkSync(linked, module);
  assert.equal(await reduceOne(repo), { id: 'one', linked: true });
});

test('require() of a file that links to a host file finds nothing', async () => {
  const repo = repositoryWithItem();
  mkdirSync(join(repo.root, 'reducers'));
  symlinkSync(hostSecret(), join(repo.root, 'reducers', 'lib.js.js'));
  symlinkSync(hostSecret(), join(repo.root, 'reducers', 'helper.js'));
  writeFileSync(
    join(repo.root, 'reducers', 'main.js'),
    "module.exports = function (state) { var out = { id: state.id }; try { require('./helper.js'); out.found = true; } catch (e) { out.error = String(e.message); } return out; };",
  );
  const set = loadReducers(repo).set;
  assert.equal(Object.keys(set.requireFiles), [join(repo.root, 'reducers', 'main.js')]);
  assert.equal(await reduceOne(repo), { error: 'module not found: "./helper.js"', id: 'one' });
});

test('a module script that links to a file outside its module is not run', () => {
  const sandbox = makeSandbox();
  const dir = join(sandbox.dir, 'work', 'project');
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  const cli = join(dir, '.sit', 'modules', 'm', 'cli');
  mkdirSync(cli, { recursive: true });
  const host = join(tempDir('sit-host-'), 'leak.js');
  writeFileSync(host, "module.exports = function (sit) { sit.print('ran a host script'); };");
  symlinkSync(host, join(cli, 'leak.js'));
  const result = sit(sandbox, ['leak'], { cwd: dir });
  assert.is(result.status, 1);
  assert.is(result.stdout, '');
  assert.match(result.stderr, /^unknown command "leak"/);
});

test('the web serves records with the integrity rule of the command line', async () => {
  const fixture = await webFixture();
  try {
    const { repo, app } = fixture;
    const id = await fixture.issue('with a merge request');
    const files = recordFiles(['MergeRequested'], undefined);
    files.push({ name: 'git/0001.patch', data: new TextEncoder().encode('diff --git a/x b/x\n+secret line\n') });
    const hash = repo.newRecord(files, { itemId: id });
    await fixture.index.refresh([id]);
    const ok = await app.request(`/api/item/${id}/${hash}/files`);
    assert.is(ok.status, 200);
    // Damage the record: its content no longer matches its hash.
    writeFileSync(
      join(repo.root, 'records', splitPath(hash), 'git', '0001.patch'),
      'diff --git a/x b/x\n+forged line\n',
    );
    for (const path of [
      `/api/item/${id}/${hash}/files`,
      `/api/record/${hash}/files`,
      `/repo/items/${id}/${hash}/git/0001.patch`,
      `/repo/records/${splitPath(hash)}/git/0001.patch`,
    ]) {
      const response = await app.request(path);
      assert.is(response.status, 404, path);
      assert.match(await response.text(), /damaged/, path);
    }
    const page = await app.request(`/issue/${id}`);
    const body = await page.text();
    assert.not.match(body, /forged line/);
    assert.match(body, /This record is damaged/);
  } finally {
    await fixture.close();
  }
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
test.run();
