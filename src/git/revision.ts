/**
 * The SIT repository as committed at one revision, read from git's objects without a checkout:
 * its configuration, its items (in `items/`, and in `issues/` before 0.3), and their records,
 * whether they are record directories inside `items/<ID>/` (0.3–0.4) or flat `records/` reached
 * through item link files (text links inside the tree are followed, never out of the SIT
 * directory). Records are read with the same integrity rules as on disk: an entry that is not a
 * plain file (a symbolic link, an executable, a submodule, an odd mode or name) or a blob missing
 * from the clone makes its record not intact.
 * @module
 */
import { createHash } from 'node:crypto';
import {
  compareUtf8,
  digestSize,
  InvalidConfigError,
  isBase32,
  isValidItemId,
  itemLinkText,
  parseConfig,
  splitPath,
  sortUtf8,
  type HashingAlgorithm,
  type RecordFile,
  type RepositoryConfig,
  type StoredRecord,
} from '../store/mod.ts';
import { GitError } from './errors.ts';
import {
  blobOid,
  MODE_EXECUTABLE,
  MODE_FILE,
  MODE_GITLINK,
  MODE_SYMLINK,
  MODE_TREE,
  rawName,
  utf8Name,
  type TreeEntry,
  type TreeFile,
} from './objects.ts';
import { listRecords, packFiles, type ListedRecord, type RecordsIndex, type RecordsListing } from './listing.ts';
import type { GitRepository } from './repository.ts';

/** Text links followed in a row at most. */
const MAX_LINK_HOPS = 16;

/** Where a path inside the SIT directory leads. */
type Located = { entry: TreeEntry; path: string[] } | { absent: true } | { problem: string; missing?: boolean };

/** Where one record link of an item leads. */
export interface RecordPlace {
  /** The record's name (the link's name). */
  hash: string;
  /** The record directory's tree id, when it is there. */
  tree?: string;
  /** The record's files when a listing of `records/` gave them (else the tree is read). */
  files?: readonly TreeFile[];
  /** Those files packed (`packFiles`), naming the record's content in cache keys. */
  packed?: string;
  /** Why the record cannot be read (a symbolic link, a link leaving the repository, …). */
  problem?: string;
  /** An object on the way is missing from this clone. */
  missing?: boolean;
}

/** An item's entries at a revision. */
export interface ItemListing {
  id: string;
  /** The tree ids of its directories (`items/<ID>`, `issues/<ID>`). */
  trees: string[];
  /** Its record links, sorted by hash, one per hash. */
  places: RecordPlace[];
  /** Some object needed to list it is missing from this clone. */
  missing: boolean;
}

/** An item's records as read at a revision. */
export interface ItemRead {
  listing: ItemListing;
  /** Every record found, read once, in no particular order (intact or not). */
  records: StoredRecord[];
  /** Hashes of links whose record is not in this revision. */
  absent: string[];
  /** Some object was missing from the clone: the records that needed it are not intact. */
  missing: boolean;
}

/** An item directory entry: where it is and its tree entry. */
interface ItemDir {
  base: string[];
  entry: TreeEntry;
}

/** Normalises `..` and `.` in a path; undefined when it would leave the root. */
function normalize(parts: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out;
}

/** Why a tree entry inside a record is not read, or undefined for a plain file or directory. */
function entryProblem(entry: TreeEntry): string | undefined {
  if (entry.name === '' || entry.name === '.' || entry.name === '..' || /[/\0]/.test(entry.name)) return 'invalid name';
  if (entry.mode === MODE_FILE || entry.mode === MODE_TREE) return undefined;
  if (entry.mode === MODE_EXECUTABLE) return 'executable bit set';
  if (entry.mode === MODE_SYMLINK) return 'symbolic link not followed';
  if (entry.mode === MODE_GITLINK) return 'submodule not read';
  return `unusual mode ${entry.mode.toString(8)}`;
}

