/**
 * Text links (original-sit.md §1.7): a regular file whose trimmed text is a path stands for the
 * directory it names. Used for items, item record links, record leaves, the records directory
 * and modules.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve, sep } from 'node:path';

/** Links are followed at most this many times, so that link cycles end. */
const MAX_LINKS = 32;

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `path` is `root` or lies below it (both absolute and normalised). */
export function isInside(path: string, root: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path.startsWith(prefix);
}

/** Follows the text link at `path` (a regular file): the path its trimmed text names. */
function followLink(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (text === '' || text.includes('\0')) return undefined;
  const target = text.replaceAll('\\', '/');
  return isAbsolute(target) ? resolve(target) : resolve(dirname(path), target);
}

function resolveLexically(path: string, budget: { links: number }): string | undefined {
  const stats = statOrUndefined(path);
  if (stats?.isDirectory()) return path;
  if (stats?.isFile()) {
    if (--budget.links < 0) return undefined;
    const target = followLink(path);
    return target === undefined ? undefined : resolveLexically(target, budget);
  }
  if (stats !== undefined) return undefined;
  // The whole path does not exist: rebuild it component by component, following links on the way.
  const { root } = parse(path);
  const parts = path
    .slice(root.length)
    .split(sep)
    .filter((p) => p !== '');
  let current = root;
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i]!);
    const here = statOrUndefined(current);
    if (here === undefined) return undefined;
    if (i < parts.length - 1) {
      const resolved = resolveLexically(current, budget);
      if (resolved === undefined) return undefined;
      current = resolved;
    }
  }
  return current;
}

/**
 * Resolves `path` through text links. Returns the resolved path (a directory, or for the last
 * component possibly a file), or undefined when it does not resolve. The result must lie inside
 * `root` both lexically and, unless `root` is the file-system root, by its real path (so a
 * symbolic link cannot lead outside `root` either).
 */
export function resolveDir(path: string, root: string): string | undefined {
  const absoluteRoot = resolve(root);
  const result = resolveLexically(resolve(path), { links: MAX_LINKS });
  if (result === undefined || !isInside(result, absoluteRoot)) return undefined;
  if (absoluteRoot !== parse(absoluteRoot).root) {
    try {
      if (!isInside(realpathSync.native(result), realpathSync.native(absoluteRoot))) return undefined;
    } catch {
      return undefined;
    }
  }
  return result;
}

/** Like {@link resolveDir}, but only accepts a directory as the result. */
export function resolveDirectory(path: string, root: string): string | undefined {
  const result = resolveDir(path, root);
  if (result === undefined) return undefined;
  return statOrUndefined(result)?.isDirectory() ? result : undefined;
}

/**
 * Whether `path` lies inside `root` by its real path (symbolic links on the way followed), so that
 * nothing is read through a link that leads out of `root`. False when either cannot be resolved.
 */
export function isConfined(path: string, root: string): boolean {
  try {
    return isInside(realpathSync.native(path), realpathSync.native(root));
  } catch {
    return false;
  }
}
