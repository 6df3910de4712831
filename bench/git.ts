/**
 * The git rows of `npm run bench` (SPEC §7): a git history shaped like the tracker's own growth is
 * made once beside a generated repository (20 commits, each tagged `bench-N`, adding a twentieth
 * of the items, whose later records arrive one to three commits after their first ones), then
 *
 * - `sit --at REV items -q …` (empty cache) against materialising that revision:
 *   `git archive REV .sit | tar -x` and a cold `sit items -q …` on the result;
 * - a second `sit issue where ID` over the 20 tags against a warm `sit issue show ID`.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Repository, splitPath } from '../src/store/mod.ts';

/** The commits (and tags) of the history. */
const COMMITS = 20;
/** The tag `sit --at` reads: three quarters of the way. */
const AT = `bench-${Math.floor(COMMITS * 0.75) - 1}`;

function git(dir: string, args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.slice(0, 500)}`);
  return result.stdout;
}

/** The environment git runs with in the bench: no user or system configuration. */
export function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.org',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.org',
  };
}

/**
 * Makes the git history of the repository at `sitPath` (`<work tree>/.sit`) unless it exists:
 * its parent becomes the git work tree. Returns the id of an item created in the first commit.
 */
export function ensureHistory(sitPath: string, env: NodeJS.ProcessEnv): string {
  const top = join(sitPath, '..');
  const repo = Repository.open(sitPath);
  const ids = repo.items();
  if (existsSync(join(top, '.git', 'refs', 'tags', `bench-${COMMITS - 1}`))) return ids[0]!;
  const genv = gitEnv(env);
  rmSync(join(top, '.git'), { recursive: true, force: true });
  git(top, ['init', '-q', '-b', 'main'], genv);
  const commits: string[][] = Array.from({ length: COMMITS }, () => []);
  commits[0]!.push('.sit/config.json', '.sit/modules');
  ids.forEach((id, i) => {
    const first = Math.floor((i * COMMITS) / ids.length);
    const later = Math.min(COMMITS - 1, first + 1 + (i % 3));
    repo
      .itemGenerations(id)
      .flat()
      .forEach((hash, n) => {
        const at = n < 2 ? first : later;
        commits[at]!.push(`.sit/items/${id}/${hash}`, `.sit/records/${splitPath(hash)}`);
      });
  });
  const list = join(top, '.git', 'bench-paths');
  commits.forEach((paths, k) => {
    writeFileSync(list, paths.join('\n') + '\n');
    git(top, ['add', '--pathspec-from-file', list], genv);
    git(top, ['commit', '-q', '--allow-empty', '-m', `Records, part ${k + 1} of ${COMMITS}`], genv);
    git(top, ['tag', `bench-${k}`], genv);
  });
  rmSync(list, { force: true });
  return ids[0]!;
}

/** Runs `git archive REV .sit | tar -x -C DIR` (two processes joined by a pipe). */
function archive(top: string, rev: string, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const source = spawn('git', ['archive', rev, '.sit'], { cwd: top, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const sink = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'inherit', 'inherit'] });
    source.stdout.pipe(sink.stdin);
    source.on('error', reject);
    sink.on('error', reject);
    sink.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code}`))));
  });
}

/** What {@link benchGit} measured, in seconds, per run. */
export interface GitFigures {
  at: number[];
  materialise: number[];
  where: number[];
  show: number[];
}

/**
 * Measures the git rows `runs` times on the repository at `sitPath` with the built `sit` at
 * `sitJs`, caches under `cacheDir`.
 */
export async function benchGit(
  sitPath: string,
  sitJs: string,
  query: string,
  runs: number,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
): Promise<GitFigures> {
  const genv = gitEnv(env);
  const id = ensureHistory(sitPath, env);
  const top = join(sitPath, '..');
  const figures: GitFigures = { at: [], materialise: [], where: [], show: [] };
  const run = (args: string[], cwd: string, cache: string): number => {
    const start = performance.now();
    const result = spawnSync(process.execPath, [sitJs, ...args], {
      cwd,
      env: { ...genv, SIT_CACHE_DIR: cache },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
    const seconds = (performance.now() - start) / 1000;
    if (result.status !== 0)
      throw new Error(`sit ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
    return seconds;
  };
  const scratch = join(cacheDir, '..', 'git-scratch');
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`  git rows: run ${i + 1}/${runs}\n`);
    const atCache = join(cacheDir, 'at');
    rmSync(atCache, { recursive: true, force: true });
    figures.at.push(run(['--at', AT, 'items', '-q', query], top, atCache));
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const coldCache = join(cacheDir, 'materialised');
    rmSync(coldCache, { recursive: true, force: true });
    const start = performance.now();
    await archive(top, AT, scratch, genv);
    const extract = (performance.now() - start) / 1000;
    figures.materialise.push(extract + run(['-r', join(scratch, '.sit'), 'items', '-q', query], scratch, coldCache));
    const warm = join(cacheDir, 'warm');
    run(['issue', 'where', id, '--refs', 'bench-*'], top, warm);
    figures.where.push(run(['issue', 'where', id, '--refs', 'bench-*'], top, warm));
    run(['issue', 'show', id], top, warm);
    figures.show.push(run(['issue', 'show', id], top, warm));
  }
  rmSync(scratch, { recursive: true, force: true });
  return figures;
}

/** The tag that `sit --at` reads in the bench. */
export const BENCH_AT = AT;
