/** `sit init`: create a repository (original-sit.md §4.5), optionally with a module. */
import { isAbsolute, join } from 'node:path';
import { Repository } from '../store/mod.ts';
import type { Context } from './context.ts';
import { addModule } from './modules.ts';
import { parseCommand, stringOption } from './parse.ts';

/** Runs `sit init`. */
export async function runInit(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'init',
      usage: 'init',
      description: 'Create a new repository in .sit (or where -r/SIT_DIR says)',
      options: [
        ['--no-dot-sit', 'create the repository in the working directory itself, not in .sit'],
        ['-u', 'same as --no-dot-sit'],
        ['--no-default-files', 'accepted for compatibility (there are no default files)'],
        ['-n', 'same as --no-default-files'],
        ['-m, --module <name>', 'also add a module shipped with sit, e.g. issue-tracking (linked)'],
      ],
      examples: ['sit init', 'sit init --module issue-tracking'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const given = context.globals.repository;
  const result =
    given !== undefined
      ? Repository.init(isAbsolute(given) ? given : join(context.workDir, given), { dotSit: false })
      : Repository.init(context.workDir, { dotSit: parsed.options.dotSit !== false && parsed.options.u !== true });
  process.stderr.write(`Repository ${result.path} ${result.created ? 'initialized' : 'already exists'}\n`);
  const module = stringOption(parsed.options, 'module');
  if (module !== undefined) {
    const repo = Repository.open(result.path);
    process.stderr.write(`${addModule(repo, module, { copy: false })}\n`);
  }
  return 0;
}
