/**
 * `sit mr` and `sit mr-merge`: merge requests in the issue-tracking module's record types
 * (original-issue-tracking.md §2.2–2.3), so that the original's `sit-mr` scripts and this command
 * read each other's records. A new merge request is an issue whose summary and details come from
 * the branch's commit messages (`SummaryChanged`, then `DetailsChanged,MergeRequested` with the
 * `git format-patch` series as `git/*.patch`), or a `Commented,MergeRequested` record on an
 * existing issue. Merging applies the patches with `git am -3` on a branch `merge-<ITEM>-<MR>`,
 * records `Merged,Closed` (`record` names the merge request) and merges that branch with
 * `git merge --no-ff`, as the original did.
 * @module
 */
import { SitError } from '../errors.ts';
import {
  composeRecord,
  readItemRecords,
  readRecord,
  recordSigner,
  splitPath,
  itemLinkText,
  type RecordFile,
  type Repository,
} from '../store/mod.ts';
import { Engine } from '../reduce/mod.ts';
import { editText, processIo } from '../scripts/io.ts';
import type { GitRepository } from '../git/repository.ts';
import { openGitSide, RevisionView } from '../git/view.ts';
import {
  amInProgress,
  applyPatches,
  branchExists,
  branchPatches,
  checkBranchName,
  checkout,
  checkoutNewBranch,
  commitFilesOnBranch,
  commitPaths,
  currentBranch,
  mergeNoFastForward,
  mergeTarget,
  trackedChanges,
} from '../git/mr.ts';
import { requireAuthor } from './author.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { parseCommand, stringOption } from './parse.ts';

/** A merge request that cannot be created or merged as asked. */
export class MergeRequestError extends SitError {}

const encoder = new TextEncoder();

/** The item whose id is `prefix` or starts with it (any case), in the working tree. */
function resolveItem(repo: Repository, prefix: string): string {
  const ids = repo.items();
  if (ids.includes(prefix)) return prefix;
  const matches = ids.filter((id) => id.toLowerCase().startsWith(prefix.toLowerCase()));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new MergeRequestError(`no issue id starts with ${JSON.stringify(prefix)}; see \`sit issue list --all\``);
  throw new MergeRequestError(
    `issue id prefix ${JSON.stringify(prefix)} is ambiguous (${matches.length} issues); give more characters`,
  );
}

/** Writes a record of `types` into item `id`, with authorship, timestamp and (when configured) a signature. */
async function writeRecord(
  context: Context,
  repo: Repository,
  id: string,
  types: string[],
  files: RecordFile[],
): Promise<string> {
  const author = await requireAuthor(context);
  const sign = recordSigner(context.userConfig().signing);
  return repo.newRecord(composeRecord(files, { types: [...types].sort(), author }), {
    itemId: id,
    ...(sign === undefined ? {} : { sign }),
  });
}

/** The text of a new merge request: from `-m`, else the editor on a terminal, else the commit messages. */
function requestText(options: Record<string, unknown>, initial: string, help: string): string {
  const given = stringOption(options, 'message');
  if (given !== undefined) return given;
  if (options.edit === false || !process.stdin.isTTY) return initial;
  return editText(processIo(), { initial, help, fileName: 'MERGE_REQUEST_EDITMSG.md' });
}

/** Splits an edited text into its first line (the summary) and the rest (the details). */
function splitText(text: string): { summary: string; details: string } {
  const body = text.replace(/^(\s*\n)+/, '').replace(/\s+$/, '');
  const newline = body.indexOf('\n');
  return newline < 0
    ? { summary: body.trim(), details: '' }
    : { summary: body.slice(0, newline).trim(), details: body.slice(newline + 1).trim() };
}

/** Commits the item's new records, alone, on a new branch from `parent` (see `commitFilesOnBranch`). */
async function recordsBranch(
  repo: Repository,
  git: GitRepository,
  id: string,
  hashes: string[],
  branch: string,
  parent: string,
): Promise<void> {
  const inTree = (path: string): string => [git.sitPath, path].filter((p) => p !== '').join('/');
  const files: Array<{ path: string; data: Uint8Array }> = [];
  for (const hash of hashes) {
    const dir = repo.recordPath(hash)!;
    for (const file of readRecord(dir, hash, { full: true }).files)
      files.push({ path: inTree(`records/${splitPath(hash)}/${file.name}`), data: file.data });
    files.push({ path: inTree(`items/${id}/${hash}`), data: encoder.encode(itemLinkText(hash)) });
  }
  await commitFilesOnBranch(git, { branch, parent, files, message: `Added merge request: ${id}` });
}

