#!/usr/bin/env node
/**
 * The `sit` command as installed (package.json `bin`), built as a CommonJS file, which Node
 * starts about 10 ms sooner than an ES module. It holds only what a module command needs to be
 * answered whole by a running `sit daemon` (src/daemon/fast.ts: Node's own modules and the
 * client); any other command, or one the daemon does not answer, loads the whole command line
 * (src/cli/main.ts, an ES module) and runs there as if started by src/cli.ts.
 * @module
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBuiltInCommand } from './cli/command_names.ts';
import { type GlobalOptions, parseGlobalOptions } from './cli/globals.ts';
import { runThroughDaemon } from './daemon/fast.ts';

/** The global options when the command may be answered whole by a daemon (a module command, output not to a terminal). */
function quickCandidate(argv: string[]): GlobalOptions | undefined {
  if (process.stdout.isTTY === true || process.env.SIT_DAEMON === '0') return undefined;
  let globals: GlobalOptions;
  try {
    globals = parseGlobalOptions(argv);
  } catch {
    // A malformed command line: the whole command line says what is wrong.
    return undefined;
  }
  const command = globals.command;
  if (command === undefined || command === 'help' || globals.help || globals.version || isBuiltInCommand(command))
    return undefined;
  return globals;
}

/** Ends quietly when the reader of standard output goes away (as src/cli/main.ts does). */
function onStdoutError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(0);
}

async function start(argv: string[]): Promise<void> {
  const globals = quickCandidate(argv);
  if (globals !== undefined) {
    process.stdout.on('error', onStdoutError);
    const status = await runThroughDaemon(globals, argv);
    if (status !== undefined) {
      process.exitCode = status;
      return;
    }
    process.stdout.off('error', onStdoutError);
  }
  // The whole command line: an ES module beside this file once built.
  const main = join(__dirname, 'cli', 'main.js');
  let cli: typeof import('./cli/main.ts');
  try {
    cli = (await import(pathToFileURL(main).href)) as typeof import('./cli/main.ts');
  } catch (error) {
    process.stderr.write(
      `sit: cannot load ${main} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); build sit again with npm run build\n`,
    );
    process.exitCode = 70;
    return;
  }
  await cli.runCli(argv, { daemonAsked: globals !== undefined });
}

void start(process.argv.slice(2));
