import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import {
  base32Decode,
  base32Encode,
  compareUtf8,
  hashBytes,
  sortUtf8,
  isBase32,
  isHashingPrepared,
  prepareHashing,
  recordHash,
  recordHashOf,
} from '../src/store/hash.ts';
import type { RecordFile, RecordFileReader } from '../src/store/hash.ts';
import { bytes } from './helpers/store_fixtures.ts';

function files(...pairs: Array<[string, string | Uint8Array]>): RecordFile[] {
  return pairs.map(([name, data]) => ({ name, data: typeof data === 'string' ? bytes(data) : data }));
}

const vectors: Array<[string, RecordFile[], string]> = [
  ['no files', [], 'GNCVESV7NO7BQCKESISLLFZMIF4QW3HS'],
  ['test=hello', files(['test', 'hello']), '7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG'],
  ['test=empty', files(['test', '']), 'GRFRK7QW2JCOGEOVLAP3HB4JQ3RWIUKS'],
  ['test=\\x01', files(['test', '\x01']), 'QZC7FDBRVKU32JPY6BSVV6EXDSJNYPOD'],
  ['a=ab, b=empty (stale buffer)', files(['a', 'ab'], ['b', '']), 'H4VEUA3UOJRZO6VQBSJTXC3GSVUVA66Q'],
  ['b=empty alone', files(['b', '']), 'IFHOMJNCUKTYAOZ4TLW2KW7KVLU3KVDQ'],
  ['a=4096 x', files(['a', 'x'.repeat(4096)]), 'SASFNHK2H7BQO6VMXFLQKJAXDGXTHY3Q'],
  ['a=5000 x', files(['a', 'x'.repeat(5000)]), '4ILMUBQTXWNXVY4QVZGAWFEKYCUJRKIM'],
  ['z/a, test', files(['z/a', '\x02'], ['test', '\x01']), 'N6EJF4URG4ASBPI3KJNNI5HXP4ROPWPM'],
  ['test, z/a (other order)', files(['test', '\x01'], ['z/a', '\x02']), 'N6EJF4URG4ASBPI3KJNNI5HXP4ROPWPM'],
  ['z\\a, test', files(['z\\a', '\x02'], ['test', '\x01']), 'N6EJF4URG4ASBPI3KJNNI5HXP4ROPWPM'],
  [
    '.type/SummaryChanged, text',
    files(['.type/SummaryChanged', ''], ['text', 'Title']),
    'OU6DLR5CV5V3RD62QIG5GXKWTQIWPHPR',
  ],
];

for (const [label, input, expected] of vectors) {
  test(`record hash: ${label}`, async () => {
    assert.is(recordHash(input, { portable: true }), expected, '@noble/hashes');
    await prepareHashing();
    assert.is(recordHash(input), expected, 'hash-wasm');
  });
}

test('prepareHashing is idempotent and switches BLAKE2b-160 to hash-wasm', async () => {
  await Promise.all([prepareHashing(), prepareHashing()]);
  await prepareHashing();
  assert.ok(isHashingPrepared());
});

test('record hash: hash-wasm and @noble/hashes agree on random records', async () => {
  await prepareHashing();
  const sizes = [0, 1, 127, 128, 129, 4095, 4096, 4097, 8192, 9000];
  for (let round = 0; round < 40; round++) {
    const count = 1 + (round % 5);
    const input: RecordFile[] = [];
    for (let i = 0; i < count; i++) {
      const size = sizes[(round * 7 + i * 3) % sizes.length]! + (round % 3);
      input.push({ name: `f${i}/${randomBytes(3).toString('hex')}`, data: new Uint8Array(randomBytes(size)) });
    }
    assert.is(recordHash(input), recordHash(input, { portable: true }), `round ${round}`);
  }
});

test('record hash: records that share their first file (hashed once, then resumed) agree with @noble/hashes', async () => {
  await prepareHashing();
  const firsts: Array<[string, string]> = [
    ['.authors', 'Ada <ada@example.org>'],
    ['.authors', 'Ada <ada@example.org>\0'], // the same buffer, the same stream: the same state
    ['.authors', ''],
    ['.authors', '\0'], // one byte: fed twice, unlike the empty file
    ['ab', 'c'],
    ['a', 'bc'], // the same bytes split differently
    ['.authors', 'x'.repeat(4096)],
    ['.authors', 'x'.repeat(4097)], // larger than the buffer: hashed in full every time
  ];
  for (let round = 0; round < 3; round++) {
    for (const [name, content] of firsts) {
      // Every name above sorts before these two, so that it is the first file of the stream.
      const input = files([name, content], ['zz', `comment ${round}`], ['zzz', '']);
      assert.is(
        recordHash(input),
        recordHash(input, { portable: true }),
        `${JSON.stringify([name, content])}, round ${round}`,
      );
    }
  }
});

test('sortUtf8 sorts by UTF-8 bytes, with and without characters beyond the BMP', () => {
  const byBytes = (list: string[]): string[] =>
    [...list].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const bmp = ['z', '\uFFFD', 'a', 'é', '\uE000', 'ab', '', 'A', '東京'];
  assert.equal(sortUtf8([...bmp]), byBytes(bmp));
  const astral = [...bmp, '😀', 'a😀', 'a\uFFFD'];
  assert.equal(sortUtf8([...astral]), byBytes(astral));
  // UTF-16 order would put the emoji before U+E000 and U+FFFD.
  assert.not.equal([...astral].sort(), byBytes(astral));
  assert.equal([...astral].sort(compareUtf8), byBytes(astral));
});

