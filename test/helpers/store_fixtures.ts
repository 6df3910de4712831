/** Temporary directories and the corpus for the store tests. */
import {
  type Dirent,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Repository, type RecordFile } from '../../src/store/mod.ts';

/**
 * Temporary directories of one test file. uvu imports every test file before running any, so
 * each file keeps its own list and removes only its own directories.
 */
export interface TempDirs {
  /** A new empty temporary directory. */
  make(prefix?: string): string;
  /** A writable copy of the corpus repository, or undefined when the corpus is absent. */
  copyCorpus(): string | undefined;
  /**
   * A writable repository holding only the corpus items `ids` and the records they link to (far
   * quicker to make than a whole copy), or undefined when the corpus is absent.
   */
  copyCorpusItems(ids: readonly string[]): string | undefined;
  /** Removes every directory made so far. */
  cleanup(): void;
}

/** The UTF-8 bytes of `text`. */
export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The corpus repository (`../shared/corpus/sit/.sit` from the project root), or undefined when absent. */
export function corpusRepository(): string | undefined {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const path = join(root, '..', 'shared', 'corpus', 'sit', '.sit');
  return existsSync(join(path, 'config.json')) ? path : undefined;
}

/**
 * Makes a copied tree writable again (the corpus is read-only): its directories 0755 and, with
 * `options.files`, its files 0644. Links are not followed. Directories alone are what removing
 * the tree needs.
 */
function makeWritable(dir: string, options: { files: boolean }): void {
  let entries: Dirent[];
  try {
    chmodSync(dir, 0o755);
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    // gone, or not a directory
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(path, options);
    else if (options.files && entry.isFile()) {
      try {
        chmodSync(path, 0o644);
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** A record file with UTF-8 text content. */
export function text(name: string, content: string): RecordFile {
  return { name, data: bytes(content) };
}

/** A new, empty repository in a new temporary directory. */
export function newRepository(temp: TempDirs): Repository {
  const { path } = Repository.init(temp.make());
  return Repository.open(path);
}

/** A new repository whose `records/` is a text link to `store/` inside it. */
export function repositoryWithLinkedRecords(temp: TempDirs): Repository {
  const repo = newRepository(temp);
  rmSync(join(repo.root, 'records'), { recursive: true });
  mkdirSync(join(repo.root, 'store'));
  writeFileSync(join(repo.root, 'records'), 'store');
  return Repository.open(repo.root);
}

/** A new set of temporary directories for one test file. */
export function tempDirs(): TempDirs {
  const created: string[] = [];
  const make = (prefix = 'sit-store-'): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    created.push(dir);
    return dir;
  };
  return {
    make,
    copyCorpus: () => {
      const source = corpusRepository();
      if (source === undefined) return undefined;
      const dest = join(make('sit-corpus-'), '.sit');
      cpSync(source, dest, { recursive: true });
      makeWritable(dest, { files: true });
      return dest;
    },
    copyCorpusItems: (ids) => {
      const source = corpusRepository();
      if (source === undefined) return undefined;
      const dest = join(make('sit-corpus-'), '.sit');
      mkdirSync(dest);
      cpSync(join(source, 'config.json'), join(dest, 'config.json'));
      for (const id of ids) {
        cpSync(join(source, 'items', id), join(dest, 'items', id), { recursive: true });
        for (const hash of readdirSync(join(source, 'items', id))) {
          const record = relative(
            source,
            resolve(source, 'items', id, readFileSync(join(source, 'items', id, hash), 'utf8').trim()),
          );
          cpSync(join(source, record), join(dest, record), { recursive: true });
        }
      }
      makeWritable(dest, { files: true });
      return dest;
    },
    cleanup: () => {
      for (const dir of created.splice(0)) {
        makeWritable(dir, { files: false });
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
