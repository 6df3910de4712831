// A hostile `.sit/` against the store: symbolic links out of records/ and items/ are neither read
// nor written through, hash sizes other than the original's are refused, names that are not UTF-8
// are skipped, and a failed item link leaves nothing half-written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  checkIntegrity,
  checkIntegrityParallel,
  InvalidConfigError,
  prepareRecordFiles,
  readItemRecords,
  recordHash,
  Repository,
  splitPath,
  StoreOperationError,
} from '../src/store/mod.ts';
import { newRepository, tempDirs, text } from './helpers/store_fixtures.ts';

const temp = tempDirs();

/** A repository with item `one` holding one record, and the directory of that record. */
function withRecord(): { repo: Repository; hash: string; dir: string } {
  const repo = newRepository(temp);
  repo.newItem('one');
  const hash = repo.newRecord([text('text', 'inside')], { itemId: 'one' });
  return { repo, hash, dir: join(repo.root, 'records', splitPath(hash)) };
}

/** A directory outside the repository holding a file with a secret, shaped like a record. */
function hostFiles(): string {
  const outside = temp.make('sit-host-');
  writeFileSync(join(outside, 'text'), 'host secret');
  return outside;
}

test('a record directory that is a symbolic link out of records/ is never read (the canonical link does not bypass the check)', () => {
  for (const integrity of [true, false]) {
    const { repo, hash, dir } = withRecord();
    const outside = hostFiles();
    rmSync(dir, { recursive: true });
    symlinkSync(outside, dir);
    const reopened = Repository.open(repo.root, { integrity });
    const records = reopened.readItemRecords('one');
    assert.is(records.length, 1);
    assert.equal(records[0]!.files, [], 'nothing was read from the host');
    assert.match(records[0]!.problems.join(), /symbolic link on its path leads out of records/);
    assert.equal(
      readItemRecords(reopened, 'one', { integrity }).map((r) => r.files.length),
      integrity ? [] : [0],
    );
    assert.is(reopened.readRecord(hash, { item: 'one' })?.files.length, 0);
  }
});

test('an intermediate directory of records/ that links out of the repository is never read', () => {
  const { repo, hash } = withRecord();
  const outside = temp.make('sit-host-');
  const top = join(repo.root, 'records', hash.slice(0, 2));
  // The attacker's link leads to a tree elsewhere that has the remaining levels of the path.
  renameSync(top, join(outside, hash.slice(0, 2)));
  writeFileSync(join(outside, hash.slice(0, 2), splitPath(hash).slice(3), 'text'), 'host secret');
  symlinkSync(join(outside, hash.slice(0, 2)), top);
  const records = Repository.open(repo.root, { integrity: false }).readItemRecords('one');
  assert.equal(records[0]!.files, []);
  assert.match(records[0]!.problems.join(), /leads out of records/);
});

test('a symbolic link that stays inside records/ is followed as before', () => {
  const { repo, hash, dir } = withRecord();
  const elsewhere = join(repo.root, 'records', 'moved');
  renameSync(dir, elsewhere);
  symlinkSync(elsewhere, dir);
  const records = Repository.open(repo.root).readItemRecords('one');
  assert.equal(
    records.map((r) => r.problems),
    [[]],
  );
  assert.is(readItemRecords(Repository.open(repo.root), 'one').length, 1);
  assert.is(records[0]!.hash, hash);
});

test('hash sizes other than BLAKE2b-160 and SHA-1 are refused with a one-line error', () => {
  for (const size of [1, 2, 8, 16, 32, 64, '20']) {
    const repo = newRepository(temp);
    const config = readFileSync(join(repo.root, 'config.json'), 'utf8').replace(
      '"size": 20',
      `"size": ${JSON.stringify(size)}`,
    );
    writeFileSync(join(repo.root, 'config.json'), config);
    assert.throws(
      () => Repository.open(repo.root),
      (e: Error) =>
        e instanceof InvalidConfigError &&
        /"hashing_algorithm" must be \{"blake2b": \{"size": 20\}\} or "sha1"/.test(e.message) &&
        !e.message.includes('\n'),
      String(size),
    );
  }
});

test('a truncated config.json is named as such, with its line and column, and nobody is told to remove the repository', () => {
  const project = temp.make();
  const { path } = Repository.init(project);
  const config = readFileSync(join(path, 'config.json'), 'utf8');
  writeFileSync(join(path, 'config.json'), config.slice(0, 70));
  const lines = config.slice(0, 70).split('\n');
  const where = `line ${lines.length}, column ${lines[lines.length - 1]!.length + 1}`;
  for (const find of [
    () => Repository.discover(project),
    () => Repository.discover(join(project)),
    () => Repository.open(path),
  ]) {
    assert.throws(find, (e: Error) => {
      assert.ok(e instanceof InvalidConfigError, e.message);
      assert.match(e.message, new RegExp(`not valid JSON at ${where}`));
      assert.not.match(e.message, /remove it|not a SIT repository/);
      return true;
    });
  }
  writeFileSync(join(path, 'config.json'), config.replace('"encoding"', '"encoding" "x",'));
  assert.throws(() => Repository.discover(project), /not valid JSON at line 7, column 14/);
});

