// The reduction cache file: loading, appending, and writing a new file while entries arrive.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReductionCache, type CacheEntry } from '../src/reduce/mod.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sit-reduce-cache-'));
const key = { reducers: 'r1', integrity: true };

function entry(n: number): CacheEntry {
  return {
    mtime: 1000 + n,
    records: `digest${n}`,
    stateJson: JSON.stringify({ id: `item${n}`, text: 'é'.repeat(n % 3) }),
  };
}

function fileIn(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, 'items.cache');
}

function entries(cache: ReductionCache, count: number): Array<CacheEntry | undefined> {
  return Array.from({ length: count }, (_, n) => cache.get(`item${n}`));
}

test('beginRewrite writes the file while entries arrive; save puts it in place with every entry', () => {
  const file = fileIn('stream');
  const first = ReductionCache.load(file, key);
  for (let n = 0; n < 10; n++) first.set(`item${n}`, entry(n));
  first.save();
  const before = fs.readFileSync(file, 'utf8');
  const cache = ReductionCache.load(file, key);
  const started = cache.beginRewrite();
  assert.ok(Math.abs(started - Date.now()) < 5000);
  // Enough entries for several batches of 256 KiB.
  const big = (n: number): CacheEntry => ({
    ...entry(n),
    stateJson: JSON.stringify({ id: `item${n}`, text: 'x'.repeat(20_000) }),
  });
  for (let n = 10; n < 60; n++) cache.set(`item${n}`, big(n));
  cache.set('item3', entry(33));
  assert.is(fs.readFileSync(file, 'utf8'), before, 'the old file stays until save');
  assert.is(fs.readdirSync(path.dirname(file)).filter((name) => name.includes('.partial-')).length, 1);
  cache.save();
  assert.equal(fs.readdirSync(path.dirname(file)), ['items.cache']);
  const loaded = ReductionCache.load(file, key);
  assert.is(loaded.size, 60);
  assert.is(loaded.writtenAt, started);
  assert.equal(loaded.get('item3'), entry(33), 'a later line wins');
  assert.equal(loaded.get('item5'), entry(5));
  assert.equal(loaded.get('item42'), big(42));
});

test('an entry deleted after it was written makes save write the file whole, without it', () => {
  const file = fileIn('delete');
  const cache = ReductionCache.load(file, key);
  cache.beginRewrite();
  for (let n = 0; n < 5; n++) cache.set(`item${n}`, entry(n));
  cache.delete('item2');
  cache.retain(['item0', 'item1', 'item2', 'item3']);
  cache.save();
  assert.equal(fs.readdirSync(path.dirname(file)), ['items.cache']);
  const loaded = ReductionCache.load(file, key);
  assert.equal(entries(loaded, 5), [entry(0), entry(1), undefined, entry(3), undefined]);
});

test('partial files left by a stopped process are removed once old; a fresh one is left to its writer', () => {
  const file = fileIn('partials');
  const old = `${file}.partial-999999-1`;
  const fresh = `${file}.partial-999998-2`;
  fs.writeFileSync(old, 'half a cache');
  fs.writeFileSync(fresh, 'being written');
  const then = new Date(Date.now() - 3_600_000);
  fs.utimesSync(old, then, then);
  const cache = ReductionCache.load(file, key);
  cache.beginRewrite();
  cache.set('item0', entry(0));
  cache.save();
  assert.equal(fs.readdirSync(path.dirname(file)).sort(), ['items.cache', path.basename(fresh)]);
  assert.equal(ReductionCache.load(file, key).get('item0'), entry(0));
});

test('a cache that cannot be written is quietly not written', () => {
  const blocker = path.join(tmp, 'not-a-directory');
  fs.writeFileSync(blocker, '');
  const file = path.join(blocker, 'items.cache');
  const cache = ReductionCache.load(file, key);
  cache.beginRewrite();
  cache.set('item0', entry(0));
  cache.save();
  assert.is(ReductionCache.load(file, key).size, 0);
});

test('a cache made for other reducers or another integrity setting is ignored', () => {
  const file = fileIn('key');
  const cache = ReductionCache.load(file, key);
  cache.beginRewrite();
  cache.set('item0', entry(0));
  cache.save();
  assert.is(ReductionCache.load(file, key).size, 1);
  assert.is(ReductionCache.load(file, { ...key, reducers: 'r2' }).size, 0);
  assert.is(ReductionCache.load(file, { ...key, integrity: false }).size, 0);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test.run();
