import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readItemRecords, Repository } from '../src/store/mod.ts';
import { sit } from './helpers/cli.ts';
import { commitAll, git, issue, makeGitSandbox, newProject, record } from './helpers/git.ts';

const sandbox = makeGitSandbox();
const { top, repo } = newProject(sandbox, 'project');
writeFileSync(join(top, 'code.txt'), 'one\ntwo\nthree\n');
commitAll(sandbox, top, 'Code');
git(sandbox, top, ['checkout', '-q', '-b', 'feature']);
writeFileSync(join(top, 'code.txt'), 'one\ntwo\nthree\nfour\n');
commitAll(sandbox, top, 'Count to four\n\nFour comes after three.');
writeFileSync(join(top, 'code.txt'), 'zero\none\ntwo\nthree\nfour\n');
commitAll(sandbox, top, 'Start at zero');
git(sandbox, top, ['checkout', '-q', 'main']);

const run = (args: string[]) => sit(sandbox, args, { cwd: top });
const types = (id: string, hash: string): string[] =>
  readItemRecords(Repository.open(repo.root), id)
    .find((r) => r.hash === hash)!
    .files.filter((f) => f.name.startsWith('.type/'))
    .map((f) => f.name.slice(6));

let id = '';
let mr = '';

test('sit mr BRANCH: a new issue from the commit messages, with the format-patch series, in the original record types', () => {
  const result = run(['mr', 'feature']);
  assert.is(result.status, 0, result.stderr);
  const match =
    /^Created issue (\S+) with merge request ([A-Z2-7]{32}) \(2 patches of feature from [0-9a-f]{12}\)$/m.exec(
      result.stdout,
    );
  assert.ok(match, result.stdout);
  [, id, mr] = match as unknown as [string, string, string];
  assert.match(result.stdout, new RegExp(`sit mr-merge ${id} ${mr}`));
  const state = JSON.parse(run(['issue', 'show', id, '--json']).stdout) as Record<string, unknown>;
  assert.is(state['summary'], 'Count to four');
  assert.is(state['details'], 'Four comes after three.');
  assert.equal(state['merge_requests'], [mr]);
  assert.is(state['merge_request'], mr);
  assert.equal(types(id, mr), ['DetailsChanged', 'MergeRequested']);
  const files = readItemRecords(Repository.open(repo.root), id)
    .find((r) => r.hash === mr)!
    .files.map((f) => f.name);
  assert.equal(
    files.filter((f) => f.startsWith('git/')),
    ['git/0001-Count-to-four.patch', 'git/0002-Start-at-zero.patch'],
  );
});

test('sit mr --list shows it, not merged', () => {
  commitAll(sandbox, top, 'The merge request');
  git(sandbox, top, ['branch', 'release']);
  const list = JSON.parse(run(['mr', '--list', '--json']).stdout);
  assert.equal(list, [{ issue: id, mr, summary: 'Count to four', state: 'open', merged: false }]);
  assert.match(
    run(['mr', '--list']).stdout,
    /^ISSUE +MR +STATE +MERGED +SUMMARY\n\S+ +\S+ +open +no +Count to four\n$/,
  );
});

test('sit mr-merge: git am -3 on merge-ITEM-MR, Merged,Closed committed, merged --no-ff; then where shows closed on the target and open elsewhere', () => {
  const result = run(['mr-merge', id.slice(0, 8), mr.slice(0, 10), '-m', 'Thank you']);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, /Merged merge request \S+ of issue \S+ into main/);
  assert.is(readFileSync(join(top, 'code.txt'), 'utf8'), 'zero\none\ntwo\nthree\nfour\n');
  assert.is(git(sandbox, top, ['rev-parse', '--abbrev-ref', 'HEAD']).trim(), 'main');
  assert.is(git(sandbox, top, ['log', '-1', '--format=%s']).trim(), `Merge merge request ${id}/${mr}`);
  assert.is(git(sandbox, top, ['status', '--porcelain']), '');
  const state = JSON.parse(run(['issue', 'show', id, '--json']).stdout) as Record<string, unknown>;
  assert.is(state['state'], 'closed');
  assert.equal(state['merges'], [{ hash: (state['merges'] as Array<{ hash: string }>)[0]!.hash, record: `${mr}\n` }]);
  const merge = (state['merges'] as Array<{ hash: string }>)[0]!.hash;
  assert.equal(types(id, merge), ['Closed', 'Commented', 'Merged']);
  const where = Object.fromEntries(
    (JSON.parse(run(['issue', 'where', id, '--json']).stdout) as Array<{ ref: string; state: string }>).map((r) => [
      r.ref,
      r.state,
    ]),
  );
  assert.equal(where, { feature: 'absent', main: 'closed', [`merge-${id}-${mr}`]: 'closed', release: 'open' });
  assert.equal(JSON.parse(run(['mr', '--list', '--json']).stdout)[0].merged, true);
  git(sandbox, top, ['checkout', '-q', 'release']);
  assert.equal(JSON.parse(run(['mr', '--list', '--json']).stdout)[0].merged, false, 'not merged into release');
  git(sandbox, top, ['checkout', '-q', 'main']);
});

