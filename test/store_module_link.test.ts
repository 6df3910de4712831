// `sit:NAME` module links: resolved to the module shipped with the running sit, an unknown name is a
// clear error, and hostile entries (a FIFO, a large file, look-alike text) neither hang nor match.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleError, Repository, resolveShippedLink, shippedLinkText } from '../src/store/mod.ts';
import { shippedLinkName } from '../src/store/module_link.ts';
import { PROJECT_ROOT } from './helpers/web_fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'sit-module-link-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('sit:NAME names the module shipped with sit; the repository lists it as a module', () => {
  assert.is(shippedLinkText('issue-tracking'), 'sit:issue-tracking');
  const { path } = Repository.init(join(dir, 'project'));
  mkdirSync(join(path, 'modules'));
  writeFileSync(join(path, 'modules', 'issue-tracking'), 'sit:issue-tracking\n');
  assert.is(
    resolveShippedLink(join(path, 'modules', 'issue-tracking')),
    join(PROJECT_ROOT, 'modules', 'issue-tracking'),
  );
  assert.equal(Repository.open(path).directoryModules(), [join(PROJECT_ROOT, 'modules', 'issue-tracking')]);
});

test('not a shipped-module link: other text, a directory, a large file, a missing entry', () => {
  const cases: Array<[string, string]> = [
    ['plain', '../module'],
    ['prefix', 'sit:../etc'],
    ['spaces', 'sit: issue-tracking'],
    ['two', 'sit:a\nsit:b'],
    ['large', `sit:issue-tracking${' '.repeat(4096)}`],
  ];
  for (const [name, text] of cases) {
    writeFileSync(join(dir, name), text);
    assert.is(shippedLinkName(join(dir, name)), undefined, name);
  }
  mkdirSync(join(dir, 'a-directory'));
  assert.is(shippedLinkName(join(dir, 'a-directory')), undefined);
  assert.is(shippedLinkName(join(dir, 'missing')), undefined);
});

test('a link to a module this sit does not ship is a ModuleError', () => {
  writeFileSync(join(dir, 'unknown'), 'sit:no-such-module');
  assert.throws(
    () => resolveShippedLink(join(dir, 'unknown')),
    (e: unknown) => e instanceof ModuleError && /does not ship/.test((e as Error).message),
  );
});

test('a FIFO among the modules neither hangs nor resolves', () => {
  const { path } = Repository.init(join(dir, 'fifo-project'));
  mkdirSync(join(path, 'modules'));
  execFileSync('mkfifo', [join(path, 'modules', 'pipe')]);
  assert.is(shippedLinkName(join(path, 'modules', 'pipe')), undefined);
  assert.throws(() => Repository.open(path).directoryModules(), /does not resolve to a directory/);
});

test.run();
