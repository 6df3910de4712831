/**
 * The rows of `npm run bench` for the commands people type, each beside its floor measured in the
 * same run, whole processes:
 *
 * - `sit issue list` and `sit issue list --all` against `sit items -q "join(' | ', [id, summary])"`;
 * - `sit issue show ID` against a bare `node -e 0`;
 * - `sit issue new`, `comment`, `close` and `label` against a `sit record` of the same record.
 *
 * Warm means that the same command ran just before (its caches are filled). Before each write,
 * the issue is shown (untimed), as a user looks at an issue before changing it: a command that
 * reads the issue's state then finds it cached, and the row compares the writing. The writes go
 * into the generated repository, as the bench's other write does: each run adds an issue and a
 * few records to it.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Repository } from '../src/store/mod.ts';

/** Figures of one repository, in seconds, one per run. */
export interface CommandFigures {
  items: number[];
  list: number[];
  listAll: number[];
  node: number[];
  show: number[];
  /** Each write command and its `sit record` of the same record. */
  writes: Record<'new' | 'comment' | 'close' | 'label', { issue: number[]; record: number[] }>;
}

/** Runs `node ARGS` in `cwd` to completion, checks its status and returns its output and wall time. */
export function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): { seconds: number; stdout: string } {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr.slice(0, 500)}`);
  return { seconds, stdout: result.stdout };
}

/**
 * Measures the command rows on the repository at `sitPath` with the compiled `sitJs`, `runs`
 * times, in the environment `env` (its cache and configuration, an author included).
 */
export function benchCommands(
  sitPath: string,
  sitJs: string,
  query: string,
  runs: number,
  env: NodeJS.ProcessEnv,
): CommandFigures {
  const figures: CommandFigures = {
    items: [],
    list: [],
    listAll: [],
    node: [],
    show: [],
    writes: {
      new: { issue: [], record: [] },
      comment: { issue: [], record: [] },
      close: { issue: [], record: [] },
      label: { issue: [], record: [] },
    },
  };
  const files = join(env['SIT_CACHE_DIR'] ?? sitPath, '..', 'record-files');
  rmSync(files, { recursive: true, force: true });
  mkdirSync(files, { recursive: true });
  const sit = (args: string[]): { seconds: number; stdout: string } => run([sitJs, '-r', sitPath, ...args], env, files);
  const warm = (args: string[]): number => {
    sit(args);
    return sit(args).seconds;
  };
  const ids = Repository.open(sitPath).items();
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`  command rows: run ${i + 1}/${runs}\n`);
    const id = ids[(i * 104_729 + 17) % ids.length]!;
    figures.items.push(warm(['items', '-q', query]));
    figures.list.push(warm(['issue', 'list']));
    figures.listAll.push(warm(['issue', 'list', '--all']));
    figures.node.push(run(['-e', '0'], env, files).seconds);
    figures.show.push(warm(['issue', 'show', id]));

    const stamp = `${Date.now()}-${i}`;
    const writes = figures.writes;
    sit(['issue', 'show', id]);
    writes.comment.issue.push(sit(['issue', 'comment', id, '-m', `bench comment ${stamp}`]).seconds);
    writeFileSync(join(files, 'text'), `bench comment ${stamp} again\n`);
    writes.comment.record.push(sit(['record', '-t', 'Commented', id, 'text']).seconds);

    sit(['issue', 'show', id]);
    writes.label.issue.push(sit(['issue', 'label', id, `+bench-${stamp}`]).seconds);
    writeFileSync(join(files, 'added'), `bench-${stamp}-again\n`);
    writes.label.record.push(sit(['record', '-t', 'LabelsChanged', id, 'added']).seconds);

    // Closing an open issue: one that this run opened.
    const opened = sit(['issue', 'new', '--summary', `Bench issue ${stamp}`]);
    writes.new.issue.push(opened.seconds);
    const newId = opened.stdout.trim().split(/\s+/).pop()!;
    sit(['issue', 'show', newId]);
    writes.close.issue.push(sit(['issue', 'close', newId]).seconds);
    const item = sit(['item']).stdout.trim();
    writeFileSync(join(files, 'text'), `Bench issue ${stamp} again\n`);
    writes.new.record.push(sit(['record', '-t', 'SummaryChanged', item, 'text']).seconds);
    writes.close.record.push(sit(['record', '-t', 'Closed', item]).seconds);
  }
  rmSync(files, { recursive: true, force: true });
  return figures;
}
