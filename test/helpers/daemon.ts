/** `sit daemon` in tests: starting one for a sandbox's repository, and where its socket is. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, SIT_JS, type Sandbox } from './cli.ts';

/** The socket of the one repository that has a cache directory in `sandbox`. */
export function daemonSocket(sandbox: Sandbox): string {
  const repositories = join(sandbox.env.SIT_CACHE_DIR!, 'repositories');
  const [dir] = readdirSync(repositories);
  return join(repositories, dir!, 'daemon.sock');
}

/** Starts `sit daemon` in `cwd` and waits until it says it answers; `started` gets the process. */
export async function startDaemon(sandbox: Sandbox, cwd: string, started: ChildProcess[]): Promise<ChildProcess> {
  ensureBuilt();
  const child = spawn(process.execPath, [SIT_JS, 'daemon'], {
    cwd,
    env: sandbox.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  started.push(child);
  let stderr = '';
  await new Promise<void>((done, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('answering for')) done();
    });
    child.once('exit', (code) => fail(new Error(`sit daemon exited (${code}): ${stderr}`)));
  });
  return child;
}

/** Stops `child` with `signal` and waits for it to end; its exit code. */
export async function stopDaemon(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.kill(signal);
  return await exited;
}
