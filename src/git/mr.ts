/**
 * The git side of merge requests (original-issue-tracking.md §2.2–2.3): the patches of a branch
 * from its fork point (`git format-patch`), a branch holding only new records (made with a
 * temporary index, so that neither the work tree nor the index changes), and the merge itself:
 * `git am -3` on a branch `merge-<ITEM>-<MR>`, a commit of the records, and `git merge --no-ff`
 * into the branch it started from.
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RecordFile } from '../store/mod.ts';
import { GitError } from './errors.ts';
import type { GitRepository } from './repository.ts';
import { firstLine, git, gitText } from './run.ts';

/** A commit of a branch: its subject and body. */
export interface CommitMessage {
  subject: string;
  body: string;
}

/** What `sit mr` takes from a branch. */
export interface BranchPatches {
  /** The branch's commit. */
  tip: string;
  /** Where it forked from the current branch. */
  base: string;
  /** The current branch (or `HEAD` when detached). */
  target: string;
  /** Its commits from the fork point, oldest first. */
  commits: CommitMessage[];
  /** `git/0001-….patch` and so on: the `git format-patch` series. */
  patches: RecordFile[];
}

/** The checked-out branch, or undefined when HEAD is detached. */
export async function currentBranch(repository: GitRepository): Promise<string | undefined> {
  const result = await git(['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    ...repository.gitOptions(),
    okStatus: [1],
  });
  const name = result.stdout.toString('utf8').trim();
  return result.status === 0 && name !== '' ? name : undefined;
}

/** The commits of `base..tip`, oldest first. */
async function commitMessages(repository: GitRepository, base: string, tip: string): Promise<CommitMessage[]> {
  const out = await git(['log', '--reverse', '--format=%s%x1f%b%x1e', `${base}..${tip}`], repository.gitOptions());
  return out.stdout
    .toString('utf8')
    .split('\x1e')
    .map((entry) => entry.replace(/^\n/, ''))
    .filter((entry) => entry.includes('\x1f'))
    .map((entry) => {
      const [subject, body] = entry.split('\x1f') as [string, string];
      return { subject: subject.trim(), body: body.trim() };
    });
}

/**
 * The patches of `branch` from where it forked from the current branch (`git merge-base
 * --fork-point`, else the merge base), as `git format-patch` writes them.
 */
