/**
 * Putting a new record's files in place under `records/` (SPEC §1 "Writing a record"): staged in a
 * temporary directory inside the repository and renamed into place in one step, never below a
 * symbolic link that leads out of the repository.
 * @module
 */
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreOperationError } from './errors.ts';
import { errorCode, lstatOrUndefined, TEMPORARY_PREFIX } from './fs_util.ts';
import type { RecordFile } from './hash.ts';
import { splitPath } from './names.ts';
import { isInside } from './resolve.ts';

/**
 * Throws unless `path` (which must exist) lies inside `root` by its real path: a write never goes
 * through a symbolic link that leads out of the repository.
 */
function assertInside(path: string, options: { root: string; what: string }): void {
  let real: string;
  let root: string;
  try {
    real = realpathSync.native(path);
    root = realpathSync.native(options.root);
  } catch (error) {
    throw new StoreOperationError(`cannot write ${options.what}: ${path} cannot be resolved (${errorCode(error)})`);
  }
  if (!isInside(real, root)) {
    throw new StoreOperationError(
      `refusing to write ${options.what}: ${path} leads outside the repository (to ${real}) through a symbolic link; replace the link with a directory`,
    );
  }
}

/**
 * Puts the files of record `hash` in place below the records directory of the repository at
 * `root` (`records`: the resolved `records/`, or undefined when there is none yet) and returns its
 * directory, and whether this call created it (false when an identical record was there). Every
 * directory written to lies inside the repository by its real path.
 */
export function storeRecord(
  hash: string,
  files: readonly RecordFile[],
  options: { root: string; records: string | undefined },
): { dest: string; created: boolean } {
  const { root } = options;
  let records = options.records;
  if (records === undefined) {
    records = join(root, 'records');
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
      assertInside(existing, { root, what: `record ${hash}` });
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
      tryIn(root);
    } catch (error) {
      // `records/` may be a link to another file system; then stage next to the records.
      if (errorCode(error) !== 'EXDEV') throw error;
      tryIn(records);
    }
  } catch (error) {
    if (error instanceof StoreOperationError) throw error;
    throw new StoreOperationError(
      `cannot write record ${hash} into ${records}: ${errorCode(error)}; check permissions and free space`,
    );
  }
  return { dest, created };
}
