/**
 * A clap 2 application specification read from YAML (`App::from_yaml`), as `sit args` takes it on
 * standard input: the application's `name`, `version`, `author`, `about`, `settings`, `args` and
 * `subcommands` (each a one-key mapping), and for each argument `short`, `long`, `help`,
 * `required`, `takes_value`, `index`, `multiple`, `value_name`, `default_value`,
 * `possible_values`, `use_delimiter`, `hidden`, `conflicts_with`, `requires`. A key clap knows but
 * this subset does not, or a key clap does not know, is an error that names it.
 * @module
 */
import { SitError } from '../errors.ts';
import type { YamlValue } from './yaml.ts';

/** A specification that clap would reject, or that uses what this subset does not support. */
export class ClapSpecError extends SitError {}

/** One argument: a flag (`-v`), an option (`-o VALUE`) or a positional argument. */
export interface ArgSpec {
  name: string;
  short?: string | undefined;
  long?: string | undefined;
  help?: string | undefined;
  required: boolean;
  takesValue: boolean;
  /** 1-based position; set for every positional argument (given or in declaration order). */
  index?: number | undefined;
  multiple: boolean;
  valueName?: string | undefined;
  defaultValue?: string | undefined;
  possibleValues?: string[] | undefined;
  useDelimiter: boolean;
  hidden: boolean;
  conflictsWith: string[];
  requires: string[];
  /** Declaration order, for `DeriveDisplayOrder`. */
  order: number;
}

/** An application or subcommand. */
export interface AppSpec {
  name: string;
  version?: string | undefined;
  author?: string | undefined;
  about?: string | undefined;
  beforeHelp?: string | undefined;
  afterHelp?: string | undefined;
  usage?: string | undefined;
  binName?: string | undefined;
  aliases: string[];
  /** Lower-cased clap `AppSettings` names. */
  settings: Set<string>;
  args: ArgSpec[];
  subcommands: AppSpec[];
}

/** clap 2's `AppSettings`, lower-cased (it parses them case-insensitively). */
const KNOWN_SETTINGS = new Set(
  [
    'ArgRequiredElseHelp',
    'ArgsNegateSubcommands',
    'AllArgsOverrideSelf',
    'AllowExternalSubcommands',
    'AllowInvalidUtf8',
    'AllowLeadingHyphen',
    'AllowNegativeNumbers',
    'AllowMissingPositional',
    'ColoredHelp',
    'ColorAlways',
    'ColorAuto',
    'ColorNever',
    'DontDelimitTrailingValues',
    'DontCollapseArgsInUsage',
    'DeriveDisplayOrder',
    'DisableHelpFlags',
    'DisableHelpSubcommand',
    'DisableVersion',
    'GlobalVersion',
    'HidePossibleValuesInHelp',
    'Hidden',
    'InferSubcommands',
    'NoBinaryName',
    'NextLineHelp',
    'PropagateGlobalValuesDown',
    'SubcommandsNegateReqs',
    'SubcommandRequiredElseHelp',
    'StrictUtf8',
    'SubcommandRequired',
    'TrailingVarArg',
    'UnifiedHelpMessage',
    'VersionlessSubcommands',
    'WaitOnError',
  ].map((s) => s.toLowerCase()),
);

/** Settings that propagate from an application to its subcommands. */
const PROPAGATED = new Set(['colorauto', 'coloralways', 'colornever', 'coloredhelp', 'globalversion']);

/** Argument keys clap 2 knows that this subset does not implement. */
const UNSUPPORTED_ARG_KEYS = new Set([
  'aliases',
  'visible_aliases',
  'long_help',
  'required_if',
  'required_ifs',
  'global',
  'next_line_help',
  'empty_values',
  'group',
  'groups',
  'number_of_values',
  'max_values',
  'min_values',
  'value_names',
  'last',
  'require_delimiter',
  'value_delimiter',
  'required_unless',
  'required_unless_one',
  'required_unless_all',
  'display_order',
  'requires_if',
  'requires_ifs',
  'overrides_with',
  'overrides_with_all',
  'case_insensitive',
  'default_value_if',
  'default_value_ifs',
  'env',
  'hide_env_values',
  'raw',
  'allow_hyphen_values',
  'require_equals',
  'hide_default_value',
  'hide_possible_values',
  'conflicts_with_all',
  'requires_all',
]);

