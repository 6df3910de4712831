/**
 * clap 2's help, usage and version texts for an {@link AppSpec}, laid out as clap 2.33 lays them
 * out (without colours or wrapping): the name and version, author and about, `USAGE:`, then
 * `FLAGS:`, `OPTIONS:`, `ARGS:` and `SUBCOMMANDS:`, each entry padded to its section's longest.
 * @module
 */
import { has, positionals, type AppSpec, type ArgSpec } from './spec.ts';

const TAB = '    ';

/** The built-in `-h/--help` flag, unless disabled or taken. */
export function helpFlag(app: AppSpec): ArgSpec | undefined {
  if (has(app, 'DisableHelpFlags')) return undefined;
  const short = app.args.some((a) => a.short === 'h') ? undefined : 'h';
  if (app.args.some((a) => a.name === 'help' || a.long === 'help')) return undefined;
  return builtin('help', short, 'Prints help information');
}

/** The built-in `-V/--version` flag, unless disabled or taken. */
export function versionFlag(app: AppSpec): ArgSpec | undefined {
  if (has(app, 'DisableVersion')) return undefined;
  if (app.args.some((a) => a.name === 'version' || a.long === 'version')) return undefined;
  const short = app.args.some((a) => a.short === 'V') ? undefined : 'V';
  return builtin('version', short, 'Prints version information');
}

function builtin(name: string, short: string | undefined, help: string): ArgSpec {
  return {
    name,
    short,
    long: name,
    help,
    required: false,
    takesValue: false,
    multiple: false,
    useDelimiter: false,
    hidden: false,
    conflictsWith: [],
    requires: [],
    order: 999,
  };
}

/** The automatic `help` subcommand, unless disabled, declared, or there are no subcommands. */
export function helpSubcommand(app: AppSpec): AppSpec | undefined {
  if (
    app.subcommands.length === 0 ||
    has(app, 'DisableHelpSubcommand') ||
    app.subcommands.some((s) => s.name === 'help')
  )
    return undefined;
  return {
    name: 'help',
    about: 'Prints this message or the help of the given subcommand(s)',
    aliases: [],
    settings: new Set(),
    args: [],
    subcommands: [],
  };
}

/** How an argument is shown: `--long`, `-s`, `--long <value>`, `<NAME>...`. */
export function display(arg: ArgSpec): string {
  if (arg.index !== undefined) return `<${arg.valueName ?? arg.name}>${arg.multiple ? '...' : ''}`;
  const sw = arg.long !== undefined ? `--${arg.long}` : `-${arg.short}`;
  if (!arg.takesValue) return sw;
  return `${sw} <${arg.valueName ?? arg.name}>${arg.multiple ? '...' : ''}`;
}

/** The binary name shown in help titles: `sit issue` becomes `sit-issue`, as clap writes it. */
function titleName(app: AppSpec, binName: string | undefined): string {
  return binName?.includes(' ') ? binName.replaceAll(' ', '-') : app.name;
}

/** The usage line without its title, e.g. `sit issue show <ID>`. */
export function usage(app: AppSpec, binName: string | undefined): string {
  let out = app.usage ?? binName ?? app.name;
  const visible = app.args.filter((a) => !a.hidden);
  const flags = visible.filter((a) => a.index === undefined && !a.takesValue);
  const options = visible.filter((a) => a.index === undefined && a.takesValue);
  const unified = has(app, 'UnifiedHelpMessage');
  if (flags.length > 0) out += unified ? ' [OPTIONS]' : ' [FLAGS]';
  if (!unified && options.some((o) => !o.required)) out += ' [OPTIONS]';
  for (const arg of visible) {
    if (!arg.required) continue;
    if (arg.index === undefined) out += ` ${display(arg)}`;
  }
  for (const arg of positionals(app)) {
    if (arg.hidden) continue;
    const shown = `${arg.valueName ?? arg.name}`;
    out += arg.required ? ` <${shown}>${arg.multiple ? '...' : ''}` : ` [${shown}]${arg.multiple ? '...' : ''}`;
  }
  if (app.subcommands.length > 0 || has(app, 'AllowExternalSubcommands')) {
    out += has(app, 'SubcommandRequired') || has(app, 'SubcommandRequiredElseHelp') ? ' <SUBCOMMAND>' : ' [SUBCOMMAND]';
  }
  return out;
}

