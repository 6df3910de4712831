/**
 * Branches and tags, and an item's state on each: `sit issue where`. Refs are the local branches,
 * remote-tracking branches and tags, named as `git for-each-ref --format='%(refname:short)'`
 * names them; a tag is followed to its commit. Commits, revisions and item states are each read
 * once however many refs share them, and states come from the git state cache when known.
 * @module
 */
import { isValidItemId } from '../store/mod.ts';
import type { GitRepository } from './repository.ts';
import type { RevisionReducer, State } from './reduce.ts';
import { Revision } from './revision.ts';
import { git } from './run.ts';

/** A branch or tag and the commit it names. */
export interface GitRef {
  /** The short name (`main`, `origin/main`, `v1.0`). */
  ref: string;
  /** The full name (`refs/heads/main`). */
  name: string;
  /** The commit. */
  commit: string;
}

/** What `sit issue where` reports for one ref. */
export interface RefState {
  ref: string;
  commit: string;
  /** `open` or `closed` when the item exists at that commit, else `absent`. */
  state: 'open' | 'closed' | 'absent';
}

/** The regular expression of a ref glob: `*` any characters, `?` one, everything else literal. */
function globPattern(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

/**
 * The local branches, remote-tracking branches and tags (in that order, each sorted by name),
 * optionally only those whose short or full name matches one of `patterns` (globs: `release/*`,
 * `v1.*`, `refs/tags/*`). Symbolic refs (`origin/HEAD`) and tags of anything but a commit are left out.
 */
export async function listRefs(repository: GitRepository, patterns: readonly string[] = []): Promise<GitRef[]> {
  const format =
    '%(refname)%00%(refname:short)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(symref)';
  const result = await git(
    ['for-each-ref', `--format=${format}`, 'refs/heads', 'refs/remotes', 'refs/tags'],
    repository.gitOptions(),
  );
  const globs = patterns.map(globPattern);
  const refs: GitRef[] = [];
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line === '') continue;
    const [name, ref, type, oid, peeledType, peeled, symref] = line.split('\0') as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (symref !== '') continue;
    const commit = type === 'commit' ? oid : type === 'tag' && peeledType === 'commit' ? peeled : undefined;
    if (commit === undefined) continue;
    if (globs.length > 0 && !globs.some((glob) => glob.test(ref) || glob.test(name))) continue;
    refs.push({ ref, name, commit });
  }
  return refs;
}

/**
 * The state of item `id` at each of `refs`: the reduced state, or undefined where the item (or the
 * SIT repository) does not exist. Each commit is read once.
 */
export async function itemAtRefs(
  repository: GitRepository,
  reducer: RevisionReducer,
  id: string,
  refs: readonly GitRef[],
): Promise<Array<{ ref: GitRef; state: State | undefined }>> {
  const byCommit = new Map<string, Promise<State | undefined>>();
  const stateAt = async (commit: string): Promise<State | undefined> => {
    const revision = await Revision.open(repository, commit);
    if (!revision.exists || !isValidItemId(id)) return undefined;
    let state: State | undefined;
    await reducer.reduce(revision, [id], (_, reduced) => {
      state = reduced;
    });
    return state;
  };
  for (const ref of refs) if (!byCommit.has(ref.commit)) byCommit.set(ref.commit, stateAt(ref.commit));
  const out: Array<{ ref: GitRef; state: State | undefined }> = [];
  for (const ref of refs) out.push({ ref, state: await byCommit.get(ref.commit)! });
  return out;
}

/** `open`, `closed` or `absent`, as the issue tracker reads a state. */
export function issueState(state: State | undefined): RefState['state'] {
  if (state === undefined) return 'absent';
  return state['state'] === 'closed' ? 'closed' : 'open';
}
