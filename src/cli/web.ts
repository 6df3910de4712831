/** `sit web`: serve the web interface (SPEC §4). */
import type { Context } from './context.ts';
import { parseCommand } from './parse.ts';

/** Runs `sit web`. */
export async function runWeb(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'web',
      usage: 'web [listen]',
      description: 'Serve the web interface (default 127.0.0.1:8080)',
      options: [
        ['--readonly', 'refuse every write and hide the controls'],
        ['--listen <host:port>', 'address to listen on (a token is required beyond loopback)'],
        ['-o, --overlay <dir>', 'a directory whose files replace the built-in assets (repeatable)'],
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  void context;
  throw new Error('sit web is not available yet');
}
