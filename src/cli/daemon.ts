/**
 * `sit daemon`: keeps every item's state of one repository in memory, watches `.sit/` and answers
 * the reads of other `sit` commands over a Unix socket, so that they neither walk nor stat
 * `items/`. In the foreground; Ctrl-C or SIGTERM stops it and removes its socket.
 * @module
 */
import { Repository } from '../store/mod.ts';
import type { Context } from './context.ts';
import { parseCommand } from './parse.ts';
import { UsageError } from './globals.ts';
import { isTrusted } from './trust.ts';

/** Runs `sit daemon`; resolves when it is stopped. */
export async function runDaemon(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'daemon',
      usage: 'daemon',
      description:
        'Answer the reads of other sit commands for this repository from memory (item states, searches), watching .sit/ for ' +
        'changes, until stopped with Ctrl-C. Optional: without it commands read the repository themselves, with the same ' +
        'results. `sit web` does the same while it runs. The socket lives in the cache directory, readable by you only.',
      examples: ['sit daemon', 'sit -r ../other/.sit daemon'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  if (parsed.args.length > 0) throw new UsageError('sit daemon takes no arguments; see `sit daemon --help`');
  const repo = context.repository();
  const { DaemonService } = await import('../daemon/service.ts');
  const say = (line: string): void => void process.stderr.write(`sit daemon: ${line}\n`);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const service = await DaemonService.start(repo, {
    integrity: context.integrity,
    onWarning: say,
    reopen: () => {
      const again: Repository = Repository.open(repo.root, {
        integrity: context.integrity,
        trust: () => isTrusted(context.userConfig(), again),
      });
      return again;
    },
  });
  say(`answering for ${repo.root} on ${service.socketPath} (Ctrl-C stops)`);
  await stopped;
  await service.close();
  return 0;
}
