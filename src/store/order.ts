/**
 * Generation ordering of records (original-sit.md §2.7) with the tie-break of SPEC §1: a record
 * is ready once every parent it names that is present has been emitted in an earlier generation;
 * inside a generation records are ordered by `.timestamp` (RFC 3339; records without one first),
 * then by hash. Pure functions over plain data, so they work for any record source.
 */

import { compareInstants, parseTimestamp, type Instant } from '../timestamp.ts';

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
function compareInGeneration(
  a: { hash: string; at: Instant | undefined },
  b: { hash: string; at: Instant | undefined },
): number {
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
export function orderGenerations<T extends OrderNode>(
  nodes: Iterable<T>,
  options: { roots?: readonly string[] } = {},
): T[][] {
  // Plain loops throughout: this runs for every item, and small code is also quick to optimise.
  const byHash = new Map<string, T>();
  for (const node of nodes) if (!byHash.has(node.hash)) byHash.set(node.hash, node);

  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  let ready: string[] = [];
  for (const [hash, node] of byHash) {
    const parents = presentParents(node.parents, byHash);
    waiting.set(hash, parents.length);
    for (let i = 0; i < parents.length; i++) {
      const parent = parents[i]!;
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [hash]);
      else list.push(hash);
    }
    if (parents.length === 0) ready.push(hash);
  }

  const roots = options.roots === undefined ? undefined : new Set(options.roots);
  const known = new Set<string>();
  const generations: T[][] = [];
  while (ready.length > 0) {
    const next: string[] = [];
    const kept: T[] = [];
    for (let i = 0; i < ready.length; i++) {
      const hash = ready[i]!;
      const list = children.get(hash);
      if (list !== undefined) {
        for (let j = 0; j < list.length; j++) {
          const child = list[j]!;
          const left = waiting.get(child)! - 1;
          waiting.set(child, left);
          if (left === 0) next.push(child);
        }
      }
      const node = byHash.get(hash)!;
      if (node.intact !== false) kept.push(node);
    }
    const generation = roots === undefined ? kept : keepDescendants(kept, roots, known);
    if (generation.length > 1) sortGeneration(generation);
    generations.push(generation);
    ready = next;
  }
  return generations;
}

/** The distinct parents of a node that are among the nodes, in the order named. */
function presentParents(parents: readonly string[], byHash: ReadonlyMap<string, unknown>): string[] {
  const present: string[] = [];
  for (let i = 0; i < parents.length; i++) {
    const parent = parents[i]!;
    if (byHash.has(parent) && !present.includes(parent)) present.push(parent);
  }
  return present;
}

/** The nodes named in `roots` or with a parent in `known`; adds them to `known`. */
function keepDescendants<T extends OrderNode>(nodes: T[], roots: ReadonlySet<string>, known: Set<string>): T[] {
  const kept: T[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (roots.has(node.hash) || node.parents.some((p) => known.has(p))) kept.push(node);
  }
  for (let i = 0; i < kept.length; i++) known.add(kept[i]!.hash);
  return kept;
}

/** Sorts one generation in place: no timestamp first, then time, then hash. */
function sortGeneration<T extends OrderNode>(generation: T[]): void {
  const keyed = generation.map((node) => ({
    node,
    hash: node.hash,
    at: node.timestamp === undefined ? undefined : parseTimestamp(node.timestamp),
  }));
  keyed.sort(compareInGeneration);
  for (let i = 0; i < keyed.length; i++) generation[i] = keyed[i]!.node;
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
