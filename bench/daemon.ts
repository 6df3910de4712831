/**
 * The bench's daemon rows: `sit issue list --all` while a `sit daemon` runs for the repository,
 * beside a bare `node -e 0` (Node's own start-up, the floor of any command written for Node).
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { run } from './commands.ts';

/** The wall times, in seconds, of the daemon rows. */
export interface DaemonFigures {
  /** `sit issue list --all` answered with the daemon running. */
  listAll: number[];
  /** `node -e 0`, measured alternately with it. */
  node: number[];
}

/** Runs `args` under Node; its wall time in seconds. Throws unless it exits 0. */
function timed(args: string[], env: NodeJS.ProcessEnv): number {
  return run(args, env, process.cwd()).seconds;
}

/**
 * Starts `sit daemon` for the repository at `sitPath`, waits until it answers (`SIT_DAEMON=require`
 * succeeds), then measures `sit issue list --all` and `node -e 0` alternately, `runs` times; the
 * daemon is stopped before this returns.
 */
export async function benchDaemon(
  sitPath: string,
  sitJs: string,
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<DaemonFigures> {
  const daemon = spawn(process.execPath, [sitJs, '-r', sitPath, 'daemon'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  daemon.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let exited: number | null | undefined;
  daemon.on('exit', (code) => {
    exited = code;
  });
  const listAll = [sitJs, '-r', sitPath, 'issue', 'list', '--all'];
  try {
    const deadline = performance.now() + 30 * 60_000;
    for (;;) {
      if (exited !== undefined) throw new Error(`sit daemon exited ${exited}: ${stderr.slice(0, 500)}`);
      if (performance.now() > deadline) throw new Error('sit daemon did not answer within 30 minutes');
      const asked = spawnSync(process.execPath, listAll, {
        env: { ...env, SIT_DAEMON: 'require' },
        stdio: 'ignore',
      });
      if (asked.status === 0) break;
      await new Promise((wait) => setTimeout(wait, 500));
    }
    const figures: DaemonFigures = { listAll: [], node: [] };
    // Once more, so that the daemon has the answer of this very command in mind.
    timed(listAll, env);
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`  daemon rows: run ${i + 1}/${runs}\n`);
      figures.node.push(timed(['-e', '0'], env));
      figures.listAll.push(timed(listAll, env));
    }
    return figures;
  } finally {
    daemon.kill('SIGTERM');
    if (exited === undefined) await new Promise((done) => daemon.once('exit', done));
  }
}
