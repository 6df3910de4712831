/**
 * A listing of every record below `records/` at a revision, from one `git ls-tree -r` (streamed):
 * each record's files with their modes and blob ids. Reading many items then needs no tree
 * object per record, only their blobs.
 * @module
 */
import { isBase32, splitPath } from '../store/mod.ts';
import type { TreeFile } from './objects.ts';
import type { GitRepository } from './repository.ts';
import { spawnGit } from './run.ts';

/** Records of `records/` as a listing found them, by hash. */
export interface RecordsIndex {
  get(hash: string): ListedRecord | undefined;
}

/** A record as a listing found it. */
export interface ListedRecord {
  files: readonly TreeFile[];
  /** Its files as {@link packFiles} writes them: what names its content. */
  packed: string;
}

/**
 * A record's files as one string, `mode SP oid SP path` lines sorted: the same for the same
 * content however it was listed, so that it can name the record in cache keys.
 */
export function packFiles(files: readonly TreeFile[]): string {
  const lines = files.map((file) => `${file.mode.toString(8)} ${file.oid} ${file.path}`);
  return lines.sort().join('\0');
}

/** The records of one `records/` tree, by hash. */
export class RecordsListing implements RecordsIndex {
  readonly #records = new Map<string, string>();
  /** Record leaves that are text links (blob ids by hash): followed when asked for. */
  readonly links = new Map<string, string>();

  /** How many records the listing holds. */
  get size(): number {
    return this.#records.size;
  }

  /** The hashes listed, in no particular order. */
  hashes(): IterableIterator<string> {
    return this.#records.keys();
  }

  /** Adds a record. */
  add(hash: string, files: readonly TreeFile[]): void {
    this.#records.set(hash, packFiles(files));
  }

  /** The record `hash`: its files. */
  get(hash: string): ListedRecord | undefined {
    const packed = this.#records.get(hash);
    if (packed === undefined) return undefined;
    const files: TreeFile[] = [];
    for (const line of packed.split('\0')) {
      const a = line.indexOf(' ');
      const b = line.indexOf(' ', a + 1);
      files.push({ mode: Number.parseInt(line.slice(0, a), 8), oid: line.slice(a + 1, b), path: line.slice(b + 1) });
    }
    return { files, packed };
  }
}

/**
 * Lists every record below the tree `records` (record directories at `depth`). Resolves to
 * undefined when git cannot list it (a tree missing from a damaged clone): callers then walk to
 * each record instead.
 */
export function listRecords(git: GitRepository, records: string, depth: number): Promise<RecordsListing | undefined> {
  const listing = new RecordsListing();
  return new Promise((resolve) => {
    const child = spawnGit(['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', records], git.gitOptions());
    let rest = '';
    /** The record being collected (its hash and directory), and whether to keep it. */
    let current: { hash: string; prefix: string; keep: boolean } | undefined;
    let files: TreeFile[] = [];
    const flush = (): void => {
      if (current?.keep === true && files.length > 0) listing.add(current.hash, files);
      current = undefined;
      files = [];
    };
    // A record's files are `<split path of its hash>/<file>`: the split path has a fixed length.
    const prefixLength = (depth - 1) * 3 + 2 * depth;
    const line = (text: string): void => {
      // `<mode> SP <type> SP <oid> TAB <path>`
      const tab = text.indexOf('\t');
      if (tab < 0) return;
      const path = text.slice(tab + 1);
      if (path.length <= prefixLength + 1 || path.charCodeAt(prefixLength) !== 0x2f) {
        strange(text.slice(0, tab), path);
        return;
      }
      const prefix = path.slice(0, prefixLength);
      if (prefix !== current?.prefix) {
        flush();
        const hash = prefix.slice(prefixLength - 2 * depth);
        // Only records where `sit` puts them: `records/<split path of the hash>`.
        current = { hash, prefix, keep: isBase32(hash) && prefix === splitPath(hash) };
      }
      const oid = text.slice(text.lastIndexOf(' ', tab) + 1, tab);
      files.push({
        path: path.slice(prefixLength + 1),
        mode: Number.parseInt(text.slice(0, text.indexOf(' ')), 8),
        oid,
      });
    };
    /** A line that is not a file of a record: a record leaf that is a text link, or something stray. */
    const strange = (meta: string, path: string): void => {
      const parts = path.split('/');
      if (parts.length !== depth) return;
      const hash = parts[depth - 1]!;
      if (isBase32(hash) && path === splitPath(hash)) listing.links.set(hash, meta.slice(meta.lastIndexOf(' ') + 1));
    };
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\0');
      rest = lines.pop()!;
      for (const text of lines) line(text);
    });
    child.stderr.resume();
    child.stdin.end();
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      if (rest !== '') line(rest);
      flush();
      resolve(code === 0 ? listing : undefined);
    });
  });
}
