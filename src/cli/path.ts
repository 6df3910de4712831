/** `sit path`: print the repository path or a record's (original-sit.md §4.7). */
import { SitError } from '../errors.ts';
import type { Context } from './context.ts';
import { parseCommand, stringOption } from './parse.ts';

/** Runs `sit path`. */
export async function runPath(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'path',
      usage: 'path',
      description: 'Print the path of the repository, or of a record with --record',
      options: [['-r, --record <hash>', 'print the directory of this record']],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const repo = context.repository();
  const record = stringOption(parsed.options, 'record');
  if (record === undefined) {
    context.print(repo.path);
    return 0;
  }
  const path = repo.recordPath(record);
  if (path === undefined) throw new SitError(`Record ${record} not found`);
  context.print(path);
  return 0;
}
