import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadReducers } from '../src/reduce/mod.ts';
import { readItemRecords, recordHash, splitPath, type Repository } from '../src/store/mod.ts';
import { checkRevisionIntegrity } from '../src/git/integrity.ts';
import { RevisionReducer, type State } from '../src/git/reduce.ts';
import { issueState, itemAtRefs, listRefs } from '../src/git/refs.ts';
import { GitRepository } from '../src/git/repository.ts';
import { Revision } from '../src/git/revision.ts';
import { GitRecordSource } from '../src/git/source.ts';
import { commitAll, git, issue, makeGitSandbox, newProject, record } from './helpers/git.ts';

const sandbox = makeGitSandbox();

function reducer(repo: Repository, cache = 'cache'): RevisionReducer {
  return new RevisionReducer({
    reducers: loadReducers(repo),
    integrity: true,
    env: { SIT_CACHE_DIR: join(sandbox.dir, cache) },
  });
}

async function stateAt(
  repository: GitRepository,
  reduce: RevisionReducer,
  rev: string,
  id: string,
): Promise<State | undefined> {
  const revision = await Revision.open(repository, await repository.resolveCommit(rev), rev);
  let found: State | undefined;
  await reduce.reduce(revision, [id], (_, state) => {
    found = state;
  });
  return found;
}

async function whereStates(
  repository: GitRepository,
  reduce: RevisionReducer,
  id: string,
): Promise<Record<string, string>> {
  const rows = await itemAtRefs(repository, reduce, id, await listRefs(repository));
  return Object.fromEntries(rows.map(({ ref, state }) => [ref.ref, issueState(state)]));
}

test('branches and tags: open, closed or absent on each, a tag followed to its commit', async () => {
  const { top, repo } = newProject(sandbox, 'refs');
  const id = issue(repo, 'Crash on start');
  commitAll(sandbox, top, 'An issue');
  git(sandbox, top, ['tag', '-a', '-m', 'First release', 'v1.0']);
  git(sandbox, top, ['branch', 'old', 'HEAD~1']);
  record(repo, id, ['Closed']);
  commitAll(sandbox, top, 'Closed');
  const repository = await GitRepository.open(repo.root);
  const reduce = reducer(repo);
  try {
    assert.equal(await whereStates(repository, reduce, id), { main: 'closed', old: 'absent', 'v1.0': 'open' });
    assert.is((await stateAt(repository, reduce, 'v1.0', id))!['summary'], 'Crash on start');
    assert.equal(
      (await listRefs(repository, ['v*'])).map((r) => r.ref),
      ['v1.0'],
    );
    assert.equal(
      (await listRefs(repository, ['refs/heads/*'])).map((r) => r.ref),
      ['main', 'old'],
    );
  } finally {
    await reduce.close();
    await repository.close();
  }
});

test('a fix whose close record is cherry-picked to a release branch is closed there, and open elsewhere', async () => {
  const { top, repo } = newProject(sandbox, 'cherry');
  const id = issue(repo, 'Wrong total');
  commitAll(sandbox, top, 'Report');
  git(sandbox, top, ['branch', 'release/1.x']);
  git(sandbox, top, ['branch', 'other']);
  writeFileSync(join(top, 'fix.txt'), 'fixed\n');
  record(repo, id, ['Commented', 'Closed'], { text: 'Fixed in the total code' });
  const fix = commitAll(sandbox, top, 'Fix the total, close the issue');
  git(sandbox, top, ['checkout', '-q', 'release/1.x']);
  git(sandbox, top, ['cherry-pick', fix]);
  git(sandbox, top, ['checkout', '-q', 'main']);
  const repository = await GitRepository.open(repo.root);
  const reduce = reducer(repo);
  try {
    assert.equal(await whereStates(repository, reduce, id), { main: 'closed', other: 'open', 'release/1.x': 'closed' });
  } finally {
    await reduce.close();
    await repository.close();
  }
});

