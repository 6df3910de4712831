/**
 * The daemon's watch of a repository: which items gained or lost records since it last asked, and
 * whether something changed that every state depends on (configuration, modules, reducers), or
 * whether it can no longer be sure of either.
 *
 * What it watches (one inotify watch each): the repository directory itself, `items/`, every
 * `items/<id>/`, `modules/`, and `reducers/` and each module's `reducers/` with every directory
 * below them (a reducer may `require()` files from there). Records
 * in `records/` are not watched: in the flat layout a record counts for an item only through a
 * link file in `items/<id>/`, so a new record shows as a new entry there (a record that arrives
 * after its link is the engine's "incomplete" item, looked at again on every request). With
 * 10 000 items this is about 10 000 watches, well below the usual `fs.inotify.max_user_watches`;
 * when the system refuses one, the watch says `blind` and the daemon stops answering (commands
 * read the repository themselves).
 *
 * Lost events: the kernel drops events when its queue (`fs.inotify.max_queued_events`) is full,
 * and Node does not report that. A queue can only overflow when that many events were waiting,
 * and they are all delivered in one read, within one turn of the event loop: so many events in
 * one turn (half the queue or more) make the watch `unsure`, and the daemon looks at every item
 * directory again.
 * @module
 */
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

/** The most directories watched under the reducer directories (beyond: the watch is blind). */
const MAX_REDUCER_DIRS = 1000;

/** How deep below a reducer directory directories are watched (beyond: the watch is blind). */
const MAX_REDUCER_DEPTH = 16;

/** The state of a watch. */
export interface WatchReport {
  /** Items whose directory changed (or appeared, or went away) since the last report. */
  items: Set<string>;
  /** Configuration, modules or reducers changed: every state may differ. */
  structure: boolean;
  /** Events may have been lost: every item directory must be looked at again. */
  unsure: boolean;
}

/** What may overflow the kernel's queue: half its length in one turn of the event loop. */
function burstLimit(): number {
  try {
    const queued = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    if (Number.isInteger(queued) && queued > 16) return Math.floor(queued / 2);
  } catch {
    // not Linux, or /proc is not there
  }
  return 4096;
}

/** A running watch of one repository. */
export class RepositoryWatch {
  readonly #itemsDir: string;
  readonly #items = new Map<string, FSWatcher>();
  readonly #others: FSWatcher[] = [];
  #itemsWatcher: FSWatcher | undefined;
  #changed = new Set<string>();
  #structure = false;
  #unsure = false;
  #blind: string | undefined;
  #burst = 0;
  readonly #burstLimit: number;
  #closed = false;

  /**
   * Starts watching the repository at `root` (its `.sit` directory), with its items in `itemsDir`
   * and its reducers in `reducerDirs` (directories that may not exist yet are skipped).
   * `burstLimit` (for tests) is the number of events in one turn that means "unsure".
   */
  constructor(root: string, options: { itemsDir: string; reducerDirs: readonly string[]; burstLimit?: number }) {
    this.#burstLimit = options.burstLimit ?? burstLimit();
    this.#itemsDir = options.itemsDir;
    this.#watchOther(root, (name) => {
      if (name === 'config.json' || name === 'modules' || name === 'reducers') this.#structure = true;
      if (name === 'items') {
        this.#structure = true;
        this.#startItems();
      }
    });
    this.#watchOther(join(root, 'modules'), () => (this.#structure = true));
    const budget = { dirs: MAX_REDUCER_DIRS };
    for (const dir of options.reducerDirs) this.#watchTree(dir, 0, budget);
    this.#startItems();
  }

  /** Why the watch cannot see every change (a watch the system refused), if it cannot. */
  get blind(): string | undefined {
    return this.#blind;
  }

  /** What changed since the last call, and forgets it. */
  take(): WatchReport {
    const report = { items: this.#changed, structure: this.#structure, unsure: this.#unsure };
    this.#changed = new Set();
    this.#structure = false;
    this.#unsure = false;
    return report;
  }

  /** Stops watching. */
  close(): void {
    this.#closed = true;
    this.#itemsWatcher?.close();
    for (const watcher of this.#others) watcher.close();
    for (const watcher of this.#items.values()) watcher.close();
    this.#items.clear();
  }

  /** Counts one event; too many in one turn of the event loop means some may have been lost. */
  #count(): void {
    if (this.#burst === 0) setImmediate(() => (this.#burst = 0));
    this.#burst += 1;
    if (this.#burst >= this.#burstLimit) this.#unsure = true;
  }

  #refused(path: string, error: unknown): void {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    this.#blind ??= `cannot watch ${path} (${code}); raise fs.inotify.max_user_watches`;
  }

  #watchOther(dir: string, onEvent: (name: string) => void): void {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        this.#count();
        onEvent(typeof name === 'string' ? name : '');
      });
      watcher.on('error', () => (this.#structure = true));
      this.#others.push(watcher);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.#refused(dir, error);
    }
  }

  /**
   * Watches `dir` and the directories below it (links are not followed): any change there is
   * structure. A new directory is watched once the daemon has rebuilt (it starts a new watch).
   */
  #watchTree(dir: string, depth: number, budget: { dirs: number }): void {
    if (--budget.dirs < 0) {
      this.#blind ??= `more than ${MAX_REDUCER_DIRS} reducer directories to watch`;
      return;
    }
    this.#watchOther(dir, () => (this.#structure = true));
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      if (depth >= MAX_REDUCER_DEPTH) {
        this.#blind ??= `reducer directories nested deeper than ${MAX_REDUCER_DEPTH} levels in ${dir}`;
        return;
      }
      this.#watchTree(join(dir, entry.name), depth + 1, budget);
    }
  }

  #startItems(): void {
    if (this.#itemsWatcher !== undefined || this.#closed) return;
    try {
      this.#itemsWatcher = watch(this.#itemsDir, { persistent: false }, (_event, name) => {
        this.#count();
        if (typeof name !== 'string' || name === '') {
          this.#unsure = true;
          return;
        }
        // A new item is watched before it is read (the refresh this asks for reads it), so no
        // link written into it is missed; an item gone away is forgotten.
        this.#watchItem(name);
        this.#changed.add(name);
      });
      this.#itemsWatcher.on('error', () => (this.#unsure = true));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#refused(this.#itemsDir, error);
      return;
    }
    let names: string[] = [];
    try {
      names = readdirSync(this.#itemsDir);
    } catch {
      this.#unsure = true;
    }
    for (const name of names) this.#watchItem(name);
  }

  #watchItem(id: string): void {
    if (id.startsWith('.')) return;
    const known = this.#items.get(id);
    if (known !== undefined) {
      // Gone (or replaced): watch the new directory, if any.
      known.close();
      this.#items.delete(id);
    }
    try {
      const watcher = watch(join(this.#itemsDir, id), { persistent: false }, () => {
        this.#count();
        this.#changed.add(id);
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.#items.get(id) === watcher) this.#items.delete(id);
        this.#changed.add(id);
      });
      this.#items.set(id, watcher);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Not a directory, or gone already: nothing to watch (the item's refresh finds out).
      if (code === 'ENOSPC' || code === 'EMFILE' || code === 'ENFILE' || code === 'ENOMEM')
        this.#refused(join(this.#itemsDir, id), error);
    }
  }
}
