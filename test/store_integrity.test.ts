import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import {
  type Repository,
  checkIntegrity,
  checkIntegrityParallel,
  isIntact,
  itemLinkText,
  prepareHashing,
  recordHash,
  splitPath,
} from '../src/store/mod.ts';
import { PARALLEL_MIN_ITEMS } from '../src/store/integrity.ts';
import { checkStoredRecord, tryReadRecord } from '../src/store/record.ts';
import type { IntegrityReport, RecordFile } from '../src/store/mod.ts';
import { makeSandbox, sit } from './helpers/cli.ts';
import { newRepository, repositoryWithLinkedRecords, tempDirs, text } from './helpers/store_fixtures.ts';

const temp = tempDirs();

function newRepo(): Repository {
  return newRepository(temp);
}

/** Stores `files` as a record directory at `records/<prefix dirs of host>/<hash of files>`. */
function storeBeside(repo: Repository, host: string, levels: number, replacement: string, files: RecordFile[]): string {
  const hash = recordHash(files);
  const parts = splitPath(host).split('/').slice(0, levels);
  parts.push(
    ...splitPath(hash)
      .split('/')
      .slice(levels, 15)
      .map(() => replacement),
  );
  const dir = join(repo.root, 'records', ...parts, hash);
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.name)), { recursive: true });
    writeFileSync(join(dir, file.name), file.data);
  }
  return hash;
}

/**
 * A repository with every kind of entry: damaged records of items (a symbolic link inside, changed
 * content, a record linked from two items), records reachable only through `records/` (intact and
 * damaged, beside a linked record's path at several depths, a text-link leaf), a legacy record
 * directory inside an item, a link to a missing record, junk in `records/`.
 */
function hostileRepository(): { repo: Repository; names: Record<string, string> } {
  const repo = newRepo();
  const a = repo.newItem('a');
  const b = repo.newItem('b');
  const a1 = repo.newRecord([text('text', 'a1')], { itemId: a });
  const leaky = repo.newRecord([text('text', 'leaky')], { itemId: a });
  const secret = join(temp.make(), 'secret');
  writeFileSync(secret, 'SECRET');
  symlinkSync(secret, join(repo.recordPath(leaky)!, 'leak'));
  const b1 = repo.newRecord([text('text', 'b1')], { itemId: b });
  const shared = repo.newRecord([text('text', 'shared')], { itemId: b });
  repo.linkRecord(a, shared);
  writeFileSync(join(repo.recordPath(shared)!, 'text'), 'changed');
  const loose = repo.newRecord([text('text', 'loose')]);
  const looseMarker = repo.newRecord([text('.type/Marker', ''), text('text', 'marker')]);
  // Only the strict check opens .type/ files.
  writeFileSync(join(repo.recordPath(looseMarker)!, '.type', 'Marker'), 'not empty');
  // Records beside a1's path: sharing 2 and 14 directories with it, and in a1's own leaf directory.
  const beside2 = storeBeside(repo, a1, 2, 'ZZ', [text('text', 'beside 2')]);
  const beside14 = storeBeside(repo, a1, 14, 'ZZ', [text('text', 'beside 14')]);
  const besideLeaf = storeBeside(repo, a1, 15, 'ZZ', [text('text', 'beside leaf')]);
  const besideBad = storeBeside(repo, b1, 3, 'YY', [text('text', 'beside bad')]);
  writeFileSync(
    join(repo.root, 'records', ...splitPath(b1).split('/').slice(0, 3), ...Array(12).fill('YY'), besideBad, 'text'),
    'tampered',
  );
  // A leaf that is a text link to a record directory elsewhere in the repository.
  const movedFiles = [text('text', 'moved')];
  const moved = recordHash(movedFiles);
  mkdirSync(join(repo.root, 'elsewhere', moved), { recursive: true });
  writeFileSync(join(repo.root, 'elsewhere', moved, 'text'), 'moved');
  const movedLeaf = join(repo.root, 'records', splitPath(moved));
  mkdirSync(dirname(movedLeaf), { recursive: true });
  writeFileSync(movedLeaf, '../'.repeat(16) + 'elsewhere/' + moved);
  // A legacy record directory inside item b, and a link to a record that never arrived.
  const legacyFiles = [text('text', 'legacy')];
  const legacy = recordHash(legacyFiles);
  mkdirSync(join(repo.root, 'items', b, legacy));
  writeFileSync(join(repo.root, 'items', b, legacy, 'text'), 'legacy');
  const missing = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  writeFileSync(join(repo.root, 'items', b, missing), itemLinkText(missing));
  // Junk at intermediate levels: a file, and a symbolic link to a subtree (never followed).
  writeFileSync(join(repo.root, 'records', a1.slice(0, 2), 'junk'), 'x');
  symlinkSync(join(repo.root, 'records', b1.slice(0, 2)), join(repo.root, 'records', a1.slice(0, 2), 'LL'));
  return {
    repo,
    names: { a1, leaky, b1, shared, loose, looseMarker, beside2, beside14, besideLeaf, besideBad, moved, legacy },
  };
}

