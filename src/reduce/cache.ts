/**
 * The reduction cache (SPEC §2): reduced item states kept outside the synchronised tree, keyed by
 * the digest of the reducer set and of each item's record set, so that only items with new
 * records are reduced again. A missing, stale or corrupt cache is rebuilt silently.
 *
 * The file is one header line and one line per item, `id TAB mtime TAB records-digest TAB damaged
 * TAB check TAB state` (`damaged`: the records left out as damaged, comma-separated), so that entries that did not change are written back as the same text without
 * re-serialising. `check` is a checksum of the rest of the line (and the header has one too): a
 * damaged line is not believed but recomputed, so a corrupted cache never prints wrong data.
 * Only regular files are read or appended to (never through a link, never a FIFO or device), and
 * a cache location that cannot be used is bypassed: the cache only ever costs speed.
 * @module
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';

const FORMAT = 'sit-reduction-cache 2';

/** The largest cache file that is read (bigger ones are ignored and rewritten). */
const MAX_CACHE_BYTES = 1024 * 1024 * 1024;

/**
 * How much older than the cache file's time (milliseconds) an item directory's modification time
 * must be for the entry to be trusted by that time alone: file systems with coarse clocks can
 * give a change made just before the file was written the same time. Items changed more recently
 * are checked by the digest of their listing.
 */
export const MTIME_SLACK_MS = 2000;

/** At most this many changed entries are appended to the file; more rewrite it whole. */
export const APPEND_LIMIT = 256;

/** A file being written whole gets its lines in batches of about this many characters. */
const WRITE_BATCH = 256 * 1024;

/**
 * A file whose appended lines replace more earlier lines than this many, or than this share of
 * its entries (whichever is larger), is rewritten whole (compacted) at the next save.
 */
const COMPACT_MIN_LINES = 64;
const COMPACT_SHARE = 1 / 4;

/** Flags for reading or appending a cache file: never through a link, never waiting on a FIFO. */
const NO_FOLLOW = (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * A 32-bit FNV-1a checksum of `parts` (their UTF-16 code units, each part followed by a tab), as 8
 * hexadecimal digits. Not cryptographic: it catches damage, not forgery (the cache is the user's).
 */
export function lineCheck(parts: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 9, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Creates directory `dir` and its missing parents, one level at a time (Node's recursive mkdir
 * loops forever below `/proc`); throws when a level cannot be made or is not a directory.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    let stats;
    try {
      stats = lstatSync(at);
    } catch {
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
      continue;
    }
    if (!stats.isDirectory()) throw new Error(`${at} is not a directory`);
    break;
  }
  for (const path of missing.reverse()) mkdirSync(path);
}

/**
 * The bytes of the regular file at `path`, or undefined when there is none or it cannot be used:
 * a link, a FIFO, a device or anything over `max` bytes (default: the cache's limit) is never read.
 */
export function readRegularFile(path: string, options: { max?: number } = {}): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NO_FOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > (options.max ?? MAX_CACHE_BYTES)) return undefined;
    const data = Buffer.allocUnsafe(stats.size);
    let length = 0;
    while (length < data.length) {
      const count = readSync(fd, data, length, data.length - length, null);
      if (count === 0) break;
      length += count;
    }
    return data.subarray(0, length);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Appends `text` to the regular file at `path` (never through a link or to a FIFO); throws when it cannot. */
