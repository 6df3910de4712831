// The digest of a repository's web overlays that `sit trust` records: which files it covers (not
// symbolic links leading out, not FIFOs, not modules shipped with sit), that any change breaks it,
// and that computing it runs and blocks on nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWebTrusted, recordTrust, webManifest } from '../src/cli/trust.ts';
import { loadUserConfig, Repository } from '../src/store/mod.ts';

const base = mkdtempSync(join(tmpdir(), 'sit-trust-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

function setup(name: string): Repository {
  const { path } = Repository.init(join(base, name));
  mkdirSync(join(path, 'web', 'src'), { recursive: true });
  writeFileSync(join(path, 'web', 'index.html'), '<!doctype html>');
  writeFileSync(join(path, 'web', 'src', 'app.js'), 'app()');
  mkdirSync(join(path, 'modules', 'ui', 'web'), { recursive: true });
  writeFileSync(join(path, 'modules', 'ui', 'web', 'style.css'), 'body {}');
  writeFileSync(join(path, 'modules', 'shipped'), 'sit:issue-tracking');
  return Repository.open(path);
}

test('the manifest covers .sit/web and module web/ files, in priority order', () => {
  const repo = setup('covers');
  const manifest = webManifest(repo);
  assert.ok(manifest.needsTrust);
  assert.equal(
    manifest.dirs.map((d) => [d.dir, d.files === undefined ? undefined : [...d.files.keys()].sort()]),
    [
      [join(repo.root, 'web'), ['index.html', 'src/app.js']],
      [join(repo.root, 'modules', 'ui', 'web'), ['style.css']],
    ],
  );
});

test('symbolic links out of the overlay and FIFOs are not covered (and never read)', () => {
  const repo = setup('hostile');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  symlinkSync(join(base, 'secret.txt'), join(repo.root, 'web', 'leak.txt'));
  symlinkSync('index.html', join(repo.root, 'web', 'alias.html'));
  symlinkSync(base, join(repo.root, 'web', 'outside-dir'));
  execFileSync('mkfifo', [join(repo.root, 'web', 'pipe')]);
  const files = webManifest(repo).dirs[0]!.files!;
  assert.equal([...files.keys()].sort(), ['alias.html', 'index.html', 'src/app.js']);
  assert.is(files.get('alias.html'), files.get('index.html'), "a link inside the overlay has its target's contents");
});

test('any change breaks trust: contents, a new file, a removed file, a link target', () => {
  const repo = setup('changes');
  const configPath = join(base, 'changes-config.json');
  writeFileSync(configPath, '{}');
  const config = loadUserConfig({ path: configPath });
  assert.not.ok(isWebTrusted(config, repo, webManifest(repo)), 'new: not trusted');
  recordTrust(config, repo);
  assert.ok(isWebTrusted(config, repo, webManifest(repo)));
  const changes: Array<[() => void, () => void]> = [
    [
      () => writeFileSync(join(repo.root, 'web', 'src', 'app.js'), 'evil()'),
      () => writeFileSync(join(repo.root, 'web', 'src', 'app.js'), 'app()'),
    ],
    [() => writeFileSync(join(repo.root, 'web', 'new.js'), 'x'), () => unlinkSync(join(repo.root, 'web', 'new.js'))],
    [
      () => unlinkSync(join(repo.root, 'modules', 'ui', 'web', 'style.css')),
      () => writeFileSync(join(repo.root, 'modules', 'ui', 'web', 'style.css'), 'body {}'),
    ],
  ];
  for (const [change, undo] of changes) {
    change();
    assert.not.ok(isWebTrusted(config, repo, webManifest(repo)));
    undo();
    assert.ok(isWebTrusted(config, repo, webManifest(repo)), 'back as trusted');
  }
  symlinkSync('index.html', join(repo.root, 'web', 'link.html'));
  recordTrust(config, repo);
  unlinkSync(join(repo.root, 'web', 'link.html'));
  symlinkSync('src/app.js', join(repo.root, 'web', 'link.html'));
  assert.not.ok(isWebTrusted(config, repo, webManifest(repo)), 'a link pointing elsewhere');
});

test('a repository without web files needs no trust; modules shipped with sit need none', () => {
  const { path } = Repository.init(join(base, 'plain'));
  mkdirSync(join(path, 'modules'));
  writeFileSync(join(path, 'modules', 'issue-tracking'), 'sit:issue-tracking');
  const repo = Repository.open(path);
  const manifest = webManifest(repo);
  assert.not.ok(manifest.needsTrust);
  writeFileSync(join(base, 'plain-config.json'), '{}');
  assert.ok(isWebTrusted(loadUserConfig({ path: join(base, 'plain-config.json') }), repo, manifest));
});

test.run();