test('a merge has the records of both sides', async () => {
  const { top, repo } = newProject(sandbox, 'merge');
  const id = issue(repo, 'Slow search');
  commitAll(sandbox, top, 'Report');
  git(sandbox, top, ['checkout', '-q', '-b', 'side']);
  record(repo, id, ['Commented'], { text: 'From the side' });
  commitAll(sandbox, top, 'Comment');
  git(sandbox, top, ['checkout', '-q', 'main']);
  const closed = record(repo, id, ['Closed']);
  commitAll(sandbox, top, 'Close');
  git(sandbox, top, ['merge', '-q', '--no-edit', 'side']);
  const repository = await GitRepository.open(repo.root);
  const reduce = reducer(repo);
  try {
    const merged = await stateAt(repository, reduce, 'main', id);
    assert.is(merged!['state'], 'closed');
    assert.equal(
      (merged!['comments'] as Array<{ text: string }>).map((c) => c.text),
      ['From the side'],
    );
    assert.is((await stateAt(repository, reduce, 'side', id))!['state'], 'open');
    assert.ok(readItemRecords(repo, id).some((r) => r.hash === closed));
  } finally {
    await reduce.close();
    await repository.close();
  }
});

/** Writes a record directory `dir` from `files` and returns its hash. */
function legacyRecord(dir: string, files: Array<[string, string]>): string {
  const hash = recordHash(files.map(([name, text]) => ({ name, data: new TextEncoder().encode(text) })));
  for (const [name, text] of files) {
    mkdirSync(join(dir, hash, name, '..'), { recursive: true });
    writeFileSync(join(dir, hash, name), text);
  }
  return hash;
}

test('every layout the original committed: issues/ (before 0.3), record directories in items/ (0.3–0.4), flat records', async () => {
  const { top, repo } = newProject(sandbox, 'layouts');
  const config = join(top, '.sit', 'config.json');
  const modern = readFileSync(config, 'utf8');
  writeFileSync(config, modern.replace(/,\s*"features": \[\s*"flat-records"\s*\]/, ''));
  const first = legacyRecord(join(top, '.sit', 'issues', 'old-1'), [
    ['.type/SummaryChanged', ''],
    ['.timestamp', '2017-01-01T00:00:00Z'],
    ['text', 'Before 0.3'],
  ]);
  commitAll(sandbox, top, 'issues/ layout');
  git(sandbox, top, ['tag', 'v0.2']);
  git(sandbox, top, ['mv', '.sit/issues', '.sit/items']);
  legacyRecord(join(top, '.sit', 'items', 'old-1'), [
    ['.type/Closed', ''],
    ['.prev/' + first, ''],
    ['.timestamp', '2017-06-01T00:00:00Z'],
  ]);
  commitAll(sandbox, top, 'items/ layout, closed');
  git(sandbox, top, ['tag', 'v0.4']);
  writeFileSync(config, modern);
  rmSync(join(top, '.sit', 'items'), { recursive: true });
  commitAll(sandbox, top, 'Upgrade');
  const id = issue(repo, 'Flat records');
  commitAll(sandbox, top, 'A flat issue');
  const repository = await GitRepository.open(repo.root);
  const reduce = reducer(repo);
  try {
    const v02 = await stateAt(repository, reduce, 'v0.2', 'old-1');
    assert.is(v02!['summary'], 'Before 0.3');
    assert.is(v02!['state'], 'open');
    const v04 = await stateAt(repository, reduce, 'v0.4', 'old-1');
    assert.is(v04!['summary'], 'Before 0.3');
    assert.is(v04!['state'], 'closed');
    assert.is((await stateAt(repository, reduce, 'main', id))!['summary'], 'Flat records');
    assert.is(await stateAt(repository, reduce, 'main', 'old-1'), undefined);
    const revision = await Revision.open(repository, await repository.resolveCommit('v0.2'));
    assert.equal(await revision.listItems(), ['old-1']);
    assert.equal((await checkRevisionIntegrity(revision)).itemDamage, []);
  } finally {
    await reduce.close();
    await repository.close();
  }
});