function fail(where: string, message: string): never {
  throw new ClapSpecError(`invalid clap specification: ${where}: ${message}`);
}

function asMap(value: YamlValue, where: string): Map<string, YamlValue> {
  if (value === null) return new Map();
  if (!(value instanceof Map)) fail(where, 'expected a mapping');
  return value;
}

function asString(value: YamlValue, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(where, 'expected a string');
}

function asBool(value: YamlValue, where: string): boolean {
  if (typeof value !== 'boolean') fail(where, 'expected true or false');
  return value;
}

function asStrings(value: YamlValue, where: string): string[] {
  if (Array.isArray(value)) return value.map((v, i) => asString(v, `${where}[${i}]`));
  return [asString(value, where)];
}

/** The single key and value of a `- name: {...}` list entry. */
function entry(value: YamlValue, where: string): [string, YamlValue] {
  if (typeof value === 'string') return [value, null];
  if (!(value instanceof Map) || value.size !== 1) fail(where, 'each entry must be a mapping with one key, its name');
  return [...value][0]!;
}

function argFromYaml(name: string, value: YamlValue, order: number, app: string): ArgSpec {
  const where = `argument ${JSON.stringify(name)} of ${JSON.stringify(app)}`;
  const arg: ArgSpec = {
    name,
    required: false,
    takesValue: false,
    multiple: false,
    useDelimiter: false,
    hidden: false,
    conflictsWith: [],
    requires: [],
    order,
  };
  for (const [key, v] of asMap(value, where)) {
    const at = `${where}, key ${key}`;
    switch (key) {
      case 'short': {
        const s = asString(v, at).replace(/^-/, '');
        if ([...s].length !== 1) fail(at, 'a short name is one character');
        arg.short = s;
        break;
      }
      case 'long':
        arg.long = asString(v, at).replace(/^--/, '');
        break;
      case 'help':
        arg.help = asString(v, at);
        break;
      case 'required':
        arg.required = asBool(v, at);
        break;
      case 'takes_value':
        arg.takesValue = asBool(v, at);
        break;
      case 'index': {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(at, 'an index is a whole number from 1');
        arg.index = v;
        break;
      }
      case 'multiple':
        arg.multiple = asBool(v, at);
        break;
      case 'value_name':
        arg.valueName = asString(v, at);
        arg.takesValue = true;
        break;
      case 'default_value':
        arg.defaultValue = asString(v, at);
        arg.takesValue = true;
        break;
      case 'possible_values':
        arg.possibleValues = asStrings(v, at);
        arg.takesValue = true;
        break;
      case 'use_delimiter':
        arg.useDelimiter = asBool(v, at);
        if (arg.useDelimiter) arg.takesValue = true;
        break;
      case 'hidden':
        arg.hidden = asBool(v, at);
        break;
      case 'conflicts_with':
        arg.conflictsWith = asStrings(v, at);
        break;
      case 'requires':
        arg.requires = asStrings(v, at);
        break;
      default:
        fail(
          at,
          UNSUPPORTED_ARG_KEYS.has(key)
            ? 'this setting is not supported by sit args'
            : 'unknown setting (clap would refuse it too)',
        );
    }
  }
  if (arg.index !== undefined && (arg.short !== undefined || arg.long !== undefined))
    fail(where, 'a positional argument (index) cannot have short or long');
  if (arg.index !== undefined || (arg.short === undefined && arg.long === undefined)) arg.takesValue = true;
  return arg;
}

