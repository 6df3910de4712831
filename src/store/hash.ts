/**
 * The record hash of the original SIT (original-sit.md §2.2), byte for byte: for every file in
 * UTF-8 byte order of its normalised name, the name's bytes, then the whole 4096-byte read buffer
 * after every read of the file, including the final read that returns nothing. The buffer is shared
 * by all files of a record and never cleared, so stale bytes are hashed too.
 */
import { createHash } from 'node:crypto';
import type { IHasher } from 'hash-wasm';
import { blake2b } from '@noble/hashes/blake2.js';
import { normalizeName } from './names.ts';

/** A file of a record: its name (relative, `/`-separated) and its content. */
export type RecordFile = { name: string; data: Uint8Array };

/** The hashing algorithm of a repository, in the JSON form of `config.json`. */
export type HashingAlgorithm = { blake2b: { size: number } } | 'sha1';

/** The algorithm of repositories created by `sit init`: BLAKE2b with a 20-byte digest. */
const DEFAULT_HASHING_ALGORITHM: HashingAlgorithm = { blake2b: { size: 20 } };

/** The size of the read buffer of the original implementation. */
const BUFFER_SIZE = 4096;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const PAD = '-';
const DECODE_TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

const FULL_32 = /^[A-Z2-7]{32}$/;

/**
 * hash-wasm's BLAKE2b module alone: importing the package's index compiles every algorithm it
 * ships (about 35 ms), this file only BLAKE2b (about 8 ms). Kept in a variable so that the
 * compiler does not look for type declarations of the file; its exports are typed below.
 */
const HASH_WASM_BLAKE2B = 'hash-wasm/dist/blake2b.umd.min.js';

/** The BLAKE2b-160 hasher of hash-wasm once {@link prepareHashing} has made it; re-initialised per use. */
let fastBlake2b160: IHasher | undefined;
let preparing: Promise<void> | undefined;

/**
 * Makes BLAKE2b-160 hashing fast (hash-wasm, about 18 times faster than the portable
 * @noble/hashes used until then) for the rest of the process. Hashing is correct either way; call
 * this before hashing many records (reducing many items, `sit integrity`, `sit rebuild`). Idempotent.
 */
export function prepareHashing(): Promise<void> {
  preparing ??= (async () => {
    const module = (await import(HASH_WASM_BLAKE2B)) as { default: { createBLAKE2b(bits: number): Promise<IHasher> } };
    fastBlake2b160 = await module.default.createBLAKE2b(160);
  })().catch((error: unknown) => {
    preparing = undefined;
    throw error;
  });
  return preparing;
}

/** Whether {@link prepareHashing} has completed, so that BLAKE2b-160 goes through hash-wasm. */
export function isHashingPrepared(): boolean {
  return fastBlake2b160 !== undefined;
}

/** The minimal incremental hasher interface the record algorithm needs. */
interface Hasher {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
}

/** Encodes bytes as RFC 4648 base32, upper case, padded with `-`. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += PAD;
  return out;
}

/**
 * Decodes strict base32 (upper case, length a multiple of 8, `-` padding of a valid length,
 * zero trailing bits). Returns undefined for anything else.
 */