test('a blob missing from the clone leaves its record out as damaged; nothing crashes and nothing is cached', async () => {
  const { top, repo } = newProject(sandbox, 'missing');
  const id = issue(repo, 'Kept');
  const lost = record(repo, id, ['Commented'], { text: 'This comment is lost with its blob' });
  commitAll(sandbox, top, 'Issue');
  const blob = git(sandbox, top, ['rev-parse', `HEAD:.sit/records/${splitPath(lost)}/text`]).trim();
  rmSync(join(top, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
  const repository = await GitRepository.open(repo.root);
  const reduce = reducer(repo, 'cache-missing');
  try {
    const state = await stateAt(repository, reduce, 'HEAD', id);
    assert.is(state!['summary'], 'Kept');
    assert.equal(state!['comments'], []);
    assert.is(reduce.incomplete, 1);
    await stateAt(repository, reduce, 'HEAD', id);
    assert.is(reduce.reduced, 2, 'a state read with objects missing is not cached');
    const report = await checkRevisionIntegrity(
      await Revision.open(repository, await repository.resolveCommit('HEAD')),
    );
    assert.equal(report.itemDamage, [{ item: id, hash: lost }]);
  } finally {
    await reduce.close();
    await repository.close();
  }
});

test('hostile trees: symbolic links, executables, a record that does not match its hash, a .. entry, a link out of the repository', async () => {
  const { top, repo } = newProject(sandbox, 'hostile');
  const id = issue(repo, 'Target');
  const linked = record(repo, id, ['Commented'], { text: 'symlinked' });
  const executable = record(repo, id, ['Commented'], { text: 'executable' });
  const altered = record(repo, id, ['Commented'], { text: 'altered' });
  const dots = record(repo, id, ['Commented'], { text: 'dots' });
  const records = join(top, '.sit', 'records');
  rmSync(join(records, splitPath(linked), 'text'));
  symlinkSync('/etc/passwd', join(records, splitPath(linked), 'text'));
  chmodSync(join(records, splitPath(executable), 'text'), 0o755);
  writeFileSync(join(records, splitPath(altered), 'text'), 'altered after the fact');
  writeFileSync(join(top, '.sit', 'items', id, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), '../../../../etc');
  git(sandbox, top, ['config', 'core.fileMode', 'true']);
  commitAll(sandbox, top, 'Hostile');
  // A `..` entry inside a record: git refuses to write one, so the tree is made by hand.
  const dotsPath = `.sit/records/${splitPath(dots)}`;
  const entries = git(sandbox, top, ['ls-tree', `HEAD:${dotsPath}`]);
  const blob = git(sandbox, top, ['hash-object', '-w', '--stdin'], 'inside dots\n').trim();
  const raw = Buffer.concat([
    ...entries
      .trim()
      .split('\n')
      .map((line) => {
        const [meta, name] = line.split('\t') as [string, string];
        const [mode, , oid] = meta.split(' ') as [string, string, string];
        return Buffer.concat([Buffer.from(`${mode.replace(/^0/, '')} ${name}\0`), Buffer.from(oid, 'hex')]);
      }),
  ]);
  const sub = git(
    sandbox,
    top,
    ['hash-object', '-w', '--literally', '-t', 'tree', '--stdin'],
    Buffer.concat([Buffer.from('100644 x\0'), Buffer.from(blob, 'hex')]),
  ).trim();
  const withDots = Buffer.concat([Buffer.concat([Buffer.from('40000 ..\0'), Buffer.from(sub, 'hex')]), raw]);
  const dotsTree = git(sandbox, top, ['hash-object', '-w', '--literally', '-t', 'tree', '--stdin'], withDots).trim();
  // git will not put such a path in an index: each tree up to the commit's is rewritten by hand.
  const replace = (tree: string, parts: string[], oid: string): string => {
    const [name, ...rest] = parts as [string, ...string[]];
    const lines = git(sandbox, top, ['ls-tree', tree])
      .trim()
      .split('\n')
      .map((line) => {
        const [meta, entry] = line.split('\t') as [string, string];
        if (entry !== name) return line;
        const sub = meta.split(' ')[2]!;
        return `040000 tree ${rest.length === 0 ? oid : replace(sub, rest, oid)}\t${entry}`;
      });
    return git(sandbox, top, ['mktree', '--missing'], lines.join('\n') + '\n').trim();
  };
  const root = replace(git(sandbox, top, ['rev-parse', 'HEAD^{tree}']).trim(), dotsPath.split('/'), dotsTree);
  const commit = git(sandbox, top, ['commit-tree', root, '-p', 'HEAD', '-m', 'dots']).trim();
  git(sandbox, top, ['update-ref', 'refs/heads/dots', commit]);
  const repository = await GitRepository.open(repo.root);
  const reduce = reducer(repo, 'cache-hostile');
  try {
    const state = await stateAt(repository, reduce, 'main', id);
    assert.is(state!['summary'], 'Target');
    assert.equal(
      (state!['comments'] as Array<{ text: string }>).map((c) => c.text),
      ['dots'],
    );
    const damage = (
      await checkRevisionIntegrity(await Revision.open(repository, await repository.resolveCommit('main')))
    ).itemDamage.map((d) => d.hash);
    assert.equal(
      damage.sort(),
      [altered, executable, linked, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'].sort(),
      'the link out of the repository is reported too',
    );
    const atDots = await stateAt(repository, reduce, 'dots', id);
    assert.equal(atDots!['comments'], [], 'a record with a .. entry is left out');
    const revision = await Revision.open(repository, await repository.resolveCommit('dots'));
    const read = await revision.readItem(id);
    const problems = read!.records.flatMap((r) => r.problems);
    assert.ok(
      problems.some((p) => p.includes('..') && p.includes('invalid name')),
      problems.join('; '),
    );
    assert.ok(
      problems.some((p) => p.includes('symbolic link')),
      problems.join('; '),
    );
    assert.ok(
      problems.some((p) => p.includes('executable')),
      problems.join('; '),
    );
    assert.ok(
      problems.some((p) => p.includes('leaves the repository')),
      problems.join('; '),
    );
  } finally {
    await reduce.close();
    await repository.close();
  }
});

test('states are named by tree ids: twenty refs sharing an item reduce it once, and asking again reduces nothing', async () => {
  const { top, repo } = newProject(sandbox, 'shared');
  const id = issue(repo, 'Shared');
  commitAll(sandbox, top, 'Issue');
  for (let i = 0; i < 18; i++) {
    writeFileSync(join(top, 'code.txt'), `version ${i}\n`);
    commitAll(sandbox, top, `Code ${i}`);
    git(sandbox, top, ['tag', `t${i}`]);
  }
  record(repo, id, ['Closed']);
  commitAll(sandbox, top, 'Closed');
  git(sandbox, top, ['branch', 'b']);
  const repository = await GitRepository.open(repo.root);
  const first = reducer(repo, 'cache-shared');
  const second = reducer(repo, 'cache-shared');
  try {
    const refs = await listRefs(repository);
    assert.is(refs.length, 20);
    const states = await itemAtRefs(repository, first, id, refs);
    assert.is(states.filter((s) => issueState(s.state) === 'open').length, 18);
    assert.is(first.incomplete, 0);
    assert.is(first.reduced, 2, 'one state before the close, one after');
    await itemAtRefs(repository, second, id, refs);
    assert.is(second.reduced, 0);
    assert.is(second.cached, 19, 'one lookup per commit (main and b share theirs)');
  } finally {
    await first.close();
    await second.close();
    await repository.close();
  }
});

test("GitRecordSource is the store's RecordSource over a revision: the same records as the working tree at HEAD", async () => {
  const { top, repo } = newProject(sandbox, 'source');
  const id = issue(repo, 'Same');
  record(repo, id, ['Commented'], { text: 'one' });
  commitAll(sandbox, top, 'Issue');
  const repository = await GitRepository.open(repo.root);
  try {
    const revision = await Revision.open(repository, await repository.resolveCommit('HEAD'));
    const source = await GitRecordSource.load(revision, { items: [id], all: true });
    assert.equal(source.listItems(), repo.listItems());
    assert.equal(source.listItemRecords(id), repo.listItemRecords(id));
    const fromGit = readItemRecords(source, id).map((r) => [r.hash, r.files.map((f) => f.name)]);
    const fromDisk = readItemRecords(repo, id).map((r) => [r.hash, r.files.map((f) => f.name)]);
    assert.equal(fromGit, fromDisk);
    assert.is(source.readAllRecords().length, 3);
    assert.throws(() => source.readItemRecords('nope'), /not found/);
  } finally {
    await repository.close();
  }
});

test.run();
