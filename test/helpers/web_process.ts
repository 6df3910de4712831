/** Running the real `sit web` (or `sit-web`) as a process on a free port, for command-line web tests. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, ROOT, SIT_JS, type Sandbox } from './cli.ts';

/** A running server process. */
export interface WebProcess {
  /** `http://127.0.0.1:PORT`. */
  base: string;
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** `dist/src/sit_web.js`, the `sit-web` command. */
export const SIT_WEB_JS = join(ROOT, 'dist', 'src', 'sit_web.js');

/**
 * Starts `sit ARGS` (or, with `program`, that script) in `cwd` and resolves once it prints
 * `Serving on URL`; rejects with its output if it exits first or takes longer than a minute.
 */
export function startWeb(sandbox: Sandbox, args: string[], cwd: string, program = SIT_JS): Promise<WebProcess> {
  ensureBuilt();
  const child = spawn(process.execPath, [program, ...args], {
    cwd,
    env: sandbox.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<WebProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`sit web did not start within 60 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /Serving on (http:\/\/[^\s/]+)/.exec(stdout);
      if (m === null) return;
      clearTimeout(timer);
      resolve({
        base: m[1]!,
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sit web exited with ${code} before serving\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Runs `sit ARGS` expecting it to fail at start-up; resolves to its exit status and stderr. */
export function failingWeb(
  sandbox: Sandbox,
  args: string[],
  cwd: string,
): Promise<{ status: number | null; stderr: string }> {
  ensureBuilt();
  const child = spawn(process.execPath, [SIT_JS, ...args], {
    cwd,
    env: sandbox.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}
