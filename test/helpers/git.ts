/**
 * Real git histories in temporary directories for the git tests: a sandbox whose environment
 * keeps git away from the user's and system's configuration, projects with a SIT repository
 * linked to the issue-tracking module, and records written through the store.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Repository, type RecordFile } from '../../src/store/mod.ts';
import { makeSandbox, ROOT, type Sandbox } from './cli.ts';

/** A sandbox for git: `makeSandbox` plus git's author and committer and no system configuration. */
export function makeGitSandbox(): Sandbox {
  const sandbox = makeSandbox();
  Object.assign(sandbox.env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(sandbox.dir, 'home', '.gitconfig'),
    GIT_AUTHOR_NAME: 'Test User',
    GIT_AUTHOR_EMAIL: 'test@example.org',
    GIT_COMMITTER_NAME: 'Test User',
    GIT_COMMITTER_EMAIL: 'test@example.org',
    GIT_AUTHOR_DATE: '2024-01-02T03:04:05Z',
    GIT_COMMITTER_DATE: '2024-01-02T03:04:05Z',
  });
  writeFileSync(
    join(sandbox.dir, 'home', '.gitconfig'),
    '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
  );
  return sandbox;
}

/** Runs `git ARGS` in `cwd`; returns its output, throwing with git's message on failure. */
export function git(sandbox: Sandbox, cwd: string, args: string[], input?: string | Uint8Array): string {
  const result = spawnSync('git', args, { cwd, env: sandbox.env, encoding: 'utf8', input: input ?? '' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** A git work tree `dir` holding a SIT repository `.sit` that links the issue-tracking module. */
export function newProject(sandbox: Sandbox, name: string): { top: string; repo: Repository } {
  const top = join(sandbox.dir, name);
  mkdirSync(top, { recursive: true });
  git(sandbox, top, ['init', '-q', '-b', 'main']);
  Repository.init(top);
  mkdirSync(join(top, '.sit', 'modules'), { recursive: true });
  writeFileSync(join(top, '.sit', 'modules', 'issue-tracking'), join(ROOT, 'modules', 'issue-tracking'));
  writeFileSync(join(top, 'README'), 'A project.\n');
  git(sandbox, top, ['add', '-A']);
  git(sandbox, top, ['commit', '-q', '-m', 'Start']);
  return { top, repo: Repository.open(join(top, '.sit')) };
}

const encoder = new TextEncoder();
let clock = Date.UTC(2024, 0, 1);

/** Writes a record of `types` with `files` (text) into item `id`, with authorship and a timestamp. */
export function record(repo: Repository, id: string, types: string[], files: Record<string, string> = {}): string {
  clock += 60_000;
  const all: RecordFile[] = [
    ...Object.entries(files).map(([name, text]) => ({ name, data: encoder.encode(text) })),
    ...types.map((type) => ({ name: `.type/${type}`, data: new Uint8Array(0) })),
    { name: '.authors', data: encoder.encode('Test User <test@example.org>') },
    { name: '.timestamp', data: encoder.encode(new Date(clock).toISOString()) },
  ];
  return repo.newRecord(all, { itemId: id });
}

/** Creates an issue with a summary and returns its id. */
export function issue(repo: Repository, summary: string, id?: string): string {
  const item = repo.newItem(id);
  record(repo, item, ['SummaryChanged'], { text: summary });
  record(repo, item, ['DetailsChanged'], { text: `Details of ${summary}` });
  return item;
}

/** Commits everything in `top`. */
export function commitAll(sandbox: Sandbox, top: string, message: string): string {
  git(sandbox, top, ['add', '-A']);
  git(sandbox, top, ['commit', '-q', '-m', message]);
  return git(sandbox, top, ['rev-parse', 'HEAD']).trim();
}
