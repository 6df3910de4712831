/**
 * Watches a repository's `items/` directory and each `items/<id>/` directory (non-recursive, one
 * inotify watch per item) and reports which items gained or lost record links, debounced, so that
 * a `git pull` or a command in another terminal reaches open pages within a fraction of a second.
 * @module
 */
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

/** How many item directories get their watch before other work of the thread runs. */
const WATCH_BATCH = 500;

/** Options for {@linkcode watchItems}. */
export interface WatchOptions {
  /** Quiet time before a batch is reported (default 150 ms). */
  debounceMs?: number;
  /** Longest time a batch waits while events keep coming (default 1000 ms). */
  maxWaitMs?: number;
  /** Told once when the system refuses more watches (inotify limit): some items will not be live. */
  onWarning?: (message: string) => void;
}

/** A running watch; `close()` stops it. */
export interface ItemsWatcher {
  close(): void;
}

/**
 * Calls `onChange(ids)` with the ids of items whose directories changed. Items created later are
 * picked up. Errors from the file system (a removed item directory) end that item's watch only.
 */
export function watchItems(
  repoPath: string,
  onChange: (ids: string[]) => void,
  options: WatchOptions = {},
): ItemsWatcher {
  const debounceMs = options.debounceMs ?? 150;
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const itemsDir = join(repoPath, 'items');
  const itemWatchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let firstPending = 0;
  let closed = false;
  let warned = false;
  let itemsWatcher: FSWatcher | undefined;
  let repoWatcher: FSWatcher | undefined;

  function flush(): void {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const ids = [...pending].sort();
    pending.clear();
    onChange(ids);
  }

  function touch(id: string): void {
    if (closed) return;
    if (pending.size === 0) firstPending = Date.now();
    pending.add(id);
    if (timer !== undefined) clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, firstPending + maxWaitMs - Date.now()));
    timer = setTimeout(flush, wait);
  }

  function watchItem(id: string): void {
    if (itemWatchers.has(id) || id.startsWith('.')) return;
    try {
      const w = watch(join(itemsDir, id), { persistent: false }, () => touch(id));
      w.on('error', () => {
        w.close();
        itemWatchers.delete(id);
        touch(id);
      });
      itemWatchers.set(id, w);
    } catch (error) {
      // Not a directory (or gone already): nothing to watch. Out of watches: say so once.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOSPC' || code === 'EMFILE') && !warned) {
        warned = true;
        options.onWarning?.(
          `cannot watch more item directories (${code}); live updates will miss some items — raise fs.inotify.max_user_watches`,
        );
      }
    }
  }

  function startItems(): void {
    if (itemsWatcher !== undefined || !existsSync(itemsDir)) return;
    itemsWatcher = watch(itemsDir, { persistent: false }, (_event, name) => {
      if (typeof name !== 'string' || name === '' || name.startsWith('.')) return;
      if (!itemWatchers.has(name)) {
        watchItem(name);
        // Links written before the watch began are found by the rescan this triggers.
        touch(name);
      } else if (!existsSync(join(itemsDir, name))) {
        itemWatchers.get(name)?.close();
        itemWatchers.delete(name);
        touch(name);
      }
    });
    itemsWatcher.on('error', () => undefined);
    const entries = readdirSync(itemsDir, { withFileTypes: true });
    // Thousands of watches take a while to set up: a batch at a time, so that a server that has
    // just started keeps answering meanwhile.
    const batch = (from: number): void => {
      for (let i = from; i < Math.min(entries.length, from + WATCH_BATCH); i++) {
        if (closed) return;
        const entry = entries[i]!;
        if (entry.isDirectory()) watchItem(entry.name);
      }
      if (!closed && from + WATCH_BATCH < entries.length) setImmediate(() => batch(from + WATCH_BATCH));
    };
    batch(0);
  }

  if (existsSync(itemsDir)) {
    startItems();
  } else {
    repoWatcher = watch(repoPath, { persistent: false }, (_event, name) => {
      if (name === 'items' && existsSync(itemsDir)) {
        startItems();
        for (const id of itemWatchers.keys()) touch(id);
      }
    });
    repoWatcher.on('error', () => undefined);
  }

  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      itemsWatcher?.close();
      repoWatcher?.close();
      for (const w of itemWatchers.values()) w.close();
      itemWatchers.clear();
    },
  };
}
