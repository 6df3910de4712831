/** `sit item`: create an item (original-sit.md §4.8). */
import type { Context } from './context.ts';
import { parseCommand, stringOption } from './parse.ts';

/** Runs `sit item`. */
export async function runItem(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'item',
      usage: 'item',
      description: 'Create a new item and print its id (a new UUID unless --id is given)',
      options: [['--id <id>', 'the item id to use']],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const id = context.repository().newItem(stringOption(parsed.options, 'id'));
  context.print(id);
  return 0;
}
