/** `sit web`: serve the web interface (SPEC §4). */
import { resolve } from 'node:path';
import { deriveAuthor } from '../store/mod.ts';
import { requireAuthor } from './author.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { listOption, parseCommand, stringOption } from './parse.ts';

/** Runs `sit web`; resolves when the server stops (on SIGINT or SIGTERM). */
export async function runWeb(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'web',
      usage: 'web [listen]',
      description: 'Serve the web interface (default 127.0.0.1:8080; a token is required beyond loopback)',
      options: [
        ['--readonly', 'refuse every write and hide the controls'],
        ['--listen <host:port>', 'address to listen on (also accepted as the positional argument)'],
        ['-o, --overlay <dir>', 'a directory whose files replace the built-in assets (repeatable)'],
      ],
      examples: ['sit web', 'sit web --readonly --listen 0.0.0.0:8080'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const positional = parsed.args[0];
  const option = stringOption(parsed.options, 'listen');
  if (positional !== undefined && option !== undefined) throw new UsageError('give the address either as an argument or with --listen, not both');
  const repo = context.repository();
  const readonly = parsed.options.readonly === true;
  // A reader writes nothing, so needs no identity: use the configured one if any, else a placeholder.
  const author = readonly
    ? (deriveAuthor(context.userConfig(), { workDir: context.workDir }) ?? { name: 'Read-only reader' })
    : await requireAuthor(context);
  const [{ startServer }, { ItemIndex }] = await Promise.all([import('../server.ts'), import('../reduce/mod.ts')]);
  const index = await ItemIndex.open(repo, { integrity: context.integrity });
  const server = await startServer({
    repo,
    index,
    author,
    userConfig: context.userConfig(),
    readonly,
    listen: positional ?? option ?? '127.0.0.1:8080',
    overlays: listOption(parsed.options, 'overlay', { split: false }).map((dir) => resolve(dir)),
  });
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  await index.close();
  return 0;
}
