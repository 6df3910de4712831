/**
 * Fossil side by side in `npm run bench`: a Fossil repository with one ticket for each item of a
 * generated SIT repository (the same summaries, open or closed alike), made once beside it, and
 * the time of `fossil ticket show 0` (every column of every ticket) on it.
 *
 * The tickets are written as Fossil ticket-change artifacts and loaded with `fossil reconstruct`:
 * the same repository as `fossil ticket add` in a loop would make, in seconds rather than minutes.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment Fossil runs with: a user name, and no home of the user's. */
function fossilEnv(env: NodeJS.ProcessEnv, home: string): NodeJS.ProcessEnv {
  return { PATH: env['PATH'], HOME: home, USER: 'bench' };
}

/** The installed Fossil's version line, or undefined when `fossil` is not installed. */
export function fossilVersion(): string | undefined {
  const result = spawnSync('fossil', ['version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return undefined;
  return result.stdout.trim();
}

/** A value in a Fossil card (space, newline, backslash escaped). */
function card(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/ /g, '\\s')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n');
}

/** One ticket-change artifact that creates a ticket. */
function ticketArtifact(key: string, title: string, status: string, seconds: number): string {
  const date = new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString().replace('Z', '');
  const fields = [
    ['status', status],
    ['title', title],
    ['type', 'Code_Defect'],
  ];
  let text = `D ${date}\n`;
  for (const [name, value] of fields) text += `J ${name} ${card(value!)}\n`;
  text += `K ${key}\nU bench\n`;
  return `${text}Z ${createHash('md5').update(text).digest('hex')}\n`;
}

/**
 * Makes (once) the Fossil repository of the SIT repository at `sitPath` and returns its path; its
 * items are listed with the compiled `sitJs` in `env`.
 */
export function ensureFossil(sitPath: string, sitJs: string, env: NodeJS.ProcessEnv): string {
  const top = join(sitPath, '..');
  const path = join(top, 'tickets.fossil');
  if (existsSync(path)) return path;
  const listed = spawnSync(process.execPath, [sitJs, '-r', sitPath, 'items', '-q', 'to_string([id, summary, state])'], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (listed.status !== 0) throw new Error(`sit items exited ${listed.status}: ${listed.stderr.slice(0, 500)}`);
  const artifacts = join(top, 'fossil-artifacts');
  const home = join(top, 'fossil-home');
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(home, { recursive: true });
  const lines = listed.stdout.split('\n').filter((line) => line !== '');
  lines.forEach((line, n) => {
    const [id, summary, state] = JSON.parse(line) as [string, string | null, string | null];
    const text = ticketArtifact(
      createHash('sha1').update(id).digest('hex'),
      summary ?? '',
      state === 'closed' ? 'Closed' : 'Open',
      n,
    );
    writeFileSync(join(artifacts, createHash('sha1').update(text).digest('hex')), text);
  });
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const made = spawnSync('fossil', ['reconstruct', partial, artifacts], {
    env: fossilEnv(env, home),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (made.status !== 0) throw new Error(`fossil reconstruct failed: ${made.stderr.slice(0, 500)}`);
  rmSync(artifacts, { recursive: true, force: true });
  const count =
    fossilShow(partial, env)
      .stdout.split('\n')
      .filter((line) => line !== '').length - 1;
  if (count !== lines.length) throw new Error(`the Fossil repository has ${count} tickets, not ${lines.length}`);
  renameSync(partial, path);
  return path;
}

function fossilShow(path: string, env: NodeJS.ProcessEnv): { seconds: number; stdout: string } {
  const home = join(path, '..', 'fossil-home');
  const start = performance.now();
  const result = spawnSync('fossil', ['ticket', 'show', '0', '-R', path], {
    env: fossilEnv(env, home),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`fossil ticket show 0 failed: ${result.stderr.slice(0, 500)}`);
  return { seconds, stdout: result.stdout };
}

/** The wall times of `fossil ticket show 0` on the repository at `path`, `runs` times (after one run that is not counted). */
export function benchFossil(path: string, runs: number, env: NodeJS.ProcessEnv): number[] {
  fossilShow(path, env);
  return Array.from({ length: runs }, () => fossilShow(path, env).seconds);
}
