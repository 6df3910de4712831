/** Record file names: normalisation (original-sit.md §2.2), split paths (§1.4) and validation. */
import { InvalidRecordFileNameError } from './errors.ts';

/** What {@link normalizeName} changes: `\`, an empty, `.` or `..` component. */
const NEEDS_NORMALISING = /\\|^$|^\/|\/$|\/\/|(?:^|\/)\.\.?(?:\/|$)/;

/**
 * Normalises a record file name like the original: `\` becomes `/`, empty and `.` components are
 * dropped, `..` removes the previous normal component (a `..` with nothing to remove is kept).
 */
export function normalizeName(name: string): string {
  if (!NEEDS_NORMALISING.test(name)) return name;
  const parts: string[] = [];
  for (const part of name.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') {
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/**
 * Splits `text` into chunks of `size` characters and uses every chunk except the last as a
 * directory, then the whole text as the leaf: `split_path` of the original (§1.4).
 */
export function splitPath(text: string, size = 2): string {
  const parts: string[] = [];
  for (let i = 0; i + size < text.length; i += size) parts.push(text.slice(i, i + size));
  parts.push(text);
  return parts.join('/');
}

/** A short printable form of a file name for error messages. */
function show(name: string): string {
  return JSON.stringify(name);
}

/**
 * Checks the names of files about to be stored in a record and returns the files with their
 * names normalised, sorted by UTF-8 bytes. Refuses empty names, names that escape with `..`
 * or are absolute after normalisation, NUL bytes, names that collide after normalisation and
 * names used both as a file and as a directory.
 */
export function prepareRecordFiles<T extends { name: string }>(files: Iterable<T>): T[] {
  const out: T[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const original = file.name;
    if (original.includes('\0')) {
      throw new InvalidRecordFileNameError(`record file name ${show(original)} contains a NUL byte; rename the file`);
    }
    const name = normalizeName(original);
    if (name === '') {
      throw new InvalidRecordFileNameError(
        `record file name ${show(original)} is empty after normalisation; give the file a name`,
      );
    }
    if (name === '..' || name.startsWith('../')) {
      throw new InvalidRecordFileNameError(
        `record file name ${show(original)} escapes the record with ".."; use a name inside the record`,
      );
    }
    if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
      throw new InvalidRecordFileNameError(`record file name ${show(original)} is absolute; use a relative name`);
    }
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new InvalidRecordFileNameError(
        `record file names ${show(previous)} and ${show(original)} both normalise to ${show(name)}; keep only one`,
      );
    }
    seen.set(name, original);
    out.push({ ...file, name });
  }
  // A name cannot be both a file and a directory of another file.
  for (const name of seen.keys()) {
    let index = name.indexOf('/');
    while (index >= 0) {
      const prefix = name.slice(0, index);
      if (seen.has(prefix)) {
        throw new InvalidRecordFileNameError(
          `record file name ${show(prefix)} is also a directory of ${show(name)}; rename one of them`,
        );
      }
      index = name.indexOf('/', index + 1);
    }
  }
  return out.sort((a, b) => Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8')));
}

/** Whether `id` can name an item: a plain, direct child name of `items/`. */
export function isValidItemId(id: string): boolean {
  return id !== '' && id !== '.' && id !== '..' && !/[/\\\0]/.test(id);
}

/** The text of an item's link file for a record: `../../records/<split path>`. */
export function itemLinkText(hash: string): string {
  return `../../records/${splitPath(hash)}`;
}
