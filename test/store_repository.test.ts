import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import {
  InvalidItemIdError,
  InvalidRecordFileNameError,
  ItemExistsError,
  ItemNotFoundError,
  ModuleError,
  Repository,
  RepositoryNotFoundError,
  UpgradeRequiredError,
  checkIntegrity,
  isIntact,
  itemLinkText,
  readItemRecords,
  recordHash,
  splitPath,
} from '../src/store/mod.ts';
import type { RecordFile } from '../src/store/mod.ts';
import { bytes, newRepository, repositoryWithLinkedRecords, tempDirs, text } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

function newRepo(): Repository {
  return newRepository(temp);
}

/** Every path below `dir` with its content (files) or `/` (directories). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) {
        out.push(relative(dir, p) + '/');
        walk(p);
      } else out.push(relative(dir, p) + '=' + readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out.sort();
}

// ---- discovery ----------------------------------------------------------------------------

test('discovery: a project with .sit is found from the project and from below it', () => {
  const project = tempDir();
  Repository.init(project);
  mkdirSync(join(project, 'src', 'deep'), { recursive: true });
  assert.is(Repository.findPath(project, { env: {} }), join(project, '.sit'));
  assert.is(Repository.findPath(join(project, 'src', 'deep'), { env: {} }), join(project, '.sit'));
  assert.is(Repository.discover(join(project, 'src'), { env: {} }).path, join(project, '.sit'));
});

test('discovery: a repository directory itself is found before its .sit child, and from inside it', () => {
  const dir = tempDir();
  Repository.init(dir, { dotSit: false });
  Repository.init(dir + '/inner-parent');
  mkdirSync(join(dir, '.sit'));
  assert.is(Repository.findPath(dir, { env: {} }), dir);
  const repo = Repository.open(dir);
  repo.items();
  assert.is(Repository.findPath(join(dir, 'items'), { env: {} }), dir);
});

test('discovery: an empty .sit directory stops the search', () => {
  const project = tempDir();
  Repository.init(project);
  const child = join(project, 'child');
  mkdirSync(join(child, '.sit'), { recursive: true });
  assert.throws(
    () => Repository.findPath(child, { env: {} }),
    (e: Error) =>
      e instanceof RepositoryNotFoundError &&
      e.message.includes(join(child, '.sit')) &&
      /stopped the search/.test(e.message),
  );
  assert.is(Repository.findPath(project, { env: {} }), join(project, '.sit'));
});

test('discovery: nothing found says where it looked and to run sit init', () => {
  const dir = tempDir();
  try {
    Repository.findPath(dir, { env: {} });
    assert.unreachable('found something');
  } catch (error) {
    assert.instance(error, RepositoryNotFoundError);
    assert.match((error as Error).message, dir);
    assert.match((error as Error).message, /sit init/);
  }
});

test('discovery: -r and SIT_DIR are used as given; a missing repository there is an error', () => {
  const project = tempDir();
  const { path } = Repository.init(project);
  const elsewhere = tempDir();
  assert.is(Repository.findPath(elsewhere, { repository: path, env: {} }), path);
  assert.is(Repository.findPath(elsewhere, { env: { SIT_DIR: path } }), path);
  assert.is(Repository.discover(elsewhere, { env: { SIT_DIR: path } }).root, path);
  assert.throws(
    () => Repository.discover(elsewhere, { repository: elsewhere, env: {} }),
    (e: Error) => e instanceof RepositoryNotFoundError,
  );
});

test('discovery: a repository that needs an upgrade is found but does not open', () => {
  const project = tempDir();
  const { path } = Repository.init(project);
  mkdirSync(join(path, 'issues'));
  assert.is(Repository.findPath(project, { env: {} }), path);
  assert.throws(
    () => Repository.discover(project, { env: {} }),
    (e: Error) => e instanceof UpgradeRequiredError && /sit upgrade/.test(e.message),
  );
});

test('init: an existing non-empty directory is left alone; --no-dot-sit initialises the directory itself', () => {
  const project = tempDir();
  assert.is(Repository.init(project).created, true);
  const before = snapshot(project);
  assert.equal(Repository.init(project), { path: join(project, '.sit'), created: false });
  assert.equal(snapshot(project), before);
  const bare = tempDir();
  assert.equal(Repository.init(bare, { dotSit: false }), { path: bare, created: true });
  assert.ok(existsSync(join(bare, 'records')));
  const file = join(tempDir(), 'file');
  writeFileSync(file, 'x');
  assert.throws(() => Repository.init(file, { dotSit: false }), /Error while initializing repository/);
});

// ---- items --------------------------------------------------------------------------------

test('items: items/ is created on listing; ids sorted; UUID v4 by default; duplicates refused', () => {
  const repo = newRepo();
  assert.equal(repo.items(), []);
  assert.ok(statSync(join(repo.root, 'items')).isDirectory());
  const id = repo.newItem();
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  repo.newItem('b');
  repo.newItem('B');
  repo.newItem('a');
  assert.equal(
    repo.items(),
    ['B', 'a', 'b', id].sort((x, y) => (x < y ? -1 : 1)),
  );
  assert.throws(
    () => repo.newItem('a'),
    (e: Error) => e instanceof ItemExistsError && e.message === 'Item a already exists',
  );
});

test('items: names must be direct children of items/', () => {
  const repo = newRepo();
  repo.newItem('one');
  mkdirSync(join(repo.root, 'items', 'one', 'it'));
  for (const bad of ['', '/', '..', '.', 'one/..', 'one/it', 'a\\b', 'a\0b']) {
    assert.is(repo.hasItem(bad), false, JSON.stringify(bad));
    assert.throws(
      () => repo.newItem(bad),
      (e: Error) => e instanceof InvalidItemIdError || e instanceof ItemExistsError,
      JSON.stringify(bad),
    );
  }
  assert.is(repo.hasItem('one'), true);
  assert.is(repo.hasItem('two'), false);
  assert.throws(
    () => repo.itemRecordHashes('two'),
    (e: Error) => e instanceof ItemNotFoundError && e.message === 'Item two not found',
  );
});

test('items: an item may be a text link to a directory inside the repository, never outside', () => {
  const repo = newRepo();
  mkdirSync(join(repo.root, 'elsewhere'));
  repo.items();
  writeFileSync(join(repo.root, 'items', 'linked'), '../elsewhere');
  const outside = tempDir();
  writeFileSync(join(repo.root, 'items', 'escaping'), outside);
  symlinkSync(outside, join(repo.root, 'items', 'symlinked'));
  assert.equal(repo.items(), ['linked']);
  assert.is(repo.hasItem('escaping'), false);
});

// ---- writing records ----------------------------------------------------------------------

test('newRecord in an item: canonical link file, record in records/, hash as computed', () => {
  const repo = newRepo();
  const id = repo.newItem('item');
  const files = [text('text', 'hello'), { name: '.type/SummaryChanged', data: new Uint8Array(0) }];
  const hash = repo.newRecord(files, { itemId: id });
  assert.is(hash, recordHash(files));
  const link = readFileSync(join(repo.root, 'items', id, hash), 'utf8');
  assert.is(link, `../../records/${splitPath(hash)}`);
  assert.is(link, itemLinkText(hash));
  assert.ok(statSync(join(repo.root, 'records', splitPath(hash))).isDirectory());
  assert.equal(repo.itemRecordHashes(id), [hash]);
  assert.is(repo.recordPath(hash), join(repo.root, 'records', splitPath(hash)));
  const record = repo.readRecord(hash)!;
  assert.equal(
    record.files.map((f) => f.name),
    ['.type/SummaryChanged', 'text'],
  );
  assert.ok(isIntact(record));
  assert.equal(readdirSync(repo.root).sort(), ['config.json', 'items', 'records']);
});

test('record files of any size read back whole: empty, one byte, exactly 64 KiB and more', () => {
  const repo = newRepo();
  const id = repo.newItem('item');
  const sizes = [0, 1, 65535, 65536, 65537, 300000];
  const files = sizes.map((size, i) => ({
    name: `f${i}`,
    data: Uint8Array.from({ length: size }, (_, k) => (k * 31 + i) & 255),
  }));
  const hash = repo.newRecord(files, { itemId: id });
  const [record] = repo.readItemRecords(id);
  assert.is(record!.hash, hash);
  assert.equal(
    record!.files.map((f) => f.data.length),
    sizes,
  );
  for (const [i, f] of record!.files.entries())
    assert.ok(Buffer.from(f.data).equals(Buffer.from(files[i]!.data)), `f${i}`);
  assert.ok(isIntact(record!));
});

test('a .type/ file with content is read when the record does not hash without it, and the record counts', () => {
  const repo = newRepo();
  const id = repo.newItem('item');
  const plain = repo.newRecord([text('.type/Commented', ''), text('text', 'plain')], { itemId: id });
  const noted = repo.newRecord([text('.type/Note', 'not empty'), text('text', 'noted')], { itemId: id });
  const [, second] = readItemRecords(repo, id);
  assert.is(second!.hash, noted);
  assert.is(Buffer.from(second!.files.find((f) => f.name === '.type/Note')!.data).toString(), 'not empty');
  assert.equal(
    readItemRecords(repo, id).map((r) => r.hash),
    [plain, noted],
  );
  // A record that is damaged stays out, markers or not.
  writeFileSync(join(repo.recordPath(noted)!, 'text'), 'changed');
  assert.equal(
    readItemRecords(repo, id).map((r) => r.hash),
    [plain],
  );
});

test('newRecord: parents are every head of the item, not of other items', () => {
  const repo = newRepo();
  const a = repo.newItem('a');
  const b = repo.newItem('b');
  const root = repo.newRecord([text('text', 'root')], { itemId: a });
  assert.equal(repo.heads(a), [root]);
  const left = repo.newRecord([text('text', 'left'), text(`.prev/${root}`, '')], { itemId: a, linkParents: false });
  const right = repo.newRecord([text('text', 'right'), text(`.prev/${root}`, '')], { itemId: a, linkParents: false });
  const other = repo.newRecord([text('text', 'other item')], { itemId: b });
  assert.equal(repo.heads(a), [left, right].sort());
  const join_ = repo.newRecord([text('text', 'join')], { itemId: a });
  const names = repo.readRecord(join_)!.files.map((f) => f.name);
  assert.equal(names, [...[left, right].sort().map((h) => `.prev/${h}`), 'text']);
  assert.equal(repo.itemGenerations(a), [[root], [left, right].sort(), [join_]]);
  assert.equal(repo.heads(a), [join_]);
  assert.equal(repo.heads(b), [other]);
  // Repository heads: across all records.
  assert.equal(repo.heads(), [join_, other].sort());
  const top = repo.newRecord([text('text', 'repository level')]);
  assert.equal(
    repo
      .readRecord(top)!
      .files.filter((f) => f.name.startsWith('.prev/'))
      .map((f) => f.name.slice(6)),
    [join_, other].sort(),
  );
  assert.equal(repo.repositoryGenerations().flat().length, 6);
});

test('newRecord: an identical record is reused; explicit .prev links are kept', () => {
  const repo = newRepo();
  const id = repo.newItem();
  const first = repo.newRecord([text('text', 'same')], { itemId: id, linkParents: false });
  const second = repo.newRecord([text('text', 'same')], { itemId: id, linkParents: false });
  assert.is(first, second);
  assert.equal(repo.itemRecordHashes(id), [first]);
  const withPrev = repo.newRecord([text('text', 'x'), text(`.prev/${first}`, '')], { itemId: id });
  assert.equal(
    repo.readRecord(withPrev)!.files.map((f) => f.name),
    [`.prev/${first}`, 'text'],
  );
});

test('newRecord: a record with no files at all is valid', () => {
  const repo = newRepo();
  const hash = repo.newRecord([]);
  assert.is(hash, 'GNCVESV7NO7BQCKESISLLFZMIF4QW3HS');
  assert.equal(repo.repositoryGenerations(), [[hash]]);
});

test('newRecord: hostile names are refused and leave the repository unchanged', () => {
  const repo = newRepo();
  const id = repo.newItem();
  repo.newRecord([text('text', 'first')], { itemId: id });
  const before = snapshot(repo.root);
  const cases: RecordFile[][] = [
    [text('..', 'x')],
    [text('../escape', 'x')],
    [text('a/../../b', 'x')],
    [text('ok', 'x'), text('nul\0byte', 'x')],
    [text('dup', 'x'), text('./dup', 'y')],
    [text('.', 'x')],
    [text('', 'x')],
  ];
  for (const files of cases) {
    assert.throws(
      () => repo.newRecord(files, { itemId: id }),
      (e: Error) => e instanceof InvalidRecordFileNameError,
      JSON.stringify(files.map((f) => f.name)),
    );
  }
  assert.equal(snapshot(repo.root), before);
  assert.throws(
    () => repo.newRecord([text('t', 'x')], { itemId: 'missing' }),
    (e: Error) => e instanceof ItemNotFoundError,
  );
  assert.equal(snapshot(repo.root), before);
  const abs = repo.newRecord([text('/abs', 'x')], { itemId: id, linkParents: false });
  assert.equal(
    repo.readRecord(abs)!.files.map((f) => f.name),
    ['abs'],
  );
});

test('newRecord with a signer signs the hash of every other file, parent links included', () => {
  const repo = newRepo();
  const root = repo.newRecord([text('text', 'root')]);
  let signed = '';
  const hash = repo.newRecord([text('text', 'signed')], {
    sign: (h) => {
      signed = h;
      return bytes(`signature of ${h}`);
    },
  });
  const record = repo.readRecord(hash)!;
  assert.equal(
    record.files.map((f) => f.name),
    [`.prev/${root}`, '.signature', 'text'],
  );
  assert.is(signed, recordHash(record.files.filter((f) => f.name !== '.signature')));
});

// ---- hostile repositories -------------------------------------------------------------------

test('a record containing a symlink to a file outside is not read and not intact', () => {
  const repo = newRepo();
  const id = repo.newItem();
  const good = repo.newRecord([text('text', 'good')], { itemId: id });
  const hash = repo.newRecord([text('text', 'bad')], { itemId: id });
  const outside = join(tempDir(), 'secret');
  writeFileSync(outside, 'SECRET');
  const dir = repo.recordPath(hash)!;
  symlinkSync(outside, join(dir, 'leak'));
  const record = repo.readRecord(hash)!;
  assert.equal(
    record.files.map((f) => f.name),
    ['.prev/' + good, 'text'],
  );
  assert.equal(record.problems, ['leak: symbolic link not followed']);
  assert.is(isIntact(record), false);
  assert.ok(!JSON.stringify(record).includes('SECRET'));
  assert.equal(
    readItemRecords(repo, id).map((r) => r.hash),
    [good],
  );
  assert.equal(
    readItemRecords(repo, id, { integrity: false }).map((r) => r.hash),
    [good, hash],
  );
  const report = checkIntegrity(repo);
  assert.equal(report.itemDamage, [{ item: id, hash }]);
  assert.equal(report.repositoryDamage, []);
});

test('a FIFO inside a record is never opened', () => {
  const repo = newRepo();
  const hash = repo.newRecord([text('text', 'x')]);
  const dir = repo.recordPath(hash)!;
  const { status } = spawnSync('mkfifo', [join(dir, 'pipe')]);
  if (status !== 0) {
    console.error('mkfifo unavailable: FIFO case skipped');
    return;
  }
  const record = repo.readRecord(hash, { full: true })!;
  assert.equal(record.problems, ['pipe: FIFO not read']);
  assert.is(isIntact(record), false);
});

test('an item link file pointing outside the repository is not followed', () => {
  const repo = newRepo();
  const id = repo.newItem();
  const outsideRoot = tempDir();
  const { path: otherPath } = Repository.init(outsideRoot);
  const other = Repository.open(otherPath);
  const foreign = other.newRecord([text('text', 'foreign')]);
  const foreignDir = other.recordPath(foreign)!;
  writeFileSync(join(repo.root, 'items', id, foreign), relative(join(repo.root, 'items', id), foreignDir));
  const absolute = other.newRecord([text('text', 'absolute')]);
  writeFileSync(join(repo.root, 'items', id, absolute), other.recordPath(absolute)!);
  assert.equal(repo.itemRecordHashes(id), []);
  assert.equal(repo.readItemRecords(id), []);
  assert.is(repo.readRecord(foreign, { item: id }), undefined);
});

test('a symlinked records subtree leading outside is not walked', () => {
  const repo = newRepo();
  const outsideRoot = tempDir();
  const other = Repository.open(Repository.init(outsideRoot).path);
  const foreign = other.newRecord([text('text', 'foreign')]);
  symlinkSync(join(other.root, 'records', foreign.slice(0, 2)), join(repo.root, 'records', foreign.slice(0, 2)));
  assert.equal(repo.recordEntries(), []);
});

test('a record leaf may be a text link inside the repository (sixteen ../ then the hash)', () => {
  const repo = newRepo();
  const files = [text('text', 'moved')];
  const hash = recordHash(files);
  mkdirSync(join(repo.root, hash));
  writeFileSync(join(repo.root, hash, 'text'), 'moved');
  const leaf = join(repo.root, 'records', splitPath(hash));
  mkdirSync(join(leaf, '..'), { recursive: true });
  writeFileSync(leaf, '../'.repeat(16) + hash);
  assert.equal(
    repo.recordEntries().map((e) => e.hash),
    [hash],
  );
  assert.is(repo.recordPath(hash), join(repo.root, hash));
  assert.ok(isIntact(repo.readRecord(hash)!));
});

test('entries whose names are not base32 are ignored; missing targets are skipped', () => {
  const repo = newRepo();
  const id = repo.newItem();
  const hash = repo.newRecord([text('text', 'x')], { itemId: id });
  writeFileSync(join(repo.root, 'items', id, hash.toLowerCase()), itemLinkText(hash));
  writeFileSync(join(repo.root, 'items', id, '.tmp-leftover'), 'partial');
  const missing = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  writeFileSync(join(repo.root, 'items', id, missing), itemLinkText(missing));
  assert.equal(repo.itemRecordHashes(id), [hash]);
  assert.equal(
    repo.readItemRecords(id).map((r) => r.hash),
    [hash],
  );
});

test('leftover temporaries are ignored by readers and removed by the integrity check once old', () => {
  const repo = newRepo();
  const id = repo.newItem('i');
  const hash = repo.newRecord([text('text', 'x')], { itemId: id });
  mkdirSync(join(repo.root, '.tmp-old', 'text'), { recursive: true });
  mkdirSync(join(repo.root, '.tmp-fresh'));
  writeFileSync(join(repo.root, 'items', id, '.tmp-oldlink'), 'partial');
  const now = Date.now();
  utimesSync(join(repo.root, '.tmp-old'), new Date(now - 3_600_000), new Date(now - 3_600_000));
  utimesSync(join(repo.root, 'items', id, '.tmp-oldlink'), new Date(now - 3_600_000), new Date(now - 3_600_000));
  assert.equal(repo.items(), [id]);
  assert.equal(repo.itemRecordHashes(id), [hash]);
  const report = checkIntegrity(repo);
  assert.equal(
    report.removedTemporaries,
    [join(repo.root, '.tmp-old'), join(repo.root, 'items', id, '.tmp-oldlink')].sort(),
  );
  assert.ok(existsSync(join(repo.root, '.tmp-fresh')));
  assert.not.ok(existsSync(join(repo.root, '.tmp-old')));
});

test('records/ may be a text link inside the repository; writing and reading follow it', () => {
  const repo = repositoryWithLinkedRecords(temp);
  const id = repo.newItem('i');
  const first = repo.newRecord([text('text', 'one')], { itemId: id });
  const second = repo.newRecord([text('text', 'two')], { itemId: id });
  assert.ok(statSync(join(repo.root, 'store', splitPath(first))).isDirectory());
  assert.is(readFileSync(join(repo.root, 'items', id, first), 'utf8'), `../../store/${splitPath(first)}`);
  assert.equal(repo.itemGenerations(id), [[first], [second]]);
  assert.equal(
    repo.recordEntries().map((e) => e.hash),
    [first, second].sort(),
  );
  assert.equal(checkIntegrity(repo).itemDamage, []);
});

test('a SHA-1 repository hashes and stores with SHA-1', () => {
  const repo0 = newRepo();
  const configPath = join(repo0.root, 'config.json');
  writeFileSync(
    configPath,
    readFileSync(configPath, 'utf8').replace(/"hashing_algorithm": \{[^}]*\}\s*\}/, '"hashing_algorithm": "sha1"'),
  );
  const repo = Repository.open(repo0.root);
  assert.is(repo.hashingAlgorithm, 'sha1');
  const hash = repo.newRecord([text('test', 'hello')]);
  assert.is(hash, 'HI6ZIBPLSDVLIJORGNF3EQ4UB4YFW6CS');
  assert.ok(isIntact(repo.readRecord(hash)!, 'sha1'));
  assert.not.ok(isIntact(repo.readRecord(hash)!));
  assert.equal(repo.repositoryGenerations(), [[hash]]);
});

// ---- modules --------------------------------------------------------------------------------

test('modules: directories, symlinks and files holding a path, sorted; none without modules/', () => {
  const project = tempDir();
  const repo = Repository.open(Repository.init(project).path);
  assert.equal(repo.modules(), []);
  const modules = join(repo.root, 'modules');
  mkdirSync(join(modules, 'b-dir'), { recursive: true });
  mkdirSync(join(repo.root, 'module1'));
  writeFileSync(join(modules, 'c-file'), '../module1\n');
  mkdirSync(join(project, 'module'));
  writeFileSync(join(modules, 'd-project'), '../../module');
  const far = tempDir();
  symlinkSync(far, join(modules, 'a-symlink'));
  writeFileSync(join(modules, 'e-absolute'), far);
  assert.equal(repo.modules(), [
    join(modules, 'a-symlink'),
    join(modules, 'b-dir'),
    join(repo.root, 'module1'),
    join(project, 'module'),
    far,
  ]);
  writeFileSync(join(modules, 'f-broken'), '../nothing');
  assert.throws(
    () => repo.modules(),
    (e: Error) => e instanceof ModuleError && e.message.includes('f-broken'),
  );
});

test('modules: the external module manager on PATH adds its lines; a missing one is an error', () => {
  const project = tempDir();
  const path = Repository.init(project).path;
  const config = readFileSync(join(path, 'config.json'), 'utf8');
  writeFileSync(join(path, 'config.json'), config.slice(0, -2) + ',\n  "external_module_manager": "mm"\n}');
  const repo = Repository.open(path);
  const bin = tempDir();
  assert.throws(() => repo.modules({ env: { PATH: bin } }), /Can't find external module manager `sit-mm`/);
  writeFileSync(join(bin, 'sit-mm'), '#!/bin/sh\necho "/one/$SIT_MODULE_MANAGER"\necho /two\n');
  chmodSync(join(bin, 'sit-mm'), 0o755);
  assert.equal(repo.modules({ env: { PATH: bin } }), ['/one/list-modules', '/two']);
  assert.equal(repo.modules({ env: { PATH: bin }, external: false }), []);
  rmSync(join(bin, 'sit-mm'));
});

test('modules: a manager shipped in the repository runs only when trusted; only PATH is searched', () => {
  const project = tempDir();
  const path = Repository.init(project).path;
  const config = readFileSync(join(path, 'config.json'), 'utf8');
  writeFileSync(join(path, 'config.json'), config.slice(0, -2) + ',\n  "external_module_manager": "mm"\n}');
  const marker = join(project, 'ran');
  for (const dir of [join(path, 'cli'), join(project, 'tools')]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sit-mm'), `#!/bin/sh\n: > ${marker}\necho /repo\n`);
    chmodSync(join(dir, 'sit-mm'), 0o755);
  }
  // .sit/cli is not searched for the manager: only PATH is.
  assert.throws(
    () => Repository.open(path).modules({ env: { PATH: tempDir() } }),
    /Can't find external module manager/,
  );
  for (const dir of [join(path, 'cli'), join(project, 'tools')]) {
    assert.throws(
      () => Repository.open(path).modules({ env: { PATH: dir } }),
      /comes from the repository; review it and run `sit trust`/,
    );
    assert.not.ok(existsSync(marker), 'nothing ran');
    assert.equal(Repository.open(path).modules({ env: { PATH: dir }, trusted: true }), ['/repo']);
    assert.equal(Repository.open(path, { trust: () => true }).modules({ env: { PATH: dir } }), ['/repo']);
    rmSync(marker);
  }
  // A relative PATH entry (here the project directory itself) is never searched.
  assert.throws(() => Repository.open(path).modules({ env: { PATH: 'tools' } }), /Can't find external module manager/);
});

test('modules: an external module manager name that is not a plain program name is refused without running anything', () => {
  const project = tempDir();
  const path = Repository.init(project).path;
  const bin = tempDir();
  const marker = join(project, 'ran');
  mkdirSync(join(path, 'evil'), { recursive: true });
  writeFileSync(join(path, 'evil', 'x'), `#!/bin/sh\n: > ${marker}\n`);
  chmodSync(join(path, 'evil', 'x'), 0o755);
  mkdirSync(join(bin, 'sit-'), { recursive: true });
  const config = readFileSync(join(path, 'config.json'), 'utf8');
  // `sit-` + `/../<path>` climbs out of the PATH entry onto the repository's script.
  const climb = relative(join(bin, 'sit-'), join(path, 'evil', 'x'));
  for (const name of [`/${climb}`, `/../${relative(bin, join(path, 'evil', 'x'))}`, 'a/b', '..', '', 'x y', 42]) {
    writeFileSync(
      join(path, 'config.json'),
      config.slice(0, -2) + `,\n  "external_module_manager": ${JSON.stringify(name)}\n}`,
    );
    assert.throws(
      () => Repository.open(path).modules({ env: { PATH: bin } }),
      (e: Error) => e instanceof ModuleError && /must be a plain program name/.test(e.message),
      JSON.stringify(name),
    );
  }
  assert.not.ok(existsSync(marker), 'nothing ran');
});

test.after(temp.cleanup);
test.run();
