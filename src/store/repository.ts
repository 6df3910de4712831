/**
 * A SIT repository on the file system: the class users see (opening, items, records, writing,
 * modules), built on the store's smaller rooms: discovery, the record walk, writing, modules.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { defaultConfig, serializeConfig } from './config.ts';
import type { RepositoryConfig } from './config.ts';
import { findRepositoryPath, readRepositoryConfig } from './discovery.ts';
import { InitError, InvalidItemIdError, ItemExistsError, ItemNotFoundError, StoreOperationError } from './errors.ts';
import { errorCode, isDirectory, listDir, lstatOrUndefined, realDirectory, writeFileAtomic } from './fs_util.ts';
import { isBase32, recordHash, sortUtf8 } from './hash.ts';
import type { HashingAlgorithm, RecordFile } from './hash.ts';
import { directoryModules, externalModuleManager, runModuleManager } from './modules.ts';
import { isValidItemId, itemLinkText, prepareRecordFiles, splitPath } from './names.ts';
import { findHeads } from './order.ts';
import { orderStoredRecords } from './order_records.ts';
import { readWhole, tryReadRecord } from './record.ts';
import type { StoredRecord } from './record.ts';
import type { RecordSource } from './record_source.ts';
import { listRecordLinks, readRecordEntry, recordDepth, walkRecords } from './record_walk.ts';
import type { ItemRecordLink, RecordEntry } from './record_walk.ts';
import { isInside, resolveDir, resolveDirectory } from './resolve.ts';
import { storeRecord } from './write_record.ts';

/** Also exported here, where some modules import it from; the store's entry point is `mod.ts`. */
export { readCheckedRecord } from './order_records.ts';

/** Options of {@link Repository.open}. */
export interface OpenOptions {
  /** Drop records whose content does not match their hash when ordering (default true). */
  integrity?: boolean;
  /**
   * Decides whether a program shipped in the repository (the external module manager, when it
   * lies inside it) may run; without it, such programs never run unless a caller says `trusted`.
   */
  trust?: (program: string) => boolean;
  /** Told once about each thing the repository holds that cannot be used (e.g. an item name that is not UTF-8). */
  onWarning?: (message: string) => void;
}

/** Options of {@link Repository.newRecord}. */
export interface NewRecordOptions {
  /** Also link the record into this item. */
  itemId?: string;
  /** Add `.prev/<HASH>` links to every head of the container (default true). */
  linkParents?: boolean;
  /**
   * Produces the `.signature` file from the hash of every other file (parent links included),
   * e.g. {@link signRecordHash}.
   */
  sign?: (hash: string) => Uint8Array;
}

/** A repository on disk. */
export class Repository implements RecordSource {
  /** The repository path as given or found (not canonicalised); `sit path` prints it. */
  readonly path: string;
  /** The absolute repository path. */
  readonly root: string;
  /** The parsed `config.json`. */
  readonly config: RepositoryConfig;
  /** Whether non-intact records are dropped from ordered reads. */
  integrity: boolean;
  /** `<root>/records` when it is a plain directory (the fast path for item links). */
  readonly #plainRecords: string | undefined;
  /** `<root>/items` once it is known to be a plain directory (the fast path for item directories). */
  #plainItems: string | undefined;
  /** The real path of {@link Repository.#plainRecords}, once needed. */
  #realRecords: string | undefined;
  /** Whether a program shipped in the repository may run (see {@link OpenOptions.trust}). */
  readonly #trust: ((program: string) => boolean) | undefined;
  readonly #onWarning: ((message: string) => void) | undefined;

  private constructor(path: string, config: RepositoryConfig, integrity: boolean, options: OpenOptions = {}) {
    this.path = path;
    this.#trust = options.trust;
    this.#onWarning = options.onWarning;
    this.root = resolve(path);
    this.config = config;
    this.integrity = integrity;
    let plain: string | undefined;
    try {
      if (lstatSync(join(this.root, 'records')).isDirectory()) plain = join(this.root, 'records');
    } catch {
      plain = undefined;
    }
    this.#plainRecords = plain;
  }

  /**
   * Opens the repository at `path`: reads `config.json`, refuses repositories that need an
   * upgrade ({@link UpgradeRequiredError}) or have an unsupported version.
   */
  static open(path: string, options: OpenOptions = {}): Repository {
    return new Repository(path, readRepositoryConfig(path), options.integrity ?? true, options);
  }

