/**
 * How deep JSON from outside (a repository's config.json, an initial state) may nest: walks over
 * JSON recurse, and Node's stack ends a few thousand levels down. No imports, so that any room
 * (the store included) can check what it reads.
 * @module
 */

/** The deepest nesting of objects and arrays accepted from outside; the sandbox gives states the same limit. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether `value` nests objects and arrays more than `limit` levels deep (a scalar is level 0, an
 * empty array level 1). Iterative: it never overflows the stack, whatever the input.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
