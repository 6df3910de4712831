// The daemon's watch of `.sit/`: new items and new record links are reported, reducer and
// configuration changes are told apart, and a burst of events as large as the kernel's queue
// (which may have overflowed and lost some) makes it unsure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RepositoryWatch, type WatchReport } from '../src/daemon/watch.ts';

const dir = mkdtempSync(join(tmpdir(), 'sit-watch-'));
const root = join(dir, '.sit');
mkdirSync(join(root, 'items', 'a'), { recursive: true });
mkdirSync(join(root, 'modules'), { recursive: true });
writeFileSync(join(root, 'config.json'), '{}');

/** What the watch reports once the events of the changes made so far have been handled. */
async function settled(watch: RepositoryWatch): Promise<WatchReport> {
  // inotify events are queued when the change is made; let the event loop handle them.
  for (let i = 0; i < 50; i++) {
    await new Promise((done) => setTimeout(done, 20));
  }
  return watch.take();
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a new link in an item, a new item with a link written at once, a removed item', async () => {
  const watch = new RepositoryWatch(root, { itemsDir: join(root, 'items'), reducerDirs: [join(root, 'reducers')] });
  try {
    assert.is(watch.blind, undefined);
    writeFileSync(join(root, 'items', 'a', 'LINK1'), '../../records/x');
    mkdirSync(join(root, 'items', 'b'));
    writeFileSync(join(root, 'items', 'b', 'LINK2'), '../../records/y');
    let report = await settled(watch);
    assert.equal([...report.items].sort(), ['a', 'b']);
    assert.is(report.structure, false);
    assert.is(report.unsure, false);
    // b is watched now: a later link in it is seen too.
    writeFileSync(join(root, 'items', 'b', 'LINK3'), '../../records/z');
    report = await settled(watch);
    assert.equal([...report.items], ['b']);
    rmSync(join(root, 'items', 'a'), { recursive: true });
    report = await settled(watch);
    assert.ok(report.items.has('a'));
    assert.equal((await settled(watch)).items.size, 0, 'take() forgets what it reported');
  } finally {
    watch.close();
  }
});

test('configuration, modules and reducers are structure', async () => {
  const watch = new RepositoryWatch(root, { itemsDir: join(root, 'items'), reducerDirs: [join(root, 'reducers')] });
  try {
    writeFileSync(join(root, 'config.json'), '{"x":1}');
    assert.is((await settled(watch)).structure, true);
    writeFileSync(join(root, 'modules', 'm'), 'sit:issue-tracking');
    assert.is((await settled(watch)).structure, true);
    mkdirSync(join(root, 'reducers'));
    assert.is((await settled(watch)).structure, true);
    writeFileSync(join(root, 'items', 'b', 'LINK4'), '../../records/w');
    const report = await settled(watch);
    assert.is(report.structure, false);
    assert.ok(report.items.has('b'));
  } finally {
    watch.close();
  }
});

test('a file required by a reducer, directories deep below reducers/, is structure; an item is not', async () => {
  const deep = join(root, 'modules', 'm2', 'reducers', 'lib', 'deep');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'helper.js'), 'module.exports = 1;');
  const watch = new RepositoryWatch(root, {
    itemsDir: join(root, 'items'),
    reducerDirs: [join(root, 'modules', 'm2'), join(root, 'modules', 'm2', 'reducers')],
  });
  try {
    assert.is(watch.blind, undefined);
    await settled(watch);
    writeFileSync(join(deep, 'helper.js'), 'module.exports = 2;');
    assert.is((await settled(watch)).structure, true, 'a change two folders below reducers/');
    writeFileSync(join(root, 'modules', 'm2', 'reducers', 'lib', 'new.js'), 'module.exports = 3;');
    assert.is((await settled(watch)).structure, true, 'a new file one folder below');
    assert.is((await settled(watch)).structure, false, 'take() forgets it');
  } finally {
    watch.close();
  }
});

test('hostile: reducer directories nested past the limit make the watch blind, not partial', () => {
  let dirPath = join(root, 'modules', 'm3', 'reducers');
  for (let i = 0; i < 20; i++) dirPath = join(dirPath, 'd');
  mkdirSync(dirPath, { recursive: true });
  const watch = new RepositoryWatch(root, {
    itemsDir: join(root, 'items'),
    reducerDirs: [join(root, 'modules', 'm3', 'reducers')],
  });
  try {
    assert.match(watch.blind ?? '', /nested deeper than/);
  } finally {
    watch.close();
    rmSync(join(root, 'modules', 'm3'), { recursive: true });
  }
});

test('a burst of events as long as the queue makes the watch unsure', async () => {
  const watch = new RepositoryWatch(root, { itemsDir: join(root, 'items'), reducerDirs: [], burstLimit: 20 });
  try {
    for (let i = 0; i < 40; i++) writeFileSync(join(root, 'items', 'b', `BURST${i}`), 'x');
    assert.is((await settled(watch)).unsure, true);
    writeFileSync(join(root, 'items', 'b', 'ONE'), 'x');
    assert.is((await settled(watch)).unsure, false, 'a few events later are counted afresh');
  } finally {
    watch.close();
  }
});

test.run();