test("a merge request in the original's records (as its sit-mr wrote them) merges; a conflict stops with one line and keeps the branch", () => {
  git(sandbox, top, ['checkout', '-q', '-b', 'conflicting', 'main~2']);
  writeFileSync(join(top, 'code.txt'), 'ONE\ntwo\nthree\n');
  commitAll(sandbox, top, 'Shout one');
  const patch = git(sandbox, top, ['format-patch', '--stdout', 'HEAD~1..HEAD']);
  git(sandbox, top, ['checkout', '-q', 'main']);
  const item = issue(repo, 'Shout');
  const original = record(repo, item, ['DetailsChanged', 'MergeRequested'], {
    text: 'Shout one',
    'git/0001-Shout-one.patch': patch,
  });
  commitAll(sandbox, top, 'An original merge request');
  assert.equal(JSON.parse(run(['issue', 'show', item, '--json']).stdout).merge_requests, [original]);
  const result = run(['mr-merge', item, original]);
  assert.is(result.status, 1);
  assert.match(
    result.stderr,
    /git am -3 stopped on a conflict on branch merge-\S+: resolve it, run `git am --continue`/,
  );
  assert.is(git(sandbox, top, ['rev-parse', '--abbrev-ref', 'HEAD']).trim(), `merge-${item}-${original}`);
  const again = run(['mr-merge', item, original]);
  assert.is(again.status, 1);
  assert.match(again.stderr, /^a git am is in progress/);
  git(sandbox, top, ['am', '--abort']);
  git(sandbox, top, ['checkout', '-q', 'main']);
  git(sandbox, top, ['branch', '-D', `merge-${item}-${original}`]);
});

test('sit mr BRANCH ITEM adds a Commented,MergeRequested record; --branch commits the records alone on a branch the inbox accepts', () => {
  git(sandbox, top, ['checkout', '-q', '-b', 'second', 'main']);
  writeFileSync(join(top, 'other.txt'), 'other\n');
  commitAll(sandbox, top, 'Add other');
  git(sandbox, top, ['checkout', '-q', 'main']);
  const target = issue(repo, 'Needs other');
  commitAll(sandbox, top, 'Issue');
  const status = git(sandbox, top, ['status', '--porcelain']);
  const head = git(sandbox, top, ['rev-parse', 'HEAD']).trim();
  const result = run(['mr', 'second', target.slice(0, 8), '-m', 'This adds other', '--branch', 'mr/other']);
  assert.is(result.status, 0, result.stderr);
  const hash = /merge request ([A-Z2-7]{32})/.exec(result.stdout)![1]!;
  assert.equal(types(target, hash), ['Commented', 'MergeRequested']);
  assert.is(git(sandbox, top, ['rev-parse', 'HEAD']).trim(), head, 'HEAD did not move');
  assert.is(
    git(sandbox, top, ['status', '--porcelain', '--untracked-files=no']),
    status,
    'the index and tracked files did not change',
  );
  assert.is(git(sandbox, top, ['rev-parse', 'mr/other~1']).trim(), head);
  const added = git(sandbox, top, ['diff', '--name-only', 'main', 'mr/other']).trim().split('\n');
  assert.ok(
    added.every((path) => path.startsWith('.sit/records/') || path === `.sit/items/${target}/${hash}`),
    added.join('\n'),
  );
  const check = run(['inbox', 'check', 'main..mr/other']);
  assert.is(check.status, 0, check.stdout + check.stderr);
  const taken = run(['mr', 'second', '--branch', 'mr/other']);
  assert.is(taken.status, 1);
  assert.match(taken.stderr, /a branch mr\/other exists already/);
});

test('one-line errors: no branch, an unknown branch, nothing to merge, an unknown merge request', () => {
  assert.match(run(['mr']).stderr, /^give the branch to request a merge of/);
  assert.match(run(['mr', 'nope']).stderr, /^unknown revision "nope"/);
  assert.match(run(['mr', 'main']).stderr, /^main has no commits that main lacks/);
  const unknown = run(['mr-merge', id, 'AAAA']);
  assert.is(unknown.status, 1);
  assert.match(unknown.stderr, /has no merge request AAAA/);
});

test.run();
