import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidRecordFileNameError, prepareRecordFiles, splitPath } from '../src/store/mod.ts';
import { normalizeName } from '../src/store/names.ts';
import { bytes } from './helpers/store_fixtures.ts';

test('normalizeName: the tested examples of the original', () => {
  const cases: Array<[string, string]> = [
    ['test/../hello', 'hello'],
    ['/test0', 'test0'],
    ['a\\b', 'a/b'],
    ['./test1', 'test1'],
    ['something/../test', 'test'],
    ['../test', '../test'],
    ['.', ''],
    ['a/../../b', '../b'],
    ['../../a', '../../a'],
    ['a//b/./c/', 'a/b/c'],
  ];
  for (const [input, expected] of cases) assert.is(normalizeName(input), expected, input);
});

test('splitPath: the exact value for a record hash', () => {
  assert.is(
    splitPath('7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG'),
    '7T/VN/NJ/XP/VZ/PZ/FJ/W5/WO/UI/FY/CR/2X/TN/5T/7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG',
  );
});

test('splitPath: odd lengths, short strings and other sizes', () => {
  assert.is(splitPath('ABCDE'), 'AB/CD/ABCDE');
  assert.is(splitPath('AB'), 'AB');
  assert.is(splitPath('A'), 'A');
  assert.is(splitPath('ABCDEFG', 3), 'ABC/DEF/ABCDEFG');
});

function names(...list: string[]) {
  return list.map((name) => ({ name, data: bytes('x') }));
}

function refused(list: string[], pattern: RegExp): void {
  try {
    prepareRecordFiles(names(...list));
  } catch (error) {
    assert.instance(error, InvalidRecordFileNameError);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(list)}`);
}

test('prepareRecordFiles: refuses hostile names with a message naming the file', () => {
  refused(['..'], /"\.\."/);
  refused(['../x'], /"\.\.\/x".*escapes/);
  refused(['a/../../b'], /"a\/\.\.\/\.\.\/b"/);
  refused(['.'], /"\."/);
  refused([''], /empty/);
  refused(['a\0b'], /NUL/);
  refused(['a/b', 'a\\b'], /"a\/b" and "a\\\\b" both normalise/);
  refused(['x', './x'], /both normalise to "x"/);
  refused(['a', 'a/b'], /"a" is also a directory of "a\/b"/);
});

test('prepareRecordFiles: normalises and sorts by UTF-8 bytes; /abs is stored as abs', () => {
  const out = prepareRecordFiles(names('/abs', 'z', 'é', 'B', './c/../d', '\u{1F600}', '\uFFFD'));
  assert.equal(
    out.map((f) => f.name),
    ['B', 'abs', 'd', 'z', 'é', '\uFFFD', '\u{1F600}'],
  );
});

test.run();
