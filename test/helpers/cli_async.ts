/** Running several read-only `sit` commands at once (compiled), to keep command-line tests short. */
import { spawn } from 'node:child_process';
import { ensureBuilt, SIT_JS, type Sandbox } from './cli.ts';

/** What one command printed and how it ended. */
export interface Output {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one `sit ARGS` in `cwd` without blocking the event loop (`options.env` adds to the sandbox's). */
export function sitAsync(
  sandbox: Sandbox,
  args: string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<Output> {
  ensureBuilt();
  return new Promise<Output>((resolve, reject) => {
    const child = spawn(process.execPath, [SIT_JS, ...args], {
      cwd,
      env: { ...sandbox.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs the commands, `concurrency` at a time, and returns their outputs in order. */
export async function sitAll(sandbox: Sandbox, commands: string[][], cwd: string, concurrency = 4): Promise<Output[]> {
  const results: Output[] = new Array(commands.length);
  let next = 0;
  async function drain(): Promise<void> {
    while (next < commands.length) {
      const index = next++;
      results[index] = await sitAsync(sandbox, commands[index]!, cwd);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, commands.length) }, drain));
  return results;
}
