/**
 * `sit inbox`: accept only new records. `check RANGE` checks commits (a push, a pull request),
 * `hook` prints a `pre-receive` hook that checks every pushed ref, and `apply MBOX` checks a
 * `git format-patch` / `git send-email` series in a temporary worktree and applies it to the
 * current branch only when it passes.
 * @module
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { SitError } from '../errors.ts';
import { InvalidConfigError, RepositoryNotFoundError } from '../store/mod.ts';
import {
  applyMailbox,
  checkCommits,
  headOf,
  preReceiveHook,
  withTemporaryWorktree,
  type InboxReport,
} from '../git/inbox.ts';
import { currentBranch } from '../git/mr.ts';
import { GitRepository } from '../git/repository.ts';
import { git } from '../git/run.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { parseCommand, stringOption } from './parse.ts';

/** The inbox refused what it was given; the violations are printed already. */
class InboxRefusedError extends SitError {}

const USAGE = `Accept only new records: commits that add complete, intact records under .sit/records/
and item links under .sit/items/ naming records that exist, and nothing else.

Usage: sit inbox <check|hook|apply> ...

  sit inbox check [--require-signature] [--sit-path PATH] RANGE    check the commits of RANGE
  sit inbox check [--require-signature] [--sit-path PATH] --new REV
                                             check the commits of REV that no branch or tag has
  sit inbox hook [--require-signature] [--sit-path PATH]           print a pre-receive hook
  sit inbox apply [--require-signature] MBOX apply a patch series if it passes the check

Examples:
  $ sit inbox check origin/master..FETCH_HEAD
  $ sit inbox hook > /srv/git/project.git/hooks/pre-receive
  $ sit inbox apply series.mbox

\`sit inbox COMMAND --help\` for details.
`;

/** The git repository to check: the working tree's SIT repository, or `--sit-path` in the current directory's (bare) repository. */
async function inboxRepository(context: Context, sitPath: string | undefined): Promise<GitRepository> {
  if (sitPath !== undefined) return GitRepository.open(context.workDir, { sitPath: sitPath === '.' ? '' : sitPath });
  try {
    return await GitRepository.open(context.repository().root);
  } catch (error) {
    // The check reads commits, not the working tree: a broken config.json there does not matter.
    if (!(error instanceof RepositoryNotFoundError || error instanceof InvalidConfigError)) throw error;
    return GitRepository.open(context.workDir, { sitPath: '.sit' });
  }
}

/** Prints the violations (one line each) or the summary; the exit status. */
function report(context: Context, result: InboxReport, what: string): number {
  if (result.violations.length > 0) {
    const lines = result.violations.map((v) => `${v.commit.slice(0, 12)} ${v.path}: ${v.why}\n`);
    process.stdout.write(lines.join(''));
    return 1;
  }
  context.print(
    result.commits === 0
      ? `nothing to check: ${what} has no new commits`
      : `accepted ${result.commits} commit${result.commits === 1 ? '' : 's'}: ${result.records} new record${result.records === 1 ? '' : 's'}, ${result.links} item link${result.links === 1 ? '' : 's'}, nothing else`,
  );
  return 0;
}

