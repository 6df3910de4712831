/** Reading one record directory, and checking that it is intact. */
import { closeSync, constants, openSync, readdirSync, readSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { compareUtf8, recordHash, recordHashOf } from './hash.ts';
import type { HashingAlgorithm, RecordFile, RecordFileReader } from './hash.ts';

/** A record as read from storage. */
export interface StoredRecord {
  /** The encoded hash, i.e. the record's name. */
  hash: string;
  /** Every regular file, dot-files included, sorted by name (UTF-8 bytes), `/`-separated names. */
  files: RecordFile[];
  /**
   * Entries that were not read: symbolic links, devices, FIFOs, sockets, unreadable files or
   * directories, each as `<name>: <reason>`. A record with problems is never intact.
   */
  problems: string[];
  /**
   * The record's directory, when files under `.type/` and `.prev/` were given zero-length content
   * without being opened: if the record does not hash to its name, it is read again whole
   * ({@linkcode readMarkersToo}) before it counts as damaged.
   */
  markersUnread?: string;
}

const EMPTY = new Uint8Array(0);

/** Names of top-level directories whose files are empty by convention and are not opened. */
const MARKER_DIRS = new Set(['.type', '.prev']);

function kindOf(entry: Dirent): string {
  if (entry.isSymbolicLink()) return 'symbolic link not followed';
  if (entry.isFIFO()) return 'FIFO not read';
  if (entry.isSocket()) return 'socket not read';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'device not read';
  return 'unknown file type';
}

function errorText(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

function walk(dir: string, prefix: string, full: boolean, files: RecordFile[], problems: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(`${prefix === '' ? '.' : prefix.slice(0, -1)}: cannot list (${errorText(error)})`);
    return;
  }
  walkEntries(dir, prefix, entries, full, files, problems);
}

function walkEntries(
  dir: string,
  prefix: string,
  entries: Dirent[],
  full: boolean,
  files: RecordFile[],
  problems: string[],
): void {
  for (const entry of entries) {
    const name = prefix + entry.name;
    const path = dir + '/' + entry.name;
    if (entry.isDirectory()) {
      if (!full && prefix === '' && MARKER_DIRS.has(entry.name)) {
        walkMarkers(path, name + '/', files, problems);
      } else {
        walk(path, name + '/', full, files, problems);
      }
    } else if (entry.isFile()) {
      try {
        files.push({ name, data: readWhole(path) });
      } catch (error) {
        problems.push(`${name}: cannot read (${errorText(error)})`);
      }
    } else {
      problems.push(`${name}: ${kindOf(entry)}`);
    }
  }
}

/** Opening flags for record files: never through a symbolic link, never waiting on a FIFO. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The read buffer of {@link readWhole}: most record files fit in it whole. */
const scratch = new Uint8Array(64 * 1024);

/**
 * The content of the regular file at `path` (not through a symbolic link), read without asking
 * its size first: a read that does not fill the buffer has reached the end of the file.
 */
export function readWhole(path: string): Uint8Array;
export function readWhole(path: string, limit: number): Uint8Array | undefined;
export function readWhole(path: string, limit = Infinity): Uint8Array | undefined {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    let length = readSync(fd, scratch, 0, scratch.length, null);
    if (length < scratch.length) return scratch.slice(0, length);
    const chunks = [scratch.slice()];
    for (;;) {
      if (length > limit) return undefined;
      const chunk = new Uint8Array(Math.max(scratch.length, length));
      const count = readSync(fd, chunk, 0, chunk.length, null);
      if (count === 0) break;
      chunks.push(chunk.subarray(0, count));
      length += count;
    }
    const joined = Buffer.concat(chunks, length);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  } finally {
    closeSync(fd);
  }
}

/** Lists `.type/` or `.prev/` without opening its (empty by convention) files. */
function walkMarkers(dir: string, prefix: string, files: RecordFile[], problems: string[]): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(`${prefix.slice(0, -1)}: cannot list (${errorText(error)})`);
    return;
  }
  for (const entry of entries) {
    const name = prefix + entry.name;
    if (entry.isFile()) files.push({ name, data: EMPTY });
    else if (entry.isDirectory()) walk(dir + '/' + entry.name, name + '/', true, files, problems);
    else problems.push(`${name}: ${kindOf(entry)}`);
  }
}

/**
 * Reads the record stored in directory `dir` under the name `hash`. Files under `.type/` and
 * `.prev/` are listed but not opened (they are empty by convention) unless `full` is set; the
 * strict integrity check reads them too. Symbolic links and special files are never followed.
 */
export function readRecord(dir: string, hash: string, options: { full?: boolean } = {}): StoredRecord {
  const files: RecordFile[] = [];
  const problems: string[] = [];
  const full = options.full ?? false;
  walk(dir, '', full, files, problems);
  return finish(hash, files, problems, full ? undefined : dir);
}

/**
 * Like {@link readRecord}, but returns undefined when `dir` does not exist or is not a directory
 * (a link to a record that has not arrived yet), so that callers list each directory only once.
 */
export function tryReadRecord(dir: string, hash: string, options: { full?: boolean } = {}): StoredRecord | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return { hash, files: [], problems: [`.: cannot list (${errorText(error)})`] };
  }
  const files: RecordFile[] = [];
  const problems: string[] = [];
  const full = options.full ?? false;
  walkEntries(dir, '', entries, full, files, problems);
  return finish(hash, files, problems, full ? undefined : dir);
}

