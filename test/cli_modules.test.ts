// Modules that travel: `sit module add` writes a link naming the module shipped with sit (no path
// of this machine), which keeps working in a clone in another directory and after sit's own
// package moves; a module kept as a git submodule works, a clone that did not check it out gets a
// hint, and `sit module add` fills the empty directory. Also `sit reduce -r NAME` resolution.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureBuilt, makeSandbox, sit } from './helpers/cli.ts';

const sandbox = makeSandbox();

function git(cwd: string, args: string[]): string {
  return execFileSync(
    'git',
    [
      '-c',
      'user.name=T',
      '-c',
      'user.email=t@example.org',
      '-c',
      'protocol.file.allow=always',
      '-c',
      'init.defaultBranch=main',
      ...args,
    ],
    {
      cwd,
      encoding: 'utf8',
      env: { ...sandbox.env, GIT_CONFIG_NOSYSTEM: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

function ok(result: ReturnType<typeof sit>): string {
  assert.is(result.status, 0, result.stderr);
  return result.stdout;
}

function project(name: string): string {
  const dir = join(sandbox.dir, name);
  mkdirSync(dir, { recursive: true });
  ok(sit(sandbox, ['init'], { cwd: dir }));
  return dir;
}

test('sit module add writes sit:NAME, which works in a clone in another directory', () => {
  const dir = project('portable');
  const added = ok(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: dir }));
  assert.match(added, /-> sit:issue-tracking\)\n$/);
  const link = readFileSync(join(dir, '.sit', 'modules', 'issue-tracking'), 'utf8');
  assert.is(link, 'sit:issue-tracking');
  assert.not.ok(link.includes(ROOT), 'no path of this machine');
  const id = ok(sit(sandbox, ['issue', 'new', '--summary', 'Travels well'], { cwd: dir })).trim();
  git(dir, ['init', '-q']);
  git(dir, ['add', '.sit']);
  git(dir, ['commit', '-qm', 'issues']);
  const clone = join(sandbox.dir, 'elsewhere', 'clone');
  mkdirSync(join(sandbox.dir, 'elsewhere'));
  git(join(sandbox.dir, 'elsewhere'), ['clone', '-q', dir, clone]);
  assert.is(ok(sit(sandbox, ['issue', 'list'], { cwd: clone })), `${id} | Travels well\n`);
  assert.is(ok(sit(sandbox, ['modules'], { cwd: clone })), `${join(ROOT, 'modules', 'issue-tracking')}\n`);
});

test("the link follows sit's package when the package moves", () => {
  ensureBuilt();
  const dir = project('moved-package');
  ok(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: dir }));
  const id = ok(sit(sandbox, ['issue', 'new', '--summary', 'Still here'], { cwd: dir })).trim();
  const moved = join(sandbox.dir, 'opt', 'sit');
  mkdirSync(moved, { recursive: true });
  for (const entry of ['package.json', 'dist', 'modules', 'templates', 'static', 'docs'])
    cpSync(join(ROOT, entry), join(moved, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(moved, 'node_modules'));
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(moved, 'dist', 'src', 'sit.cjs'), ...args], {
      cwd: dir,
      env: sandbox.env,
      encoding: 'utf8',
    });
  const modules = run(['modules']);
  assert.is(modules.status, 0, modules.stderr);
  assert.is(modules.stdout, `${join(moved, 'modules', 'issue-tracking')}\n`);
  const list = run(['issue', 'list']);
  assert.is(list.status, 0, list.stderr);
  assert.is(list.stdout, `${id} | Still here\n`);
});

test('a link to a module this sit does not ship is a clear error', () => {
  const dir = project('unknown-shipped');
  mkdirSync(join(dir, '.sit', 'modules'));
  writeFileSync(join(dir, '.sit', 'modules', 'nope'), 'sit:no-such-module\n');
  const result = sit(sandbox, ['modules'], { cwd: dir });
  assert.is(result.status, 1);
  assert.match(result.stderr, /names sit:no-such-module, which this installation of sit does not ship/);
});