test('record hash: SHA-1 vector', () => {
  assert.is(recordHash(files(['test', 'hello']), { algorithm: 'sha1' }), 'HI6ZIBPLSDVLIJORGNF3EQ4UB4YFW6CS');
});

test('record hash: explicit blake2b size 20 equals the default', () => {
  assert.is(
    recordHash(files(['test', 'hello']), { algorithm: { blake2b: { size: 20 } } }),
    '7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG',
  );
});

test('record hash: the naive name||content hash is not what we compute', () => {
  assert.is.not(recordHash(files(['test', 'hello'])), 'IHJ2JOTMWC4MW4UQAJ6O2FCHP5YCFCOM');
});

test('record hash: a file at the exact buffer size plus one differs from the buffer size', () => {
  assert.is.not(recordHash(files(['a', 'x'.repeat(4097)])), recordHash(files(['a', 'x'.repeat(4096)])));
});

test('raw hasher vectors: "test" then "that"', () => {
  const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
  assert.is(hex(hashBytes([bytes('test'), bytes('that')])), 'ef9ebcc4562d63642ef13cabe77a33a6994ead7f');
  assert.is(
    hex(hashBytes([bytes('test'), bytes('that')], { algorithm: 'sha1' })),
    '294863232e30c5580ee9410b7c35a2c6d3b6ceb3',
  );
  assert.is(hex(hashBytes([bytes('abc')])), '384264f676f39536840523f284921cdc68b6846b');
});

/** Readers giving each file's content in reads of at most `most` bytes. */
function readers(input: RecordFile[], most: number): RecordFileReader[] {
  return input.map(({ name, data }) => {
    let position = 0;
    return {
      name,
      read(buffer: Uint8Array, offset: number, length: number) {
        const count = Math.min(length, most, data.length - position);
        buffer.set(data.subarray(position, position + count), offset);
        position += count;
        return count;
      },
    };
  });
}

test('record hash of files read on demand: the vectors, whatever the size of each read', () => {
  for (const [label, input, expected] of vectors) {
    for (const most of [1, 1000, 4096, 100_000]) {
      assert.is(recordHashOf(readers(input, most)), expected, `${label}, reads of at most ${most}`);
      assert.is(recordHashOf(readers(input, most), { portable: true }), expected, `${label}, portable`);
    }
  }
  const big = files(['a', 'x'.repeat(3 * 4096)], ['b', 'y'.repeat(4096 + 17)], ['c', '']);
  assert.is(recordHashOf(readers(big, 777)), recordHash(big));
  assert.is(recordHashOf(readers(big, 777), { algorithm: 'sha1' }), recordHash(big, { algorithm: 'sha1' }));
  // One stream below 16 MiB, the 4096-byte buffer above: the same hashes as reading on demand.
  for (const size of [5 * 1024 * 1024 + 3, 17 * 1024 * 1024 + 5]) {
    const large = [{ name: 'z', data: new Uint8Array(size).map((_, i) => i & 255) }, ...big];
    assert.is(recordHash(large), recordHashOf(readers(large, 65536)), `${size} bytes`);
  }
});

test('hash-wasm BLAKE2b-160 agrees with @noble/hashes on random inputs', async () => {
  await prepareHashing();
  for (const length of [0, 1, 63, 64, 65, 127, 128, 129, 4096, 10_000]) {
    const input = new Uint8Array(randomBytes(length));
    assert.equal(hashBytes([input]), blake2b(input, { dkLen: 20 }), `length ${length}`);
    assert.equal(hashBytes([input], { portable: true }), blake2b(input, { dkLen: 20 }), `portable, length ${length}`);
  }
});

test('other BLAKE2b sizes use a real parameterised digest', () => {
  const input = bytes('abc');
  assert.equal(hashBytes([input], { algorithm: { blake2b: { size: 32 } } }), blake2b(input, { dkLen: 32 }));
});

test('base32: RFC 4648 vectors with "-" padding', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['f', 'MY------'],
    ['fo', 'MZXQ----'],
    ['foo', 'MZXW6---'],
    ['foob', 'MZXW6YQ-'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI------'],
  ];
  for (const [plain, encoded] of cases) {
    assert.is(base32Encode(bytes(plain)), encoded);
    assert.equal(base32Decode(encoded), bytes(plain), encoded);
  }
});

test('base32: 20 bytes give 32 characters without padding and round-trip', () => {
  const input = new Uint8Array(randomBytes(20));
  const encoded = base32Encode(input);
  assert.is(encoded.length, 32);
  assert.equal(base32Decode(encoded), input);
});

test('base32: strict decoding refuses lower case, bad length, "=", non-canonical bits', () => {
  assert.is(base32Decode('mzxw6ytb'), undefined);
  assert.is(base32Decode('MZXW6YT'), undefined);
  assert.is(base32Decode('MY======'), undefined);
  assert.is(base32Decode('MZ------'), undefined); // trailing bits not zero
  assert.is(base32Decode('M-------'), undefined); // invalid padding length
  assert.is(base32Decode('MZXW6YT1'), undefined);
  assert.is(isBase32('7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG'), true);
  assert.is(isBase32('.type'), false);
  assert.is(isBase32(''), false);
});

test.run();