  /**
   * Finds the repository path (original-sit.md §1.2): `repository` (from `-r`) or `SIT_DIR` as
   * given, else the first of `start`, `start/.sit`, and their ancestors that holds a repository;
   * a `.sit` directory that is not a repository stops the search.
   */
  static findPath(start: string, options: { repository?: string | undefined; env?: NodeJS.ProcessEnv } = {}): string {
    return findRepositoryPath(start, options);
  }

  /** Finds ({@link Repository.findPath}) and opens the repository. */
  static discover(
    start: string,
    options: { repository?: string | undefined; env?: NodeJS.ProcessEnv } & OpenOptions = {},
  ): Repository {
    const path = Repository.findPath(start, options);
    return Repository.open(path, options);
  }

  /**
   * Creates a repository in `dir/.sit` (or in `dir` itself without `dotSit`): `records/` and the
   * exact `config.json` of the original. An existing non-empty directory is left alone and
   * `created` is false.
   */
  static init(dir: string, options: { dotSit?: boolean } = {}): { path: string; created: boolean } {
    const path = (options.dotSit ?? true) ? join(dir, '.sit') : dir;
    try {
      if (existsSync(path) && statSync(path).isDirectory() && readdirSync(path).length > 0) {
        return { path, created: false };
      }
      mkdirSync(join(path, 'records'), { recursive: true });
      writeFileAtomic(join(path, 'config.json'), serializeConfig(defaultConfig()));
    } catch (error) {
      throw new InitError(`Error while initializing repository ${path}: ${errorCode(error)}`);
    }
    return { path, created: true };
  }

  /** The hashing algorithm of this repository. */
  get hashingAlgorithm(): HashingAlgorithm {
    return this.config.hashingAlgorithm;
  }

  /** The records directory (`records/`, possibly a text link), or undefined if there is none. */
  recordsDir(): string | undefined {
    return this.#plainRecords ?? resolveDirectory(join(this.root, 'records'), this.root);
  }