/** `dir` is given when marker files may have been left unopened (see `StoredRecord.markersUnread`). */
function finish(hash: string, files: RecordFile[], problems: string[], dir: string | undefined): StoredRecord {
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (files.some((f) => /[^\x00-\x7f]/.test(f.name))) {
    files.sort((a, b) => compareUtf8(a.name, b.name));
  }
  if (dir !== undefined && hasMarker(files)) return { hash, files, problems, markersUnread: dir };
  return { hash, files, problems };
}

function hasMarker(files: RecordFile[]): boolean {
  for (let i = 0; i < files.length; i++) {
    const name = files[i]!.name;
    if (name.startsWith('.type/') || name.startsWith('.prev/')) return true;
  }
  return false;
}

/**
 * The record whose `.type/` and `.prev/` files were not opened, read again with them, when they
 * might be why it does not hash to its name (they are empty by convention, not by rule); else the
 * record itself. Undefined when its directory is gone.
 */
function readMarkersToo(record: StoredRecord): StoredRecord | undefined {
  if (record.markersUnread === undefined) return record;
  return tryReadRecord(record.markersUnread, record.hash, { full: true });
}

/**
 * Whether the record's files hash to its name (and nothing in it was left unread). For a record
 * read without its marker files, that is with zero-length markers: see {@linkcode readMarkersToo}.
 */
export function isIntact(record: StoredRecord, algorithm?: HashingAlgorithm): boolean {
  if (record.problems.length > 0) return false;
  return recordHash(record.files, algorithm === undefined ? {} : { algorithm }) === record.hash;
}

/**
 * The record as it hashes to its name, or undefined when it does not (damaged): checked with
 * zero-length markers first, then, for a record read without them, again with its `.type/` and
 * `.prev/` files read (markers are empty by convention only).
 */
export function intactRecord(record: StoredRecord, algorithm: HashingAlgorithm): StoredRecord | undefined {
  if (isIntact(record, algorithm)) return record;
  if (record.problems.length > 0 || record.markersUnread === undefined) return undefined;
  const whole = readMarkersToo(record);
  return whole !== undefined && isIntact(whole, algorithm) ? whole : undefined;
}

/** Records whose files add up to more than this are checked by streaming them through the hash. */
const WHOLE_RECORD_LIMIT = 8 * 1024 * 1024;

/**
 * Whether the record stored in `dir` under the name `hash` is intact, read strictly: the same as
 * `isIntact(tryReadRecord(dir, hash, { full: true }))`. Files are read whole and hashed in one
 * update, except in records larger than 8 MiB, whose files go through the hash's buffer without
 * being kept. Undefined when `dir` does not exist or is not a directory.
 */
export function checkStoredRecord(dir: string, hash: string, algorithm?: HashingAlgorithm): boolean | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : false;
  }
  const files: Array<{ name: string; path: string }> = [];
  if (!listFiles(dir, '', entries, files)) return false;
  const options = algorithm === undefined ? {} : { algorithm };
  const whole: RecordFile[] = [];
  let total = 0;
  try {
    for (const { name, path } of files) {
      const data = readWhole(path, WHOLE_RECORD_LIMIT - total);
      if (data === undefined) break;
      total += data.length;
      whole.push({ name, data });
    }
  } catch {
    return false;
  }
  if (whole.length === files.length) return recordHash(whole, options) === hash;
  let fd: number | undefined;
  const readers = files.map(
    ({ name, path }): RecordFileReader => ({
      name,
      read(buffer, offset, length) {
        fd ??= openSync(path, OPEN_FLAGS);
        const count = readSync(fd, buffer, offset, length, null);
        if (count === 0) {
          closeSync(fd);
          fd = undefined;
        }
        return count;
      },
    }),
  );
  try {
    return recordHashOf(readers, options) === hash;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Adds every regular file below `dir` to `files`; false when anything else is there or cannot be listed. */
function listFiles(
  dir: string,
  prefix: string,
  entries: Dirent[],
  files: Array<{ name: string; path: string }>,
): boolean {
  for (const entry of entries) {
    const path = dir + '/' + entry.name;
    if (entry.isFile()) {
      files.push({ name: prefix + entry.name, path });
    } else if (entry.isDirectory()) {
      let inner: Dirent[];
      try {
        inner = readdirSync(path, { withFileTypes: true });
      } catch {
        return false;
      }
      if (!listFiles(path, prefix + entry.name + '/', inner, files)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** The parent hashes a record names (`.prev/<HASH>` files), in name order. */
export function recordParents(record: { files: RecordFile[] }): string[] {
  const parents: string[] = [];
  for (const file of record.files) {
    if (file.name.startsWith('.prev/') && file.name.indexOf('/', 6) < 0) parents.push(file.name.slice(6));
  }
  return parents;
}

/** The trimmed text of the record's `.timestamp` file, if it has one. */
export function recordTimestamp(record: { files: RecordFile[] }): string | undefined {
  const file = record.files.find((f) => f.name === '.timestamp');
  return file === undefined ? undefined : Buffer.from(file.data).toString('utf8').trim();
}