test('a module kept as a git submodule; a clone without it gets a hint and sit module add fills the directory', () => {
  const moduleRepo = join(sandbox.dir, 'module-repo');
  cpSync(join(ROOT, 'modules', 'issue-tracking'), moduleRepo, { recursive: true });
  git(moduleRepo, ['init', '-q']);
  git(moduleRepo, ['add', '.']);
  git(moduleRepo, ['commit', '-qm', 'module']);
  const dir = project('with-submodule');
  git(dir, ['init', '-q']);
  git(dir, ['submodule', 'add', '-q', moduleRepo, '.sit/modules/issue-tracking']);
  const id = ok(sit(sandbox, ['issue', 'new', '--summary', 'From a submodule'], { cwd: dir })).trim();
  git(dir, ['add', '.']);
  git(dir, ['commit', '-qm', 'issues']);

  const full = join(sandbox.dir, 'clone-recursive');
  git(sandbox.dir, ['clone', '-q', '--recurse-submodules', dir, full]);
  assert.is(ok(sit(sandbox, ['issue', 'list'], { cwd: full })), `${id} | From a submodule\n`);

  const bare = join(sandbox.dir, 'clone-plain');
  git(sandbox.dir, ['clone', '-q', dir, bare]);
  assert.equal(readdirSync(join(bare, '.sit', 'modules', 'issue-tracking')), [], 'the submodule is not checked out');
  const hint =
    `module directory ${join(bare, '.sit', 'modules', 'issue-tracking')} is empty (a git submodule that is not checked out?): ` +
    'run `git submodule update --init`, or `sit module add issue-tracking`';
  const issue = sit(sandbox, ['issue', 'list'], { cwd: bare });
  assert.is(issue.status, 1);
  assert.is(issue.stderr, `unknown command "issue": not a built-in, a module script or a sit-issue program; ${hint}\n`);
  const items = sit(sandbox, ['items'], { cwd: bare });
  assert.equal([items.status, items.stdout, items.stderr], [0, `${id}\n`, `hint: ${hint}\n`]);

  assert.match(ok(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: bare })), /copied into the empty directory/);
  assert.is(ok(sit(sandbox, ['issue', 'list'], { cwd: bare })), `${id} | From a submodule\n`);
  const again = sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: bare });
  assert.is(again.status, 1);
  assert.match(again.stderr, /already installed/);
});

test('sit issue show prints "Merge requests: " with its space', () => {
  const dir = project('merge-requests');
  ok(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: dir }));
  const id = ok(sit(sandbox, ['issue', 'new', '--summary', 'With a patch'], { cwd: dir })).trim();
  mkdirSync(join(dir, 'git'));
  writeFileSync(join(dir, 'text'), 'Please merge\n');
  writeFileSync(join(dir, 'git', '0001-x.patch'), 'Subject: x\n');
  const hash = ok(
    sit(sandbox, ['record', '-t', 'Commented,MergeRequested', id, 'text', 'git/0001-x.patch'], { cwd: dir }),
  ).trim();
  const show = ok(sit(sandbox, ['issue', 'show', id], { cwd: dir }));
  assert.match(show, new RegExp(`\\nMerge requests: ${hash}\\n`));
});

test('sit reduce -r NAME: a file relative to the working directory, else <repo>/reducers/NAME, links inside the repository', () => {
  const dir = project('named-reducers');
  const reducer = 'module.exports = function (state, record) { return Object.assign(state, {value: "hello"}); };\n';
  mkdirSync(join(dir, '.sit', 'reducers', 'test'), { recursive: true });
  writeFileSync(join(dir, '.sit', 'reducers', 'test', 'reducer.js'), reducer);
  writeFileSync(join(dir, 'test-file'), 'x');
  ok(sit(sandbox, ['record', 'test-file'], { cwd: dir }));
  const expected = '{\n  "value": "hello"\n}\n';
  assert.is(ok(sit(sandbox, ['reduce', '-r', 'test'], { cwd: dir })), expected);
  // A `test` directory of the project itself (holding no reducers) does not shadow the named one.
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'test', 'notes.txt'), 'not a reducer');
  assert.is(ok(sit(sandbox, ['reduce', '-r', 'test'], { cwd: dir })), expected);
  // A text link under reducers/ is followed, as the original's resolve_dir did.
  writeFileSync(join(dir, '.sit', 'reducers', 'linked'), 'test');
  assert.is(ok(sit(sandbox, ['reduce', '-r', 'linked'], { cwd: dir })), expected);
  // An absolute directory works; a file relative to the working directory wins over a name.
  assert.is(ok(sit(sandbox, ['reduce', '-r', join(dir, '.sit', 'reducers', 'test')], { cwd: dir })), expected);
  writeFileSync(join(dir, 'mine.js'), 'module.exports = function (s) { s.mine = true; return s; };');
  assert.is(ok(sit(sandbox, ['reduce', '-r', 'mine.js'], { cwd: dir })), '{\n  "mine": true\n}\n');
  // A link that leaves the repository, and a directory with no .js files, are refused.
  const outside = join(sandbox.dir, 'outside-reducers');
  mkdirSync(outside);
  writeFileSync(join(outside, 'x.js'), reducer);
  writeFileSync(join(dir, '.sit', 'reducers', 'escape'), outside);
  const escaped = sit(sandbox, ['reduce', '-r', 'escape'], { cwd: join(dir, '.sit') });
  assert.is(escaped.status, 1);
  assert.match(escaped.stderr, /reducer "escape" not found/);
  mkdirSync(join(dir, '.sit', 'reducers', 'empty'));
  const empty = sit(sandbox, ['reduce', '-r', 'empty'], { cwd: dir });
  assert.is(empty.status, 1);
  assert.match(empty.stderr, /has no \.js files directly in it/);
});

test('a repository with no module: sit issue says how to add one', () => {
  const dir = project('no-module');
  const result = sit(sandbox, ['issue', 'list'], { cwd: dir });
  assert.is(result.status, 1);
  assert.match(
    result.stderr,
    /this repository has no modules: add the issue tracker with `sit module add issue-tracking`/,
  );
});

test.run();
