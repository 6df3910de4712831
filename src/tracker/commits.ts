/**
 * Commits that mention an issue: when the repository lies inside a git work tree, the commit
 * messages of every branch, remote-tracking branch and tag that name the issue by `#<id prefix>`
 * (`Fixes #ec4a71bf`). Git is the system `git`, spawned with an argument array (never a shell),
 * asked lazily: only when a page or a command wants the list.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type IdIndex, referencesIn } from './references.ts';

/** A commit whose message names an issue. */
export interface MentioningCommit {
  /** The full commit hash. */
  hash: string;
  /** The first line of the message. */
  subject: string;
  /** `Name <email>` of the author. */
  author: string;
  /** The author date, ISO 8601. */
  date: string;
  /** Whether the message says the commit fixes, closes or resolves the issue. */
  fixes: boolean;
}

/** What {@linkcode commitsMentioning} found. */
export interface CommitSearch {
  /** Whether the repository is inside a git work tree (and git could be run). */
  git: boolean;
  /** Matching commits, newest first. */
  commits: MentioningCommit[];
}

/** At most this many commits are listed. */
export const MAX_COMMITS = 50;

const FIELD = '\x1f';
const RECORD = '\x1e';
const FIXES = /\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?)\b[\s:]*((?:#[0-9a-fA-F-]{4,}[\s,]*(?:and\s+)?)+)/gi;

/** Environment for git: no prompts, no pager, no system-wide configuration surprises. */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', PAGER: 'cat', LC_ALL: 'C' };
}

function git(dir: string, args: string[]): { ok: boolean; out: string } {
  const result = spawnSync('git', ['-C', dir, '-c', 'core.fsmonitor=false', '-c', 'log.showSignature=false', ...args], {
    encoding: 'utf8',
    env: gitEnv(),
    timeout: 15_000,
    maxBuffer: 32 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return { ok: result.status === 0 && result.error === undefined, out: result.stdout ?? '' };
}

/** Whether `dir` or a directory above it holds `.git` (a directory, or a file of a linked work tree). */
export function insideGitWorkTree(dir: string): boolean {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/**
 * The commits whose messages name issue `id` by a `#prefix` that resolves to it among `ids`
 * (at least 4 characters and unique), found with `git log --all --grep` from directory `dir`.
 */
export function commitsMentioning(dir: string, id: string, ids: IdIndex): CommitSearch {
  // No `.git` above the repository: not a work tree, and no process to start.
  if (!insideGitWorkTree(dir)) return { git: false, commits: [] };
  const short = id.slice(0, 4);
  if (!/^[0-9a-fA-F]{4}$/.test(short)) return { git: true, commits: [] };
  const log = git(dir, [
    'log',
    '--all',
    '--exclude=refs/stash',
    '--no-show-signature',
    '-i',
    '--fixed-strings',
    `--grep=#${short}`,
    `--max-count=${MAX_COMMITS * 4}`,
    `--format=%H${FIELD}%an <%ae>${FIELD}%aI${FIELD}%B${RECORD}`,
  ]);
  if (!log.ok) return { git: false, commits: [] };
  const commits: MentioningCommit[] = [];
  for (const chunk of log.out.split(RECORD)) {
    const [hash, author, date, message] = chunk.replace(/^\n/, '').split(FIELD);
    if (hash === undefined || message === undefined || !/^[0-9a-f]{40,64}$/.test(hash)) continue;
    const named = referencesIn(message).filter((prefix) => ids.resolve(prefix) === id);
    if (named.length === 0) continue;
    let fixes = false;
    for (const m of message.matchAll(FIXES)) {
      if (referencesIn(m[1]!).some((prefix) => named.includes(prefix))) fixes = true;
    }
    commits.push({ hash, subject: message.split('\n')[0]!.trim(), author: author ?? '', date: date ?? '', fixes });
    if (commits.length >= MAX_COMMITS) break;
  }
  return { git: true, commits };
}