function specValues(arg: ArgSpec): string {
  const parts: string[] = [];
  if (arg.defaultValue !== undefined) parts.push(`[default: ${arg.defaultValue}]`);
  if (arg.possibleValues !== undefined) parts.push(`[values: ${arg.possibleValues.join(', ')}]`);
  return parts.join(' ');
}

function argHelp(arg: { help?: string | undefined }, spec: string): string {
  const h = arg.help ?? '';
  return spec === '' ? h : h === '' ? spec : `${h} ${spec}`;
}

function switchLines(args: ArgSpec[]): string[] {
  const longest = Math.max(...args.map((a) => display(a).length));
  return args.map((a) => {
    let line = TAB + (a.short !== undefined ? `-${a.short}` : TAB);
    if (a.long !== undefined) line += `${a.short !== undefined ? ', ' : ''}--${a.long}`;
    if (a.takesValue) line += ` <${a.valueName ?? a.name}>${a.multiple ? '...' : ''}`;
    const pad = longest - display(a).length + (a.long !== undefined ? 4 : 8);
    return line + ' '.repeat(pad) + argHelp(a, specValues(a));
  });
}

function namedLines(entries: Array<{ shown: string; help: string }>): string[] {
  const longest = Math.max(...entries.map((e) => e.shown.length));
  return entries.map((e) => TAB + e.shown + ' '.repeat(longest + 4 - e.shown.length) + e.help);
}

function sorted(app: AppSpec, args: ArgSpec[]): ArgSpec[] {
  const derive = has(app, 'DeriveDisplayOrder');
  return [...args].sort((a, b) => {
    const oa = derive ? a.order : 999;
    const ob = derive ? b.order : 999;
    if (oa !== ob) return oa - ob;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** The whole help text (no trailing newline, as clap's `print_help` writes it). */
export function helpMessage(app: AppSpec, binName: string | undefined): string {
  let out = '';
  if (app.beforeHelp !== undefined) out += `${app.beforeHelp}\n\n`;
  out += `${titleName(app, binName)} ${app.version ?? ''}\n`;
  if (app.author !== undefined) out += `${app.author}\n`;
  if (app.about !== undefined) out += `${app.about}\n`;
  out += `\nUSAGE:\n${TAB}${usage(app, binName)}\n\n`;
  const builtins = [helpFlag(app), versionFlag(app)].filter((a): a is ArgSpec => a !== undefined);
  const visible = [...app.args, ...builtins].filter((a) => !a.hidden);
  const flags = sorted(
    app,
    visible.filter((a) => a.index === undefined && !a.takesValue),
  );
  const options = sorted(
    app,
    visible.filter((a) => a.index === undefined && a.takesValue),
  );
  const pos = positionals(app).filter((a) => !a.hidden);
  const autoHelp = helpSubcommand(app);
  const subs = [...app.subcommands, ...(autoHelp === undefined ? [] : [autoHelp])].filter((s) => !has(s, 'Hidden'));
  const sections: string[] = [];
  if (has(app, 'UnifiedHelpMessage') && flags.length + options.length > 0) {
    sections.push(`OPTIONS:\n${switchLines(sorted(app, [...flags, ...options])).join('\n')}`);
  } else {
    if (flags.length > 0) sections.push(`FLAGS:\n${switchLines(flags).join('\n')}`);
    if (options.length > 0) sections.push(`OPTIONS:\n${switchLines(options).join('\n')}`);
  }
  if (pos.length > 0) {
    sections.push(
      `ARGS:\n${namedLines(pos.map((a) => ({ shown: display(a), help: argHelp(a, specValues(a)) }))).join('\n')}`,
    );
  }
  if (subs.length > 0) {
    const ordered = has(app, 'DeriveDisplayOrder')
      ? subs
      : [...subs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    sections.push(
      `SUBCOMMANDS:\n${namedLines(ordered.map((s) => ({ shown: s.name, help: s.about ?? '' }))).join('\n')}`,
    );
  }
  out += sections.join('\n\n');
  if (app.afterHelp !== undefined) out += `${sections.length > 0 ? '\n\n' : ''}${app.afterHelp}`;
  return out;
}

/** The text `--version` prints: `NAME VERSION`, with the binary name's spaces as dashes. */
export function versionText(app: AppSpec, binName: string | undefined): string {
  return `${(binName ?? app.name).replaceAll(' ', '-')} ${app.version ?? ''}`;
}
