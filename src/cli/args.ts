/**
 * `sit args [-h|--help] [-- ARGS...]` (original-sit.md §4.21): parses a shell script's arguments
 * against a clap YAML specification read from standard input, so that scripts written for the
 * original SIT (such as the issue-tracking module's `cli/sit-issue`) work unchanged. Needs no
 * repository and no configuration.
 * @module
 */
import { readFileSync } from 'node:fs';
import { appFromYamlDocument, formatMatches, helpMessage, parseArgs, parseYaml } from '../clap/mod.ts';
import { SitError } from '../errors.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';

const OWN_HELP = `Parse a script's arguments against a clap (2.x) YAML specification read from standard input

Usage:
  $ sit args [-h|--help] [-- PROGRAM ARGS...]

With --help, print the specification's help. Otherwise match ARGS (the first is the program's
name, e.g. "sit issue") and print the matched subcommand on the first line (an empty line when
there is none), then one line per argument matched inside it:
  NAME OCCURRENCES INDEX... "VALUE"...
each token followed by a space ("\\", "\\"", "$" and "\`" inside values are escaped with a
backslash, so that eval gives the value back). Help and version requests print to standard
output and exit 0; a command line that does not match prints clap's error and exits 1.

Examples:
  cli=$(cat "$(dirname "$0")/sit-issue.yaml")
  output=$(echo "$cli" | "$SIT" args -- "sit issue" "$@")
  echo "$cli" | "$SIT" args --help
`;

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN' || code === 'EOF' || code === 'ENXIO') return '';
    throw new SitError(`sit args: cannot read the specification from standard input (${code ?? String(error)})`);
  }
}

/** Runs `sit args`. */
export async function runArgs(_context: Context, argv: string[]): Promise<number> {
  let help = false;
  let rest: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (arg === '-h' || arg === '--help') help = true;
    else
      throw new UsageError(
        `sit args: unexpected ${JSON.stringify(arg)}: the arguments to parse follow \`--\` (sit args -- "PROGRAM" ARGS...); see \`sit args --help\``,
      );
  }
  if (help && rest !== undefined)
    throw new UsageError('sit args: --help cannot be used with arguments to parse; see `sit args --help`');
  if (process.stdin.isTTY) {
    // Nobody piped a specification in: explain the command instead of waiting for one.
    if (help) {
      process.stdout.write(OWN_HELP);
      return 0;
    }
    throw new UsageError(
      'sit args reads a clap YAML specification from standard input: pipe one in, e.g. `sit args -- "sit issue" list < spec.yaml`; see `sit args --help`',
    );
  }
  const source = readStdin();
  if (source.trim() === '' && help) {
    process.stdout.write(OWN_HELP);
    return 0;
  }
  if (source.trim() === '')
    throw new SitError('sit args: no specification on standard input; pipe a clap YAML application specification in');
  let app;
  try {
    app = appFromYamlDocument(parseYaml(source));
  } catch (error) {
    if (error instanceof SitError) throw new SitError(`sit args: ${error.message}`);
    throw error;
  }
  if (help) {
    process.stdout.write(`${helpMessage(app, undefined)}\n`);
    return 0;
  }
  const outcome = parseArgs(app, rest ?? []);
  if (outcome.kind === 'exit') {
    (outcome.stream === 'stdout' ? process.stdout : process.stderr).write(outcome.text);
    return outcome.status;
  }
  process.stdout.write(formatMatches(outcome.matches));
  return 0;
}