function appFromYaml(name: string, value: YamlValue, inherited: Set<string>, parentVersion?: string): AppSpec {
  const where = `application ${JSON.stringify(name)}`;
  const app: AppSpec = { name, aliases: [], settings: new Set(inherited), args: [], subcommands: [] };
  const map = asMap(value, where);
  for (const key of ['setting', 'settings', 'global_setting', 'global_settings']) {
    if (!map.has(key)) continue;
    for (const s of asStrings(map.get(key)!, `${where}, ${key}`)) {
      const lower = s.toLowerCase();
      if (!KNOWN_SETTINGS.has(lower)) fail(`${where}, ${key}`, `unknown AppSetting ${JSON.stringify(s)}`);
      app.settings.add(lower);
    }
  }
  for (const [key, v] of map) {
    const at = `${where}, key ${key}`;
    switch (key) {
      case 'name':
        app.name = asString(v, at);
        break;
      case 'version':
        app.version = asString(v, at);
        break;
      case 'author':
        app.author = asString(v, at);
        break;
      case 'about':
      case 'long_about':
        if (key === 'about' || app.about === undefined) app.about = asString(v, at);
        break;
      case 'before_help':
        app.beforeHelp = asString(v, at);
        break;
      case 'after_help':
        app.afterHelp = asString(v, at);
        break;
      case 'usage':
        app.usage = asString(v, at);
        break;
      case 'bin_name':
        app.binName = asString(v, at);
        break;
      case 'alias':
      case 'aliases':
      case 'visible_alias':
      case 'visible_aliases':
        app.aliases.push(...asStrings(v, at));
        break;
      case 'args': {
        if (!Array.isArray(v)) fail(at, 'expected a list of arguments');
        v.forEach((item, i) => {
          const [argName, argValue] = entry(item, `${at}[${i}]`);
          app.args.push(argFromYaml(argName, argValue, i, app.name));
        });
        break;
      }
      case 'subcommands':
        break;
      case 'setting':
      case 'settings':
      case 'global_setting':
      case 'global_settings':
      case 'long_version':
      case 'template':
      case 'help':
      case 'help_short':
      case 'version_short':
      case 'help_message':
      case 'version_message':
      case 'display_order':
      case 'groups':
        if (key === 'groups') fail(at, 'argument groups are not supported by sit args');
        break;
      default:
        // clap's App::from_yaml ignores keys it does not know.
        break;
    }
  }
  if (app.version === undefined && app.settings.has('globalversion')) app.version = parentVersion;
  const childSettings = new Set([...app.settings].filter((s) => PROPAGATED.has(s)));
  if (app.settings.has('versionlesssubcommands')) childSettings.add('disableversion');
  const subs = map.get('subcommands');
  if (subs !== undefined && subs !== null) {
    if (!Array.isArray(subs)) fail(`${where}, key subcommands`, 'expected a list of subcommands');
    subs.forEach((item, i) => {
      const [subName, subValue] = entry(item, `${where}, subcommands[${i}]`);
      app.subcommands.push(appFromYaml(subName, subValue, childSettings, app.version));
    });
  }
  checkArgs(app, where);
  return app;
}

function checkArgs(app: AppSpec, where: string): void {
  const names = new Set<string>();
  const shorts = new Set<string>();
  const longs = new Set<string>();
  let next = 1;
  const used = new Set(app.args.flatMap((a) => (a.index === undefined ? [] : [a.index])));
  for (const arg of app.args) {
    if (names.has(arg.name)) fail(where, `the argument ${JSON.stringify(arg.name)} is defined twice`);
    names.add(arg.name);
    if (arg.short !== undefined) {
      if (shorts.has(arg.short)) fail(where, `two arguments use -${arg.short}`);
      shorts.add(arg.short);
    }
    if (arg.long !== undefined) {
      if (longs.has(arg.long)) fail(where, `two arguments use --${arg.long}`);
      longs.add(arg.long);
    }
    if (arg.short === undefined && arg.long === undefined && arg.index === undefined) {
      while (used.has(next)) next++;
      arg.index = next;
      used.add(next);
    }
  }
  for (const arg of app.args) {
    for (const other of [...arg.conflictsWith, ...arg.requires]) {
      if (!names.has(other))
        fail(where, `argument ${JSON.stringify(arg.name)} names an unknown argument ${JSON.stringify(other)}`);
    }
  }
}

/** Builds the application from a parsed YAML document. */
export function appFromYamlDocument(document: YamlValue): AppSpec {
  if (!(document instanceof Map)) fail('the document', 'expected a mapping with at least `name`');
  const name = document.get('name');
  if (typeof name !== 'string' || name === '') fail('the document', 'the application needs a `name`');
  return appFromYaml(name, document, new Set());
}

/** The positional arguments of `app`, by index. */
export function positionals(app: AppSpec): ArgSpec[] {
  return app.args.filter((a) => a.index !== undefined).sort((a, b) => a.index! - b.index!);
}

/** Whether `app` has `setting` (lower-case clap name). */
export function has(app: AppSpec, setting: string): boolean {
  return app.settings.has(setting.toLowerCase());
}