/** Runs `sit mr`. */
export async function runMr(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'mr',
      usage: 'mr [branch] [item]',
      description:
        'Request that BRANCH be merged: its patches from where it forked from the current branch (git format-patch) in a new issue, or on issue ITEM; with --list, list merge requests',
      options: [
        [
          '-m, --message <text>',
          'the text (a new issue: its first line is the summary, the rest the details; an existing issue: the comment)',
        ],
        ['--no-edit', 'take the text from the commit messages without opening the editor'],
        [
          '--branch <name>',
          'also commit the new records, and nothing else, on a new branch NAME from the current commit (to push or send upstream)',
        ],
        ['--list', 'list the merge requests and whether each is merged into the current branch'],
        ['--json', 'with --list: print a JSON array'],
      ],
      examples: [
        'sit mr feature',
        'sit mr feature 6f1c -m "Fixes the crash"',
        'sit mr feature --branch mr/feature',
        'sit mr --list',
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  if (parsed.options.list === true) {
    if (parsed.args.length > 0) throw new UsageError('--list takes no branch or item');
    return listMergeRequests(context, parsed.options.json === true);
  }
  const [branch, itemPrefix] = parsed.args;
  if (branch === undefined)
    throw new UsageError(
      'give the branch to request a merge of (sit mr BRANCH [ITEM]), or --list; see `sit mr --help`',
    );
  const repo = context.repository();
  const item = itemPrefix === undefined ? undefined : resolveItem(repo, itemPrefix);
  const side = await openGitSide(repo, { integrity: context.integrity });
  try {
    const git = side.git;
    const recordsBranchName = stringOption(parsed.options, 'branch');
    if (recordsBranchName !== undefined) await checkBranchName(git, recordsBranchName);
    const patches = await branchPatches(git, branch);
    const range = `${patches.patches.length} patch${patches.patches.length === 1 ? '' : 'es'} of ${branch} from ${patches.base.slice(0, 12)}`;
    let id: string;
    let hashes: string[];
    if (item === undefined) {
      const summary = patches.commits[0]!.subject;
      const details = patches.commits
        .map((c) => c.body)
        .filter((b) => b !== '')
        .join('\n\n');
      const text = splitText(
        requestText(
          parsed.options,
          `${summary}\n\n${details}\n`,
          `A merge request of ${branch} into ${patches.target}: the first line is its summary, the rest its details.\nThese help lines are removed; an empty summary aborts.`,
        ),
      );
      if (text.summary === '') throw new MergeRequestError('the summary is empty; nothing was recorded');
      id = repo.newItem();
      hashes = [
        await writeRecord(
          context,
          repo,
          id,
          ['SummaryChanged'],
          [{ name: 'text', data: encoder.encode(text.summary) }],
        ),
        await writeRecord(
          context,
          repo,
          id,
          ['DetailsChanged', 'MergeRequested'],
          [{ name: 'text', data: encoder.encode(text.details) }, ...patches.patches],
        ),
      ];
      context.print(`Created issue ${id} with merge request ${hashes[1]} (${range})`);
    } else {
      const initial = patches.commits
        .map((c) => (c.body === '' ? c.subject : `${c.subject}\n\n${c.body}`))
        .join('\n\n');
      const text = requestText(
        parsed.options,
        `${initial}\n`,
        `A merge request of ${branch} into ${patches.target} on issue ${item}.\nThese help lines are removed.`,
      ).trim();
      id = item;
      hashes = [
        await writeRecord(
          context,
          repo,
          id,
          ['Commented', 'MergeRequested'],
          [{ name: 'text', data: encoder.encode(text) }, ...patches.patches],
        ),
      ];
      context.print(`Added merge request ${hashes[0]} to issue ${id} (${range})`);
    }
    const mr = hashes[hashes.length - 1]!;
    if (recordsBranchName !== undefined) {
      await recordsBranch(repo, git, id, hashes, recordsBranchName, await git.resolveCommit('HEAD'));
      context.print(
        `Committed the new records alone on branch ${recordsBranchName}: push it, or send it with \`git send-email ${patches.target}..${recordsBranchName}\``,
      );
    }
    context.print(`Merge it with: sit mr-merge ${id} ${mr}`);
    return 0;
  } finally {
    await side.close();
  }
}

/** The merge request record of item `id` whose hash is (or starts with) `prefix`. */
function resolveMergeRequest(repo: Repository, id: string, prefix: string): { hash: string; patches: RecordFile[] } {
  const wanted = prefix.toUpperCase();
  const records = readItemRecords(repo, id).filter((r) => r.files.some((f) => f.name === '.type/MergeRequested'));
  const matches = records.filter((r) => r.hash.startsWith(wanted));
  if (matches.length === 0)
    throw new MergeRequestError(`issue ${id} has no merge request ${prefix}; see \`sit issue show ${id}\``);
  if (matches.length > 1)
    throw new MergeRequestError(`merge request prefix ${prefix} is ambiguous in issue ${id}; give more characters`);
  const record = matches[0]!;
  const patches = record.files.filter((f) => f.name.startsWith('git/') || f.name.startsWith('patch/'));
  if (patches.length === 0)
    throw new MergeRequestError(`merge request ${record.hash} of issue ${id} has no patch files (git/*.patch)`);
  return { hash: record.hash, patches };
}

/** Runs `sit mr-merge`. */
export async function runMrMerge(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'mr-merge',
      usage: 'mr-merge <item> <mr>',
      description:
        'Merge merge request MR of issue ITEM into the current branch: git am -3 on a branch merge-ITEM-MR, a Merged,Closed record committed there, then git merge --no-ff',
      options: [['-m, --message <text>', 'a comment recorded with the merge (Commented,Merged,Closed)']],
      examples: ['sit mr-merge 6f1c YMOPQGVH', 'sit mr-merge 6f1c YMOPQGVH -m "Thanks!"'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const [itemPrefix, mrPrefix] = parsed.args as [string, string];
  const repo = context.repository();
  const id = resolveItem(repo, itemPrefix);
  const mr = resolveMergeRequest(repo, id, mrPrefix);
  const comment = stringOption(parsed.options, 'message')?.trim();
  const side = await openGitSide(repo, { integrity: context.integrity });
  try {
    const git = side.git;
    const mergeBranch = `merge-${id}-${mr.hash}`;
    if (await amInProgress(git)) {
      throw new MergeRequestError(
        'a git am is in progress: resolve it (`git am --continue`, or `git am --abort`), then run sit mr-merge again',
      );
    }
    const current = await currentBranch(git);
    let target: string | undefined;
    if (current === mergeBranch) {
      // A second run, after the conflicts of the first were resolved by hand.
      target = await mergeTarget(git, mergeBranch);
      if (target === undefined)
        throw new MergeRequestError(
          `cannot tell which branch ${mergeBranch} is to be merged into; merge it yourself with git merge --no-ff`,
        );
    } else {
      if (current === undefined)
        throw new MergeRequestError('HEAD is detached: check out the branch to merge into first');
      const changes = await trackedChanges(git);
      if (changes.length > 0)
        throw new MergeRequestError(
          `commit or stash your changes first (${changes.length} changed tracked file${changes.length === 1 ? '' : 's'}, see git status)`,
        );
      if (await branchExists(git, mergeBranch)) {
        throw new MergeRequestError(
          `a branch ${mergeBranch} exists already: check it out to finish that merge, or delete it (git branch -D ${mergeBranch})`,
        );
      }
      target = current;
      await checkoutNewBranch(git, mergeBranch);
      await mergeTarget(git, mergeBranch, target);
      const applied = await applyPatches(git, mr.patches);
      if (!applied.ok) {
        if (applied.output !== '') process.stderr.write(`${applied.output}\n`);
        throw new MergeRequestError(
          `git am -3 stopped on a conflict on branch ${mergeBranch}: resolve it, run \`git am --continue\`, then \`sit mr-merge ${id} ${mr.hash}\` again ` +
            `(or give up: git am --abort && git checkout ${target} && git branch -D ${mergeBranch})`,
        );
      }
    }
    // A second run after a failed commit finds its Merged record there already.
    const recorded = readItemRecords(repo, id).some(
      (r) =>
        r.files.some((f) => f.name === '.type/Merged') &&
        new TextDecoder().decode(r.files.find((f) => f.name === 'record')?.data).trim() === mr.hash,
    );
    if (!recorded) {
      const files: RecordFile[] = [{ name: 'record', data: encoder.encode(`${mr.hash}\n`) }];
      if (comment !== undefined && comment !== '') files.push({ name: 'text', data: encoder.encode(comment) });
      await writeRecord(
        context,
        repo,
        id,
        comment === undefined || comment === '' ? ['Merged', 'Closed'] : ['Commented', 'Merged', 'Closed'],
        files,
      );
    }
    const paths = [repo.itemDir(id)!, ...repo.listItemRecords(id).map((hash) => repo.recordPath(hash)!)];
    await commitPaths(git, paths, `Closed merge request ${id}/${mr.hash}`);
    await checkout(git, target);
    await mergeNoFastForward(git, mergeBranch, `Merge merge request ${id}/${mr.hash}`);
    context.print(
      `Merged merge request ${mr.hash} of issue ${id} into ${target} (through branch ${mergeBranch}); you can push ${target} now`,
    );
    return 0;
  } finally {
    await side.close();
  }
}

/** One merge request as `sit mr --list` shows it. */
interface MergeRequestRow {
  issue: string;
  mr: string;
  summary: string;
  state: 'open' | 'closed';
  merged: boolean;
}

/** Whether state `state` (of an item at a revision) records the merge of `mr`. */
function recordsMerge(state: Record<string, unknown> | undefined, mr: string): boolean {
  const merges = state?.['merges'];
  if (!Array.isArray(merges)) return false;
  return merges.some(
    (m) => typeof m === 'object' && m !== null && String((m as { record?: unknown }).record ?? '').trim() === mr,
  );
}

/** `sit mr --list`: every merge request of the working tree, and whether the current branch has its merge. */
async function listMergeRequests(context: Context, json: boolean): Promise<number> {
  const repo = context.repository();
  const engine = new Engine(repo, { integrity: context.integrity });
  let states: Map<string, Record<string, unknown>>;
  try {
    states = await engine.reduceItems();
  } finally {
    await engine.close();
  }
  const rows: MergeRequestRow[] = [];
  const withRequests = [...states.values()].filter(
    (s) => Array.isArray(s['merge_requests']) && (s['merge_requests'] as unknown[]).length > 0,
  );
  let head: RevisionView | undefined;
  try {
    head =
      withRequests.length === 0 ? undefined : await RevisionView.open(repo, 'HEAD', { integrity: context.integrity });
  } catch (error) {
    if (!(error instanceof SitError) || !/has no SIT repository/.test(error.message)) throw error;
  }
  try {
    for (const state of withRequests) {
      const id = String(state['id']);
      const atHead = head === undefined ? undefined : await head.state(id);
      for (const mr of new Set(
        (state['merge_requests'] as unknown[]).filter((h): h is string => typeof h === 'string'),
      )) {
        rows.push({
          issue: id,
          mr,
          summary: typeof state['summary'] === 'string' ? state['summary'] : '',
          state: state['state'] === 'closed' ? 'closed' : 'open',
          merged: recordsMerge(atHead, mr),
        });
      }
    }
  } finally {
    await head?.close();
  }
  if (json) {
    context.print(JSON.stringify(rows, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    context.print('No merge requests');
    return 0;
  }
  const lines = ['ISSUE     MR            STATE   MERGED  SUMMARY'];
  for (const row of rows) {
    lines.push(
      `${row.issue.slice(0, 8).padEnd(10)}${row.mr.slice(0, 12).padEnd(14)}${row.state.padEnd(8)}${(row.merged ? 'yes' : 'no').padEnd(8)}${row.summary}`,
    );
  }
  context.print(lines.join('\n'));
  return 0;
}
