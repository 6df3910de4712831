/**
 * The global options of `sit`, which precede the subcommand as in the original
 * (`sit -r REPO items`, but `sit reduce -r REDUCER`).
 * @module
 */
import { SitError } from '../errors.ts';

/** A command line that could not be parsed. */
export class UsageError extends SitError {}

/** The global options and what follows them. */
export interface GlobalOptions {
  /** `-d DIR`: the working directory for discovery, `init` and git authorship. */
  workDir?: string;
  /** `-r/--repository DIR` or `SIT_DIR`. */
  repository?: string;
  /** `-c/--config FILE`: the user configuration file. */
  configFile?: string;
  /** `--at REV`: read the repository as committed at this git revision (read-only). */
  at?: string;
  /** `-i/--disable-integrity-check` or `SIT_DISABLE_INTEGRITY_CHECK`. */
  disableIntegrityCheck: boolean;
  /** `-v`, repeatable. */
  verbosity: number;
  /** `-h/--help` before any subcommand. */
  help: boolean;
  /** `-V/--version`. */
  version: boolean;
  /** The subcommand, if any. */
  command?: string | undefined;
  /** The arguments after the subcommand. */
  rest: string[];
}

const VALUE_OPTIONS: Record<string, 'workDir' | 'repository' | 'configFile' | 'at'> = {
  '-d': 'workDir',
  '--directory': 'workDir',
  '-r': 'repository',
  '--repository': 'repository',
  '-c': 'configFile',
  '--config': 'configFile',
  '--at': 'at',
};

/** Splits `argv` (without `node` and the script) into global options, subcommand and its arguments. */
export function parseGlobalOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const result: GlobalOptions = {
    disableIntegrityCheck: env.SIT_DISABLE_INTEGRITY_CHECK !== undefined,
    verbosity: 0,
    help: false,
    version: false,
    rest: [],
  };
  if (env.SIT_DIR !== undefined && env.SIT_DIR !== '') result.repository = env.SIT_DIR;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '--') {
      i++;
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = VALUE_OPTIONS[name];
    if (key !== undefined) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option ${name} needs a value; see \`sit --help\``);
      result[key] = value;
    } else if (name === '-i' || name === '--disable-integrity-check') {
      result.disableIntegrityCheck = true;
    } else if (/^-v+$/.test(name)) {
      result.verbosity += name.length - 1;
    } else if (name === '--verbose') {
      result.verbosity++;
    } else if (name === '-h' || name === '--help') {
      result.help = true;
    } else if (name === '-V' || name === '--version') {
      result.version = true;
    } else {
      throw new UsageError(`unknown global option ${name}; see \`sit --help\``);
    }
  }
  result.command = argv[i];
  result.rest = argv.slice(i + 1);
  return result;
}
