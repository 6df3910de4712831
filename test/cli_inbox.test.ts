import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { splitPath, Repository } from '../src/store/mod.ts';
import { sit } from './helpers/cli.ts';
import { commitAll, git, issue, makeGitSandbox, newProject, record } from './helpers/git.ts';

const sandbox = makeGitSandbox();
const { top, repo } = newProject(sandbox, 'upstream');
writeFileSync(join(top, 'code.txt'), 'code\n');
const existing = issue(repo, 'Existing');
commitAll(sandbox, top, 'Upstream');
const bare = join(sandbox.dir, 'inbox.git');
git(sandbox, sandbox.dir, ['clone', '-q', '--bare', top, bare]);
const hook = sit(sandbox, ['inbox', 'hook'], { cwd: top });
assert.is(hook.status, 0, hook.stderr);
writeFileSync(join(bare, 'hooks', 'pre-receive'), hook.stdout);
chmodSync(join(bare, 'hooks', 'pre-receive'), 0o755);
const clone = join(sandbox.dir, 'contributor');
git(sandbox, sandbox.dir, ['clone', '-q', bare, clone]);
const mine = Repository.open(join(clone, '.sit'));

const run = (args: string[], cwd = clone) => sit(sandbox, args, { cwd });
const push = () =>
  spawnSync('git', ['push', '-q', 'origin', 'HEAD:main'], { cwd: clone, env: sandbox.env, encoding: 'utf8' });
const reset = () => {
  git(sandbox, clone, ['reset', '-q', '--hard', 'origin/main']);
  git(sandbox, clone, ['clean', '-q', '-fdx']);
};

/** Commits what `change` does in the contributor's clone and checks it: the violation lines. */
function refused(what: string, change: () => void): string {
  change();
  git(sandbox, clone, ['add', '-A']);
  git(sandbox, clone, ['commit', '-q', '-m', what]);
  const result = run(['inbox', 'check', 'origin/main..HEAD']);
  reset();
  assert.is(result.status, 1, `${what}: ${result.stdout}`);
  const commit = /^[0-9a-f]{12} /;
  for (const line of result.stdout.trim().split('\n')) assert.match(line, commit, what);
  return result.stdout;
}

test('a push of new records only is accepted by the pre-receive hook; the check prints a one-line summary', () => {
  const id = issue(mine, 'From a contributor');
  record(mine, existing, ['Commented'], { text: 'Me too' });
  commitAll(sandbox, clone, 'Records');
  const check = run(['inbox', 'check', 'origin/main..HEAD']);
  assert.is(check.status, 0, check.stdout);
  assert.is(check.stdout, 'accepted 1 commit: 3 new records, 3 item links, nothing else\n');
  const pushed = push();
  assert.is(pushed.status, 0, pushed.stderr);
  assert.match(pushed.stderr, /accepted 1 commit/);
  git(sandbox, clone, ['fetch', '-q']);
  assert.ok(git(sandbox, bare, ['ls-tree', '-r', '--name-only', 'main']).includes(`.sit/items/${id}/`));
});

test('every other kind of change is refused, one line each: commit, path, why', () => {
  assert.match(
    refused('modify code', () => writeFileSync(join(clone, 'code.txt'), 'changed\n')),
    /code\.txt: modifies an existing file/,
  );
  assert.match(
    refused('delete', () => rmSync(join(clone, 'code.txt'))),
    /code\.txt: deletes a file/,
  );
  assert.match(
    refused('new code', () => writeFileSync(join(clone, 'new.txt'), 'x')),
    /new\.txt: is outside \.sit\/records\/ and items\//,
  );
  assert.match(
    refused('config', () => writeFileSync(join(clone, '.sit', 'config.json'), '{}')),
    /\.sit\/config\.json: modifies an existing file/,
  );
  assert.match(
    refused('a module', () => {
      mkdirSync(join(clone, '.sit', 'modules', 'evil', 'cli'), { recursive: true });
      writeFileSync(join(clone, '.sit', 'modules', 'evil', 'cli', 'issue.js'), 'module.exports = 1');
    }),
    /\.sit\/modules\/evil\/cli\/issue\.js: is outside/,
  );
  const path = (hash: string, file: string) => join(clone, '.sit', 'records', splitPath(hash), file);
  assert.match(
    refused('executable', () => {
      git(sandbox, clone, ['config', 'core.fileMode', 'true']);
      const hash = record(mine, issue(mine, 'x'), ['Commented'], { text: 'x' });
      chmodSync(path(hash, 'text'), 0o755);
    }),
    /text: has the executable bit set/,
  );
  assert.match(
    refused('symlink', () => {
      const hash = record(mine, issue(mine, 'y'), ['Commented'], { text: 'y' });
      rmSync(path(hash, 'text'));
      symlinkSync('/etc/passwd', path(hash, 'text'));
    }),
    /text: is a symbolic link/,
  );
  assert.match(
    refused('incomplete', () => {
      const hash = record(mine, issue(mine, 'z'), ['Commented'], { text: 'z' });
      rmSync(path(hash, '.authors'));
    }),
    /is not intact: its files do not hash to/,
  );
  assert.match(
    refused('altered', () => {
      const hash = record(mine, issue(mine, 'w'), ['Commented'], { text: 'w' });
      writeFileSync(path(hash, 'text'), 'something else');
    }),
    /is not intact/,
  );
  assert.match(
    refused('a link to nothing', () => {
      mkdirSync(join(clone, '.sit', 'items', 'ghost'), { recursive: true });
      const ghost = 'A'.repeat(32);
      writeFileSync(join(clone, '.sit', 'items', 'ghost', ghost), `../../records/${splitPath(ghost)}`);
    }),
    /items\/ghost\/A{32}: names record A{32}, which is not in the commit/,
  );
  assert.match(
    refused('a link with other text', () => {
      const id = issue(mine, 'v');
      const hash = readdirSync(join(clone, '.sit', 'items', id))[0]!;
      writeFileSync(join(clone, '.sit', 'items', id, hash), '../../../elsewhere');
    }),
    /does not hold the link text \.\.\/\.\.\/records\//,
  );
  assert.match(
    refused('a file added to an existing record', () => {
      const hash = readdirSync(join(clone, '.sit', 'items', existing))[0]!;
      writeFileSync(path(hash, 'extra'), 'appended');
    }),
    /adds files to record [A-Z2-7]{32}, which existed before; records never change/,
  );
  assert.match(
    refused('a stray file in records', () => writeFileSync(join(clone, '.sit', 'records', 'stray'), 'x')),
    /records\/stray: is not inside a record directory/,
  );
});