export async function branchPatches(repository: GitRepository, branch: string): Promise<BranchPatches> {
  const tip = await repository.resolveCommit(branch);
  const current = await currentBranch(repository);
  const options = repository.gitOptions();
  let base = '';
  if (current !== undefined) {
    const fork = await git(['merge-base', '--fork-point', '--end-of-options', current, tip], {
      ...options,
      okStatus: [1],
    });
    base = fork.status === 0 ? fork.stdout.toString('latin1').trim() : '';
  }
  if (base === '') {
    const merged = await git(['merge-base', 'HEAD', tip], { ...options, okStatus: [1] });
    base = merged.stdout.toString('latin1').trim();
    if (merged.status !== 0 || base === '')
      throw new GitError(`${branch} and ${current ?? 'HEAD'} have no common history; nothing to merge`);
  }
  const commits = await commitMessages(repository, base, tip);
  if (commits.length === 0) {
    throw new GitError(
      `${branch} has no commits that ${current ?? 'HEAD'} lacks (it forked at ${base.slice(0, 12)}); nothing to request`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'sit-mr-'));
  try {
    await git(['format-patch', '--quiet', '-o', dir, `${base}..${tip}`], options);
    const patches = readdirSync(dir)
      .filter((name) => name.endsWith('.patch'))
      .sort()
      .map((name) => ({ name: `git/${name}`, data: new Uint8Array(readFileSync(join(dir, name))) }));
    return { tip, base, target: current ?? 'HEAD', commits, patches };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a branch called `name` exists. */
export async function branchExists(repository: GitRepository, name: string): Promise<boolean> {
  const result = await git(['show-ref', '--verify', '--quiet', `refs/heads/${name}`], {
    ...repository.gitOptions(),
    okStatus: [1],
  });
  return result.status === 0;
}

/** Checks that `name` can name a new branch. */
export async function checkBranchName(repository: GitRepository, name: string): Promise<void> {
  const result = await git(['check-ref-format', '--branch', name], { ...repository.gitOptions(), okStatus: [1, 128] });
  if (result.status !== 0 || name.startsWith('-'))
    throw new GitError(`${JSON.stringify(name)} is not a valid branch name`);
  if (await branchExists(repository, name)) throw new GitError(`a branch ${name} exists already; choose another name`);
}

/**
 * Creates branch `branch` at a new commit on top of `parent` that adds `files` (paths in the
 * commit's tree) and nothing else. A temporary index is used: the work tree and the index stay
 * as they are.
 */
export async function commitFilesOnBranch(
  repository: GitRepository,
  options: {
    branch: string;
    parent: string;
    files: ReadonlyArray<{ path: string; data: Uint8Array }>;
    message: string;
  },
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sit-index-'));
  try {
    const env = { ...repository.gitOptions().env, GIT_INDEX_FILE: join(dir, 'index') };
    const run = { cwd: repository.cwd, env };
    await git(['read-tree', options.parent], run);
    const lines: string[] = [];
    for (const file of options.files) {
      const oid = (await gitText(['hash-object', '-w', '--stdin'], { ...run, input: file.data })).trim();
      lines.push(`100644 ${oid}\t${file.path}`);
    }
    await git(['update-index', '--add', '-z', '--index-info'], {
      ...run,
      input: lines.map((line) => `${line}\0`).join(''),
    });
    const tree = await gitText(['write-tree'], run);
    const commit = await gitText(['commit-tree', tree, '-p', options.parent, '-m', options.message], run);
    await git(['update-ref', `refs/heads/${options.branch}`, commit, '0'.repeat(commit.length)], run);
    return commit;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether a `git am` is in progress (stopped on a conflict). */
export async function amInProgress(repository: GitRepository): Promise<boolean> {
  const path = await gitText(['rev-parse', '--git-path', 'rebase-apply'], repository.gitOptions());
  try {
    return readdirSync(resolve(repository.cwd, path)).length > 0;
  } catch {
    return false;
  }
}

/** Tracked files changed in the work tree or the index (`git status --porcelain`, untracked files not counted). */
export async function trackedChanges(repository: GitRepository): Promise<string[]> {
  const out = await gitText(['status', '--porcelain', '--untracked-files=no'], repository.gitOptions());
  return out.split('\n').filter((line) => line.trim() !== '');
}

/** Runs a git command that changes the work tree; its failure shows git's own explanation. */
async function porcelain(repository: GitRepository, args: string[], what: string): Promise<void> {
  const result = await git(args, { ...repository.gitOptions(), okStatus: [1, 128] });
  if (result.status !== 0) {
    const detail = firstLine(result.stderr) || firstLine(result.stdout.toString('utf8'));
    throw new GitError(`${what} failed${detail === '' ? '' : `: ${detail}`}`);
  }
}

/** Creates branch `branch` at HEAD and checks it out. */
export function checkoutNewBranch(repository: GitRepository, branch: string): Promise<void> {
  return porcelain(repository, ['checkout', '-b', branch], `git checkout -b ${branch}`);
}

/** Checks out `branch`. */
export function checkout(repository: GitRepository, branch: string): Promise<void> {
  return porcelain(repository, ['checkout', '--quiet', branch, '--'], `git checkout ${branch}`);
}

/** Applies `patches` with `git am -3`; resolves to false (with git's output) when it stops on a conflict. */
export async function applyPatches(
  repository: GitRepository,
  patches: readonly RecordFile[],
): Promise<{ ok: boolean; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sit-am-'));
  try {
    const files = patches.map((patch, i) => {
      const file = join(dir, `${String(i + 1).padStart(4, '0')}.patch`);
      writeFileSync(file, patch.data);
      return file;
    });
    const result = await git(['am', '-3', '--', ...files], { ...repository.gitOptions(), okStatus: [1, 128] });
    return { ok: result.status === 0, output: `${result.stdout.toString('utf8')}${result.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Commits exactly `paths` (absolute, in the work tree) with `message`. */
export async function commitPaths(repository: GitRepository, paths: readonly string[], message: string): Promise<void> {
  await porcelain(repository, ['add', '--', ...paths], 'git add');
  await porcelain(repository, ['commit', '--quiet', '-m', message, '--', ...paths], 'git commit');
}

/** `git merge --no-ff BRANCH` into the checked-out branch. */
export function mergeNoFastForward(repository: GitRepository, branch: string, message: string): Promise<void> {
  return porcelain(
    repository,
    ['merge', '--no-ff', '--quiet', '-m', message, '--end-of-options', branch],
    `git merge --no-ff ${branch}`,
  );
}

/** Remembers (or reads back) the branch a merge branch is to be merged into: `branch.<NAME>.sit-merge-into`. */
export async function mergeTarget(
  repository: GitRepository,
  branch: string,
  target?: string,
): Promise<string | undefined> {
  const key = `branch.${branch}.sit-merge-into`;
  if (target !== undefined) {
    await git(['config', key, target], repository.gitOptions());
    return target;
  }
  const result = await git(['config', '--get', key], { ...repository.gitOptions(), okStatus: [1] });
  const value = result.stdout.toString('utf8').trim();
  return value === '' ? undefined : value;
}
