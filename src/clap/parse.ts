/**
 * Matching a command line against an {@link AppSpec} the way clap 2 does: flags and options
 * (`-abc`, `-ovalue`, `-o=value`, `-o value`, `--long=value`, `--long value`), positional
 * arguments by index, `--`, subcommands (and the automatic `help` subcommand), `-h/--help` and
 * `-V/--version`, required arguments, possible values, conflicts and requirements, default
 * values. Each matched argument records its occurrences, the argv indices clap gives it (counted
 * from 1 after the subcommand's name; a value glued to its option counts one more) and its values.
 * An option that takes `multiple` values keeps taking the following arguments until one starts
 * with `-`, as clap 2 did.
 * @module
 */
import { display, helpFlag, helpMessage, helpSubcommand, usage, versionFlag, versionText } from './help.ts';
import { has, positionals, type AppSpec, type ArgSpec } from './spec.ts';

/** What clap recorded for one argument. */
export interface MatchedArg {
  occurs: number;
  indices: number[];
  vals: string[];
}

/** The arguments matched for one application, and the subcommand matched inside it. */
export interface Matches {
  /** In the order the specification declares them. */
  args: Map<string, MatchedArg>;
  subcommand?: { name: string; matches: Matches } | undefined;
}

/** The outcome of a command line: matches, or a text to print and the exit status. */
export type ParseOutcome =
  | { kind: 'matches'; matches: Matches }
  | { kind: 'exit'; text: string; stream: 'stdout' | 'stderr'; status: number };

class Exit {
  constructor(
    readonly text: string,
    readonly stream: 'stdout' | 'stderr',
    readonly status: number,
  ) {}
}

function error(app: AppSpec, binName: string | undefined, message: string): Exit {
  return new Exit(
    `error: ${message}\n\nUSAGE:\n    ${usage(app, binName)}\n\nFor more information try --help\n`,
    'stderr',
    1,
  );
}

function isNumber(text: string): boolean {
  return /^-?[0-9]+(\.[0-9]+)?$/.test(text);
}

interface State {
  app: AppSpec;
  binName: string | undefined;
  found: Map<string, MatchedArg>;
  idx: number;
}

function record(state: State, arg: ArgSpec): MatchedArg {
  let m = state.found.get(arg.name);
  if (m === undefined) {
    m = { occurs: 0, indices: [], vals: [] };
    state.found.set(arg.name, m);
  }
  return m;
}

function addValue(state: State, arg: ArgSpec, value: string): void {
  const m = record(state, arg);
  const values = arg.useDelimiter && value !== '' ? value.split(',') : [value];
  values.forEach((v, k) => {
    if (k > 0) state.idx++;
    if (arg.possibleValues !== undefined && !arg.possibleValues.includes(v)) {
      throw error(
        state.app,
        state.binName,
        `'${v}' isn't a valid value for '${display(arg)}'\n\t[values: ${arg.possibleValues.join(', ')}]`,
      );
    }
    m.vals.push(v);
    m.indices.push(state.idx);
  });
}

function occurrence(state: State, arg: ArgSpec): void {
  const m = record(state, arg);
  if (m.occurs > 0 && !arg.multiple) {
    if (has(state.app, 'AllArgsOverrideSelf')) {
      m.occurs = 0;
      m.indices = [];
      m.vals = [];
    } else {
      throw error(
        state.app,
        state.binName,
        `The argument '${display(arg)}' was provided more than once, but cannot be used multiple times`,
      );
    }
  }
  m.occurs++;
}

function findSubcommand(app: AppSpec, name: string): AppSpec | undefined {
  const all = [...app.subcommands, ...(helpSubcommand(app) === undefined ? [] : [helpSubcommand(app)!])];
  const exact = all.find((s) => s.name === name || s.aliases.includes(name));
  if (exact !== undefined || !has(app, 'InferSubcommands')) return exact;
  const candidates = all.filter((s) => s.name.startsWith(name));
  return candidates.length === 1 ? candidates[0] : undefined;
}

/** The help asked for with `help [SUBCOMMAND...]`. */
function helpFor(app: AppSpec, binName: string | undefined, path: string[]): Exit {
  let current = app;
  let bin = binName;
  for (const name of path) {
    const sub = current.subcommands.find((s) => s.name === name || s.aliases.includes(name));
    if (sub === undefined) {
      return error(current, bin, `The subcommand '${name}' wasn't recognized`);
    }
    current = sub;
    bin = `${bin ?? app.name} ${sub.name}`;
  }
  return new Exit(`${helpMessage(current, bin)}\n`, 'stdout', 0);
}

