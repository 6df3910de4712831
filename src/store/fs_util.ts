/**
 * File-system helpers of the store: error codes, stat and listing that tolerate absence, the real
 * path of a directory, atomic writes, and the names of temporaries.
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { dirname, join } from 'node:path';

/** Prefix of temporary files and directories; readers ignore them, `sit integrity` removes old ones. */
export const TEMPORARY_PREFIX = '.tmp-';

/** The `code` of a system error (e.g. `ENOENT`), else its message. */
export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** Whether `path` is a directory (following links); false when it cannot be examined. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The `lstat` of `path`, or undefined when it cannot be examined. */
export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The entries of directory `path`, or none when it cannot be listed. */
export function listDir(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
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

/** Writes `data` to `path` atomically: a temporary file next to it, then a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `${TEMPORARY_PREFIX}${randomBytes(8).toString('hex')}`);
  try {
    writeFileSync(temporary, data, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
