/**
 * A listing of every record below `records/` at a revision, from one `git ls-tree -r` (streamed):
 * each record's files with their blob ids, and the id of the record's directory computed from
 * them. Reading many items then needs no tree object per record, only their blobs.
 * @module
 */
import { isBase32, splitPath } from '../store/mod.ts';
import { treeOid, type ObjectFormat, type TreeFile } from './objects.ts';
import type { GitRepository } from './repository.ts';
import { spawnGit } from './run.ts';

/** Records of `records/` as a listing found them, by hash. */
export interface RecordsIndex {
  get(hash: string): { tree: string; files: readonly TreeFile[] } | undefined;
}

/** One record of the listing: its directory's tree id and its files, packed into one string. */
interface Packed {
  tree: string;
  /** `mode SP oid SP path NUL` for each file. */
  files: string;
}

/** The records of one `records/` tree, by hash. */
export class RecordsListing implements RecordsIndex {
  readonly #records = new Map<string, Packed>();
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
  add(hash: string, tree: string, files: readonly TreeFile[]): void {
    let packed = '';
    for (const file of files) packed += `${file.mode.toString(8)} ${file.oid} ${file.path}\0`;
    this.#records.set(hash, { tree, files: packed });
  }

  /** The record `hash`: its tree id and files. */
  get(hash: string): { tree: string; files: readonly TreeFile[] } | undefined {
    const packed = this.#records.get(hash);
    if (packed === undefined) return undefined;
    const files: TreeFile[] = [];
    for (const line of packed.files.split('\0')) {
      if (line === '') continue;
      const a = line.indexOf(' ');
      const b = line.indexOf(' ', a + 1);
      files.push({ mode: Number.parseInt(line.slice(0, a), 8), oid: line.slice(a + 1, b), path: line.slice(b + 1) });
    }
    return { tree: packed.tree, files };
  }
}

/**
 * Lists every record below the tree `records` (record directories at `depth`). Resolves to
 * undefined when git cannot list it (a tree missing from a damaged clone): callers then walk to
 * each record instead.
 */
export function listRecords(git: GitRepository, records: string, depth: number): Promise<RecordsListing | undefined> {
  const format: ObjectFormat = git.format;
  const listing = new RecordsListing();
  return new Promise((resolve) => {
    const child = spawnGit(['ls-tree', '-r', '-z', '--full-tree', '--end-of-options', records], git.gitOptions());
    let rest = '';
    /** The record being collected (its hash and directory), and whether to keep it. */
    let current: { hash: string; prefix: string; keep: boolean } | undefined;
    let files: TreeFile[] = [];
    const flush = (): void => {
      if (current?.keep === true && files.length > 0) listing.add(current.hash, treeOid(files, format), files);
      current = undefined;
      files = [];
    };
    const line = (text: string): void => {
      // `<mode> SP <type> SP <oid> TAB <path>`
      const tab = text.indexOf('\t');
      if (tab < 0) return;
      const [mode, , oid] = text.slice(0, tab).split(' ');
      const parts = text.slice(tab + 1).split('/');
      if (parts.length < depth) return;
      if (parts.length === depth) {
        // A record leaf that is a text link to the record's directory.
        const hash = parts[depth - 1]!;
        if (isBase32(hash) && parts.join('/') === splitPath(hash)) listing.links.set(hash, oid!);
        return;
      }
      const prefix = parts.slice(0, depth).join('/');
      if (prefix !== current?.prefix) {
        flush();
        const hash = parts[depth - 1]!;
        // Only records where `sit` puts them: `records/<split path of the hash>`.
        current = { hash, prefix, keep: isBase32(hash) && prefix === splitPath(hash) };
      }
      files.push({ path: parts.slice(depth).join('/'), mode: Number.parseInt(mode!, 8), oid: oid! });
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