function parseApp(app: AppSpec, binName: string | undefined, argv: readonly string[]): Matches {
  const state: State = { app, binName, found: new Map(), idx: 0 };
  const pos = positionals(app);
  const help = helpFlag(app);
  const version = versionFlag(app);
  let posCounter = 0;
  let pending: ArgSpec | undefined;
  let pendingHasValue = false;
  let trailing = false;
  let subcommand: Matches['subcommand'];
  const leadingHyphen = has(app, 'AllowLeadingHyphen');
  const negatives = has(app, 'AllowNegativeNumbers');

  const takePositional = (value: string): void => {
    const last = pos[pos.length - 1];
    const slot = pos[posCounter] ?? (last?.multiple === true ? last : undefined);
    if (slot === undefined) {
      throw error(app, binName, `Found argument '${value}' which wasn't expected, or isn't valid in this context`);
    }
    addValue(state, slot, value);
    record(state, slot).occurs++;
    if (!slot.multiple) posCounter++;
    else if (slot === last && has(app, 'TrailingVarArg')) trailing = true;
  };

  const option = (arg: ArgSpec, attached: string | undefined, hadEquals: boolean): void => {
    occurrence(state, arg);
    if (attached !== undefined) {
      state.idx++;
      addValue(state, arg, attached);
      pending = arg.multiple && !hadEquals ? arg : undefined;
      pendingHasValue = true;
    } else {
      pending = arg;
      pendingHasValue = false;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    state.idx++;
    if (trailing) {
      takePositional(arg);
      continue;
    }
    if (pending !== undefined) {
      const looksLikeFlag = arg.startsWith('-') && arg !== '-' && !leadingHyphen && !(negatives && isNumber(arg));
      if (!looksLikeFlag) {
        addValue(state, pending, arg);
        pendingHasValue = true;
        if (!pending.multiple) pending = undefined;
        continue;
      }
      if (!pendingHasValue) {
        throw error(app, binName, `The argument '${display(pending)}' requires a value but none was supplied`);
      }
      pending = undefined;
    }
    if (arg === '--') {
      trailing = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const value = eq < 0 ? undefined : arg.slice(eq + 1);
      if (help !== undefined && name === help.long) throw new Exit(`${helpMessage(app, binName)}\n`, 'stdout', 0);
      if (version !== undefined && name === version.long) throw new Exit(`${versionText(app, binName)}\n`, 'stdout', 0);
      const spec = app.args.find((a) => a.long === name);
      if (spec === undefined || (!spec.takesValue && value !== undefined)) {
        if (leadingHyphen && pos.length > 0) {
          takePositional(arg);
          continue;
        }
        throw error(app, binName, `Found argument '${arg}' which wasn't expected, or isn't valid in this context`);
      }
      if (spec.takesValue) option(spec, value, value !== undefined);
      else {
        occurrence(state, spec);
        record(state, spec).indices.push(state.idx);
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-' && !(negatives && isNumber(arg))) {
      const chars = [...arg.slice(1)];
      for (let j = 0; j < chars.length; j++) {
        const c = chars[j]!;
        if (j > 0) state.idx++;
        if (help !== undefined && c === help.short) throw new Exit(`${helpMessage(app, binName)}\n`, 'stdout', 0);
        if (version !== undefined && c === version.short) throw new Exit(`${versionText(app, binName)}\n`, 'stdout', 0);
        const spec = app.args.find((a) => a.short === c);
        if (spec === undefined) {
          if (leadingHyphen && pos.length > 0 && j === 0) {
            takePositional(arg);
            break;
          }
          throw error(app, binName, `Found argument '-${c}' which wasn't expected, or isn't valid in this context`);
        }
        if (!spec.takesValue) {
          occurrence(state, spec);
          record(state, spec).indices.push(state.idx);
          continue;
        }
        const rest = chars.slice(j + 1).join('');
        const hadEquals = rest.startsWith('=');
        option(spec, rest === '' ? undefined : hadEquals ? rest.slice(1) : rest, hadEquals);
        break;
      }
      continue;
    }
    const negated = has(app, 'ArgsNegateSubcommands') && state.found.size > 0;
    const sub = negated ? undefined : findSubcommand(app, arg);
    if (sub !== undefined) {
      const rest = argv.slice(i + 1);
      if (!app.subcommands.includes(sub)) throw helpFor(app, binName, rest);
      const subBin = `${binName ?? app.name} ${sub.name}`;
      subcommand = { name: sub.name, matches: parseApp(sub, subBin, rest) };
      break;
    }
    if (pos.length === 0 && has(app, 'AllowExternalSubcommands')) {
      const external: Matches = {
        args: new Map([['', { occurs: argv.length - i - 1, indices: [], vals: argv.slice(i + 1) }]]),
      };
      external.args.get('')!.indices = argv.slice(i + 1).map((_, k) => k + 1);
      subcommand = { name: arg, matches: external };
      break;
    }
    takePositional(arg);
  }
  if (pending !== undefined && !pendingHasValue) {
    throw error(app, binName, `The argument '${display(pending)}' requires a value but none was supplied`);
  }
  if (argv.length === 0 && has(app, 'ArgRequiredElseHelp'))
    throw new Exit(`${helpMessage(app, binName)}\n`, 'stderr', 1);
  if (subcommand === undefined && (app.subcommands.length > 0 || has(app, 'AllowExternalSubcommands'))) {
    if (has(app, 'SubcommandRequiredElseHelp')) throw new Exit(`${helpMessage(app, binName)}\n`, 'stderr', 1);
    if (has(app, 'SubcommandRequired')) {
      throw error(app, binName, `'${binName ?? app.name}' requires a subcommand, but one was not provided`);
    }
  }
  for (const arg of app.args) {
    if (arg.defaultValue !== undefined && !state.found.has(arg.name)) {
      state.found.set(arg.name, { occurs: 0, indices: [state.idx], vals: [arg.defaultValue] });
    }
  }
  validate(state, subcommand !== undefined);
  const ordered = new Map<string, MatchedArg>();
  for (const arg of app.args) {
    const m = state.found.get(arg.name);
    if (m !== undefined) ordered.set(arg.name, m);
  }
  return { args: ordered, subcommand };
}

function validate(state: State, hasSubcommand: boolean): void {
  const { app, binName, found } = state;
  const present = (a: ArgSpec) => (found.get(a.name)?.occurs ?? 0) > 0;
  for (const arg of app.args) {
    if (!present(arg)) continue;
    for (const other of arg.conflictsWith) {
      const o = app.args.find((a) => a.name === other)!;
      if (present(o)) throw error(app, binName, `The argument '${display(arg)}' cannot be used with '${display(o)}'`);
    }
    if (arg.index === undefined && arg.takesValue && !arg.multiple && (found.get(arg.name)?.vals.length ?? 0) > 1) {
      const extra = found.get(arg.name)!.vals[1]!;
      throw error(
        app,
        binName,
        `The value '${extra}' was provided to '${display(arg)}', but it wasn't expecting any more values`,
      );
    }
  }
  if (hasSubcommand && has(app, 'SubcommandsNegateReqs')) return;
  const missing = app.args.filter(
    (a) =>
      (a.required && !present(a)) || app.args.some((b) => present(b) && b.requires.includes(a.name) && !present(a)),
  );
  if (missing.length > 0) {
    const list = missing
      .map((a) => `    ${a.index === undefined ? display(a) : `<${a.valueName ?? a.name}>`}`)
      .join('\n');
    throw error(app, binName, `The following required arguments were not provided:\n${list}`);
  }
}

/**
 * Matches `argv` against `app`. The first element of `argv` is the program's name (e.g.
 * `sit issue`), unless the application has the `NoBinaryName` setting; an empty `argv` matches
 * nothing.
 */
export function parseArgs(app: AppSpec, argv: readonly string[]): ParseOutcome {
  const noBin = has(app, 'NoBinaryName');
  const binName = noBin ? app.binName : (argv[0] ?? app.binName);
  try {
    return { kind: 'matches', matches: parseApp(app, binName, noBin ? argv : argv.slice(1)) };
  } catch (thrown) {
    if (thrown instanceof Exit)
      return { kind: 'exit', text: thrown.text, stream: thrown.stream, status: thrown.status };
    throw thrown;
  }
}

/**
 * What `sit args` prints for matches: the subcommand's name on the first line (empty when none),
 * then one line per argument matched inside it: `NAME OCCURRENCES INDEX... "VALUE"... `, each
 * token followed by a space. Inside the quotes, `\`, `"`, `$` and `` ` `` are escaped with a
 * backslash, so that a shell's `eval` gives back the value exactly.
 */
export function formatMatches(matches: Matches): string {
  const sub = matches.subcommand;
  let out = `${sub?.name ?? ''}\n`;
  if (sub === undefined) return out;
  for (const [name, m] of sub.matches.args) {
    let line = `${name} ${m.occurs} `;
    for (const index of m.indices) line += `${index} `;
    for (const value of m.vals) line += `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}" `;
    out += `${line}\n`;
  }
  return out;
}