test('writes never go through records/ or items/ links that lead out of the repository', () => {
  const cases: Array<[string, (root: string, outside: string) => void]> = [
    [
      'records/ is a symbolic link',
      (root, outside) => {
        rmSync(join(root, 'records'), { recursive: true });
        symlinkSync(outside, join(root, 'records'));
      },
    ],
    [
      'records/ is a text link',
      (root, outside) => {
        rmSync(join(root, 'records'), { recursive: true });
        writeFileSync(join(root, 'records'), outside);
      },
    ],
    [
      'a level below records/ is a symbolic link',
      (root, outside) => {
        for (const name of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') {
          for (const second of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
            symlinkSync(outside, join(root, 'records', `${name}${second}`));
        }
      },
    ],
    [
      'items/ is a symbolic link',
      (root, outside) => {
        rmSync(join(root, 'items'), { recursive: true });
        symlinkSync(outside, join(root, 'items'));
      },
    ],
  ];
  for (const [what, attack] of cases) {
    const repo = newRepository(temp);
    repo.newItem('one');
    const outside = temp.make('sit-host-');
    mkdirSync(join(outside, 'one'));
    attack(repo.root, outside);
    const reopened = Repository.open(repo.root);
    assert.throws(
      () => reopened.newRecord([text('text', 'a comment')], { itemId: 'one' }),
      (e: Error) => e instanceof StoreOperationError && !e.message.includes('\n'),
      what,
    );
    if (what.startsWith('items')) {
      assert.throws(
        () => reopened.newItem('two'),
        (e: Error) => e instanceof StoreOperationError,
        what,
      );
    } else {
      assert.throws(
        () => reopened.newRecord([text('text', 'a repository record')]),
        (e: Error) => e instanceof StoreOperationError,
        what,
      );
    }
    assert.equal(
      readdirSync(outside).filter((n) => n !== 'one'),
      [],
      `${what}: nothing written outside`,
    );
    assert.equal(readdirSync(join(outside, 'one')), [], `${what}: nothing written outside`);
  }
});

test('item names that are not UTF-8 are skipped with a warning, and every other item still lists', () => {
  const repo = newRepository(temp);
  repo.newItem('good');
  const items = join(repo.root, 'items');
  mkdirSync(Buffer.concat([Buffer.from(`${items}/bad-`), Buffer.from([0xff, 0xfe])]));
  const warnings: string[] = [];
  const reopened = Repository.open(repo.root, { onWarning: (m) => warnings.push(m) });
  assert.equal(reopened.items(), ['good']);
  assert.equal(reopened.items(), ['good']);
  assert.equal(reopened.unusableItemNames(), ['bad-\\xff\\xfe']);
  assert.equal(warnings, [`skipping item bad-\\xff\\xfe in ${items}: its name is not UTF-8; rename it`]);
});

test('an items/ that leads nowhere is an error, not an empty list', () => {
  const repo = newRepository(temp);
  const dir = join(repo.root, 'items');
  rmSync(dir, { recursive: true, force: true });
  symlinkSync(join(repo.root, 'nowhere'), dir);
  assert.throws(
    () => Repository.open(repo.root).items(),
    (e: Error) => e instanceof StoreOperationError && /leads outside the repository or nowhere/.test(e.message),
  );
  rmSync(dir);
  writeFileSync(dir, 'garbage\0');
  assert.throws(
    () => Repository.open(repo.root).items(),
    (e: Error) => e instanceof StoreOperationError && /leads outside the repository or nowhere/.test(e.message),
  );
});

test('a record whose item link cannot be written is taken back: nothing is half-written', () => {
  const repo = newRepository(temp);
  repo.newItem('one');
  const files = prepareRecordFiles([text('text', 'orphan?')]);
  const hash = recordHash(files);
  // Something already stands where the link file must go.
  mkdirSync(join(repo.root, 'items', 'one', hash, 'x'), { recursive: true });
  assert.throws(
    () => repo.newRecord(files, { itemId: 'one', linkParents: false }),
    (e: Error) =>
      e instanceof StoreOperationError &&
      new RegExp(`cannot link record ${hash} into item one: .*nothing was written`).test(e.message),
  );
  assert.not.ok(existsSync(join(repo.root, 'records', splitPath(hash))), 'the record was taken back');
});

test('sit integrity reports links to missing records, empty and garbage link files and names that are not UTF-8', async () => {
  const repo = newRepository(temp);
  repo.newItem('one');
  const kept = repo.newRecord([text('text', 'kept')], { itemId: 'one' });
  const lost = repo.newRecord([text('text', 'lost')], { itemId: 'one' });
  rmSync(join(repo.root, 'records', splitPath(lost)), { recursive: true });
  const items = join(repo.root, 'items');
  writeFileSync(join(items, 'one', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), '');
  writeFileSync(join(items, 'one', 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'), '\x1b]0;garbage\x07');
  mkdirSync(Buffer.concat([Buffer.from(`${items}/bad-`), Buffer.from([0xff])]));
  const expected = [
    { path: join(items, 'bad-\\xff'), reason: 'item name is not UTF-8, so no command can name it; rename it' },
    {
      item: 'one',
      path: join(items, 'one', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
      reason: 'empty link file: it names no record',
    },
    {
      item: 'one',
      path: join(items, 'one', 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'),
      reason: 'link file names "\\u001b]0;garbage\\u0007", which is not a record directory inside the repository',
    },
    {
      item: 'one',
      path: join(items, 'one', lost),
      reason: `links to record ${lost}, which is not in the repository (not copied yet, or lost)`,
    },
  ];
  const serial = checkIntegrity(Repository.open(repo.root));
  assert.equal(serial.problems, expected);
  assert.equal(serial.itemDamage, []);
  assert.equal(
    serial.checked.map((c) => c.hash),
    [kept, kept],
  );
  const parallel = await checkIntegrityParallel(Repository.open(repo.root), { workers: 1 });
  assert.equal(parallel.problems, expected);
});

test.after(temp.cleanup);
test.run();
