// TextDecoder and TextEncoder inside the sandbox behave like the WHATWG ones of Node.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createReducerRuntime, type SandboxRecord } from '../src/sandbox/mod.ts';
import { inlineSet } from './helpers/sandbox_fixtures.ts';

/** Runs `body` (a function body with `s`, `r` in scope) over one record holding `files`. */
async function inGuest(body: string, files: Array<[string, Uint8Array]> = []): Promise<Record<string, unknown>> {
  const rt = await createReducerRuntime(inlineSet(`module.exports = function (s, r) { ${body}\n return s; }`));
  try {
    const rec: SandboxRecord = { hash: 'H', files };
    return await rt.reduce({ id: '', state: {}, records: [rec] });
  } finally {
    rt.dispose();
  }
}

/** Edge cases of UTF-8 decoding plus seeded random byte strings biased towards multi-byte sequences. */
function vectors(): Uint8Array[] {
  const out: number[][] = [
    [],
    [0x41],
    [0xef, 0xbb, 0xbf, 0x41],
    [0xef, 0xbb, 0xbf],
    [0xef, 0xbb],
    [0x41, 0xef, 0xbb, 0xbf],
    [0xc0, 0x80],
    [0xc1, 0xbf],
    [0xe0, 0x80, 0x80],
    [0xe0, 0x9f, 0xbf],
    [0xed, 0xa0, 0x80],
    [0xed, 0xbf, 0xbf],
    [0xf0, 0x80, 0x80, 0x80],
    [0xf0, 0x8f, 0xbf, 0xbf],
    [0xf4, 0x90, 0x80, 0x80],
    [0xf5, 0x80, 0x80, 0x80],
    [0xf4, 0x8f, 0xbf, 0xbf],
    [0xf0, 0x9f, 0x98, 0x80],
    [0xf0, 0x9f, 0x98],
    [0xf0, 0x9f],
    [0xe2, 0x82],
    [0xe2, 0x82, 0xac],
    [0x80],
    [0xbf],
    [0xfe],
    [0xff],
    [0xc2],
    [0xc2, 0x41],
    [0xe2, 0x41, 0x42],
    [0xf0, 0x9f, 0x41],
    [0x61, 0x80, 0x62],
    [0xed, 0x9f, 0xbf],
    [0xee, 0x80, 0x80],
    [0xef, 0xbf, 0xbf],
    [0x00, 0x7f, 0xc2, 0x80, 0xdf, 0xbf],
  ];
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pool = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f];
  for (let i = 0; i < 400; i++) {
    const len = rand(12);
    out.push(Array.from({ length: len }, () => (rand(3) === 0 ? rand(256) : pool[rand(pool.length)]!)));
  }
  const big = new Uint8Array(20000).map((_, i) => 0x61 + (i % 26));
  big.set([0xe2, 0x82, 0xac], 9000);
  return [...out.map((b) => new Uint8Array(b)), big, big.map((b, i) => (i === 15000 ? 0xff : b))];
}

test('decode() matches WHATWG on edge cases and random bytes (U+FFFD for bad bytes, BOM stripped)', async () => {
  const inputs = vectors();
  const files = inputs.map((b, i): [string, Uint8Array] => [String(i).padStart(4, '0'), b]);
  const state = await inGuest(
    "var d = new TextDecoder('utf-8'); s.out = Object.keys(r.files).sort().map(function (k) { return d.decode(r.files[k]); });",
    files,
  );
  const node = new TextDecoder('utf-8');
  const out = state.out as string[];
  for (const [i, bytes] of inputs.entries())
    assert.is(out[i], node.decode(bytes), `vector ${i}: ${Array.from(bytes.slice(0, 12)).join(',')}`);
});

test('fatal mode throws a TypeError on bad bytes; ignoreBOM keeps the BOM', async () => {
  const state = await inGuest(
    `var f = new TextDecoder('utf-8', { fatal: true });
     try { f.decode(new Uint8Array([0x61, 0xff])); s.fatal = 'no'; } catch (e) { s.fatal = e.name; }
     try { f.decode(new Uint8Array([0xe2, 0x82])); s.trunc = 'no'; } catch (e) { s.trunc = e.name; }
     s.ok = f.decode(new Uint8Array([0xe2, 0x82, 0xac]));
     s.bom = new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length;
     s.flags = [f.fatal, f.ignoreBOM, f.encoding].join();`,
  );
  assert.equal(state, { bom: 2, fatal: 'TypeError', flags: 'true,false,utf-8', ok: '€', trunc: 'TypeError' });
});

test('labels, undefined input, ArrayBuffer, DataView and other views', async () => {
  const state = await inGuest(
    `s.labels = ['utf-8', 'UTF8', ' utf-8 ', 'unicode-1-1-utf-8'].map(function (l) { return new TextDecoder(l).encoding; }).join();
     try { new TextDecoder('latin1'); s.latin = 'accepted'; } catch (e) { s.latin = e.name; }
     var d = new TextDecoder();
     s.undef = d.decode(undefined) + '|' + d.decode();
     var bytes = new TextEncoder().encode('xé😀y');
     s.ab = d.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
     s.dv = d.decode(new DataView(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 2));
     s.sub = d.decode(bytes.subarray(1, 3));
     try { d.decode('text'); s.str = 'accepted'; } catch (e) { s.str = e.name; }`,
  );
  assert.equal(state, {
    ab: 'xé😀y',
    dv: 'é😀',
    labels: 'utf-8,utf-8,utf-8,utf-8',
    latin: 'RangeError',
    str: 'TypeError',
    sub: 'é',
    undef: '|',
  });
});

test('streaming decode keeps split sequences together', async () => {
  const state = await inGuest(
    `var bytes = new TextEncoder().encode('a😀é€b'), d = new TextDecoder(), parts = [];
     for (var i = 0; i < bytes.length; i++) parts.push(d.decode(bytes.subarray(i, i + 1), { stream: true }));
     parts.push(d.decode());
     s.joined = parts.join('');
     s.tail = new TextDecoder().decode(new Uint8Array([0xf0, 0x9f]), { stream: true }) + '|' + d.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }) + d.decode();`,
  );
  assert.is(state.joined, 'a😀é€b');
  assert.is(state.tail, '|\ufffd');
});

test('encode() matches WHATWG, lone surrogates become U+FFFD; encodeInto fills a buffer', async () => {
  const strings = ['', 'abc', 'é€😀𝄞', '\ud800', 'a\udc00b', '\ud83d\ude00\ud83d', 'x'.repeat(3000) + '€'];
  const state = await inGuest(
    `var e = new TextEncoder(), list = ${JSON.stringify(strings)};
     s.enc = list.map(function (x) { return Array.prototype.slice.call(e.encode(x)).join(); });
     s.undef = e.encode().length + ',' + e.encoding;
     var buf = new Uint8Array(5), res = e.encodeInto('a€😀', buf);
     s.into = [res.read, res.written, Array.prototype.slice.call(buf).join()].join('|');`,
  );
  const node = new TextEncoder();
  assert.equal(
    state.enc,
    strings.map((x) => Array.from(node.encode(x)).join()),
  );
  assert.is(state.undef, '0,utf-8');
  const buf = new Uint8Array(5);
  const res = node.encodeInto('a€😀', buf);
  assert.is(state.into, [res.read, res.written, Array.from(buf).join()].join('|'));
});

test.run();
