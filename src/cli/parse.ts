/**
 * Parsing one subcommand's arguments with cac, with `--help` for every command and usage errors
 * as one line.
 * @module
 */
import { cac } from 'cac';
import { UsageError } from './globals.ts';

/** What a subcommand accepts, for parsing and for its `--help`. */
export interface CommandSpec {
  /** The subcommand's name, e.g. `reduce`. */
  name: string;
  /** The usage after `sit`, in cac's notation, e.g. `reduce [item]`. */
  usage: string;
  /** One line saying what it does. */
  description: string;
  /** Options as `[flags, description]`, e.g. `['-q, --query <expr>', 'JMESPath query']`. */
  options?: Array<[string, string]>;
  /** Example command lines shown in the help. */
  examples?: string[];
  /** Accept options cac does not know (for commands that pass them on). */
  allowUnknownOptions?: boolean;
}

/** A parsed subcommand line. */
export interface ParsedCommand {
  /** Positional arguments. */
  args: string[];
  /** Options by camel-cased long name. */
  options: Record<string, unknown>;
}

/**
 * Parses `argv` (the arguments after the subcommand) against `spec`. Returns `undefined` when
 * `--help` was asked for and the help has been printed.
 */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand | undefined {
  const cli = cac('sit');
  const command = cli.command(spec.usage, spec.description);
  if (spec.allowUnknownOptions) command.allowUnknownOptions();
  for (const [flags, description] of spec.options ?? []) command.option(flags, description);
  for (const example of spec.examples ?? []) command.example(example);
  cli.help((sections) => helpSections(spec, sections));
  // cac names its boolean options to its parser camel-cased, so `--kebab-flag VALUE` would take
  // VALUE as the flag's value: such flags are passed camel-cased.
  const kebabFlags = new Map<string, string>();
  for (const [flags] of spec.options ?? []) {
    if (/[<[]/.test(flags)) continue;
    for (const flag of flags.split(',').map((f) => f.trim())) {
      if (flag.startsWith('--') && !flag.startsWith('--no-') && flag.includes('-', 2)) {
        kebabFlags.set(flag, `--${flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}`);
      }
    }
  }
  try {
    // cac turns numeric-looking values into numbers ("007" → 7); a NUL prefix, which no real
    // argument can contain, keeps every value as the text the user typed.
    const guarded = argv.map((arg) => (arg.startsWith('-') ? (kebabFlags.get(arg) ?? arg) : GUARD + arg));
    cli.parse(['node', 'sit', spec.name, ...guarded], { run: false });
    if (cli.options.help) return undefined;
    command.checkUnknownOptions();
    command.checkOptionValue();
    command.checkRequiredArgs();
    command.checkUnusedArgs();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message}; see \`sit ${spec.name} --help\``);
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cli.options)) options[key] = unguard(value);
  return { args: cli.args.map((arg) => String(unguard(arg))), options };
}

/**
 * The help of one command: what it does first (cac starts with the bare program name), then the
 * usage, the options as the spec gives them (cac adds "(default: true)" to negated flags such as
 * `--no-cache`, which reads as if the flag were on) and the examples.
 */
function helpSections(
  spec: CommandSpec,
  sections: Array<{ title?: string; body: string }>,
): Array<{ title?: string; body: string }> {
  const options: Array<[string, string]> = [...(spec.options ?? []), ['-h, --help', 'display this help']];
  const width = Math.max(...options.map(([flags]) => flags.length));
  return sections.map((section, i) => {
    if (i === 0) return { body: spec.description };
    if (section.title === 'Options')
      return { title: 'Options', body: options.map(([flags, text]) => `  ${flags.padEnd(width)}  ${text}`).join('\n') };
    if (section.title === 'Examples')
      return {
        title: 'Examples',
        body: section.body
          .split('\n')
          .map((line) => `  ${line}`)
          .join('\n'),
      };
    return section;
  });
}

const GUARD = '\0';

function unguard(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith(GUARD) ? value.slice(1) : value;
  if (Array.isArray(value)) return value.map(unguard);
  return value;
}

/** The value of a string option, or `undefined`; a repeated option takes its last value. */
export function stringOption(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === false) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : String(value[value.length - 1]);
  if (value === true) throw new UsageError(`option --${key} needs a value`);
  return String(value);
}

/** The values of an option that may be repeated or (with `split`, the default) comma-separated. */
export function listOption(
  options: Record<string, unknown>,
  key: string,
  { split = true }: { split?: boolean } = {},
): string[] {
  const value = options[key];
  if (value === undefined || value === false) return [];
  const values = (Array.isArray(value) ? value : [value]).map(String);
  return (split ? values.flatMap((v) => v.split(',')) : values).filter((v) => v !== '');
}
