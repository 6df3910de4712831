import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDir, resolveDirectory } from '../src/store/mod.ts';
import { tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

test('a directory resolves to itself', () => {
  const tmp = tempDir();
  mkdirSync(join(tmp, 'dir'));
  assert.is(resolveDir(join(tmp, 'dir'), '/'), join(tmp, 'dir'));
  assert.is(resolveDir(join(tmp, 'dir'), tmp), join(tmp, 'dir'));
});

test('tmp/1 containing "dir" resolves to tmp/dir; whitespace is trimmed', () => {
  const tmp = tempDir();
  mkdirSync(join(tmp, 'dir'));
  writeFileSync(join(tmp, '1'), 'dir\n');
  assert.is(resolveDir(join(tmp, '1'), '/'), join(tmp, 'dir'));
});

test('links to links: tmp/2 -> 1 -> dir', () => {
  const tmp = tempDir();
  mkdirSync(join(tmp, 'dir'));
  writeFileSync(join(tmp, '1'), 'dir');
  writeFileSync(join(tmp, '2'), '1');
  assert.is(resolveDir(join(tmp, '2'), '/'), join(tmp, 'dir'));
});

test('an absolute link outside tmp resolves with root / but not with root tmp', () => {
  const tmp = tempDir();
  const outside = tempDir();
  writeFileSync(join(tmp, '1'), outside);
  assert.is(resolveDir(join(tmp, '1'), '/'), outside);
  assert.is(resolveDir(join(tmp, '1'), tmp), undefined);
});

test('a relative link escaping with .. is refused when confined', () => {
  const tmp = tempDir();
  const inner = join(tmp, 'repo');
  mkdirSync(join(tmp, 'secret'), { recursive: true });
  mkdirSync(inner);
  writeFileSync(join(inner, 'link'), '../secret');
  assert.is(resolveDir(join(inner, 'link'), inner), undefined);
  assert.is(resolveDir(join(inner, 'link'), tmp), join(tmp, 'secret'));
});

test('a link to a missing directory fails', () => {
  const tmp = tempDir();
  writeFileSync(join(tmp, '1'), 'nothing-here');
  assert.is(resolveDir(join(tmp, '1'), '/'), undefined);
});

test('tmp/1/2 where 1 links to dir and dir/2 is a file resolves to tmp/dir/2; tmp/1/3 fails', () => {
  const tmp = tempDir();
  mkdirSync(join(tmp, 'dir'));
  writeFileSync(join(tmp, 'dir', '2'), 'just a file');
  writeFileSync(join(tmp, '1'), 'dir');
  assert.is(resolveDir(join(tmp, '1', '2'), '/'), join(tmp, 'dir', '2'));
  assert.is(resolveDir(join(tmp, '1', '3'), '/'), undefined);
});

test('tmp/1 containing the absolute path of tmp: tmp/1/2 resolves to tmp/2 under both roots', () => {
  const tmp = tempDir();
  writeFileSync(join(tmp, '1'), tmp);
  mkdirSync(join(tmp, '2'));
  assert.is(resolveDir(join(tmp, '1', '2'), '/'), join(tmp, '2'));
  assert.is(resolveDir(join(tmp, '1', '2'), tmp), join(tmp, '2'));
});

test('a symbolic link leading outside the root is refused although lexically inside', () => {
  const tmp = tempDir();
  const outside = tempDir();
  symlinkSync(outside, join(tmp, 'sym'));
  assert.is(resolveDir(join(tmp, 'sym'), tmp), undefined);
  assert.is(resolveDirectory(join(tmp, 'sym'), '/'), join(tmp, 'sym'));
});

test('link cycles end', () => {
  const tmp = tempDir();
  writeFileSync(join(tmp, 'a'), 'b');
  writeFileSync(join(tmp, 'b'), 'a');
  assert.is(resolveDir(join(tmp, 'a'), tmp), undefined);
});

test('resolveDirectory refuses a final regular file', () => {
  const tmp = tempDir();
  mkdirSync(join(tmp, 'dir'));
  writeFileSync(join(tmp, 'dir', 'f'), 'x');
  writeFileSync(join(tmp, '1'), 'dir');
  assert.is(resolveDirectory(join(tmp, '1', 'f'), tmp), undefined);
});

test.after(temp.cleanup);
test.run();