test('the hook refuses a bad push, a forced push and a deletion; nothing reaches the inbox', () => {
  const before = git(sandbox, bare, ['rev-parse', 'main']).trim();
  writeFileSync(join(clone, 'code.txt'), 'changed\n');
  commitAll(sandbox, clone, 'Code');
  const bad = push();
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /code\.txt: modifies an existing file/);
  reset();
  git(sandbox, clone, ['reset', '-q', '--hard', 'HEAD~1']);
  const forced = spawnSync('git', ['push', '-q', '--force', 'origin', 'HEAD:main'], {
    cwd: clone,
    env: sandbox.env,
    encoding: 'utf8',
  });
  assert.is(forced.status, 1);
  assert.match(forced.stderr, /not a fast-forward/);
  const deleted = spawnSync('git', ['push', '-q', 'origin', ':main'], {
    cwd: clone,
    env: sandbox.env,
    encoding: 'utf8',
  });
  assert.is(deleted.status, 1);
  assert.match(deleted.stderr, /deleting a ref is not accepted|refusing to delete the current branch/);
  reset();
  issue(mine, 'On a new branch');
  commitAll(sandbox, clone, 'Records on a new branch');
  const fresh = spawnSync('git', ['push', '-q', 'origin', 'HEAD:refs/heads/contrib'], {
    cwd: clone,
    env: sandbox.env,
    encoding: 'utf8',
  });
  assert.is(fresh.status, 0, fresh.stderr);
  reset();
  assert.is(git(sandbox, bare, ['rev-parse', 'main']).trim(), before);
});

test('--require-signature refuses unsigned commits', () => {
  issue(mine, 'Unsigned');
  commitAll(sandbox, clone, 'Unsigned records');
  const result = run(['inbox', 'check', '--require-signature', 'origin/main..HEAD']);
  reset();
  assert.is(result.status, 1);
  assert.match(result.stdout, /^[0-9a-f]{12} -: the commit is not signed\n$/);
});

test('sit inbox apply: a records-only series is checked in a temporary worktree and applied; a bad one changes nothing', () => {
  issue(mine, 'Mailed');
  commitAll(sandbox, clone, 'Mailed records');
  const good = join(sandbox.dir, 'good.mbox');
  writeFileSync(good, git(sandbox, clone, ['format-patch', '--stdout', 'origin/main..HEAD']));
  reset();
  writeFileSync(join(clone, 'code.txt'), 'mailed code\n');
  commitAll(sandbox, clone, 'Mailed code');
  const bad = join(sandbox.dir, 'bad.mbox');
  writeFileSync(bad, git(sandbox, clone, ['format-patch', '--stdout', 'origin/main..HEAD']));
  reset();
  git(sandbox, top, ['pull', '-q', '--ff-only', bare, 'main']);
  const head = git(sandbox, top, ['rev-parse', 'HEAD']).trim();
  const refusedApply = sit(sandbox, ['inbox', 'apply', bad], { cwd: top });
  assert.is(refusedApply.status, 1);
  assert.match(refusedApply.stdout, /code\.txt: modifies an existing file/);
  assert.is(git(sandbox, top, ['rev-parse', 'HEAD']).trim(), head);
  assert.is(git(sandbox, top, ['status', '--porcelain']), '');
  const applied = sit(sandbox, ['inbox', 'apply', good], { cwd: top });
  assert.is(applied.status, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /accepted 1 commit: 2 new records, 2 item links, nothing else\napplied to main/);
  assert.match(sit(sandbox, ['issue', 'list'], { cwd: top }).stdout, /Mailed/);
  assert.is(git(sandbox, top, ['worktree', 'list']).trim().split('\n').length, 1, 'the temporary worktree is gone');
  assert.is(git(sandbox, top, ['status', '--porcelain']), '');
});

test.run();
