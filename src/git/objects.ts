/**
 * Git's object formats, as far as reading a SIT repository needs them: tree entries, the tree of
 * a commit, and the id of a blob computed locally (to recognise the canonical item link text
 * without reading it).
 * @module
 */
import { createHash } from 'node:crypto';
import { GitError } from './errors.ts';

/** A tree entry's mode: a directory. */
export const MODE_TREE = 0o040000;
/** A tree entry's mode: a regular file without the executable bit. */
export const MODE_FILE = 0o100644;
/** A tree entry's mode: an executable file. */
export const MODE_EXECUTABLE = 0o100755;
/** A tree entry's mode: a symbolic link. */
export const MODE_SYMLINK = 0o120000;
/** A tree entry's mode: a submodule commit. */
export const MODE_GITLINK = 0o160000;

/** The object id format of a repository. */
export type ObjectFormat = 'sha1' | 'sha256';

/** One entry of a tree. Names are kept as their raw bytes (a `latin1` string: one char per byte). */
export interface TreeEntry {
  mode: number;
  name: string;
  oid: string;
}

/** A raw name (one char per byte) as the UTF-8 text it encodes. */
export function utf8Name(raw: string): string {
  return /[\x80-\xff]/.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
}

/** The raw form (one char per byte) of UTF-8 text. */
export function rawName(text: string): string {
  return /[^\x00-\x7f]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
}

/** The length in bytes of an object id of `format`. */
export function oidBytes(format: ObjectFormat): number {
  return format === 'sha1' ? 20 : 32;
}

/** The object format whose ids look like `oid`. */
export function formatOf(oid: string): ObjectFormat {
  return oid.length === 64 ? 'sha256' : 'sha1';
}

/** Parses a tree object's bytes. */
export function parseTree(data: Buffer, format: ObjectFormat): TreeEntry[] {
  const size = oidBytes(format);
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = space < 0 ? -1 : data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + size > data.length)
      throw new GitError('a tree object of the repository is malformed');
    const mode = Number.parseInt(data.toString('latin1', at, space), 8);
    const name = data.toString('latin1', space + 1, nul);
    const oid = data.toString('hex', nul + 1, nul + 1 + size);
    entries.push({ mode, name, oid });
    at = nul + 1 + size;
  }
  return entries;
}

/**
 * The entry called `name` (raw) in a tree object's bytes, found without parsing the others: what
 * a lookup in a large tree (`items/`, `records/`) costs is then a scan, not an object per entry.
 */
export function findTreeEntry(data: Buffer, name: string, format: ObjectFormat): TreeEntry | undefined {
  const size = oidBytes(format);
  const target = Buffer.from(name, 'latin1');
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const nul = space < 0 ? -1 : data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + size > data.length)
      throw new GitError('a tree object of the repository is malformed');
    if (nul - space - 1 === target.length && data.compare(target, 0, target.length, space + 1, nul) === 0) {
      return {
        mode: Number.parseInt(data.toString('latin1', at, space), 8),
        name,
        oid: data.toString('hex', nul + 1, nul + 1 + size),
      };
    }
    at = nul + 1 + size;
  }
  return undefined;
}

/** The tree id of a commit object's bytes. */
export function commitTree(data: Buffer): string {
  const match = /^tree ([0-9a-f]{40}(?:[0-9a-f]{24})?)\n/.exec(data.toString('latin1', 0, 80));
  if (match === null) throw new GitError('a commit object of the repository is malformed');
  return match[1]!;
}

function objectId(type: string, body: Buffer, format: ObjectFormat): string {
  return createHash(format).update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** The id of the blob whose content is `text` (UTF-8). */
export function blobOid(text: string, format: ObjectFormat): string {
  return objectId('blob', Buffer.from(text, 'utf8'), format);
}

/** A file below a tree, as `git ls-tree -r` lists it: a `/`-separated raw path, its mode and id. */
export interface TreeFile {
  path: string;
  mode: number;
  oid: string;
}
