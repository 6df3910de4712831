/** A SIT repository on the file system: discovery, items, records, writing, modules. */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  closeSync, constants as fsConstants, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, realpathSync,
  renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { spawnSync } from 'node:child_process';
import { defaultConfig, readConfig, serializeConfig } from './config.ts';
import type { RepositoryConfig } from './config.ts';
import {
  InitError, InvalidConfigError, InvalidItemIdError, ItemExistsError, ItemNotFoundError, ModuleError,
  RepositoryNotFoundError, StoreOperationError, UpgradeRequiredError,
} from './errors.ts';
import { compareUtf8, digestSize, isBase32, recordHash, sortUtf8 } from './hash.ts';
import type { HashingAlgorithm, RecordFile } from './hash.ts';
import { prepareRecordFiles, splitPath } from './names.ts';
import { findHeads, orderGenerations } from './order.ts';
import { isIntact, readMarkersToo, readWhole, recordParents, recordTimestamp, tryReadRecord } from './record.ts';
import type { StoredRecord } from './record.ts';
import { isInside, resolveDir, resolveDirectory } from './resolve.ts';
import { resolveShippedLink } from './module_link.ts';

/** The upgrade that renames `issues/` to `items/` (its name as `sit upgrade` prints it). */
export const ISSUES_TO_ITEMS = 'renaming issues/ to items/';
/** The upgrade that moves record directories out of `items/` into `records/`. */
export const ITEMS_TO_FLAT_RECORDS = "migrating items' records to flat records namespace";
/** The feature every current repository declares in `config.json`. */
export const FLAT_RECORDS = 'flat-records';
/** Prefix of temporary files and directories; readers ignore them, `sit integrity` removes old ones. */
export const TEMPORARY_PREFIX = '.tmp-';

/**
 * The narrow read interface of the store (SPEC §6): what reduction and queries need. The file
 * system repository implements it; a git revision can implement it too.
 */
export interface RecordSource {
  /** The algorithm the records are hashed with. */
  readonly hashingAlgorithm: HashingAlgorithm;
  /** Whether ordered reads drop non-intact records by default (true when absent). */
  readonly integrity?: boolean;
  /** Item identifiers, sorted. */
  listItems(): string[];
  /** The hashes of an item's records, sorted; throws ItemNotFoundError for an unknown item. */
  listItemRecords(id: string): string[];
  /** One record, looked up in the item when `item` is given; undefined when absent. */
  readRecord(hash: string, options?: { item?: string; full?: boolean }): StoredRecord | undefined;
  /** Every record of an item, each read once, in no particular order. */
  readItemRecords(id: string): StoredRecord[];
  /** Every record of the repository (`records/`), each read once, in no particular order. */
  readAllRecords(): StoredRecord[];
}

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

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `/proc/self/fd` names the file an open descriptor refers to (Linux), so it can be read back. */
let procFds: boolean | undefined;

/**
 * The real path of directory `path` (symbolic links on the way followed), or undefined when it
 * does not exist or is not a directory. On Linux this opens the directory once and reads back
 * the path of the descriptor: three system calls instead of one per path component.
 */
