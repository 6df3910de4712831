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
    os.execv(sys.argv[1], sys.argv[1:])
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

/** Runs `sit ARGS` with stdout and stderr on one pseudo-terminal; returns what the terminal received (CRLF as LF). */
export function sitOnPty(sandbox: Sandbox, args: string[], options: { cwd: string }): { status: number | null; output: string } {
  ensureBuilt();
  const result = spawnSync('python3', ['-c', DRIVER, process.execPath, SIT_JS, ...args], {
    cwd: options.cwd,
    env: sandbox.env,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout.replace(/\r\n/g, '\n') };
}