/** The SIT repository at one commit. */
export class Revision {
  /** The git repository. */
  readonly git: GitRepository;
  /** The commit. */
  readonly commit: string;
  /** The revision as the user named it. */
  readonly name: string;
  /** The SIT directory's tree, when the commit has one. */
  readonly sitTree: string | undefined;
  /** The parsed `config.json`, when the commit has a SIT repository. */
  readonly config: RepositoryConfig | undefined;
  #items: Map<string, ItemDir[]> | undefined;
  #recordsTree: Promise<Located> | undefined;
  readonly #walks = new Map<string, Promise<{ files: TreeFile[]; missing: string[] }>>();

  private constructor(
    git: GitRepository,
    name: string,
    commit: string,
    sitTree: string | undefined,
    config: RepositoryConfig | undefined,
  ) {
    this.git = git;
    this.name = name;
    this.commit = commit;
    this.sitTree = sitTree;
    this.config = config;
  }

  /**
   * The SIT repository at `commit` (named `name` in messages). A commit without one (no SIT
   * directory there, or no readable `config.json`) gives a revision that does not `exist`.
   */
  static async open(git: GitRepository, commit: string, name: string = commit): Promise<Revision> {
    let tree: string | undefined = await git.commitTree(commit);
    for (const part of git.sitPath === '' ? [] : git.sitPath.split('/')) {
      const entry = await git.treeEntry(tree, part);
      if (entry === 'missing') throw new GitError(`tree ${tree} of ${name} is missing from this clone`);
      tree = entry?.mode === MODE_TREE ? entry.oid : undefined;
      if (tree === undefined) break;
    }
    let config: RepositoryConfig | undefined;
    let problem: string | undefined;
    if (tree !== undefined) {
      const entry = await git.treeEntry(tree, 'config.json');
      const text = typeof entry === 'object' && entry.mode === MODE_FILE ? await git.readBlob(entry.oid) : undefined;
      try {
        if (text !== undefined)
          config = parseConfig(text.toString('utf8'), `${git.sitPath || '.'}/config.json at ${name}`);
      } catch (error) {
        if (!(error instanceof InvalidConfigError)) throw error;
        problem = error.message;
      }
    }
    const revision = new Revision(git, name, commit, config === undefined ? undefined : tree, config);
    revision.configProblem = problem;
    return revision;
  }

  /** Why the commit's `config.json` could not be read, when it is there but invalid. */
  configProblem: string | undefined;

  /** Whether the commit has a SIT repository. */
  get exists(): boolean {
    return this.sitTree !== undefined;
  }

  /** The hashing algorithm of the records (the commit's `config.json`). */
  get hashingAlgorithm(): HashingAlgorithm {
    return this.config?.hashingAlgorithm ?? { blake2b: { size: 20 } };
  }

  /** How deep record directories lie below `records/` (16 for 20-byte hashes). */
  get recordDepth(): number {
    return Math.ceil((8 * Math.ceil(digestSize(this.hashingAlgorithm) / 5)) / 2);
  }

  // ---- paths inside the SIT directory ------------------------------------------------------