export function realDirectory(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_DIRECTORY ?? 0));
  } catch {
    return undefined;
  }
  try {
    if (procFds !== false) {
      try {
        const real = readlinkSync(`/proc/self/fd/${fd}`);
        procFds = true;
        return real;
      } catch {
        procFds = false;
      }
    }
    return realpathSync.native(path);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Orders record entries by hash, then by directory. */
export function compareEntries(a: RecordEntry, b: RecordEntry): number {
  if (a.hash !== b.hash) return a.hash < b.hash ? -1 : 1;
  return a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0;
}

function listDir(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Whether `id` can name an item: a plain, direct child name of `items/`. */
export function isValidItemId(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !/[/\\\0]/.test(id);
}

function randomSuffix(): string {
  return randomBytes(8).toString('hex');
}

/** Writes `data` to `path` atomically: a temporary file next to it, then a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `${TEMPORARY_PREFIX}${randomSuffix()}`);
  try {
    writeFileSync(temporary, data, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Which upgrade, if any, the repository at `root` needs before it can be used (original-sit.md
 * §1.9). With `scanItems`, also looks for record directories left inside `items/*` (slower: one
 * listing per item).
 */
export function pendingUpgrade(root: string, config: RepositoryConfig, options: { scanItems?: boolean } = {}): string | undefined {
  if (isDirectory(join(root, 'issues'))) return ISSUES_TO_ITEMS;
  if (!config.features.includes(FLAT_RECORDS)) return ITEMS_TO_FLAT_RECORDS;
  if (options.scanItems === true && legacyRecordDirs(root).length > 0) return ITEMS_TO_FLAT_RECORDS;
  return undefined;
}

/** Record directories (real directories with a base32 name) still stored as `items/<ID>/<HASH>/`. */
export function legacyRecordDirs(root: string): string[] {
  const found: string[] = [];
  const items = join(root, 'items');
  for (const item of listDir(items)) {
    if (!item.isDirectory()) continue;
    for (const entry of listDir(join(items, item.name))) {
      if (entry.isDirectory() && isBase32(entry.name)) found.push(join(items, item.name, entry.name));
    }
  }
  return found.sort();
}

/** Whether `path` holds a repository `open` accepts, or one that only needs an upgrade. */
function isRepository(path: string): boolean {
  try {
    Repository.open(path);
    return true;
  } catch (error) {
    return error instanceof UpgradeRequiredError;
  }
}

/**
 * Searches `start` and its ancestors like the original (original-sit.md §1.2). Returns the
 * repository path, or the `.sit` directory that stopped the search by not being a repository.
 * A `.sit` directory whose `config.json` is there but broken stops the search with that error.
 */
function findInOrAbove(start: string): { found: string } | { stoppedAt?: string } {
  let dir = resolve(start);
  for (;;) {
    if (isRepository(dir)) return { found: dir };
    const candidate = join(dir, '.sit');
    if (isDirectory(candidate)) {
      if (isRepository(candidate)) return { found: candidate };
      if (existsSync(join(candidate, 'config.json'))) Repository.open(candidate);
      return { stoppedAt: candidate };
    }
    const parent = dirname(dir);
    if (parent === dir) return {};
    dir = parent;
  }
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
    const root = resolve(path);
    const configPath = join(root, 'config.json');
    if (!existsSync(configPath)) {
      throw new RepositoryNotFoundError(`${path} is not a SIT repository (no config.json); run \`sit init\` to create one`);
    }
    const config = readConfig(configPath);
    const upgrade = pendingUpgrade(root, config);
    if (upgrade !== undefined) throw new UpgradeRequiredError(path, upgrade);
    if (config.version !== '1') {
      throw new InvalidConfigError(
        `invalid repository configuration ${configPath}: unsupported version ${JSON.stringify(config.version)} (expected "1"); use a SIT version that supports it`,
      );
    }
    return new Repository(path, config, options.integrity ?? true, options);
  }

  /**
   * Finds the repository path (original-sit.md §1.2): `repository` (from `-r`) or `SIT_DIR` as
   * given, else the first of `start`, `start/.sit`, and their ancestors that holds a repository;
   * a `.sit` directory that is not a repository stops the search.
   */
  static findPath(start: string, options: { repository?: string | undefined; env?: NodeJS.ProcessEnv } = {}): string {
    const env = options.env ?? process.env;
    const given = options.repository ?? env['SIT_DIR'];
    if (given !== undefined && given !== '') return given;
    const result = findInOrAbove(start);
    if ('found' in result) return result.found;
    if (result.stoppedAt !== undefined) {
      throw new RepositoryNotFoundError(
        `${result.stoppedAt} has no config.json, so it is not a SIT repository, and it stopped the search from ${resolve(start)}; restore its config.json (e.g. from version control), or pass -r PATH`,
      );
    }
    throw new RepositoryNotFoundError(
      `no SIT repository found in ${resolve(start)} or above it (looked for config.json and .sit/config.json); run \`sit init\` to create one, or pass -r PATH`,
    );
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
    const path = options.dotSit ?? true ? join(dir, '.sit') : dir;
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

  /**
   * Throws unless `path` (which must exist) lies inside the repository by its real path: a write
   * never goes through a symbolic link that leads out of it.
   */
  #assertInside(path: string, what: string): void {
    let real: string;
    let root: string;
    try {
      real = realpathSync.native(path);
      root = realpathSync.native(this.root);
    } catch (error) {
      throw new StoreOperationError(`cannot write ${what}: ${path} cannot be resolved (${errorCode(error)})`);
    }
    if (!isInside(real, root)) {
      throw new StoreOperationError(
        `refusing to write ${what}: ${path} leads outside the repository (to ${real}) through a symbolic link; replace the link with a directory`,
      );
    }
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
          for (const name of this.unusableItemNames()) this.#warn(`skipping item ${name} in ${dir}: its name is not UTF-8; rename it`);
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
      out.push([...name].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join(''));
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
      throw new InvalidItemIdError(`invalid item identifier ${JSON.stringify(id)}: use a plain name without "/", "\\" or NUL`);
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
    const dir = this.#requireItemDir(id);
    const links: ItemRecordLink[] = [];
    for (const entry of listDir(dir)) {
      const hash = entry.name;
      if (!isBase32(hash)) {
        if (options.temporaries !== undefined && hash.startsWith(TEMPORARY_PREFIX)) options.temporaries.push(join(dir, hash));
        continue;
      }
      const path = join(dir, hash);
      if (entry.isFile()) links.push({ hash, path, kind: 'file' });
      else if (entry.isDirectory()) links.push({ hash, path, kind: 'directory' });
      else if (entry.isSymbolicLink()) links.push({ hash, path, kind: 'symlink' });
    }
    return links.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
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
      return { hash: link.hash, dir: target.dir, problem: `a symbolic link on its path leads out of records/ (to ${real}); not followed` };
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
      if (text === itemLinkText(hash) && this.#plainItems !== undefined && dirname(dirname(path)) === this.#plainItems) {
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
      const record = entry === undefined ? undefined : readEntry(entry, options);
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

  /** The depth of record leaves below `records/`. */
  #recordDepth(): number {
    const encodedLength = 8 * Math.ceil(digestSize(this.hashingAlgorithm) / 5);
    return Math.ceil(encodedLength / 2);
  }

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
    const depth = this.#recordDepth();
    const direct = records === this.#plainRecords;
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
            const target = resolveDirectory(path, this.root);
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
    const walkExpected = (dir: string, level: number, links: number, expected: string[], start: number, end: number): void => {
      if (level >= depth || start >= end || links < 2) return walk(dir, level);
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
    const expected = [...new Set(options.expected ?? [])].filter((hash) => hash.length === encodedLength && isBase32(hash)).sort();
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
      return readEntry(entry, options.full === undefined ? {} : { full: options.full });
    } else {
      dir = this.recordPath(hash);
    }
    if (dir === undefined) return undefined;
    const read = options.full === undefined ? {} : { full: options.full };
    return typeof dir === 'string' ? tryReadRecord(dir, hash, read) : readEntry(dir, read);
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
    const { dest, created } = this.#storeRecord(hash, prepared);
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
    if (dest === undefined) throw new StoreOperationError(`Record ${hash} not found; write it before linking it into item ${itemId}`);
    writeFileAtomic(join(itemDir, hash), relative(itemDir, dest).split(sep).join('/'));
  }

  /**
   * Puts a record's files in place under `records/` and returns its directory, and whether this
   * call created it. Every directory written to lies inside the repository by its real path.
   */
  #storeRecord(hash: string, files: RecordFile[]): { dest: string; created: boolean } {
    let records = this.recordsDir();
    if (records === undefined) {
      records = join(this.root, 'records');
      if (lstatOrUndefined(records) !== undefined) {
        throw new StoreOperationError(
          `refusing to write record ${hash}: ${records} is a link that leads outside the repository or nowhere; make it a directory`,
        );
      }
      try {
        mkdirSync(records, { recursive: true });
      } catch (error) {
        throw new StoreOperationError(`cannot create ${records}: ${errorCode(error)}; check permissions and free space`);
      }
    }
    const dest = join(records, splitPath(hash));
    const existing = lstatOrUndefined(dest);
    if (existing?.isDirectory()) return { dest, created: false };
    if (existing !== undefined) {
      throw new StoreOperationError(`cannot write record ${hash}: ${dest} exists and is not a directory; remove it`);
    }
    let created = true;
    const tryIn = (base: string): void => {
      const temporary = mkdtempSync(join(base, TEMPORARY_PREFIX));
      try {
        for (const file of files) {
          const path = join(temporary, file.name);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, file.data, { flag: 'wx' });
        }
        // The levels above the record may be links: they must not lead out of the repository,
        // and nothing is created below one that does.
        let existing = dirname(dest);
        while (lstatOrUndefined(existing) === undefined && existing !== records) existing = dirname(existing);
        this.#assertInside(existing, `record ${hash}`);
        mkdirSync(dirname(dest), { recursive: true });
        renameSync(temporary, dest);
      } catch (error) {
        rmSync(temporary, { recursive: true, force: true });
        const code = errorCode(error);
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && lstatOrUndefined(dest)?.isDirectory() === true) {
          created = false;
          return;
        }
        throw error;
      }
    };
    try {
      try {
        tryIn(this.root);
      } catch (error) {
        // `records/` may be a link to another file system; then stage next to the records.
        if (errorCode(error) !== 'EXDEV') throw error;
        tryIn(records);
      }
    } catch (error) {
      if (error instanceof StoreOperationError) throw error;
      throw new StoreOperationError(`cannot write record ${hash} into ${records}: ${errorCode(error)}; check permissions and free space`);
    }
    return { dest, created };
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
    const modules = this.directoryModules();
    if (options.external === false) return modules;
    const manager = externalModuleManager(this, options.env === undefined ? {} : { env: options.env });
    if (manager !== undefined) modules.push(...this.#runModuleManager(manager, options));
    return modules;
  }

  /** The modules of `modules/` only (never runs anything), in name order. */
  directoryModules(): string[] {
    const dir = join(this.root, 'modules');
    const modules: string[] = [];
    if (!isDirectory(dir)) return modules;
    for (const name of readdirSync(dir).sort(compareUtf8)) {
      const resolved = resolveShippedLink(join(dir, name)) ?? resolveDirectory(join(dir, name), '/');
      if (resolved === undefined) {
        throw new ModuleError(`module ${join(dir, name)} does not resolve to a directory; fix the link or remove the entry`);
      }
      modules.push(resolved);
    }
    return modules;
  }

  #runModuleManager(manager: ModuleManager, options: { trusted?: boolean; env?: NodeJS.ProcessEnv }): string[] {
    const env = options.env ?? process.env;
    const found = manager.path;
    if (found === undefined) {
      throw new ModuleError(`Can't find external module manager \`${manager.program}\`. Please install it before proceeding`);
    }
    if (manager.inRepository && options.trusted !== true && this.#trust?.(found) !== true) {
      throw new ModuleError(`external module manager ${found} comes from the repository; review it and run \`sit trust\` before using it`);
    }
    const result = spawnSync(found, [], {
      env: { ...env, SIT_DIR: this.path, SIT_MODULE_MANAGER: 'list-modules' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (result.error !== undefined || result.status !== 0) {
      throw new ModuleError(`external module manager ${found} failed (${result.error?.message ?? `exit status ${result.status}`}); fix it or remove "external_module_manager" from config.json`);
    }
    return result.stdout.split('\n').map((line) => line.replace(/\r$/, '')).filter((line) => line !== '');
  }
}

/** The external module manager a repository names (see {@link externalModuleManager}). */
export interface ModuleManager {
  /** The program's name, `sit-<NAME>`. */
  program: string;
  /** Where it was found on `PATH`, or undefined when it is not installed. */
  path: string | undefined;
  /**
   * Whether the program lies inside the repository or the project that holds it (it arrived with
   * somebody's commits): it runs only once trusted.
   */
  inRepository: boolean;
}

/** Names `external_module_manager` may hold: a plain program name, never a path. */
const MANAGER_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * The external module manager named by `config.json` (`sit-<NAME>`, looked up on the absolute
 * entries of `PATH` only), or undefined when none is named. Finding it runs nothing. A name that
 * is not a plain program name (letters, digits, `.`, `_`, `-`) is a {@link ModuleError}.
 */
export function externalModuleManager(repo: Repository, options: { env?: NodeJS.ProcessEnv } = {}): ModuleManager | undefined {
  const entry = repo.config.extra.find(([key]) => key === 'external_module_manager');
  if (entry === undefined) return undefined;
  const name = entry[1];
  if (typeof name !== 'string' || !MANAGER_NAME.test(name) || name === '.' || name === '..') {
    throw new ModuleError(
      `invalid "external_module_manager" ${JSON.stringify(name)} in ${join(repo.root, 'config.json')}: it must be a plain program name (letters, digits, ".", "_", "-"); fix or remove it`,
    );
  }
  const env = options.env ?? process.env;
  const program = `sit-${name}`;
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((p) => p !== '' && isAbsolute(p));
  const path = findExecutable(program, dirs);
  return { program, path, inRepository: path !== undefined && liesInRepository(repo, path) };
}

/**
 * Whether `path` (by its real path) lies inside the repository, or inside the project directory
 * that holds a repository called `.sit`: files there arrived with the project's history.
 */
export function liesInRepository(repo: { root: string }, path: string): boolean {
  let real: string;
  let root: string;
  try {
    real = realpathSync.native(path);
    root = realpathSync.native(repo.root);
  } catch {
    return false;
  }
  const inside = (dir: string): boolean => real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep);
  return inside(root) || (basename(root) === '.sit' && inside(dirname(root)));
}

