import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Repository,
  checkIntegrity,
  checkIntegrityParallel,
  isIntact,
  itemLinkText,
  prepareHashing,
  readItemRecords,
  readRepositoryRecords,
} from '../src/store/mod.ts';
import { recordParents } from '../src/store/record.ts';
import { corpusRepository, tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();

const DAMAGED = ['JSA44LYWSNAO4F3P4GJ6U4V73D5QE3MQ', 'M6AZNGMHVHID53OLWIUT7EE543PIVBHY'];
// The corpus is read where it is; the test that writes gets a copy of the one item it writes to.
const path = corpusRepository();

if (path === undefined) {
  console.error('store_corpus: ../shared/corpus is absent; corpus tests skipped');
} else {
  const repo = Repository.open(path);
  // These tests hash the whole corpus several times, as the commands that prepare hashing do.
  test.before(prepareHashing);

  test('corpus: 191 items, 717 records, 4615 files, every record in exactly one item', () => {
    const items = repo.items();
    assert.is(items.length, 191);
    const seen = new Map<string, string>();
    let files = 0;
    for (const id of items) {
      for (const record of repo.readItemRecords(id)) {
        assert.not.ok(seen.has(record.hash), record.hash);
        seen.set(record.hash, id);
        files += record.files.length;
      }
    }
    assert.is(seen.size, 717);
    assert.is(files, 4615);
    const entries = repo.recordEntries();
    assert.is(entries.length, 717);
    assert.ok(entries.every((e) => seen.has(e.hash)));
  });

  test('corpus: the strict integrity check finds exactly the two damaged records', () => {
    const report = checkIntegrity(repo);
    assert.equal(report.itemDamage.map((d) => d.hash).sort(), DAMAGED);
    assert.equal(report.itemDamage.map((d) => d.item.slice(0, 8)).sort(), ['40edf9a2', 'cdbea4e3']);
    assert.equal(report.repositoryDamage, []);
    assert.is(report.checked.length, 717 * 2);
    assert.is(report.checked.filter((c) => !c.intact).length, 4);
  });

  test('corpus: the parallel integrity check finds the same two damaged records, with the same report', async () => {
    const report = await checkIntegrityParallel(repo, { workers: 2 });
    assert.equal(report.itemDamage.map((d) => d.hash).sort(), DAMAGED);
    assert.equal(report.repositoryDamage, []);
    assert.is(report.checked.length, 717 * 2);
    assert.equal(report, checkIntegrity(repo));
  });

  test('corpus: every other record is intact, also with .type/.prev files not opened', () => {
    const records = repo.readAllRecords();
    const damaged = records
      .filter((r) => !isIntact(r, repo.hashingAlgorithm))
      .map((r) => r.hash)
      .sort();
    assert.equal(damaged, DAMAGED);
  });

  test('corpus: ordered reads skip the damaged records and keep every other one', () => {
    let total = 0;
    for (const id of repo.items()) {
      const ordered = readItemRecords(repo, id);
      total += ordered.length;
      // A parent present in the item always comes before its child.
      const position = new Map(ordered.map((r, i) => [r.hash, i]));
      for (const [i, record] of ordered.entries()) {
        for (const parent of recordParents(record)) {
          const p = position.get(parent);
          if (p !== undefined) assert.ok(p < i, `${parent} before ${record.hash}`);
        }
      }
    }
    assert.is(total, 715);
    assert.is(readRepositoryRecords(repo).length, 715);
    assert.is(readRepositoryRecords(repo, { integrity: false }).length, 717);
  });

  test("corpus: a new record in an item has the canonical link file and links to that item's heads", () => {
    const id = '40edf9a2-495e-434b-a857-1a86924ec2b3';
    const copy = temp.copyCorpusItems([id])!;
    const repo = Repository.open(copy);
    assert.equal(repo.itemRecordHashes(id), Repository.open(path).itemRecordHashes(id));
    const heads = repo.heads(id);
    assert.equal(heads, Repository.open(path).heads(id));
    assert.ok(heads.length >= 1);
    const before = repo.itemRecordHashes(id);
    const hash = repo.newRecord(
      [
        { name: 'text', data: new TextEncoder().encode('a new comment') },
        { name: '.type/Commented', data: new Uint8Array(0) },
      ],
      { itemId: id },
    );
    assert.is(readFileSync(join(copy, 'items', id, hash), 'utf8'), itemLinkText(hash));
    const record = repo.readRecord(hash, { item: id, full: true })!;
    assert.equal(recordParents(record), heads);
    assert.ok(isIntact(record));
    assert.equal(repo.itemRecordHashes(id), [...before, hash].sort());
    assert.equal(repo.heads(id), [hash]);
    const ordered = readItemRecords(repo, id);
    assert.is(ordered[ordered.length - 1]!.hash, hash);
  });
}

test.after(temp.cleanup);
test.run();