  /** Follows `path` (raw components) from the SIT directory, through text links. */
  async #locate(path: readonly string[], hops = 0): Promise<Located> {
    if (this.sitTree === undefined) return { absent: true };
    let entry: TreeEntry = { mode: MODE_TREE, name: '', oid: this.sitTree };
    for (let i = 0; i < path.length; i++) {
      if (entry.mode === MODE_FILE && i > 0) {
        // A text link standing for a directory: continue below its target.
        const target = await this.#linkTarget(path.slice(0, i - 1), entry.oid, hops);
        if (!('path' in target)) return target;
        return this.#locate([...target.path, ...path.slice(i)], hops + 1);
      }
      if (entry.mode !== MODE_TREE)
        return { problem: `${path.slice(0, i).map(utf8Name).join('/')} is not a directory` };
      const next = await this.git.treeEntry(entry.oid, path[i]!);
      if (next === 'missing') return { problem: `tree ${entry.oid} is missing from this clone`, missing: true };
      if (next === undefined) return { absent: true };
      entry = next;
    }
    return { entry, path: [...path] };
  }

  /**
   * The entry at `path` (raw components below the SIT directory) walking real directories only
   * (no text links): undefined when there is none; `missing` when a tree is missing from the clone.
   */
  async entryAt(path: readonly string[]): Promise<TreeEntry | 'missing' | undefined> {
    if (this.sitTree === undefined) return undefined;
    let entry: TreeEntry = { mode: MODE_TREE, name: '', oid: this.sitTree };
    for (const part of path) {
      if (entry.mode !== MODE_TREE) return undefined;
      const next = await this.git.treeEntry(entry.oid, part);
      if (next === 'missing' || next === undefined) return next;
      entry = next;
    }
    return entry;
  }

  /** Like {@link Revision.#locate}, then follows a final text link: the result is a directory. */
  async #locateDir(path: readonly string[], hops = 0): Promise<Located> {
    const found = await this.#locate(path, hops);
    if (!('entry' in found)) return found;
    if (found.entry.mode === MODE_TREE) return found;
    if (found.entry.mode !== MODE_FILE) return { problem: entryProblem(found.entry) ?? 'not a directory' };
    if (hops >= MAX_LINK_HOPS) return { problem: 'too many text links in a row' };
    const target = await this.#linkTarget(found.path.slice(0, -1), found.entry.oid, hops);
    if (!('path' in target)) return target;
    return this.#locateDir(target.path, hops + 1);
  }

  /** The path a text link (blob `oid` in directory `parent`) names, confined to the SIT directory. */
  async #linkTarget(
    parent: readonly string[],
    oid: string,
    hops: number,
  ): Promise<{ path: string[] } | { problem: string; missing?: boolean }> {
    if (hops >= MAX_LINK_HOPS) return { problem: 'too many text links in a row' };
    const data = await this.git.readBlob(oid);
    if (data === undefined) return { problem: `blob ${oid} is missing from this clone`, missing: true };
    const text = data.toString('utf8').trim().replaceAll('\\', '/');
    if (text === '' || text.startsWith('/') || /^[A-Za-z]:/.test(text) || text.includes('\0')) {
      return { problem: `link ${JSON.stringify(text.slice(0, 100))} does not name a place inside the repository` };
    }
    const path = normalize([...parent, ...text.split('/').map(rawName)]);
    if (path === undefined) return { problem: `link ${JSON.stringify(text.slice(0, 100))} leaves the repository` };
    return { path };
  }

  // ---- items --------------------------------------------------------------------------------

  /** Reads the item directories (`items/`, then `issues/`) once. */
  async #itemDirs(): Promise<Map<string, ItemDir[]>> {
    if (this.#items !== undefined) return this.#items;
    const items = new Map<string, ItemDir[]>();
    for (const folder of ['items', 'issues']) {
      const found = await this.#locateDir([folder]);
      if (!('entry' in found)) {
        if ('missing' in found && found.missing === true)
          throw new GitError(`the ${folder}/ tree of ${this.name} is missing from this clone`);
        continue;
      }
      const entries = (await this.git.readTree(found.entry.oid)) ?? [];
      for (const entry of entries) {
        const id = utf8Name(entry.name);
        if (!isValidItemId(id) || (entry.mode !== MODE_TREE && entry.mode !== MODE_FILE)) continue;
        const list = items.get(id);
        const dir = { base: [...found.path, entry.name], entry };
        if (list === undefined) items.set(id, [dir]);
        else list.push(dir);
      }
    }
    this.#items = items;
    return items;
  }

  /** The directories of item `id` alone, looked up without listing every item. */
  async #itemDirsOf(id: string): Promise<ItemDir[] | undefined> {
    if (!isValidItemId(id)) return undefined;
    const dirs: ItemDir[] = [];
    for (const folder of ['items', 'issues']) {
      const found = await this.#locateDir([folder]);
      if (!('entry' in found)) {
        if ('missing' in found && found.missing === true)
          throw new GitError(`the ${folder}/ tree of ${this.name} is missing from this clone`);
        continue;
      }
      const entry = await this.git.treeEntry(found.entry.oid, rawName(id));
      if (entry === 'missing') throw new GitError(`the ${folder}/ tree of ${this.name} is missing from this clone`);
      if (entry !== undefined && (entry.mode === MODE_TREE || entry.mode === MODE_FILE))
        dirs.push({ base: [...found.path, entry.name], entry });
    }
    return dirs.length === 0 ? undefined : dirs;
  }

  /** Item identifiers at this revision, sorted by UTF-8 bytes. */
  async listItems(): Promise<string[]> {
    return sortUtf8([...(await this.#itemDirs()).keys()]);
  }

  /** Whether item `id` exists at this revision. */
  async hasItem(id: string): Promise<boolean> {
    return this.#items !== undefined ? this.#items.has(id) : (await this.#itemDirsOf(id)) !== undefined;
  }

  /**
   * The entries of item `id`, or undefined when it does not exist here. With `index` (a listing
   * of `records/`), canonical links are looked up there rather than walked to.
   */
  async itemListing(id: string, index?: RecordsIndex): Promise<ItemListing | undefined> {
    const dirs = this.#items !== undefined ? this.#items.get(id) : await this.#itemDirsOf(id);
    if (dirs === undefined) return undefined;
    const listing: ItemListing = { id, trees: [], places: [], missing: false };
    const byHash = new Map<string, RecordPlace>();
    const waits: Array<Promise<void>> = [];
    for (const dir of dirs) {
      let tree = dir.entry.oid;
      let base = dir.base;
      if (dir.entry.mode === MODE_FILE) {
        const found = await this.#locateDir(dir.base);
        if (!('entry' in found)) {
          if ('missing' in found && found.missing === true) listing.missing = true;
          continue;
        }
        tree = found.entry.oid;
        base = found.path;
      }
      listing.trees.push(tree);
      const entries = await this.git.readTree(tree);
      if (entries === undefined) {
        listing.missing = true;
        continue;
      }
      for (const entry of entries) {
        const hash = entry.name;
        if (!isBase32(hash) || byHash.has(hash)) continue;
        const place: RecordPlace = { hash };
        byHash.set(hash, place);
        waits.push(this.#place(place, entry, base, index));
      }
    }
    await Promise.all(waits);
    listing.places = [...byHash.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    if (listing.places.some((p) => p.missing === true)) listing.missing = true;
    return listing;
  }

  /** Fills in where the item entry `entry` (in directory `base`) leads. */
  async #place(
    place: RecordPlace,
    entry: TreeEntry,
    base: readonly string[],
    index: RecordsIndex | undefined,
  ): Promise<void> {
    if (entry.mode === MODE_TREE) {
      place.tree = entry.oid;
      return;
    }
    const problem = entryProblem(entry);
    if (problem !== undefined) {
      place.problem = problem;
      return;
    }
    let path: string[];
    if (entry.oid === blobOid(itemLinkText(entry.name), this.git.format)) {
      path = ['records', ...splitPath(entry.name).split('/')];
    } else {
      const target = await this.#linkTarget(base, entry.oid, 0);
      if (!('path' in target)) {
        Object.assign(place, target);
        return;
      }
      path = target.path;
    }
    const indexed = this.#indexed(path, index);
    if (indexed !== undefined) {
      place.files = indexed.files;
      place.packed = indexed.packed;
      return;
    }
    const found = await this.#locateDir(path);
    if ('entry' in found) place.tree = found.entry.oid;
    else if ('problem' in found) Object.assign(place, found);
  }

  /** The listing's record at `path` when it is a canonical `records/<split path>`. */
  #indexed(path: readonly string[], index: RecordsIndex | undefined): ListedRecord | undefined {
    if (index === undefined || path.length !== this.recordDepth + 1 || path[0] !== 'records') return undefined;
    const hash = path[path.length - 1]!;
    return splitPath(hash) === path.slice(1).join('/') ? index.get(hash) : undefined;
  }

  /** The tree of `records/` (followed through text links), if there is one. */
  async recordsTree(): Promise<string | undefined> {
    this.#recordsTree ??= this.#locateDir(['records']);
    const found = await this.#recordsTree;
    return 'entry' in found ? found.entry.oid : undefined;
  }

  // ---- records ------------------------------------------------------------------------------

  /**
   * Every entry below record tree `tree` that is not a directory (a file, a symbolic link, a
   * submodule: whatever `git ls-tree -r` lists), read once per tree; `missing` names the trees
   * on the way that the clone does not have.
   */
  #walk(tree: string): Promise<{ files: TreeFile[]; missing: string[] }> {
    let found = this.#walks.get(tree);
    if (found === undefined) {
      if (this.#walks.size >= 20_000) this.#walks.clear();
      found = this.#walkBelow(tree, '', 0);
      this.#walks.set(tree, found);
    }
    return found;
  }

  async #walkBelow(tree: string, prefix: string, depth: number): Promise<{ files: TreeFile[]; missing: string[] }> {
    const entries = depth > 32 ? undefined : await this.git.readTree(tree);
    const where = prefix === '' ? '.' : utf8Name(prefix.slice(0, -1));
    if (entries === undefined)
      return {
        files: [],
        missing: [`${where}: tree ${tree} is ${depth > 32 ? 'nested too deep' : 'missing from this clone'}`],
      };
    const out = { files: [] as TreeFile[], missing: [] as string[] };
    const below = await Promise.all(
      entries.map((entry) =>
        entry.mode === MODE_TREE
          ? this.#walkBelow(entry.oid, `${prefix}${entry.name}/`, depth + 1)
          : { files: [{ path: prefix + entry.name, mode: entry.mode, oid: entry.oid }], missing: [] },
      ),
    );
    for (const part of below) {
      out.files.push(...part.files);
      out.missing.push(...part.missing);
    }
    return out;
  }

  /** What names the content of the record at `place` in cache keys; marks the place when objects are missing. */
  async #recordName(place: RecordPlace): Promise<string> {
    if (place.packed !== undefined) return place.packed;
    if (place.tree === undefined) return place.problem === undefined ? '-' : '!';
    const walked = await this.#walk(place.tree);
    if (walked.missing.length > 0) place.missing = true;
    return packFiles(walked.files);
  }

  /**
   * Reads the record at `place`: undefined when it is not in this revision; otherwise its files
   * (with problems for anything not read: symbolic links, executables, submodules, odd modes or
   * names, missing objects) and whether an object was missing from the clone.
   */
  async readRecord(place: RecordPlace): Promise<{ record: StoredRecord; missing: boolean } | undefined> {
    let entries = place.files;
    const problems: string[] = [];
    let missing = false;
    if (entries === undefined && place.tree !== undefined) {
      const walked = await this.#walk(place.tree);
      entries = walked.files;
      problems.push(...walked.missing);
      missing = walked.missing.length > 0;
    }
    if (entries === undefined) {
      if (place.problem === undefined) return undefined;
      return {
        record: { hash: place.hash, files: [], problems: [`.: ${place.problem}`] },
        missing: place.missing === true,
      };
    }
    const listed: TreeFile[] = [];
    for (const file of entries) {
      const names = file.path.split('/');
      const problem =
        names.map((name) => entryProblem({ mode: MODE_TREE, name, oid: '' })).find((p) => p !== undefined) ??
        entryProblem({ mode: file.mode, name: names[names.length - 1]!, oid: file.oid });
      if (problem === undefined) listed.push(file);
      else problems.push(`${utf8Name(file.path)}: ${problem}`);
    }
    const files: RecordFile[] = [];
    const blobs = await Promise.all(listed.map((file) => this.git.readBlob(file.oid)));
    for (let i = 0; i < listed.length; i++) {
      const data = blobs[i];
      const name = utf8Name(listed[i]!.path);
      if (data === undefined) {
        problems.push(`${name}: blob ${listed[i]!.oid} is missing from this clone`);
        missing = true;
      } else {
        files.push({ name, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
      }
    }
    files.sort((a, b) => compareUtf8(a.name, b.name));
    return { record: { hash: place.hash, files, problems }, missing };
  }

  /**
   * Every record below `records/` (where `sit` puts them: `records/<split path>`), sorted by hash,
   * from one listing (`index`, or a new one); when git cannot list the tree (a damaged clone), by
   * walking it.
   */
  async recordPlaces(index?: RecordsListing): Promise<RecordPlace[]> {
    const records = await this.recordsTree();
    if (records === undefined) return [];
    const listing = index ?? (await listRecords(this.git, records, this.recordDepth));
    const places: RecordPlace[] = [];
    if (listing !== undefined) {
      for (const hash of listing.hashes()) {
        const listed = listing.get(hash)!;
        places.push({ hash, files: listed.files, packed: listed.packed });
      }
      await Promise.all(
        [...listing.links.keys()].map(async (hash) => {
          const place: RecordPlace = { hash };
          const found = await this.#locateDir(['records', ...splitPath(hash).split('/')]);
          if ('entry' in found) place.tree = found.entry.oid;
          else if ('problem' in found) Object.assign(place, found);
          places.push(place);
        }),
      );
    } else {
      await this.#walkRecords(records, [], places);
    }
    return places.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  }

  /** Walks `records/` tree by tree (when it cannot be listed at once). */
  async #walkRecords(tree: string, path: string[], places: RecordPlace[]): Promise<void> {
    const entries = await this.git.readTree(tree);
    if (entries === undefined) {
      // The records below are unknown: a damaged clone, which `integrity` reports through the items.
      return;
    }
    const depth = this.recordDepth;
    await Promise.all(
      entries.map(async (entry) => {
        const here = [...path, entry.name];
        if (here.length < depth) {
          if (entry.mode === MODE_TREE) await this.#walkRecords(entry.oid, here, places);
          return;
        }
        if (!isBase32(entry.name) || here.join('/') !== splitPath(entry.name)) return;
        const place: RecordPlace = { hash: entry.name };
        const found = await this.#locateDir(['records', ...here]);
        if ('entry' in found) place.tree = found.entry.oid;
        else if ('problem' in found) Object.assign(place, found);
        places.push(place);
      }),
    );
  }

  /** Every record below `records/`, each read once, in no particular order. */
  async readAllRecords(): Promise<StoredRecord[]> {
    const places = await this.recordPlaces();
    const out: StoredRecord[] = [];
    for (let at = 0; at < places.length; at += 64) {
      for (const read of await Promise.all(places.slice(at, at + 64).map((place) => this.readRecord(place)))) {
        if (read !== undefined) out.push(read.record);
      }
    }
    return out;
  }

  /** Item `id`'s records (undefined when there is no such item here). */
  async readItem(id: string, index?: RecordsIndex): Promise<ItemRead | undefined> {
    const listing = await this.itemListing(id, index);
    return listing === undefined ? undefined : this.readListing(listing);
  }

  /** The records of an item listing. */
  async readListing(listing: ItemListing): Promise<ItemRead> {
    const reads = await Promise.all(listing.places.map((place) => this.readRecord(place)));
    const read: ItemRead = { listing, records: [], absent: [], missing: listing.missing };
    reads.forEach((result, i) => {
      if (result === undefined) read.absent.push(listing.places[i]!.hash);
      else {
        read.records.push(result.record);
        if (result.missing) read.missing = true;
      }
    });
    return read;
  }

  /**
   * The name of the item state that `listing` determines, together with the reducer set: the
   * trees of its directories and the files (modes and blob ids) of each of its records, or their
   * absence, so that revisions sharing an item's tree and records share its state. Marks the
   * listing `missing` when a record's tree is missing from the clone.
   */
  async stateKey(listing: ItemListing): Promise<string> {
    const names = await Promise.all(listing.places.map((place) => this.#recordName(place)));
    if (listing.places.some((place) => place.missing === true)) listing.missing = true;
    const hash = createHash('sha256');
    hash.update(
      `sit-git-state 1\0${JSON.stringify(this.hashingAlgorithm)}\0${listing.id}\0${listing.trees.join(',')}\0`,
    );
    for (const [i, place] of listing.places.entries()) hash.update(`${place.hash}\n${names[i]}\0`);
    return hash.digest('hex');
  }
}