function appendRegularFile(path: string, text: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | NO_FOLLOW);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${path} is not a regular file`);
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } finally {
    closeSync(fd);
  }
}

/** One cached item. */
export interface CacheEntry {
  /** The item directory's modification time when the entry was made (milliseconds). */
  mtime: number;
  /** The digest of the item's record names ({@linkcode recordSetDigest}); '' when not taken. */
  records: string;
  /** The reduced state as JSON text. */
  stateJson: string;
  /**
   * Records left out of the state because they did not hash to their names, comma-separated
   * ('' or absent for none): the entry holds only while they stay damaged.
   */
  damaged?: string;
}

/** What a cache is valid for: a cache made for anything else is ignored. */
export interface CacheKey {
  /** The digest of the reducer set. */
  reducers: string;
  /** Whether integrity checking was on. */
  integrity: boolean;
}

/** The directory that holds the caches of every repository. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIT_CACHE_DIR) return env.SIT_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'sit');
  return join(homedir(), '.cache', 'sit');
}

/** The cache file of the repository at `root`: item states, or another cache called `name`. */
export function cacheFile(root: string, env: NodeJS.ProcessEnv = process.env, name = 'items'): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // a repository that cannot be resolved still gets a stable name
  }
  const repository = createHash('sha256').update(real).digest('hex').slice(0, 24);
  return join(cacheRoot(env), 'repositories', repository, `${name}.cache`);
}

/** The digest of an item's record set (its record names in any order). */
export function recordSetDigest(names: readonly string[]): string {
  return createHash('sha1')
    .update([...names].sort().join('\n'))
    .digest('hex');
}

/**
 * The text of a cache file (UTF-8). A file of ASCII bytes only, the common case, is decoded as
 * Latin-1: the same characters for half the work.
 */
function decodeText(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** One cache line: `id TAB mtime TAB records TAB damaged TAB check TAB state`, or undefined for an id that cannot be written. */
function cacheLine(id: string, entry: CacheEntry): string | undefined {
  if (id.includes('\t') || id.includes('\n')) return undefined;
  const mtime = String(entry.mtime);
  const damaged = entry.damaged ?? '';
  return `${id}\t${mtime}\t${entry.records}\t${damaged}\t${lineCheck([id, mtime, entry.records, damaged, entry.stateJson])}\t${entry.stateJson}`;
}

/** An entry as read from the file: believed only once its checksum has been verified. */
interface StoredEntry extends CacheEntry {
  /** The line's checksum, until it has been verified (then removed). */
  check?: string;
}

/** Partial files of a cache left by a process that stopped while writing, removed after this long. */
const PARTIAL_AGE_MS = 10 * 60 * 1000;

/**
 * A cache file written whole: lines gather in memory and go to a partial file beside the cache in
 * batches ({@linkcode WRITE_BATCH}, so that entries can be added as they arrive); `finish` renames
 * it into place, so readers see the old file or the new one, never half of one.
 */
class CacheWriter {
  readonly #path: string;
  readonly #partial: string;
  readonly #fd: number;
  #lines: string[] = [];
  #length = 0;
  /** The items whose lines were written. */
  readonly written = new Set<string>();
  /** The time in the header (milliseconds since the epoch). */
  readonly startedAt: number;

  constructor(path: string, header: string, startedAt: number) {
    this.startedAt = startedAt;
    const dir = dirname(path);
    makeDirectory(dir);
    removeOldPartials(dir, basename(path));
    this.#path = path;
    this.#partial = `${path}.partial-${process.pid}-${Date.now()}`;
    this.#fd = openSync(this.#partial, 'w');
    this.#lines.push(header, '\n');
  }

  /** Adds the line of an entry; throws when a batch cannot be written. */
  add(id: string, entry: CacheEntry): void {
    const line = cacheLine(id, entry);
    if (line === undefined) return;
    this.#lines.push(line, '\n');
    this.#length += line.length;
    this.written.add(id);
    if (this.#length >= WRITE_BATCH) this.#flush();
  }

  #flush(): void {
    const bytes = Buffer.from(this.#lines.join(''), 'utf8');
    for (let at = 0; at < bytes.length; ) at += writeSync(this.#fd, bytes, at);
    this.#lines = [];
    this.#length = 0;
  }

  /** Writes what is left and puts the file in place; throws when it cannot (then `abandon`). */
  finish(): void {
    this.#flush();
    closeSync(this.#fd);
    renameSync(this.#partial, this.#path);
  }

  /** Removes the partial file. */
  abandon(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // closed by finish() already
    }
    removeQuietly(this.#partial);
  }
}

/** Removes a file if it is there and can be removed. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing to do about a cache file that cannot be removed
  }
}

/** Removes partial files of cache `name` in `dir` that a stopped process left behind. */
function removeOldPartials(dir: string, name: string): void {
  const prefix = `${name}.partial-`;
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith(prefix)) continue;
    const path = join(dir, entry);
    try {
      if (Date.now() - statSync(path).mtimeMs > PARTIAL_AGE_MS) removeQuietly(path);
    } catch {
      // gone already
    }
  }
}

/** The reduction cache of one repository for one reducer set. */
export class ReductionCache {
  /** The file it is read from and written to. */
  readonly path: string;
  /** When the file was last written (milliseconds since the epoch; 0 when it was not read). */
  readonly writtenAt: number;
  readonly #key: CacheKey;
  readonly #entries = new Map<string, StoredEntry>();
  /** Items whose entries changed since the file was read: what an append writes. */
  readonly #changed = new Set<string>();
  /** The file must be written whole (new, stale, corrupt, entries removed, or too many old lines). */
  #rewrite = false;
  /** The new file being written while entries arrive ({@linkcode ReductionCache.beginRewrite}). */
  #writer: CacheWriter | undefined;

  private constructor(path: string, key: CacheKey, writtenAt: number) {
    this.path = path;
    this.#key = key;
    this.writtenAt = writtenAt;
  }

  /** Reads the cache at `path`; anything unreadable, stale or corrupt gives an empty cache. */
  static load(path: string, key: CacheKey): ReductionCache {
    const bytes = readRegularFile(path);
    if (bytes === undefined) {
      const cache = new ReductionCache(path, key, 0);
      cache.#rewrite = true;
      return cache;
    }
    const text = decodeText(bytes);
    let lineEnd = text.indexOf('\n');
    if (lineEnd < 0) lineEnd = text.length;
    const header = text.slice(0, lineEnd).split('\t');
    if (
      header.length !== 5 ||
      header[0] !== FORMAT ||
      header[1] !== key.reducers ||
      header[2] !== String(key.integrity) ||
      header[4] !== lineCheck(header.slice(0, 4))
    ) {
      const cache = new ReductionCache(path, key, 0);
      cache.#rewrite = true;
      return cache;
    }
    const cache = new ReductionCache(path, key, Number(header[3]) || 0);
    let superseded = 0;
    // One pass over the text, line by line, without splitting it into an array first.
    for (let start = lineEnd + 1; start < text.length; start = lineEnd + 1) {
      lineEnd = text.indexOf('\n', start);
      if (lineEnd < 0) lineEnd = text.length;
      if (lineEnd === start) continue;
      const a = text.indexOf('\t', start);
      const b = a < 0 ? -1 : text.indexOf('\t', a + 1);
      const c = b < 0 ? -1 : text.indexOf('\t', b + 1);
      const d = c < 0 ? -1 : text.indexOf('\t', c + 1);
      const e = d < 0 ? -1 : text.indexOf('\t', d + 1);
      const mtime = e < 0 ? NaN : Number(text.slice(a + 1, b));
      if (
        a <= start ||
        e < 0 ||
        e >= lineEnd ||
        e - d !== 9 ||
        !Number.isFinite(mtime) ||
        text.charCodeAt(e + 1) !== 123 /* { */
      ) {
        cache.#rewrite = true;
        continue;
      }
      const id = text.slice(start, a);
      // Appended lines come later in the file and win over earlier ones for the same item.
      if (cache.#entries.has(id)) superseded++;
      const entry: StoredEntry = {
        mtime,
        records: text.slice(b + 1, c),
        stateJson: text.slice(e + 1, lineEnd),
        check: text.slice(d + 1, e),
      };
      if (d > c + 1) entry.damaged = text.slice(c + 1, d);
      cache.#entries.set(id, entry);
    }
    if (superseded > Math.max(COMPACT_MIN_LINES, cache.#entries.size * COMPACT_SHARE)) cache.#rewrite = true;
    return cache;
  }

  /** How many items have entries. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry of item `id`, if any. */
  get(id: string): CacheEntry | undefined {
    return this.#entry(id);
  }

  /**
   * The entry of item `id` once its line's checksum is verified; a damaged line is forgotten (so
   * its item is computed again) and the file will be rewritten.
   */
  #entry(id: string): CacheEntry | undefined {
    const entry = this.#entries.get(id);
    if (entry?.check === undefined) return entry;
    if (entry.check === lineCheck([id, String(entry.mtime), entry.records, entry.damaged ?? '', entry.stateJson])) {
      delete entry.check;
      return entry;
    }
    this.delete(id);
    return undefined;
  }

  /**
   * The entry of item `id` when its modification time alone shows that it is current (the
   * common case of {@linkcode ReductionCache.lookup}, without listing anything), else undefined.
   */
  trusted(id: string, mtime: number): CacheEntry | undefined {
    const entry = this.#entry(id);
    return entry !== undefined && entry.mtime === mtime && mtime < this.writtenAt - MTIME_SLACK_MS ? entry : undefined;
  }

  /**
   * The entry of item `id` if it still describes the item, whose directory `dir` was modified at
   * `mtime`: trusted by `mtime` when that is older than the file's last write (by
   * {@linkcode MTIME_SLACK_MS}, for coarse file-system clocks), else by the digest of the
   * directory's listing, returned as `records` whenever it was taken. An entry confirmed by its
   * digest takes the new `mtime`.
   */
  lookup(id: string, dir: string, mtime: number): { entry?: CacheEntry; records?: string } {
    const trusted = this.trusted(id, mtime);
    if (trusted !== undefined) return { entry: trusted };
    const entry = this.#entry(id);
    if (entry === undefined) return {};
    const records = recordSetDigest(readdirSync(dir));
    if (entry.records !== records) return { records };
    this.set(id, { ...entry, mtime });
    return { entry, records };
  }

  /** Every entry whose line verifies (a whole rewrite must not give a damaged line a new checksum). */
  #verified(): Array<[string, CacheEntry]> {
    const out: Array<[string, CacheEntry]> = [];
    for (const id of [...this.#entries.keys()]) {
      const entry = this.#entry(id);
      if (entry !== undefined) out.push([id, entry]);
    }
    return out;
  }

  /** Stores the entry of item `id`. */
  set(id: string, entry: CacheEntry): void {
    const old = this.#entries.get(id);
    if (
      old !== undefined &&
      old.mtime === entry.mtime &&
      old.records === entry.records &&
      old.stateJson === entry.stateJson &&
      (old.damaged ?? '') === (entry.damaged ?? '')
    ) {
      return;
    }
    this.#entries.set(id, entry);
    this.#changed.add(id);
    if (this.#writer === undefined) return;
    try {
      this.#writer.add(id, entry);
    } catch {
      // a full disk, say: save() tries the whole file once more, and gives up quietly
      this.#stopWriting();
      this.#rewrite = true;
    }
  }

  /** Forgets a cached entry that turned out to be unusable (e.g. its state does not parse). */
  delete(id: string): void {
    if (!this.#entries.delete(id)) return;
    this.#rewrite = true;
    if (this.#writer?.written.has(id)) this.#stopWriting();
  }

  /** Forgets the items that no longer exist. */
  retain(ids: readonly string[]): void {
    const keep = new Set(ids);
    for (const id of this.#entries.keys()) {
      if (!keep.has(id)) this.delete(id);
    }
  }

  /**
   * Starts writing the file whole now: the entries there are first, then each entry set from now
   * on, in batches; `save` only finishes the file. For a cache that many reductions are about to
   * fill, so that writing its megabytes overlaps them instead of following them. Returns the time
   * the new file will carry (entries older than it by {@linkcode MTIME_SLACK_MS} are trusted by
   * their `mtime`).
   */
  beginRewrite(): number {
    const now = Date.now();
    if (this.#writer !== undefined) return this.#writer.startedAt;
    try {
      this.#writer = new CacheWriter(this.path, this.#header(now), now);
      for (const [id, entry] of this.#verified()) this.#writer.add(id, entry);
    } catch {
      // a cache directory that cannot be written: save() tries again, and gives up quietly
      this.#stopWriting();
    }
    return now;
  }

  #stopWriting(): void {
    this.#writer?.abandon();
    this.#writer = undefined;
  }

  #header(time: number): string {
    const fields = [FORMAT, this.#key.reducers, String(this.#key.integrity), String(time)];
    return `${fields.join('\t')}\t${lineCheck(fields)}`;
  }

  /**
   * Writes what changed. A few changed entries that each carry their record digest are appended
   * (a later run checks such entries by listing their items once, so the header's time need not
   * move); anything else rewrites the file atomically (a temporary file renamed into place).
   */
  save(): void {
    if (this.#writer !== undefined) {
      const writer = this.#writer;
      this.#writer = undefined;
      try {
        writer.finish();
        this.#changed.clear();
        this.#rewrite = false;
        return;
      } catch {
        writer.abandon();
        this.#rewrite = true;
      }
    }
    if (!this.#rewrite && this.#changed.size === 0) return;
    const appendable =
      !this.#rewrite &&
      this.#changed.size <= APPEND_LIMIT &&
      [...this.#changed].every((id) => (this.#entries.get(id)?.records ?? '') !== '');
    if (appendable) {
      const lines: string[] = [];
      for (const id of this.#changed) {
        const line = cacheLine(id, this.#entries.get(id)!);
        if (line !== undefined) lines.push(line, '\n');
      }
      try {
        appendRegularFile(this.path, lines.join(''));
        this.#changed.clear();
        return;
      } catch {
        // fall through to a whole rewrite
      }
    }
    let writer: CacheWriter | undefined;
    try {
      const now = Date.now();
      writer = new CacheWriter(this.path, this.#header(now), now);
      for (const [id, entry] of this.#verified()) writer.add(id, entry);
      writer.finish();
      this.#changed.clear();
      this.#rewrite = false;
    } catch {
      // The cache is an optimisation: a read-only or full disk must not fail the command.
      writer?.abandon();
    }
  }
}
