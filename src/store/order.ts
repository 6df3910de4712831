/**
 * Generation ordering of records (original-sit.md §2.7) with the tie-break of SPEC §1: a record
 * is ready once every parent it names that is present has been emitted in an earlier generation;
 * inside a generation records are ordered by `.timestamp` (RFC 3339; records without one first),
 * then by hash. Pure functions over plain data, so they work for any record source.
 */

import { compareInstants, parseTimestamp, type Instant } from '../timestamp.ts';

export { parseTimestamp, type Instant };

/** What ordering needs to know about a record. */
export interface OrderNode {
  hash: string;
  /** Hashes named by `.prev/<HASH>` files. */
  parents: readonly string[];
  /** The text of `.timestamp`, if any. */
  timestamp?: string | undefined;
  /** `false` drops the record from the output (it still counts as emitted for its children). */
  intact?: boolean | undefined;
}

/** Compares two records of one generation: no timestamp first, then time, then hash. */
function compareInGeneration(a: { hash: string; at: Instant | undefined }, b: { hash: string; at: Instant | undefined }): number {
  const byTime = compareInstants(a.at, b.at);
  if (byTime !== 0) return byTime;
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0;
}

/**
 * Orders records into generations. Links to records that are not among `nodes` are ignored;
 * records on a cycle (or descending from one) are never emitted; records with `intact === false`
 * are left out of the output but still count as emitted. With `roots`, only the records named
 * in `roots` and their descendants (through kept records) are kept, as `--root` does. A
 * generation can be empty.
 */
export function orderGenerations<T extends OrderNode>(nodes: Iterable<T>, options: { roots?: readonly string[] } = {}): T[][] {
  const byHash = new Map<string, T>();
  for (const node of nodes) if (!byHash.has(node.hash)) byHash.set(node.hash, node);

  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  let ready: string[] = [];
  for (const [hash, node] of byHash) {
    const parents = new Set(node.parents.filter((p) => byHash.has(p)));
    waiting.set(hash, parents.size);
    for (const parent of parents) {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [hash]);
      else list.push(hash);
    }
    if (parents.size === 0) ready.push(hash);
  }

  const roots = options.roots === undefined ? undefined : new Set(options.roots);
  const known = new Set<string>();
  const generations: T[][] = [];
  while (ready.length > 0) {
    const next: string[] = [];
    for (const hash of ready) {
      for (const child of children.get(hash) ?? []) {
        const left = waiting.get(child)! - 1;
        waiting.set(child, left);
        if (left === 0) next.push(child);
      }
    }
    let kept = ready.map((hash) => byHash.get(hash)!).filter((node) => node.intact !== false);
    if (roots !== undefined) {
      kept = kept.filter((node) => roots.has(node.hash) || node.parents.some((p) => known.has(p)));
      for (const node of kept) known.add(node.hash);
    }
    if (kept.length <= 1) {
      // nothing to tie-break (the usual generation: one record)
      generations.push(kept);
    } else {
      const keyed = kept.map((node) => ({ node, hash: node.hash, at: node.timestamp === undefined ? undefined : parseTimestamp(node.timestamp) }));
      keyed.sort(compareInGeneration);
      generations.push(keyed.map((k) => k.node));
    }
    ready = next;
  }
  return generations;
}

/**
 * The heads among `nodes`: records that no other record of the set names as a parent, sorted
 * by hash.
 */
export function findHeads(nodes: Iterable<{ hash: string; parents: readonly string[] }>): string[] {
  const all = new Map<string, readonly string[]>();
  for (const node of nodes) all.set(node.hash, node.parents);
  const named = new Set<string>();
  for (const [hash, parents] of all) for (const parent of parents) if (parent !== hash) named.add(parent);
  return [...all.keys()].filter((hash) => !named.has(hash)).sort();
}
