import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Repository,
  StoreOperationError,
  UpgradeRequiredError,
  checkIntegrity,
  itemLinkText,
  pendingUpgrades,
  readItemRecords,
  rebuildRepository,
  recordHash,
  splitPath,
  upgradeRepository,
} from '../src/store/mod.ts';
import { ISSUES_TO_ITEMS, ITEMS_TO_FLAT_RECORDS } from '../src/store/discovery.ts';
import { recordParents } from '../src/store/record.ts';
import type { RecordFile } from '../src/store/mod.ts';
import { bytes, tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

const OLD_CONFIG = `{
  "hashing_algorithm": {
    "blake2b": {
      "size": 20
    }
  },
  "encoding": "base32",
  "id_generator": "uuiv4",
  "version": "1"
}`;

/** Writes a record directory at `dir` and returns its hash. */
function writeLegacyRecord(dir: string, files: RecordFile[]): string {
  const hash = recordHash(files);
  for (const file of files) {
    mkdirSync(join(dir, hash, file.name, '..'), { recursive: true });
    writeFileSync(join(dir, hash, file.name), file.data);
  }
  return hash;
}

test('upgrade: issues/ with record directories becomes items/ with flat records', () => {
  const root = join(tempDir(), '.sit');
  mkdirSync(join(root, 'issues', 'one'), { recursive: true });
  writeFileSync(join(root, 'config.json'), OLD_CONFIG);
  const first = writeLegacyRecord(join(root, 'issues', 'one'), [{ name: 'text', data: bytes('first') }]);
  const second = writeLegacyRecord(join(root, 'issues', 'one'), [
    { name: 'text', data: bytes('second') },
    { name: `.prev/${first}`, data: new Uint8Array(0) },
  ]);
  assert.equal(pendingUpgrades(root), [ISSUES_TO_ITEMS, ITEMS_TO_FLAT_RECORDS]);
  assert.throws(
    () => Repository.open(root),
    (e: Error) => e instanceof UpgradeRequiredError && (e as UpgradeRequiredError).upgrade === ISSUES_TO_ITEMS,
  );
  const seen: string[] = [];
  assert.equal(upgradeRepository(root, { onUpgrade: (u) => seen.push(u) }), [ISSUES_TO_ITEMS, ITEMS_TO_FLAT_RECORDS]);
  assert.equal(seen, [ISSUES_TO_ITEMS, ITEMS_TO_FLAT_RECORDS]);
  assert.not.ok(existsSync(join(root, 'issues')));
  assert.is(readFileSync(join(root, 'items', 'one', first), 'utf8'), itemLinkText(first));
  assert.ok(lstatSync(join(root, 'records', splitPath(second))).isDirectory());
  assert.match(readFileSync(join(root, 'config.json'), 'utf8'), /"features": \[\n {4}"flat-records"\n {2}\]\n}$/);
  const repo = Repository.open(root);
  assert.equal(repo.itemGenerations('one'), [[first], [second]]);
  assert.equal(upgradeRepository(root), []);
  assert.equal(pendingUpgrades(root), []);
});

test('upgrade: issues/ merges into an existing items/', () => {
  const { path } = Repository.init(tempDir());
  mkdirSync(join(path, 'items', 'a'), { recursive: true });
  mkdirSync(join(path, 'issues', 'b'), { recursive: true });
  mkdirSync(join(path, 'issues', 'a'), { recursive: true });
  const hash = writeLegacyRecord(join(path, 'issues', 'a'), [{ name: 'text', data: bytes('x') }]);
  assert.equal(upgradeRepository(path), [ISSUES_TO_ITEMS, ITEMS_TO_FLAT_RECORDS]);
  const repo = Repository.open(path);
  assert.equal(repo.items(), ['a', 'b']);
  assert.equal(repo.itemRecordHashes('a'), [hash]);
});

test('upgrade: re-runnable; legacy record directories arriving later are migrated; readers accept them meanwhile', () => {
  const { path } = Repository.init(tempDir());
  const repo = Repository.open(path);
  const id = repo.newItem('late');
  const current = repo.newRecord([{ name: 'text', data: bytes('current') }], { itemId: id });
  const legacy = writeLegacyRecord(join(path, 'items', id), [
    { name: 'text', data: bytes('legacy') },
    { name: `.prev/${current}`, data: new Uint8Array(0) },
  ]);
  assert.equal(
    readItemRecords(Repository.open(path), id).map((r) => r.hash),
    [current, legacy],
  );
  assert.equal(pendingUpgrades(path), [ITEMS_TO_FLAT_RECORDS]);
  assert.equal(upgradeRepository(path), [ITEMS_TO_FLAT_RECORDS]);
  assert.is(readFileSync(join(path, 'items', id, legacy), 'utf8'), itemLinkText(legacy));
  assert.equal(
    readItemRecords(Repository.open(path), id).map((r) => r.hash),
    [current, legacy],
  );
  assert.equal(checkIntegrity(Repository.open(path)).itemDamage, []);
});

test('rebuild: every record re-hashed in order, .prev mapped, item links recreated, supplementary files copied', async () => {
  const { path } = Repository.init(tempDir());
  const source = Repository.open(path);
  mkdirSync(join(path, 'reducers'));
  writeFileSync(join(path, 'reducers', 'r.js'), 'module.exports = function () {};');
  const id = source.newItem('item');
  const a = source.newRecord([{ name: 'text', data: bytes('a') }], { itemId: id });
  const b = source.newRecord([{ name: 'text', data: bytes('b') }], { itemId: id });
  const top = source.newRecord([{ name: 'text', data: bytes('top') }]);
  const dest = join(tempDir(), 'rebuilt');
  const progress: number[] = [];
  const result = await rebuildRepository(source, dest, {
    transform: (files) => [
      ...files.filter((f) => f.name !== 'text'),
      { name: 'text', data: bytes(new TextDecoder().decode(files.find((f) => f.name === 'text')!.data).toUpperCase()) },
    ],
    onProgress: (done) => progress.push(done),
  });
  assert.equal(result.copied, ['reducers']);
  assert.equal(progress, [1, 2, 3]);
  const rebuilt = result.repository;
  const newA = result.hashes.get(a)!;
  const newB = result.hashes.get(b)!;
  const newTop = result.hashes.get(top)!;
  assert.equal(rebuilt.itemGenerations(id), [[newA], [newB]]);
  assert.equal(recordParents(rebuilt.readRecord(newB)!), [newA]);
  assert.equal(recordParents(rebuilt.readRecord(newTop)!), [newB]);
  assert.is(new TextDecoder().decode(rebuilt.readRecord(newA)!.files.find((f) => f.name === 'text')!.data), 'A');
  assert.is(readFileSync(join(dest, 'items', id, newB), 'utf8'), itemLinkText(newB));
  assert.ok(existsSync(join(dest, 'reducers', 'r.js')));
  assert.equal(checkIntegrity(rebuilt).itemDamage, []);
  const refused = await rebuildRepository(source, dest).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(refused instanceof StoreOperationError && /not an empty directory/.test(refused.message), String(refused));
});

test.after(temp.cleanup);
test.run();