async function runCheck(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'inbox check',
      usage: 'inbox check [range]',
      description:
        'Check that every commit of RANGE (e.g. origin/master..FETCH_HEAD) only adds complete, intact records and item links naming them; one line per violation and exit 1, else a summary',
      options: [
        ['--new <rev>', 'check the commits of REV that no branch or tag has yet (a newly pushed branch)'],
        ['--require-signature', 'also require a good GnuPG signature on every commit'],
        ['--sit-path <path>', "where the SIT repository lies in the tree (default: the working tree's, else .sit)"],
      ],
      examples: [
        'sit inbox check origin/master..FETCH_HEAD',
        'sit inbox check --require-signature main..contributor/branch',
        'sit inbox check --new FETCH_HEAD',
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const range = parsed.args[0];
  const fresh = stringOption(parsed.options, 'new');
  if ((range === undefined) === (fresh === undefined))
    throw new UsageError('give either a RANGE or --new REV; see `sit inbox check --help`');
  const repository = await inboxRepository(context, stringOption(parsed.options, 'sitPath'));
  try {
    let revisions: string[];
    if (fresh !== undefined) {
      revisions = [await repository.resolveCommit(fresh), '--not', '--all'];
    } else {
      if (range!.startsWith('-') || /[\0\n]/.test(range!))
        throw new UsageError(`invalid range ${JSON.stringify(range)}: give e.g. origin/master..FETCH_HEAD`);
      await checkRange(repository, range!);
      revisions = ['--end-of-options', range!];
    }
    const result = await checkCommits(repository, revisions, {
      commitSignatures: parsed.options.requireSignature === true,
    });
    return report(context, result, fresh ?? range!);
  } finally {
    await repository.close();
  }
}

/** Fails with a one-line error when git does not understand `range`. */
async function checkRange(repository: GitRepository, range: string): Promise<void> {
  const result = await git(['rev-list', '--max-count=1', '--end-of-options', range], {
    ...repository.gitOptions(),
    okStatus: [128, 129],
  });
  if (result.status !== 0)
    throw new UsageError(
      `unknown range ${JSON.stringify(range)}: git knows no such revisions (e.g. origin/master..FETCH_HEAD)`,
    );
}

async function runHook(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'inbox hook',
      usage: 'inbox hook',
      description:
        'Print a git pre-receive hook that runs `sit inbox check` on every pushed ref (save it as hooks/pre-receive, executable)',
      options: [
        ['--require-signature', 'the hook also requires signed commits'],
        ['--sit-path <path>', 'where the SIT repository lies in the tree (default .sit)'],
      ],
      examples: [
        'sit inbox hook > /srv/git/project.git/hooks/pre-receive && chmod +x /srv/git/project.git/hooks/pre-receive',
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const self = process.argv[1];
  const sit = self !== undefined && isAbsolute(self) && existsSync(self) ? self : 'sit';
  process.stdout.write(
    preReceiveHook({
      sit,
      sitPath: stringOption(parsed.options, 'sitPath') ?? '.sit',
      requireSignature: parsed.options.requireSignature === true,
    }),
  );
  return 0;
}

async function runApply(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'inbox apply',
      usage: 'inbox apply <mbox>',
      description:
        'Check a patch series (git format-patch / git send-email, as one mailbox) in a temporary worktree and apply it to the current branch only if it passes',
      options: [
        ['--require-signature', 'also require every new record to carry a .signature that GnuPG verifies'],
        ['--gnupg <command>', 'the GnuPG program to verify record signatures with'],
      ],
      examples: [
        'sit inbox apply series.mbox',
        'git format-patch --stdout origin/master..mr | sit inbox apply /dev/stdin',
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const mbox = resolve(context.workDir, parsed.args[0]!);
  if (!existsSync(mbox)) throw new UsageError(`cannot read ${parsed.args[0]}: no such file`);
  const repo = context.repository();
  const repository = await GitRepository.open(repo.root);
  try {
    const base = await repository.resolveCommit('HEAD');
    const branch = (await currentBranch(repository)) ?? 'HEAD';
    const tip = await withTemporaryWorktree(repository, base, async (dir) => {
      const problem = await applyMailbox(dir, mbox);
      if (problem !== undefined) {
        process.stdout.write(`${base.slice(0, 12)} ${parsed.args[0]}: does not apply on ${branch}: ${problem}\n`);
        throw new InboxRefusedError('the series was refused; nothing was applied');
      }
      return headOf(dir);
    });
    const result = await checkCommits(repository, [`${base}..${tip}`], {
      recordSignatures: parsed.options.requireSignature === true,
      gnupg: stringOption(parsed.options, 'gnupg') ?? context.userConfig().signing.gnupg,
    });
    if (report(context, result, parsed.args[0]!) !== 0)
      throw new InboxRefusedError('the series was refused; nothing was applied');
    if (result.commits > 0) {
      const merged = await git(['merge', '--ff-only', '--quiet', tip], {
        ...repository.gitOptions(),
        okStatus: [1, 128],
      });
      if (merged.status !== 0)
        throw new SitError(
          `the series passed, but git could not fast-forward ${branch} to it: ${merged.stderr.split('\n')[0] ?? ''}`,
        );
      context.print(`applied to ${branch} (now at ${tip.slice(0, 12)})`);
    }
    return 0;
  } finally {
    await repository.close();
  }
}

/** Runs `sit inbox`. */
export async function runInbox(context: Context, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'check') return runCheck(context, rest);
  if (sub === 'hook') return runHook(rest);
  if (sub === 'apply') return runApply(context, rest);
  if (sub === undefined || sub === '-h' || sub === '--help' || sub === 'help') {
    process.stdout.write(USAGE);
    return sub === undefined ? 1 : 0;
  }
  throw new UsageError(
    `unknown inbox command ${JSON.stringify(sub)}: use check, hook or apply; see \`sit inbox --help\``,
  );
}
