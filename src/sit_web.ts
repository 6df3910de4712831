#!/usr/bin/env node
/**
 * `sit-web`: the original's separate web server command, with its arguments:
 * `sit-web [-d DIR] [-r REPO] [-c FILE] [-v] [--readonly] [-o DIR]... [LISTEN]`
 * (`--ui MODE` and `-i` as `sit web` has them). It serves exactly what `sit web` serves.
 * @module
 */
import { SitError } from './errors.ts';
import type { GlobalOptions } from './cli/globals.ts';
import { UsageError } from './cli/globals.ts';
import { forTerminal } from './terminal.ts';
import { VERSION } from './version.ts';

const HELP = `Serve the web interface of a SIT repository (the same server as \`sit web\`)

Usage:
  $ sit-web [OPTIONS] [LISTEN]

LISTEN is HOST:PORT (default 127.0.0.1:8080; a token is required beyond loopback).

Options:
  -d <dir>                working directory for finding the repository (default: the current one)
  -r, --repository <dir>  repository path (also SIT_DIR); default: search .sit upwards
  -c, --config <file>     user configuration file
  -i                      skip record hash checks (also SIT_DISABLE_INTEGRITY_CHECK)
  -v                      more output (repeatable)
  --readonly              refuse every write and hide the controls
  -o, --overlay <dir>     a web overlay directory of your own, served first (repeatable)
  --ui <mode>             auto (an overlay web app when one has an index.html), builtin or overlay
  -h, --help              this help
  -V, --version           print the version

The repository's own overlays (.sit/web, each module's web/) are served once \`sit trust\` covers them.
`;

interface Parsed {
  globals: GlobalOptions;
  readonly: boolean;
  overlays: string[];
  ui: string | undefined;
  listen: string | undefined;
  help: boolean;
  version: boolean;
}

function parse(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const result: Parsed = {
    globals: {
      disableIntegrityCheck: env['SIT_DISABLE_INTEGRITY_CHECK'] !== undefined,
      verbosity: 0,
      help: false,
      version: false,
      command: 'web',
      rest: [],
    },
    readonly: false,
    overlays: [],
    ui: undefined,
    listen: undefined,
    help: false,
    version: false,
  };
  if (env['SIT_DIR'] !== undefined && env['SIT_DIR'] !== '') result.globals.repository = env['SIT_DIR'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`sit-web: option ${name} needs a value; see \`sit-web --help\``);
      return v;
    };
    if (name === '-d' || name === '--directory') result.globals.workDir = value();
    else if (name === '-r' || name === '--repository') result.globals.repository = value();
    else if (name === '-c' || name === '--config') result.globals.configFile = value();
    else if (name === '-o' || name === '--overlay') result.overlays.push(value());
    else if (name === '--ui') result.ui = value();
    else if (name === '--readonly') result.readonly = true;
    else if (name === '-i' || name === '--disable-integrity-check') result.globals.disableIntegrityCheck = true;
    else if (/^-v+$/.test(name)) result.globals.verbosity += name.length - 1;
    else if (name === '-h' || name === '--help') result.help = true;
    else if (name === '-V' || name === '--version') result.version = true;
    else if (arg.startsWith('-') && arg !== '-')
      throw new UsageError(`sit-web: unknown option ${name}; see \`sit-web --help\``);
    else if (result.listen === undefined) result.listen = arg;
    else
      throw new UsageError(
        `sit-web: unexpected argument ${JSON.stringify(arg)} (the address is already ${result.listen}); see \`sit-web --help\``,
      );
  }
  return result;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parse(argv, process.env);
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (parsed.version) {
    process.stdout.write(`sit-web ${VERSION}\n`);
    return 0;
  }
  const [{ Context }, { parseUi, serveWeb }] = await Promise.all([import('./cli/context.ts'), import('./cli/web.ts')]);
  return await serveWeb(new Context(parsed.globals), {
    readonly: parsed.readonly,
    listen: parsed.listen ?? '127.0.0.1:8080',
    overlays: parsed.overlays,
    ui: parseUi(parsed.ui),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SitError) {
      process.stderr.write(forTerminal(`${error.message}\n`, process.stderr.isTTY));
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(
      `internal error: ${error instanceof Error ? error.message : String(error)} (run with SIT_DEBUG=1 for details)\n`,
    );
    if (process.env['SIT_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 70;
  },
);
