import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sit } from './helpers/cli.ts';
import { commitAll, git, issue, makeGitSandbox, newProject, record } from './helpers/git.ts';

const sandbox = makeGitSandbox();

// One history for most tests: an issue opened (tag v1), commented and closed on main, a branch
// `later` with a second issue, the working tree with an uncommitted third one.
const { top, repo } = newProject(sandbox, 'project');
const first = issue(repo, 'First issue');
commitAll(sandbox, top, 'First issue');
git(sandbox, top, ['tag', 'v1']);
record(repo, first, ['Commented'], { text: 'A comment' });
record(repo, first, ['Closed']);
commitAll(sandbox, top, 'Closed');
git(sandbox, top, ['checkout', '-q', '-b', 'later']);
const second = issue(repo, 'Second issue');
commitAll(sandbox, top, 'Second issue');
git(sandbox, top, ['checkout', '-q', 'main']);
const third = issue(repo, 'Uncommitted issue');

const run = (args: string[], cwd = top) => sit(sandbox, args, { cwd });

test('sit --at REV items, records, reduce and integrity answer for the revision', () => {
  const query = "join(' | ', [summary, state])";
  assert.is(run(['--at', 'v1', 'items', '-q', query]).stdout, 'First issue | open\n');
  assert.is(run(['--at', 'main', 'items', '-q', query]).stdout, 'First issue | closed\n');
  assert.is(run(['--at', 'later', 'items', '-f', "state == 'open'", '-q', 'summary']).stdout, 'Second issue\n');
  assert.is(
    run(['items'])
      .stdout.split('\n')
      .filter((l) => l !== '').length,
    2,
    'without --at, the working tree: the first and the uncommitted issue',
  );
  assert.is(run(['--at', 'v1', 'records', first]).stdout.trim().split('\n').length, 2);
  assert.is(run(['--at', 'main', 'records', first]).stdout.trim().split('\n').length, 4);
  assert.is(run(['--at', 'main', 'records']).stdout.trim().split('\n').length, 4);
  assert.is(run(['--at', 'HEAD~1', 'reduce', first, '-q', 'state']).stdout, 'open\n');
  assert.is(run(['--at', 'main', 'reduce', first, '-q', 'length(comments)']).stdout, '1\n');
  const integrity = run(['--at', 'later', 'integrity']);
  assert.is(integrity.status, 0, integrity.stderr);
  assert.is(integrity.stdout, '');
  assert.is(run(['--at', 'main', 'config', 'repository', '-q', 'version']).stdout, '1\n');
});

test('sit --at REV issue list and issue show read the revision; an item of the working tree only is not there', () => {
  assert.match(run(['--at', 'v1', 'issue', 'list']).stdout, /First issue/);
  assert.is(run(['--at', 'main', 'issue', 'list']).stdout, '');
  assert.match(run(['--at', 'main', 'issue', 'list', 'is:closed']).stdout, /First issue/);
  const show = run(['--at', 'v1', 'issue', 'show', first.slice(0, 8)]);
  assert.is(show.status, 0, show.stderr);
  assert.match(show.stdout, /State: +open/);
  assert.match(run(['--at', 'main', 'issue', 'show', first]).stdout, /State: +closed/);
  const missing = run(['--at', 'main', 'issue', 'show', third]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /no issue id starts with/);
  assert.match(run(['--at', 'later', 'issue', 'show', second, '--json']).stdout, /"summary": "Second issue"/);
});

test('every write refuses under --at with one line, and the data stays as it was', () => {
  const before = run(['items']).stdout;
  for (const args of [
    ['issue', 'close', first, '-m', 'x'],
    ['issue', 'new', '--summary', 'x'],
    ['item'],
    ['record', 'x'],
    ['upgrade'],
    ['init'],
    ['web'],
    ['mr', 'later'],
    ['inbox', 'check', 'HEAD~1..HEAD'],
  ]) {
    const result = run(['--at', 'main', ...args]);
    assert.is(result.status, 1, args.join(' '));
    assert.is(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /--at/);
  }
  // sit web says where its pages take a revision instead.
  assert.match(run(['--at', 'v1 x', 'web']).stderr, /run sit web without --at and open \/\?at=v1%20x:/);
  assert.is(run(['items']).stdout, before);
});

