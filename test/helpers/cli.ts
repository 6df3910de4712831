/**
 * Running the real `sit` command line in tests: the compiled JavaScript (built once per test run
 * when the sources are newer), in a temporary environment that never touches the user's home.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

/** The project root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The compiled `sit`, as installed (the quick start that loads the rest when needed). */
export const SIT_JS = join(ROOT, 'dist', 'src', 'sit.cjs');
/** The command line as an ES module (what the installed `sit` loads when a daemon does not answer). */
export const SIT_ESM = join(ROOT, 'dist', 'src', 'cli.js');
/** The read-only corpus beside the project, if present. */
export const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'sit');

let built = false;

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds `dist/` when it is missing or older than `src/` or `templates/`. Under `npm test`
 * (SIT_TEST_BUILT set by test/run.mjs, which builds it so before any file starts) it is used as
 * it is: files running at once must not rebuild it under each other.
 */
export function ensureBuilt(): void {
  if (built || process.env['SIT_TEST_BUILT'] === '1') return;
  const sources = Math.max(
    newestSource(join(ROOT, 'src')),
    existsSync(join(ROOT, 'templates')) ? newestSource(join(ROOT, 'templates')) : 0,
  );
  if (!existsSync(SIT_JS) || statSync(SIT_JS).mtimeMs < sources) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  built = true;
}

/** A temporary home for one test file: config, cache and a working directory. */
export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/** Makes a temporary environment with an author configured (unless `author` is false). */
export function makeSandbox(options: { author?: boolean } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'sit-cli-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    SIT_CACHE_DIR: join(dir, 'cache'),
    GIT_CONFIG_NOSYSTEM: '1',
    LANG: 'C.UTF-8',
  };
  mkdirSync(join(dir, 'home'), { recursive: true });
  mkdirSync(join(dir, 'work'), { recursive: true });
  if (options.author !== false) {
    mkdirSync(join(dir, 'config', 'sit'), { recursive: true });
    writeFileSync(
      join(dir, 'config', 'sit', 'config.json'),
      JSON.stringify({ author: { name: 'Test User', email: 'test@example.org' } }),
    );
  }
  return { dir, env };
}

/** Runs `sit ARGS` (compiled) in `cwd` and returns the finished process. */
export function sit(
  sandbox: Sandbox,
  args: string[],
  options: { cwd?: string; input?: string | Uint8Array; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  ensureBuilt();
  return spawnSync(process.execPath, [SIT_JS, ...args], {
    cwd: options.cwd ?? join(sandbox.dir, 'work'),
    env: { ...sandbox.env, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Copies the corpus `.sit` into `dir` and returns the copy's path, or undefined (with a note) when absent. */
export function copyCorpus(dir: string): string | undefined {
  if (!existsSync(join(CORPUS, '.sit'))) {
    process.stderr.write(`skipping corpus tests: ${CORPUS} is absent\n`);
    return undefined;
  }
  const target = join(dir, '.sit');
  cpSync(join(CORPUS, '.sit'), target, { recursive: true });
  return target;
}

/** What one `sit` run printed, and how it ended. */
export interface SitOutput {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Two ways to run `sit ARGS` in `cwd` (with `env` added to the sandbox's): `run` returns what it
 * printed and its status; `ok` asserts that it succeeded without a word on stderr and returns its
 * standard output.
 */
export function runnersIn(
  sandbox: Sandbox,
  cwd: string,
): {
  run: (args: string[], env?: NodeJS.ProcessEnv) => SitOutput;
  ok: (args: string[], env?: NodeJS.ProcessEnv) => string;
} {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}): SitOutput => {
    const r = sit(sandbox, args, { cwd, env });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[], env: NodeJS.ProcessEnv = {}): string => {
    const r = run(args, env);
    assert.is(r.stderr, '', `stderr of sit ${args.join(' ')}`);
    assert.is(r.status, 0, `status of sit ${args.join(' ')}`);
    return r.stdout;
  };
  return { run, ok };
}
