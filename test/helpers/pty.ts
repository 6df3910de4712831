/**
 * Running the real `sit` on a pseudo-terminal (through Python's `pty` module), to see what a user's
 * terminal would receive. Undefined when Python is not installed.
 */
import { spawnSync } from 'node:child_process';
import { ensureBuilt, SIT_JS, type Sandbox } from './cli.ts';

const DRIVER = `
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    if sys.argv[1] != '-':
        out_fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out_fd, 1)
    os.execv(sys.argv[2], sys.argv[2:])
out = b''
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

/** Whether a pseudo-terminal can be made here. */
export function hasPty(): boolean {
  return spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs `sit ARGS` with stdout and stderr on one pseudo-terminal; returns what the terminal received
 * (CRLF as LF). With `stdoutFile`, standard output goes to that file instead (not a terminal), and
 * the terminal receives standard error only.
 */
export function sitOnPty(
  sandbox: Sandbox,
  args: string[],
  options: { cwd: string; stdoutFile?: string; env?: NodeJS.ProcessEnv },
): { status: number | null; output: string } {
  ensureBuilt();
  const result = spawnSync('python3', ['-c', DRIVER, options.stdoutFile ?? '-', process.execPath, SIT_JS, ...args], {
    cwd: options.cwd,
    env: { ...sandbox.env, ...options.env },
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout.replace(/\r\n/g, '\n') };
}
