import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatFile } from '../src/git/cat_file.ts';
import { GitNotFoundError } from '../src/git/errors.ts';
import { listRecords, packFiles } from '../src/git/listing.ts';
import { blobOid, MODE_FILE, parseTree } from '../src/git/objects.ts';
import { GitRepository } from '../src/git/repository.ts';
import { Revision } from '../src/git/revision.ts';
import { git as runGit } from '../src/git/run.ts';
import { GitStateCache } from '../src/git/state_cache.ts';
import { commitAll, git, issue, makeGitSandbox, newProject, record } from './helpers/git.ts';

const sandbox = makeGitSandbox();
const { top, repo } = newProject(sandbox, 'objects');
const ids = [issue(repo, 'One'), issue(repo, 'Two')];
record(repo, ids[0]!, ['Commented'], { text: 'x'.repeat(300_000) });
writeFileSync(join(top, 'big.bin'), Buffer.alloc(1_500_000, 7));
commitAll(sandbox, top, 'Objects');

test('parseTree reads what git wrote; blobOid is git hash-object', async () => {
  const tree = git(sandbox, top, ['rev-parse', 'HEAD:.sit']).trim();
  const catFile = CatFile.start(top);
  try {
    const object = await catFile.read(tree);
    assert.is(object!.type, 'tree');
    const entries = parseTree(object!.data, 'sha1');
    const listed = git(sandbox, top, ['ls-tree', tree])
      .trim()
      .split('\n')
      .map((line) => line.split('\t')[1]);
    assert.equal(
      entries.map((e) => e.name),
      listed,
    );
    assert.is(entries.find((e) => e.name === 'config.json')!.mode, MODE_FILE);
    assert.is(
      blobOid('../../records/AB', 'sha1'),
      git(sandbox, top, ['hash-object', '--stdin'], '../../records/AB').trim(),
    );
  } finally {
    await catFile.close();
  }
});

test('one cat-file process answers many requests in order, large objects whole, missing ones as undefined', async () => {
  const oids = git(sandbox, top, ['rev-list', '--objects', '--all'])
    .trim()
    .split('\n')
    .map((line) => line.slice(0, 40));
  const catFile = CatFile.start(top);
  try {
    const asked = [...oids, ...oids, ...oids, ...oids, ...oids, ...oids].slice(0, 1500);
    const objects = await Promise.all(asked.map((oid) => catFile.read(oid)));
    assert.ok(objects.every((o, i) => o?.oid === asked[i]));
    const big = await catFile.read(git(sandbox, top, ['rev-parse', 'HEAD:big.bin']).trim());
    assert.is(big!.data.length, 1_500_000);
    assert.ok(big!.data.every((b) => b === 7));
    assert.is(await catFile.read('0'.repeat(40)), undefined);
    assert.match(String(await catFile.read('HEAD').catch((error: Error) => error.message)), /not an object id/);
  } finally {
    await catFile.close();
  }
});

test('a missing git is a one-line error', async () => {
  const error = await runGit(['--version'], { cwd: top, env: { PATH: join(sandbox.dir, 'nowhere') } }).catch(
    (e: unknown) => e,
  );
  assert.instance(error, GitNotFoundError);
  assert.match((error as Error).message, /^git is not installed or not on PATH/);
});

test('a listing of records/ gives each record the files a walk of its tree gives', async () => {
  const repository = await GitRepository.open(repo.root);
  try {
    const revision = await Revision.open(repository, await repository.resolveCommit('HEAD'));
    const listing = await listRecords(repository, (await revision.recordsTree())!, revision.recordDepth);
    assert.is(listing!.size, 5);
    const walked = await revision.recordPlaces(undefined);
    assert.is(walked.length, 5);
    for (const place of walked) {
      const listed = listing!.get(place.hash)!;
      assert.is(listed.packed, packFiles(listed.files));
      const read = await revision.readRecord(place);
      assert.equal(read!.record.problems, []);
    }
    const byKey = await Promise.all(
      ids.map(async (id) => revision.stateKey((await revision.itemListing(id, listing))!)),
    );
    const byWalk = await Promise.all(ids.map(async (id) => revision.stateKey((await revision.itemListing(id))!)));
    assert.equal(byKey, byWalk, 'a listing and a walk name states alike');
  } finally {
    await repository.close();
  }
});

test('the git state cache: kept across opens, per reducer set; damaged lines are misses', () => {
  const env = { SIT_CACHE_DIR: join(sandbox.dir, 'state-cache') };
  const key = 'ab'.repeat(32);
  const cache = GitStateCache.open({ reducers: 'digest-one', integrity: true }, env);
  assert.is(cache.get(key), undefined);
  cache.set(key, '{"id":"x","state":"open"}');
  cache.save();
  const again = GitStateCache.open({ reducers: 'digest-one', integrity: true }, env);
  assert.equal(again.get(key), { id: 'x', state: 'open' });
  assert.is(GitStateCache.open({ reducers: 'digest-two', integrity: true }, env).get(key), undefined);
  assert.is(GitStateCache.open({ reducers: 'digest-one', integrity: false }, env).get(key), undefined);
  const shard = join(again.dir, readdirSync(again.dir)[0]!);
  appendFileSync(shard, `${'cd'.repeat(32)}\t{"broken"\n${'ab'.repeat(31)}\tnot a line\n`);
  const damaged = GitStateCache.open({ reducers: 'digest-one', integrity: true }, env);
  assert.is(damaged.get('cd'.repeat(32)), undefined);
  assert.equal(damaged.get(key), { id: 'x', state: 'open' });
  assert.is(damaged.get('not a key'), undefined);
});

test.run();