function damaged(report: IntegrityReport): string[] {
  return report.checked.filter((c) => !c.intact).map((c) => c.hash);
}

test.before(prepareHashing);

test('parallel check: same report as the check in one thread, on every kind of entry', async () => {
  const { repo, names: n } = hostileRepository();
  const single = checkIntegrity(repo);
  for (const workers of [1, 2, 3]) {
    assert.equal(await checkIntegrityParallel(repo, { workers }), single, `${workers} workers`);
  }
  const byItem = (item: string) => single.checked.filter((c) => c.item === item).map((c) => c.hash);
  assert.equal(byItem('a'), [n.a1!, n.leaky!, n.shared!].sort());
  assert.equal(byItem('b'), [n.b1!, n.shared!, n.legacy!].sort());
  assert.equal(single.itemDamage, [
    ...[n.leaky!, n.shared!].sort().map((hash) => ({ item: 'a', hash })),
    { item: 'b', hash: n.shared! },
  ]);
  const repository = single.checked.filter((c) => c.item === undefined).map((c) => c.hash);
  const inRecords = [
    n.a1,
    n.leaky,
    n.b1,
    n.shared,
    n.loose,
    n.looseMarker,
    n.beside2,
    n.beside14,
    n.besideLeaf,
    n.besideBad,
    n.moved,
  ];
  assert.equal(repository, (inRecords as string[]).sort());
  assert.equal(single.repositoryDamage, [n.besideBad!, n.looseMarker!].sort());
  assert.equal(
    damaged(single).sort(),
    [n.leaky!, n.shared!, n.shared!, n.leaky!, n.shared!, n.looseMarker!, n.besideBad!].sort(),
  );
});

test('checkStoredRecord agrees with reading the record strictly and checking it, on every kind of entry', () => {
  const { repo } = hostileRepository();
  const entries = [...repo.recordEntries(), ...repo.items().flatMap((item) => repo.itemRecordEntries(item))];
  const fifoHash = repo.newRecord([text('text', 'fifo')]);
  if (spawnSync('mkfifo', [join(repo.recordPath(fifoHash)!, 'pipe')]).status === 0) {
    entries.push({ hash: fifoHash, dir: repo.recordPath(fifoHash)! });
  } else {
    console.error('mkfifo unavailable: FIFO case skipped');
  }
  let damaged = 0;
  for (const entry of entries) {
    const record = tryReadRecord(entry.dir, entry.hash, { full: true });
    const expected = record === undefined ? undefined : isIntact(record);
    assert.is(checkStoredRecord(entry.dir, entry.hash), expected, `${entry.hash} in ${entry.dir}`);
    if (expected === false) damaged++;
  }
  assert.ok(damaged >= 5, `${damaged} damaged entries`);
  assert.is(checkStoredRecord(join(repo.root, 'nowhere'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), undefined);
  assert.is(checkStoredRecord(join(repo.root, 'config.json'), 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), undefined);
});

test('checkStoredRecord streams records over 8 MiB and still tells intact from damaged', () => {
  const { repo } = hostileRepository();
  const big = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i * 7) & 255);
  const hash = repo.newRecord([{ name: 'big', data: big }, text('text', 'large')]);
  const dir = repo.recordPath(hash)!;
  assert.is(checkStoredRecord(dir, hash), true);
  const at = 5 * 1024 * 1024;
  big[at] = big[at]! ^ 1;
  writeFileSync(join(dir, 'big'), big);
  assert.is(checkStoredRecord(dir, hash), false);
});