  /** The items directory, created when missing (as the original does on every listing). */
  itemsDir(): string {
    if (this.#plainItems !== undefined) return this.#plainItems;
    const plain = join(this.root, 'items');
    const stats = lstatOrUndefined(plain);
    if (stats?.isDirectory()) return (this.#plainItems = plain);
    const resolved = resolveDirectory(plain, this.root);
    if (resolved !== undefined) return resolved;
    if (stats !== undefined) {
      throw new StoreOperationError(
        `${plain} is a link that leads outside the repository or nowhere; it is not followed: make it a directory (or a link inside the repository)`,
      );
    }
    try {
      mkdirSync(plain, { recursive: true });
    } catch (error) {
      throw new StoreOperationError(`cannot create ${plain}: ${errorCode(error)}; check permissions and free space`);
    }
    return (this.#plainItems = plain);
  }

  /** Warnings about what the repository holds but cannot be used (each said once), for the caller to show. */
  readonly warnings: string[] = [];

  #warn(message: string): void {
    if (!this.warnings.includes(message)) {
      this.warnings.push(message);
      this.#onWarning?.(message);
    }
  }

  // ---- items ------------------------------------------------------------------------------

  /**
   * Item identifiers, sorted by UTF-8 bytes. Creates `items/` when missing; an `items/` that
   * cannot be listed is an error. Names that are not UTF-8 cannot be used as identifiers: they are
   * skipped with a warning (see {@link Repository.unusableItemNames}).
   */
  items(): string[] {
    const dir = this.itemsDir();
    const ids: string[] = [];
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw new StoreOperationError(`cannot list the items in ${dir}: ${errorCode(error)}; check its permissions`);
    }
    let warned = false;
    for (const entry of entries) {
      // A name that is not UTF-8 is listed with replacement characters: no path can name it.
      if (entry.name.includes('\uFFFD') && !existsSync(join(dir, entry.name))) {
        if (!warned) {
          warned = true;
          for (const name of this.unusableItemNames())
            this.#warn(`skipping item ${name} in ${dir}: its name is not UTF-8; rename it`);
        }
        continue;
      }
      if (!isValidItemId(entry.name)) continue;
      if (entry.isDirectory() || resolveDirectory(join(dir, entry.name), this.root) !== undefined) ids.push(entry.name);
    }
    return sortUtf8(warned ? [...new Set(ids)] : ids);
  }

  /** {@link RecordSource.listItems}. */
  listItems(): string[] {
    return this.items();
  }

  /**
   * The entries of `items/` whose names are not UTF-8 (so no identifier can name them), shown with
   * their undecodable bytes as `\xHH`. Lists `items/` byte-wise.
   */
  unusableItemNames(): string[] {
    let raw: Buffer[];
    try {
      raw = readdirSync(this.itemsDir(), { encoding: 'buffer' });
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const name of raw) {
      if (isUtf8(name)) continue;
      out.push(
        [...name]
          .map((b) =>
            b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`,
          )
          .join(''),
      );
    }
    return out.sort();
  }

  /** The directory of item `id`, or undefined when there is no such item. */
  itemDir(id: string): string | undefined {
    if (!isValidItemId(id)) return undefined;
    const items = this.itemsDir();
    const path = join(items, id);
    // A real directory inside a real items/ directory needs no link resolution.
    if (items === this.#plainItems) {
      try {
        if (lstatSync(path).isDirectory()) return path;
      } catch {
        return undefined;
      }
    }
    return resolveDirectory(path, this.root);
  }

  /** Whether item `id` exists. */
  hasItem(id: string): boolean {
    return this.itemDir(id) !== undefined;
  }

  /** Creates an item (default identifier: a new UUID v4) and returns its identifier. */
  newItem(id: string = randomUUID()): string {
    if (!isValidItemId(id)) {
      throw new InvalidItemIdError(
        `invalid item identifier ${JSON.stringify(id)}: use a plain name without "/", "\\" or NUL`,
      );
    }
    const dir = this.itemsDir();
    try {
      mkdirSync(join(dir, id));
    } catch (error) {
      if (errorCode(error) === 'EEXIST') throw new ItemExistsError(`Item ${id} already exists`);
      throw new StoreOperationError(`cannot create item ${id} in ${dir}: ${errorCode(error)}`);
    }
    return id;
  }

  #requireItemDir(id: string): string {
    const dir = this.itemDir(id);
    if (dir === undefined) throw new ItemNotFoundError(`Item ${id} not found`);
    return dir;
  }

  /**
   * The record entries of an item: link files, legacy record directories and symbolic links,
   * sorted by hash. With `temporaries`, the paths of `.tmp-*` entries of the item's directory
   * are added to it (from the same listing).
   */
  itemRecordEntries(id: string, options: { temporaries?: string[] } = {}): RecordEntry[] {
    const entries: RecordEntry[] = [];
    for (const link of this.itemRecordLinks(id, options)) {
      const entry = this.followItemRecordLink(link);
      if (entry !== undefined) entries.push(entry);
    }
    return entries;
  }

  /**
   * The record links of an item as listed, sorted by hash, not yet followed (see
   * {@link Repository.followItemRecordLink}); `temporaries` as in {@link Repository.itemRecordEntries}.
   */
  itemRecordLinks(id: string, options: { temporaries?: string[] } = {}): ItemRecordLink[] {
    return listRecordLinks(this.#requireItemDir(id), options);
  }

  /**
   * The record entry an item's record link leads to (the link file is read), or undefined when it
   * leads nowhere (e.g. the record has not arrived yet). A link whose path passes through a
   * symbolic link leading out of `records/` gives an entry with a `problem`: never read it.
   */
  followItemRecordLink(link: ItemRecordLink): RecordEntry | undefined {
    if (link.kind === 'file') {
      const target = this.#followItemLink(link.path, link.hash);
      if (target === undefined) return undefined;
      if (!target.canonical) return { hash: link.hash, dir: target.dir };
      // The canonical path is taken without resolving it: check where it really leads.
      const real = realDirectory(target.dir);
      if (real === undefined) return undefined;
      this.#realRecords ??= realpathSync.native(this.#plainRecords!);
      if (isInside(real, this.#realRecords)) return { hash: link.hash, dir: real };
      return {
        hash: link.hash,
        dir: target.dir,
        problem: `a symbolic link on its path leads out of records/ (to ${real}); not followed`,
      };
    }
    if (link.kind === 'directory') return { hash: link.hash, dir: link.path };
    const dir = resolveDirectory(link.path, this.root);
    return dir === undefined ? undefined : { hash: link.hash, dir };
  }

  /**
   * The target of an item's link file. The canonical `../../records/<split path>` is taken as is
   * (its existence is checked when it is read); anything else goes through {@link resolveDir},
   * confined to the repository.
   */
  #followItemLink(path: string, hash: string): { dir: string; canonical: boolean } | undefined {
    if (this.#plainRecords !== undefined) {
      let text: string;
      try {
        // One open, read and close: readFileSync would ask for the size and read once more.
        const data = readWhole(path);
        text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8').trim();
      } catch {
        return undefined;
      }
      const canonical = join(this.#plainRecords, splitPath(hash));
      // The text `sit` writes, in a plain items/ directory: no need to resolve it.
      if (
        text === itemLinkText(hash) &&
        this.#plainItems !== undefined &&
        dirname(dirname(path)) === this.#plainItems
      ) {
        return { dir: canonical, canonical: true };
      }
      if (resolve(dirname(path), text.replaceAll('\\', '/')) === canonical) return { dir: canonical, canonical: true };
    }
    const dir = resolveDir(path, this.root);
    return dir === undefined ? undefined : { dir, canonical: false };
  }

  /** The hashes of item `id`'s records whose directories exist, sorted. */
  itemRecordHashes(id: string): string[] {
    return this.itemRecordEntries(id)
      .filter((entry) => isDirectory(entry.dir))
      .map((entry) => entry.hash);
  }

  /** {@link RecordSource.listItemRecords}. */
  listItemRecords(id: string): string[] {
    return this.itemRecordHashes(id);
  }

  /**
   * Every record of item `id`, each read once (without opening `.type/` and `.prev/` files). The
   * hashes of record links whose record is not there (not arrived yet, or not reachable) are added
   * to `missing` when it is given.
   */
  readItemRecords(id: string, options: { full?: boolean; missing?: string[] } = {}): StoredRecord[] {
    const records: StoredRecord[] = [];
    for (const link of this.itemRecordLinks(id)) {
      const entry = this.followItemRecordLink(link);
      const record = entry === undefined ? undefined : readRecordEntry(entry, options);
      if (record !== undefined) records.push(record);
      else options.missing?.push(link.hash);
    }
    return records;
  }

  /** Item `id`'s record hashes in generation order (integrity-filtered when checking is on). */
  itemGenerations(id: string): string[][] {
    return orderStoredRecords(this.readItemRecords(id), this).map((g) => g.map((r) => r.hash));
  }

  // ---- records ----------------------------------------------------------------------------

  /**
   * Every record entry below `records/` (walked without following links; leaves are resolved),
   * sorted by hash. With `top`, only those below the given top-level directories of `records/`
   * (names that are not real directories there are skipped), e.g. to share the walk out.
   * `expected` (e.g. the hashes items link to) makes the walk cheaper and changes nothing else:
   * a directory is not listed when its link count shows that its only subdirectories are those
   * on the paths of expected hashes (see the README).
   */
  recordEntries(options: { top?: readonly string[]; expected?: Iterable<string> } = {}): RecordEntry[] {
    const records = this.recordsDir();
    if (records === undefined) return [];
    return walkRecords(records, {
      root: this.root,
      depth: recordDepth(this.hashingAlgorithm),
      direct: records === this.#plainRecords,
      top: options.top,
      expected: options.expected,
    });
  }

  /** Every record below `records/`, each read once. */
  readAllRecords(options: { full?: boolean } = {}): StoredRecord[] {
    const out: StoredRecord[] = [];
    for (const entry of this.recordEntries()) {
      const record = tryReadRecord(entry.dir, entry.hash, options);
      if (record !== undefined) out.push(record);
    }
    return out;
  }

  /** The repository's record hashes in generation order, optionally from fixed roots. */
  repositoryGenerations(options: { roots?: readonly string[] } = {}): string[][] {
    return orderStoredRecords(this.readAllRecords(), this, options).map((g) => g.map((r) => r.hash));
  }

  /** The directory of record `hash` (`records/<split path>`, resolved), or undefined. */
  recordPath(hash: string): string | undefined {
    if (!isBase32(hash)) return undefined;
    const records = this.recordsDir();
    if (records === undefined) return undefined;
    return resolveDirectory(join(records, splitPath(hash)), this.root);
  }

  /** Reads record `hash` (from the item when `item` is given); undefined when it is absent. */
  readRecord(hash: string, options: { item?: string; full?: boolean } = {}): StoredRecord | undefined {
    let dir: string | RecordEntry | undefined;
    if (options.item !== undefined) {
      if (!this.hasItem(options.item)) return undefined;
      const entry = this.itemRecordEntries(options.item).find((e) => e.hash === hash);
      if (entry === undefined) return undefined;
      return readRecordEntry(entry, options.full === undefined ? {} : { full: options.full });
    } else {
      dir = this.recordPath(hash);
    }
    if (dir === undefined) return undefined;
    const read = options.full === undefined ? {} : { full: options.full };
    return typeof dir === 'string' ? tryReadRecord(dir, hash, read) : readRecordEntry(dir, read);
  }

  /**
   * The heads of a container: records that no other record of it names as a parent. For an item,
   * its records; without `itemId`, every record of the repository. Sorted by hash.
   */
  heads(itemId?: string): string[] {
    const entries = itemId === undefined ? this.recordEntries() : this.itemRecordEntries(itemId);
    const nodes: Array<{ hash: string; parents: string[] }> = [];
    for (const entry of entries) {
      if (entry.problem !== undefined || !isDirectory(entry.dir)) continue;
      const parents = listDir(join(entry.dir, '.prev')).map((d) => d.name);
      nodes.push({ hash: entry.hash, parents });
    }
    return findHeads(nodes);
  }

  /**
   * Writes a new record and returns its hash (SPEC §1 "Writing a record"). Names are checked
   * first, so bad input changes nothing. Parent links go to every head of the container; the
   * record is written to a temporary directory and renamed into place; an identical existing
   * record is reused; for an item, the link file `items/<ID>/<HASH>` is written atomically.
   */
  newRecord(files: Iterable<RecordFile>, options: NewRecordOptions = {}): string {
    let prepared = prepareRecordFiles(files);
    const itemDir = options.itemId === undefined ? undefined : this.#requireItemDir(options.itemId);
    if (options.linkParents ?? true) {
      const names = new Set(prepared.map((f) => f.name));
      const links = this.heads(options.itemId)
        .map((hash) => `.prev/${hash}`)
        .filter((name) => !names.has(name));
      prepared = prepareRecordFiles([...prepared, ...links.map((name) => ({ name, data: new Uint8Array(0) }))]);
    }
    const algorithm = this.hashingAlgorithm;
    if (options.sign !== undefined) {
      const signature = options.sign(recordHash(prepared, { algorithm }));
      prepared = prepareRecordFiles([...prepared, { name: '.signature', data: signature }]);
    }
    const hash = recordHash(prepared, { algorithm });
    const { dest, created } = storeRecord(hash, prepared, { root: this.root, records: this.recordsDir() });
    if (itemDir !== undefined) {
      const link = relative(itemDir, dest).split(sep).join('/');
      try {
        writeFileAtomic(join(itemDir, hash), link);
      } catch (error) {
        // Nothing half-written: a record this call created is taken back when its link fails.
        if (created) rmSync(dest, { recursive: true, force: true });
        throw new StoreOperationError(
          `cannot link record ${hash} into item ${options.itemId}: ${errorCode(error)}; check permissions and free space (nothing was written)`,
        );
      }
    }
    return hash;
  }

  /**
   * Links the existing record `hash` into item `itemId` (the link file `items/<ID>/<HASH>`),
   * e.g. after a rebuild. Throws when the item or the record does not exist.
   */
  linkRecord(itemId: string, hash: string): void {
    const itemDir = this.#requireItemDir(itemId);
    const dest = this.recordPath(hash);
    if (dest === undefined)
      throw new StoreOperationError(`Record ${hash} not found; write it before linking it into item ${itemId}`);
    writeFileAtomic(join(itemDir, hash), relative(itemDir, dest).split(sep).join('/'));
  }

  // ---- modules ----------------------------------------------------------------------------

  /**
   * Module paths (original-sit.md §1.6): each entry of `modules/` in name order (a directory, a
   * symbolic link, or a file holding a path), then the lines printed by the external module
   * manager when `config.json` names one (unless `external` is false, e.g. to review a repository
   * without running anything). The manager is a plain program name looked up on `PATH`; a manager
   * that lies inside the repository (or the project holding it) runs only when `trusted` is set or
   * the repository was opened with a `trust` callback that accepts it.
   */
  modules(options: { trusted?: boolean; external?: boolean; env?: NodeJS.ProcessEnv } = {}): string[] {
    const modules = directoryModules(this.root);
    if (options.external === false) return modules;
    const manager = externalModuleManager(this, options.env === undefined ? {} : { env: options.env });
    if (manager !== undefined) modules.push(...runModuleManager(this, manager, { ...options, trust: this.#trust }));
    return modules;
  }

  /** The modules of `modules/` only (never runs anything), in name order. */
  directoryModules(): string[] {
    return directoryModules(this.root);
  }
}
