/**
 * Finding records on disk: the walk of `records/` (without following links between levels, and
 * without listing directories whose link count shows nothing unexpected below them), the record
 * links of an item's directory, and reading what either found.
 * @module
 */
import { join, sep } from 'node:path';
import { listDir, lstatOrUndefined, TEMPORARY_PREFIX } from './fs_util.ts';
import { digestSize, isBase32 } from './hash.ts';
import type { HashingAlgorithm } from './hash.ts';
import { tryReadRecord } from './record.ts';
import type { StoredRecord } from './record.ts';
import { resolveDirectory } from './resolve.ts';

/** A record entry found by listing: its name and the directory holding it. */
export interface RecordEntry {
  hash: string;
  dir: string;
  /**
   * True when `dir` was reached by walking real directories from a real `records/` directory,
   * without following any link, so it certainly lies inside the repository.
   */
  direct?: boolean;
  /**
   * Why the entry must not be read, e.g. a symbolic link on its path whose target leaves
   * `records/`: such a record counts as damaged, and nothing is read from `dir`.
   */
  problem?: string;
}

/**
 * An entry of an item's directory that names a record: a link file (`file`), a legacy record
 * directory (`directory`) or a symbolic link (`symlink`).
 */
export interface ItemRecordLink {
  hash: string;
  path: string;
  kind: 'file' | 'directory' | 'symlink';
}

/** Orders record entries by hash, then by directory. */
export function compareEntries(a: RecordEntry, b: RecordEntry): number {
  if (a.hash !== b.hash) return a.hash < b.hash ? -1 : 1;
  return a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0;
}

/** The depth of record leaves below `records/` for records hashed with `algorithm`. */
export function recordDepth(algorithm: HashingAlgorithm): number {
  const encodedLength = 8 * Math.ceil(digestSize(algorithm) / 5);
  return Math.ceil(encodedLength / 2);
}

/** Options of {@link walkRecords}. */
export interface WalkOptions {
  /** The repository root: leaves that are text links resolve only inside it. */
  root: string;
  /** The depth of record leaves ({@link recordDepth}). */
  depth: number;
  /** Whether `records` is a real directory, so that directories reached without links are `direct`. */
  direct: boolean;
  /** Only below these top-level directories of `records` (other names are skipped). */
  top?: readonly string[] | undefined;
  /** Hashes expected below `records` (e.g. those items link to): they make the walk cheaper. */
  expected?: Iterable<string> | undefined;
}

/**
 * Every record entry below the directory `records` (walked without following links; leaves are
 * resolved), sorted by hash. `expected` changes nothing but the cost: a directory is not listed
 * when its link count shows that its only subdirectories are those on the paths of expected
 * hashes (see the README).
 */
export function walkRecords(records: string, options: WalkOptions): RecordEntry[] {
  const { root, depth, direct } = options;
  const entries: RecordEntry[] = [];
  /** Lists `dir`, whose entries are at `level` (leaves at `depth`). */
  const walk = (dir: string, level: number): void => {
    for (const entry of listDir(dir)) {
      const path = `${dir}${sep}${entry.name}`;
      if (level < depth) {
        if (entry.isDirectory()) walk(path, level + 1);
      } else if (isBase32(entry.name)) {
        if (entry.isDirectory()) {
          entries.push({ hash: entry.name, dir: path, direct });
        } else {
          const target = resolveDirectory(path, root);
          if (target !== undefined) entries.push({ hash: entry.name, dir: target });
        }
      }
    }
  };
  /**
   * Like `walk` for the real directory `dir` with link count `links`, knowing the hashes
   * expected below it: `expected[start..end)`, sorted. A directory's link count is 2 plus its
   * number of subdirectories (file systems that do not count them give 1): when the expected
   * subdirectories that exist account for all of them, there is nothing else to find and
   * `dir` is not listed. Leaf directories are always listed (leaves may be files), and so is
   * anything unexpected.
   */
  const walkExpected = (
    dir: string,
    level: number,
    links: number,
    expected: string[],
    start: number,
    end: number,
  ): void => {
    if (level >= depth || start >= end || links < 2) {
      walk(dir, level);
      return;
    }
    const children: Array<{ name: string; links: number; start: number; end: number }> = [];
    for (let i = start; i < end; ) {
      const name = expected[i]!.slice(2 * level - 2, 2 * level);
      let j = i + 1;
      while (j < end && expected[j]!.startsWith(name, 2 * level - 2)) j++;
      const stats = lstatOrUndefined(`${dir}${sep}${name}`);
      if (stats?.isDirectory()) children.push({ name, links: stats.nlink, start: i, end: j });
      i = j;
    }
    if (links === 2 + children.length) {
      for (const c of children) walkExpected(`${dir}${sep}${c.name}`, level + 1, c.links, expected, c.start, c.end);
      return;
    }
    for (const entry of listDir(dir)) {
      if (!entry.isDirectory()) continue;
      const c = children.find((child) => child.name === entry.name);
      if (c === undefined) walk(`${dir}${sep}${entry.name}`, level + 1);
      else walkExpected(`${dir}${sep}${c.name}`, level + 1, c.links, expected, c.start, c.end);
    }
  };
  const encodedLength = 2 * depth;
  const expected = [...new Set(options.expected ?? [])]
    .filter((hash) => hash.length === encodedLength && isBase32(hash))
    .sort();
  /** The range of `expected` starting with `prefix`. */
  const below = (prefix: string): [number, number] => {
    let from = 0;
    while (from < expected.length && expected[from]! < prefix) from++;
    let to = from;
    while (to < expected.length && expected[to]!.startsWith(prefix)) to++;
    return [from, to];
  };
  if (options.top === undefined) {
    const stats = lstatOrUndefined(records);
    walkExpected(records, 1, stats?.isDirectory() ? stats.nlink : 0, expected, 0, expected.length);
  } else {
    for (const name of options.top) {
      if (depth < 2 || name === '' || name === '.' || name === '..' || /[/\\]/.test(name)) continue;
      const stats = lstatOrUndefined(join(records, name));
      if (stats?.isDirectory()) walkExpected(join(records, name), 2, stats.nlink, expected, ...below(name));
    }
  }
  return entries.sort(compareEntries);
}

/**
 * The record links in the item directory `dir` as listed, sorted by hash, not yet followed. With
 * `temporaries`, the paths of `.tmp-*` entries of the directory are added to it.
 */
export function listRecordLinks(dir: string, options: { temporaries?: string[] } = {}): ItemRecordLink[] {
  const links: ItemRecordLink[] = [];
  for (const entry of listDir(dir)) {
    const hash = entry.name;
    if (!isBase32(hash)) {
      if (options.temporaries !== undefined && hash.startsWith(TEMPORARY_PREFIX))
        options.temporaries.push(join(dir, hash));
      continue;
    }
    const path = join(dir, hash);
    if (entry.isFile()) links.push({ hash, path, kind: 'file' });
    else if (entry.isDirectory()) links.push({ hash, path, kind: 'directory' });
    else if (entry.isSymbolicLink()) links.push({ hash, path, kind: 'symlink' });
  }
  return links.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
}

/** Reads the record of `entry`, or a record with no files and the entry's problem when it must not be read. */
export function readRecordEntry(entry: RecordEntry, options: { full?: boolean }): StoredRecord | undefined {
  if (entry.problem !== undefined) return { hash: entry.hash, files: [], problems: [`.: ${entry.problem}`] };
  return tryReadRecord(entry.dir, entry.hash, options);
}
