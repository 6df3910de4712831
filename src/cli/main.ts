/**
 * The `sit` command line: global options, then a built-in subcommand, a module script or an
 * external `sit-NAME` program. User errors print one line on stderr and exit 1. Started by
 * src/cli.ts, or by the quick start src/sit.ts when a daemon did not answer the command whole.
 * @module
 */
import { SitError } from '../errors.ts';
import { forTerminal } from '../terminal.ts';
import { isBuiltInCommand } from './command_names.ts';
import { COMMANDS } from './commands.ts';
import { parseGlobalOptions, type GlobalOptions } from './globals.ts';
import { VERSION } from '../version.ts';

const HELP_HEADER = `sit ${VERSION}
Serverless Information Tracker: items made of immutable, content-addressed records in .sit/

Usage: sit [GLOBAL OPTIONS] <COMMAND> [ARGS...]

Global options (before the command):
  -d <dir>                       working directory (default: the current one)
  -r, --repository <dir>         repository path (also SIT_DIR); default: search .sit upwards
  -c, --config <file>            user configuration file
  -i, --disable-integrity-check  skip record hash checks (also SIT_DISABLE_INTEGRITY_CHECK)
  --at <rev>                     read the repository as committed at a git revision (read-only;
                                 items, records, reduce, integrity, config and module scripts)
  -v                             more output (repeatable)
  -h, --help                     this help; \`sit COMMAND --help\` for a command's
  -V, --version                  print the version
`;

async function printHelp(globals: GlobalOptions): Promise<void> {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)} ${entry.summary}`);
  let repository = '';
  try {
    // Reads directories only: nothing from the repository runs.
    const { repositoryCommandsHelp } = await import('./help_modules.ts');
    repository = repositoryCommandsHelp(globals.workDir ?? '.', globals.repository, new Set(Object.keys(COMMANDS)));
  } catch {
    repository = '';
  }
  process.stdout.write(
    `${HELP_HEADER}\nCommands:\n${lines.join('\n')}\n  ${'<name>'.padEnd(width)} ` +
      'a module script (e.g. `sit issue`) or an external `sit-<name>` program\n' +
      repository,
  );
}

async function main(argv: string[], options: RunOptions): Promise<number> {
  const globals: GlobalOptions = parseGlobalOptions(argv);
  if (globals.version) {
    process.stdout.write(`sit ${VERSION}\n`);
    return 0;
  }
  if (globals.help || globals.command === undefined) {
    await printHelp(globals);
    return globals.help ? 0 : 1;
  }
  if (globals.command === 'help') {
    const target = globals.rest[0];
    if (target === undefined || !isBuiltInCommand(target)) {
      await printHelp(globals);
      return 0;
    }
    globals.command = target;
    globals.rest = ['--help'];
  }
  const command = globals.command;
  if (
    options.daemonAsked !== true &&
    !isBuiltInCommand(command) &&
    process.stdout.isTTY !== true &&
    process.env.SIT_DAEMON !== '0'
  ) {
    // A running `sit daemon` may answer a module command whole (see src/daemon/fast.ts).
    const { runThroughDaemon } = await import('../daemon/fast.ts');
    const status = await runThroughDaemon(globals, argv);
    if (status !== undefined) return status;
  }
  const { Context } = await import('./context.ts');
  const context = new Context(globals);
  const entry = isBuiltInCommand(command) ? COMMANDS[command] : undefined;
  if (entry !== undefined && globals.at !== undefined && entry.at !== true) {
    const instead = entry.atInstead?.replaceAll('REV', encodeURIComponent(globals.at));
    context.refuseAt(`sit ${command}`, instead === undefined ? {} : { instead });
  }
  try {
    if (entry !== undefined) return await (await entry.load())(context, globals.rest);
    const { runExternal } = await import('./external.ts');
    return await runExternal(context, command, globals.rest);
  } finally {
    context.endProgress();
  }
}

function report(error: unknown): number {
  if (error instanceof SitError) {
    // A message may quote repository data (item ids, file names): no control characters reach a terminal.
    process.stderr.write(forTerminal(`${error.message}\n`, process.stderr.isTTY));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`internal error: ${message} (run with SIT_DEBUG=1 for details)\n`);
  if (process.env.SIT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 70;
}

/** Options for {@linkcode runCli}. */
export interface RunOptions {
  /** The daemon was asked already (by the quick start, src/sit.ts) and did not answer. */
  daemonAsked?: boolean;
}

/**
 * Runs `sit ARGV` (the arguments after `node` and the script) and sets the process's exit status:
 * the command's, 1 for a user error (one line on stderr), 70 for an internal error.
 */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  /** Whether main() has settled, whichever way. */
  let finished = false;
  // Nothing left to run while the command is still unfinished is a fault of sit (a promise that
  // nothing will settle): it must not end as a success with its output cut short.
  process.on('beforeExit', () => {
    if (finished) return;
    finished = true;
    process.stderr.write('internal error: sit stopped before the command finished; its output may be incomplete\n');
    process.exitCode = 70;
  });
  try {
    process.exitCode = await main(argv, options);
  } catch (error) {
    process.exitCode = report(error);
  } finally {
    finished = true;
  }
}
