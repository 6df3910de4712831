/**
 * The quick way for a module command (`sit issue list …`): before anything else is loaded, ask the
 * repository's daemon to answer the whole command from the memo of its last run (see
 * src/scripts/memo.ts) with the states it holds, and print its answer. Only when standard output
 * is not a terminal (no pager, no colours) and the daemon runs with the same environment; in every
 * other case, or when the daemon cannot answer, the command runs as usual. Loads nothing but
 * Node's own modules and the client.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { GlobalOptions } from '../cli/globals.ts';
import { forTerminal } from '../terminal.ts';
import { askDaemon, daemonDisabled } from './client.ts';

/**
 * The repository a command would use, found the simple way (`-r`/`SIT_DIR`, else the nearest
 * `.sit` above the working directory); undefined when that is not clear. The daemon checks the
 * answer with the full discovery before it answers.
 */
function repositoryRoot(globals: GlobalOptions, workDir: string): string | undefined {
  if (globals.repository !== undefined) {
    const given = resolve(workDir, globals.repository);
    if (existsSync(join(given, 'config.json'))) return given;
    if (existsSync(join(given, '.sit', 'config.json'))) return join(given, '.sit');
    return undefined;
  }
  for (let dir = workDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.sit')))
      return existsSync(join(dir, '.sit', 'config.json')) ? join(dir, '.sit') : undefined;
    // A repository without `.sit` (sit init --no-dot-sit) is left to the full discovery.
    if (existsSync(join(dir, 'config.json'))) return undefined;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Runs the module command of `argv` through the daemon; resolves to its exit status once its
 * output is written, or to undefined when the command must run as usual (nothing was written).
 */
export async function runThroughDaemon(globals: GlobalOptions, argv: readonly string[]): Promise<number | undefined> {
  if (process.stdout.isTTY === true || daemonDisabled() || globals.at !== undefined) return undefined;
  const workDir = resolve(globals.workDir ?? '.');
  const root = repositoryRoot(globals, workDir);
  if (root === undefined) return undefined;
  const answer = await askDaemon(root, 'run', [{ argv, cwd: process.cwd(), env: process.env }], {
    integrity: !globals.disableIntegrityCheck,
  });
  if (answer?.ok !== true) return undefined;
  const value = answer.value as { stderr?: unknown; status?: unknown };
  const { stderr, status } = value ?? {};
  const stdout = answer.data;
  if (stdout === undefined || typeof stderr !== 'string' || typeof status !== 'number' || !Number.isInteger(status))
    return undefined;
  if (process.env.SIT_DEBUG) process.stderr.write('sit: answered whole by the sit daemon\n');
  if (stderr !== '') process.stderr.write(forTerminal(stderr, process.stderr.isTTY));
  // The chunks as they came (joining them would copy the whole output once more).
  for (const [i, chunk] of stdout.entries()) {
    if (i < stdout.length - 1) process.stdout.write(chunk);
    else await new Promise<void>((done) => process.stdout.write(chunk, () => done()));
  }
  return status;
}
