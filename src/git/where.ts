/**
 * Where an item stands on every branch and tag: what `sit issue where` and the web's "Branches
 * and tags" panel show. Git runs here, in trusted code; a module script only receives the result.
 * @module
 */
import type { Repository } from '../store/mod.ts';
import { itemAtRefs, listRefs } from './refs.ts';
import type { State } from './reduce.ts';
import { openGitSide } from './view.ts';

/** Options of {@link statesAtRefs}. */
export interface WhereOptions {
  /** Only refs whose short or full name matches one of these globs (default: every ref). */
  patterns?: readonly string[];
  /** Leave out records that do not match their hash (default true). */
  integrity?: boolean;
  /** The environment that locates the cache. */
  env?: NodeJS.ProcessEnv;
}

/** One ref with the item's state there: the reduced state, or null where the item does not exist. */
export interface RefItemState {
  ref: string;
  commit: string;
  state: State | null;
}

/** Item `id`'s state on every local branch, remote-tracking branch and tag of the repository's git. */
export async function statesAtRefs(repo: Repository, id: string, options: WhereOptions = {}): Promise<RefItemState[]> {
  const side = await openGitSide(repo, {
    integrity: options.integrity ?? true,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  try {
    const refs = await listRefs(side.git, options.patterns ?? []);
    const found = await itemAtRefs(side.git, side.reducer, id, refs);
    return found.map(({ ref, state }) => ({ ref: ref.ref, commit: ref.commit, state: state ?? null }));
  } finally {
    await side.close();
  }
}