test('--at leaves the work tree, the index and .sit/ as they were (git status unchanged)', () => {
  writeFileSync(join(top, 'README'), 'A change in the work tree.\n');
  const status = git(sandbox, top, ['status', '--porcelain']);
  const index = statSync(join(top, '.git', 'index')).mtimeMs;
  const sitDir = run(['items']).stdout;
  for (const args of [
    ['items'],
    ['records', first],
    ['reduce', first],
    ['integrity'],
    ['issue', 'list', '--all'],
    ['issue', 'show', first],
  ]) {
    assert.is(run(['--at', 'v1', ...args]).status, 0, args.join(' '));
  }
  assert.is(git(sandbox, top, ['status', '--porcelain']), status);
  assert.is(statSync(join(top, '.git', 'index')).mtimeMs, index);
  assert.is(run(['items']).stdout, sitDir);
  git(sandbox, top, ['checkout', '-q', '--', 'README']);
});

test('an unknown revision, a repository outside git and a missing git each give a one-line error', () => {
  const unknown = run(['--at', 'no-such-branch', 'items']);
  assert.is(unknown.status, 1);
  assert.match(unknown.stderr, /^unknown revision "no-such-branch"[^\n]*\n$/);
  const dashed = run(['--at', '--upload-pack=evil', 'items']);
  assert.is(dashed.status, 1);
  assert.match(dashed.stderr, /^invalid revision/);
  const plain = join(sandbox.dir, 'not-git');
  mkdirSync(plain, { recursive: true });
  assert.is(run(['init'], plain).status, 0);
  const outside = run(['--at', 'HEAD', 'items'], plain);
  assert.is(outside.status, 1);
  assert.match(outside.stderr, /^[^\n]*not inside a git work tree[^\n]*\n$/);
  const noGit = sit(sandbox, ['--at', 'HEAD', 'items'], { cwd: top, env: { PATH: join(sandbox.dir, 'empty-path') } });
  assert.is(noGit.status, 1);
  assert.match(noGit.stderr, /^git is not installed or not on PATH[^\n]*\n$/);
  const noRepository = run(['--at', 'HEAD~2', 'items']);
  assert.is(noRepository.status, 0, 'the first commit has the repository');
  const before = git(sandbox, top, ['rev-list', '--max-parents=0', 'HEAD']).trim();
  git(sandbox, top, ['tag', 'root', before]);
  const empty = sit(sandbox, ['--at', 'root', 'items'], { cwd: top });
  assert.is(empty.status, 0, empty.stderr);
});

test('sit issue where: a table, --json and --refs over branches, tags and remote-tracking branches', () => {
  git(sandbox, top, ['update-ref', 'refs/remotes/origin/main', 'v1']);
  git(sandbox, top, ['symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main']);
  const table = run(['issue', 'where', first.slice(0, 8)]);
  assert.is(table.status, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /^REF +COMMIT +STATE$/);
  const states = Object.fromEntries(lines.slice(1).map((line) => [line.split(/ +/)[0], line.split(/ +/)[2]]));
  assert.equal(states, { later: 'closed', main: 'closed', 'origin/main': 'open', root: 'absent', v1: 'open' });
  const json = JSON.parse(run(['issue', 'where', second, '--json']).stdout) as Array<{
    ref: string;
    commit: string;
    state: string;
  }>;
  assert.equal(
    json.map((r) => [r.ref, r.state]),
    [
      ['later', 'open'],
      ['main', 'absent'],
      ['origin/main', 'absent'],
      ['root', 'absent'],
      ['v1', 'absent'],
    ],
  );
  assert.is(json[0]!.commit, git(sandbox, top, ['rev-parse', 'later']).trim());
  assert.equal(
    JSON.parse(run(['issue', 'where', first, '--json', '--refs', 'v*', '--refs', 'origin/*']).stdout).map(
      (r: { ref: string }) => r.ref,
    ),
    ['origin/main', 'v1'],
  );
  assert.match(run(['issue', 'where', first, '--refs', 'nothing-*']).stdout, /No branch or tag matches nothing-\*/);
  assert.match(run(['issue', 'where', '--help']).stdout, /Usage: sit issue where ID/);
});

test.run();
