/**
 * The names of the built-in subcommands, apart from their code (src/cli/commands.ts), so that the
 * quick start of `sit` (src/sit.ts) can tell a built-in command from a module command without
 * loading anything else.
 * @module
 */

/** Every built-in subcommand's name, in the order `sit --help` lists them. */
export const COMMAND_NAMES = [
  'init',
  'item',
  'items',
  'record',
  'records',
  'reduce',
  'integrity',
  'config',
  'modules',
  'module',
  'path',
  'jmespath',
  'upgrade',
  'rebuild',
  'trust',
  'daemon',
  'web',
  'args',
  'mr',
  'mr-merge',
  'inbox',
] as const;

/** A built-in subcommand's name. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** Whether `name` is a built-in subcommand. */
export function isBuiltInCommand(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}