test('the walk of records/ finds the same entries whatever hashes it expects', () => {
  const { repo, names } = hostileRepository();
  const all = repo.recordEntries();
  const linked = repo.items().flatMap((item) => repo.itemRecordEntries(item).map((e) => e.hash));
  assert.equal(repo.recordEntries({ expected: linked }), all);
  assert.equal(repo.recordEntries({ expected: Object.values(names) }), all);
  assert.equal(repo.recordEntries({ expected: ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not a hash', ''] }), all);
  const tops = [...new Set(all.map((e) => e.hash.slice(0, 2)))];
  assert.equal(
    tops
      .flatMap((top) => repo.recordEntries({ top: [top], expected: linked }))
      .sort((a, b) => (a.hash < b.hash ? -1 : 1)),
    all,
  );
  assert.equal(repo.recordEntries({ top: ['..', '.', 'a/b', ''] }), []);
});

test('parallel check: records written by the store only, many items, several workers', async () => {
  const repo = newRepo();
  for (let i = 0; i < 40; i++) {
    const item = repo.newItem(`item-${String(i).padStart(2, '0')}`);
    for (let j = 0; j <= i % 4; j++) repo.newRecord([text('text', `${i}/${j}`)], { itemId: item });
  }
  const report = await checkIntegrityParallel(repo, { workers: 2 });
  assert.equal(report, checkIntegrity(repo));
  assert.is(report.checked.length, 2 * (10 * (1 + 2 + 3 + 4)));
  assert.equal(report.itemDamage, []);
  assert.equal(report.repositoryDamage, []);
});

test('parallel check: a repository without items or records', async () => {
  const repo = newRepo();
  assert.equal(await checkIntegrityParallel(repo, { workers: 2 }), {
    checked: [],
    itemDamage: [],
    repositoryDamage: [],
    removedTemporaries: [],
    problems: [],
  });
});

test('parallel check: old temporaries are removed, in the root, records/ and item directories', async () => {
  const repo = newRepo();
  const id = repo.newItem('i');
  repo.newRecord([text('text', 'x')], { itemId: id });
  const old = [
    join(repo.root, '.tmp-old'),
    join(repo.root, 'records', '.tmp-old'),
    join(repo.root, 'items', id, '.tmp-oldlink'),
  ];
  const fresh = join(repo.root, 'items', id, '.tmp-fresh');
  for (const path of [...old, fresh]) writeFileSync(path, 'partial');
  const past = new Date(Date.now() - 3_600_000);
  for (const path of old) utimesSync(path, past, past);
  const report = await checkIntegrityParallel(repo, { workers: 2 });
  assert.equal(report.removedTemporaries, old.sort());
  assert.ok(old.every((path) => !existsSync(path)));
  assert.ok(existsSync(fresh));
});

test('parallel check: an item directory that is a text link is checked and swept where it leads', async () => {
  const repo = newRepo();
  const id = repo.newItem('real');
  const hash = repo.newRecord([text('text', 'x')], { itemId: id });
  // At the same depth as items/<ID>, so that the record link keeps leading to records/.
  mkdirSync(join(repo.root, 'store'));
  renameSync(join(repo.root, 'items', id), join(repo.root, 'store', 'moved'));
  writeFileSync(join(repo.root, 'items', 'linked'), '../store/moved');
  const leftover = join(repo.root, 'store', 'moved', '.tmp-old');
  writeFileSync(leftover, 'partial');
  utimesSync(leftover, new Date(0), new Date(0));
  const report = await checkIntegrityParallel(repo, { workers: 2 });
  assert.equal(report.checked, [
    { hash, intact: true, item: 'linked' },
    { hash, intact: true },
  ]);
  assert.equal(report.removedTemporaries, [leftover]);
});

test('parallel check: records/ as a text link inside the repository', async () => {
  const repo = repositoryWithLinkedRecords(temp);
  const id = repo.newItem('i');
  const first = repo.newRecord([text('text', 'one')], { itemId: id });
  const second = repo.newRecord([text('text', 'two')], { itemId: id });
  writeFileSync(join(repo.root, 'store', splitPath(second), 'text'), 'changed');
  const report = await checkIntegrityParallel(repo, { workers: 2 });
  assert.equal(report, checkIntegrity(repo));
  assert.equal(report.itemDamage, [{ item: id, hash: second }]);
  assert.is(report.checked.length, 4);
  assert.ok(report.checked.some((c) => c.hash === first && c.item === undefined && c.intact));
});

test('parallel check: few items are checked in the calling thread by default, with the same report', async () => {
  const { repo } = hostileRepository();
  assert.equal(await checkIntegrityParallel(repo), checkIntegrity(repo));
  assert.equal(await checkIntegrityParallel(repo, { workers: 0 }), checkIntegrity(repo));
});

test('sit integrity (compiled) from the worker threads prints what the single-thread check reports', () => {
  const repo = newRepo();
  for (let i = 0; i < PARALLEL_MIN_ITEMS; i++) {
    const item = repo.newItem(`item-${String(i).padStart(3, '0')}`);
    repo.newRecord([text('text', `first ${i}`)], { itemId: item });
    if (i % 3 === 0) repo.newRecord([text('text', `second ${i}`)], { itemId: item });
  }
  const damagedInItem = repo.itemRecordHashes('item-123')[0]!;
  writeFileSync(join(repo.recordPath(damagedInItem)!, 'text'), 'changed');
  const loose = repo.newRecord([text('text', 'loose')]);
  writeFileSync(join(repo.recordPath(loose)!, 'text'), 'changed');
  if (availableParallelism() < 2) console.error('one core: sit integrity checks in one thread');
  const result = sit(makeSandbox(), ['-r', repo.path, 'integrity']);
  const expected = checkIntegrity(repo);
  assert.is(result.stderr, expected.checked.map((c) => `${c.hash} ${c.intact}\n`).join(''));
  assert.is(result.stdout, `item-123 ${damagedInItem}\n${loose}\n`);
  assert.is(result.status, 1);
  assert.is(expected.checked.length, 2 * (PARALLEL_MIN_ITEMS + PARALLEL_MIN_ITEMS / 3) + 1);
});

test.after(temp.cleanup);
test.run();
