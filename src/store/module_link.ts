/**
 * Module links that name a module shipped with `sit` instead of a path: a file in `modules/`
 * whose trimmed text is `sit:<name>` (e.g. `sit:issue-tracking`) stands for the directory
 * `modules/<name>` of the running installation, wherever it is installed. A repository that
 * links its modules this way works on every machine with `sit`, after a clone or a move. (The
 * original SIT reads such a file as a relative path that does not exist; see the README.)
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { shippedModule } from '../paths.ts';
import { ModuleError } from './errors.ts';

/** The link text for the shipped module `name`. */
export function shippedLinkText(name: string): string {
  return `sit:${name}`;
}

const LINK = /^sit:([A-Za-z0-9][A-Za-z0-9._-]*)$/;
/** Link files are short; a larger file is not a shipped-module link. */
const MAX_LINK_BYTES = 1024;

/** The shipped module name that the link file at `path` names, or undefined when it is not such a link. */
export function shippedLinkName(path: string): string | undefined {
  const before = statSync(path, { throwIfNoEntry: false });
  if (before === undefined || !before.isFile() || before.size > MAX_LINK_BYTES) return undefined;
  let fd: number;
  try {
    // Non-blocking, in case the entry was swapped for a FIFO since it was looked at.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_LINK_BYTES) return undefined;
    const buffer = Buffer.alloc(stats.size);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return LINK.exec(buffer.subarray(0, length).toString('utf8').trim())?.[1];
  } finally {
    closeSync(fd);
  }
}

/**
 * The directory of the shipped module that the link file at `path` names, or undefined when the
 * file is not a shipped-module link. A link to a module this installation does not ship is a
 * {@link ModuleError}.
 */
export function resolveShippedLink(path: string): string | undefined {
  const name = shippedLinkName(path);
  if (name === undefined) return undefined;
  const dir = shippedModule(name);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ModuleError(
      `module ${path} names sit:${name}, which this installation of sit does not ship; install a sit that has it, or replace the link (sit module add NAME --copy)`,
    );
  }
  return dir;
}