/** The first executable regular file called `name` in `dirs`. */
export function findExecutable(name: string, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const path = isAbsolute(dir) ? join(dir, name) : resolve(dir, name);
    try {
      const stats = statSync(path);
      if (stats.isFile() && (stats.mode & 0o111) !== 0) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Reads the record of `entry`, or a record with no files and the entry's problem when it must not be read. */
function readEntry(entry: RecordEntry, options: { full?: boolean }): StoredRecord | undefined {
  if (entry.problem !== undefined) return { hash: entry.hash, files: [], problems: [`.: ${entry.problem}`] };
  return tryReadRecord(entry.dir, entry.hash, options);
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

/**
 * Record `hash` of `source` (of item `item` when given) as {@link RecordSource.readRecord} reads
 * it, but checked like every read for reduction (SPEC §8): with integrity checking on (the
 * source's setting unless `integrity` is given), a damaged record is `{ damaged: true }`.
 */
export function readCheckedRecord(
  source: RecordSource,
  hash: string,
  options: { item?: string; integrity?: boolean } = {},
): StoredRecord | { damaged: true } | undefined {
  const record = source.readRecord(hash, options.item === undefined ? {} : { item: options.item });
  if (record === undefined) return undefined;
  if (!(options.integrity ?? source.integrity ?? true)) return record;
  return intactRecord(record, source.hashingAlgorithm) ?? { damaged: true };
}

/** A stored record with what ordering needs, derived from its files. */
function toNode(record: StoredRecord, source: { hashingAlgorithm: HashingAlgorithm; integrity?: boolean }) {
  let intact: boolean | undefined;
  if (source.integrity !== false) {
    const checked = intactRecord(record, source.hashingAlgorithm);
    intact = checked !== undefined;
    if (checked !== undefined) record = checked;
  }
  return {
    record,
    hash: record.hash,
    parents: recordParents(record),
    timestamp: recordTimestamp(record),
    intact,
  };
}

/**
 * Orders stored records into generations, dropping non-intact ones when `source.integrity` is on;
 * the hashes of the records dropped that way are added to `damaged` when it is given.
 */
export function orderStoredRecords(
  records: Iterable<StoredRecord>,
  source: { hashingAlgorithm: HashingAlgorithm; integrity?: boolean },
  options: { roots?: readonly string[]; damaged?: string[] } = {},
): StoredRecord[][] {
  const nodes = [...records].map((record) => toNode(record, source));
  if (options.damaged !== undefined) {
    for (const node of nodes) if (node.intact === false) options.damaged.push(node.hash);
  }
  return orderGenerations(nodes, options.roots === undefined ? {} : { roots: options.roots }).map((g) => g.map((n) => n.record));
}

/**
 * The records of item `id` in generation order with their files, each record read once: the bulk
 * read for reduction. With `integrity` (default: the source's setting, else true), records whose
 * content does not match their hash are left out.
 */
export function readItemRecords(source: RecordSource, id: string, options: { integrity?: boolean } = {}): StoredRecord[] {
  const integrity = options.integrity ?? source.integrity ?? true;
  return orderStoredRecords(source.readItemRecords(id), { hashingAlgorithm: source.hashingAlgorithm, integrity }).flat();
}

/** The repository's records in generation order with their files (optionally from fixed roots). */
export function readRepositoryRecords(
  source: RecordSource,
  options: { integrity?: boolean; roots?: readonly string[] } = {},
): StoredRecord[] {
  const integrity = options.integrity ?? source.integrity ?? true;
  const order = options.roots === undefined ? {} : { roots: options.roots };
  return orderStoredRecords(source.readAllRecords(), { hashingAlgorithm: source.hashingAlgorithm, integrity }, order).flat();
}

/** The path of `items/<ID>` link text for a record: `../../records/<split path>`. */
export function itemLinkText(hash: string): string {
  return `../../records/${splitPath(hash)}`;
}