export function base32Decode(text: string): Uint8Array | undefined {
  if (text.length % 8 !== 0) return undefined;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 45 /* - */) end--;
  const padding = text.length - end;
  if (![0, 1, 3, 4, 6].includes(padding)) return undefined;
  const out = new Uint8Array(Math.floor((end * 5) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? DECODE_TABLE[code]! : -1;
    if (digit < 0) return undefined;
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (value >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  // The leftover bits must be zero (canonical form) and fewer than a full character.
  if ((value & ((1 << bits) - 1)) !== 0) return undefined;
  if (padding > 0 && bits >= 5) return undefined;
  return out;
}

/** Whether `text` is strict base32 (the test the original applies to record names). */
export function isBase32(text: string): boolean {
  // The common case, a 20-byte hash, uses all 160 bits of its 32 characters.
  if (text.length === 32) return FULL_32.test(text);
  return text.length > 0 && base32Decode(text) !== undefined;
}

/** The digest size in bytes of a hashing algorithm. */
export function digestSize(algorithm: HashingAlgorithm): number {
  return algorithm === 'sha1' ? 20 : algorithm.blake2b.size;
}

/** Options of {@link recordHash} and {@link hashBytes}. */
export interface HashOptions {
  /** The algorithm (default {@link DEFAULT_HASHING_ALGORITHM}). */
  algorithm?: HashingAlgorithm;
  /** Hash with @noble/hashes even when hash-wasm is prepared (the results are the same). */
  portable?: boolean;
}

function createHasher(options: HashOptions): Hasher {
  const algorithm = options.algorithm ?? DEFAULT_HASHING_ALGORITHM;
  if (algorithm === 'sha1') {
    const sha1 = createHash('sha1');
    return {
      update: (data) => void sha1.update(data),
      digest: () => new Uint8Array(sha1.digest()),
    };
  }
  const fast = fastHasher(options);
  if (fast !== undefined) {
    fast.init();
    return {
      update: (data) => void fast.update(data),
      digest: () => fast.digest('binary'),
    };
  }
  const noble = blake2b.create({ dkLen: algorithm.blake2b.size });
  return {
    update: (data) => void noble.update(data),
    digest: () => noble.digest(),
  };
}

/**
 * The plain digest of `chunks` fed in order (no record algorithm): e.g. the BLAKE2b-160 of a
 * file's content, used for ETags.
 */
export function hashBytes(chunks: Iterable<Uint8Array>, options: HashOptions = {}): Uint8Array {
  const hasher = createHasher(options);
  for (const chunk of chunks) hasher.update(chunk);
  return hasher.digest();
}

/**
 * Compares two strings by their UTF-8 bytes (the order of Rust's `BTreeMap<String, _>`): code
 * point order, which UTF-8 preserves, without encoding either string.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Sorts `strings` in place by their UTF-8 bytes ({@linkcode compareUtf8}). Without characters
 * beyond the Basic Multilingual Plane that is JavaScript's own order of UTF-16 code units, which
 * the default sort uses several times faster.
 */
export function sortUtf8(strings: string[]): string[] {
  for (let i = 0; i < strings.length; i++) if (SURROGATE.test(strings[i]!)) return strings.sort(compareUtf8);
  return strings.sort();
}

/**
 * A record file whose content is read on demand: `read` puts at most `length` bytes into
 * `buffer` at `offset` and returns how many it put, 0 at the end of the content.
 */
export interface RecordFileReader {
  name: string;
  read(buffer: Uint8Array, offset: number, length: number): number;
}

/**
 * Computes the encoded record hash of `files` exactly as the original SIT does: names are
 * normalised and sorted by UTF-8 bytes, and every read feeds the whole 4096-byte shared buffer.
 */
export function recordHash(files: Iterable<RecordFile>, options: HashOptions = {}): string {
  const readers: RecordFileReader[] = [];
  let size = 0;
  for (const file of files) {
    readers.push(memoryReader(file));
    size += Buffer.byteLength(file.name) + (Math.ceil(file.data.length / BUFFER_SIZE) + 1) * BUFFER_SIZE;
  }
  if (size > STREAM_LIMIT) return recordHashOf(readers, options);
  // The bytes the original feeds, laid out in one stream and hashed by one update: a
  // WebAssembly hasher costs more per call than per kilobyte.
  const stream = scratch(size);
  let at = 0;
  let first: FirstFile | undefined;
  feedRecord(
    readers,
    (bytes) => {
      stream.set(bytes, at);
      at += bytes.length;
    },
    (nameLength, length) => {
      first ??= { nameLength, length, end: at };
    },
  );
  const fast = fastHasher(options);
  if (fast !== undefined && first !== undefined)
    return base32Encode(hashFromPrefix(fast, stream.subarray(0, at), first));
  const hasher = createHasher(options);
  hasher.update(stream.subarray(0, at));
  return base32Encode(hasher.digest());
}

/** The first file of a record's hash stream: the lengths of its name and content, where its bytes end. */
interface FirstFile {
  nameLength: number;
  length: number;
  end: number;
}

/** The prepared BLAKE2b-160 hasher when `options` allow it, else undefined. */
function fastHasher(options: HashOptions): IHasher | undefined {
  const algorithm = options.algorithm ?? DEFAULT_HASHING_ALGORITHM;
  if (algorithm === 'sha1' || algorithm.blake2b.size !== 20 || options.portable === true) return undefined;
  return fastBlake2b160;
}

/**
 * Saved hasher states after the first file of a record, by that file's name and content. The
 * first file's bytes in the stream depend on nothing else (the shared buffer starts as zeros),
 * and it is usually `.authors`, the same in most records: its 8 KiB are hashed once per author.
 */
const prefixStates = new Map<string, Uint8Array>();
const PREFIX_STATES = 256;

/** BLAKE2b-160 of `stream`, starting from the saved state after `first` when there is one. */
function hashFromPrefix(hasher: IHasher, stream: Uint8Array, first: FirstFile): Uint8Array {
  if (first.length > BUFFER_SIZE) {
    hasher.init();
    hasher.update(stream);
    return hasher.digest('binary');
  }
  // A content of one buffer or less: the stream starts with the name, then that content padded
  // with zeros to 4096 bytes, once or (when not empty) twice. The lengths and bytes say it all.
  const key = `${first.nameLength}:${first.length}:${Buffer.from(stream.buffer, stream.byteOffset, first.nameLength + first.length).toString('latin1')}`;
  const saved = prefixStates.get(key);
  if (saved !== undefined) {
    hasher.load(saved);
  } else {
    hasher.init();
    hasher.update(stream.subarray(0, first.end));
    if (prefixStates.size >= PREFIX_STATES) prefixStates.clear();
    prefixStates.set(key, hasher.save());
  }
  hasher.update(stream.subarray(first.end));
  return hasher.digest('binary');
}

/** Records whose hash stream would be larger than this are hashed through the 4096-byte buffer. */
const STREAM_LIMIT = 16 * 1024 * 1024;

let scratchBuffer = new Uint8Array(64 * 1024);

/** A reusable buffer of at least `size` bytes. */
function scratch(size: number): Uint8Array {
  if (size > scratchBuffer.length) scratchBuffer = new Uint8Array(size);
  return scratchBuffer;
}

/** A file in memory as a {@link RecordFileReader}. */
function memoryReader({ name, data }: RecordFile): RecordFileReader {
  let position = 0;
  return {
    name,
    read(buffer, offset, length) {
      const count = Math.min(length, data.length - position);
      buffer.set(data.subarray(position, position + count), offset);
      position += count;
      return count;
    },
  };
}

/** Files with their normalised names as UTF-8, in the order the record hash takes them. */
function sortedByNormalName<T>(files: T[], nameOf: (file: T) => string): Array<{ name: Uint8Array; file: T }> {
  const named: Array<{ name: Uint8Array; file: T }> = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    named.push({ name: Buffer.from(normalizeName(nameOf(file)), 'utf8'), file });
  }
  return named.sort(byName);
}

function byName(a: { name: Uint8Array }, b: { name: Uint8Array }): number {
  return Buffer.compare(a.name, b.name);
}

/**
 * {@link recordHash} of files read on demand (e.g. straight from disk), one after the other in
 * the order of their normalised names, each until its `read` returns 0, through the shared
 * 4096-byte buffer: the buffer is hashed whenever it is full, after a file's last partial
 * block, and once more for the final empty read.
 */
export function recordHashOf(files: Iterable<RecordFileReader>, options: HashOptions = {}): string {
  const hasher = createHasher(options);
  feedRecord(files, (bytes) => hasher.update(bytes));
  return base32Encode(hasher.digest());
}

/**
 * Gives `feed` the bytes the original hashes for a record: for each file in the order of its
 * normalised name, the name, then the shared 4096-byte buffer after every read that fills it,
 * after the last partial read, and once more for the final empty read. The buffer is never
 * cleared, so stale bytes are fed too.
 */
function feedRecord(
  files: Iterable<RecordFileReader>,
  feed: (bytes: Uint8Array) => void,
  fileFed?: (nameLength: number, length: number) => void,
): void {
  const sorted = sortedByNormalName([...files], (file) => file.name);
  const buffer = new Uint8Array(BUFFER_SIZE);
  for (const { name, file } of sorted) {
    feed(name);
    let filled = 0;
    let length = 0;
    for (;;) {
      const count = file.read(buffer, filled, BUFFER_SIZE - filled);
      if (count === 0) break;
      filled += count;
      length += count;
      if (filled === BUFFER_SIZE) {
        feed(buffer);
        filled = 0;
      }
    }
    if (filled > 0) feed(buffer);
    feed(buffer);
    fileFed?.(name.length, length);
  }
}
