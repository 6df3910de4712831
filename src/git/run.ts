/**
 * Running the system `git`: always with an argument array (never a shell), in a given directory,
 * with an environment that keeps it from prompting or fetching (a partial clone's missing objects
 * stay missing: reading history never reaches the network).
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError, GitNotFoundError } from './errors.ts';

/** Where and how git runs. */
export interface GitOptions {
  /** The directory git runs in (it finds its repository from there). */
  cwd: string;
  /** Extra environment variables (the process's environment is the base). */
  env?: NodeJS.ProcessEnv;
  /** Bytes or text written to git's standard input. */
  input?: string | Uint8Array;
  /** Exit statuses that are not errors (default: only 0). */
  okStatus?: readonly number[];
}

/** A finished git command. */
export interface GitResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** The environment git runs with: no prompts, no lazy fetching of missing objects, no optional locks. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_NO_LAZY_FETCH: '1', GIT_OPTIONAL_LOCKS: '0', ...extra };
}

/** The one-line message of a spawn failure. */
function spawnFailure(error: NodeJS.ErrnoException): GitError {
  if (error.code === 'ENOENT') {
    return new GitNotFoundError(
      'git is not installed or not on PATH; install git (https://git-scm.com) to use SIT with git',
    );
  }
  return new GitError(`cannot run git: ${error.code ?? error.message}`);
}

/** Starts `git ARGS` with piped standard streams. */
export function spawnGit(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ChildProcessWithoutNullStreams {
  return spawn('git', [...args], { cwd: options.cwd, env: gitEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The first line of git's error output, for messages. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/^(fatal|error): /, '').trim();
}

/**
 * Runs `git ARGS` to completion. Resolves with its output; a status other than 0 (or one of
 * `okStatus`) is a {@link GitError} naming the command and git's first error line.
 */
export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnGit(args, options);
    } catch (error) {
      reject(spawnFailure(error as NodeJS.ErrnoException));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(spawnFailure(error)));
    child.stdin.on('error', () => {
      // git may exit before reading all of its input; its status says what happened
    });
    child.on('close', (code, signal) => {
      const status = code ?? 128;
      const stderr = Buffer.concat(err).toString('utf8');
      if (status !== 0 && !(options.okStatus ?? []).includes(status)) {
        const why = firstLine(stderr) || (signal === null ? `exit status ${status}` : `stopped by ${signal}`);
        reject(new GitError(`git ${args[0] ?? ''} failed: ${why}`));
        return;
      }
      resolve({ status, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `git ARGS` and returns its standard output as text without the final newline. */
export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).stdout.toString('utf8').replace(/\n$/, '');
}
