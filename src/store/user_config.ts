/**
 * The user configuration (original-sit.md §4.2) and authorship derivation (§4.17): the author
 * from the user configuration, else from git configuration files.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../json_depth.ts';
import { InvalidConfigError } from './errors.ts';
import { writeFileAtomic } from './fs_util.ts';

/** An author: a name and an optional e-mail address. */
export interface Author {
  name: string;
  email?: string | undefined;
}

/** Named JMESPath filters and queries. */
export interface NamedExpressions {
  filters: Record<string, string>;
  queries: Record<string, string>;
}

/** The user configuration. Keys are lower-cased on loading, like the original. */
export interface UserConfig {
  author?: Author | undefined;
  items: NamedExpressions;
  records: NamedExpressions;
  signing: { enabled: boolean; key?: string | undefined; gnupg?: string | undefined };
  /** Other keys, in their order, preserved on saving. */
  extra: Array<[string, unknown]>;
  /** The file the configuration was read from (or would be written to), if any. */
  path?: string | undefined;
}

/** Options locating the user configuration. */
export interface UserConfigLocation {
  /** The `-c` value: a path relative to `cwd`. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * The user configuration file: for `-c PATH`, PATH when it ends in `.json`, `PATH.json` when it
 * has no extension, nothing for any other extension; by default
 * `$XDG_CONFIG_HOME/sit/config.json` (when absolute) or `$HOME/.config/sit/config.json`.
 */
export function userConfigPath(options: UserConfigLocation = {}): string | undefined {
  const env = options.env ?? process.env;
  if (options.path !== undefined) {
    const path = resolve(options.cwd ?? process.cwd(), options.path);
    const ext = extname(path);
    if (ext === '.json') return path;
    if (ext === '') return path + '.json';
    return undefined;
  }
  const xdg = env['XDG_CONFIG_HOME'];
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'sit', 'config.json');
  const home = env['HOME'];
  if (home === undefined || home === '') return undefined;
  return join(home, '.config', 'sit', 'config.json');
}

function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === null) continue;
    out[key.toLowerCase()] = lowerKeys(inner);
  }
  return out;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, inner] of Object.entries(value)) if (typeof inner === 'string') out[key] = inner;
  return out;
}

function expressions(value: unknown): NamedExpressions {
  const object = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return { filters: stringMap(object['filters']), queries: stringMap(object['queries']) };
}

/** An empty user configuration. */
export function emptyUserConfig(): UserConfig {
  return {
    items: { filters: {}, queries: {} },
    records: { filters: {}, queries: {} },
    signing: { enabled: false },
    extra: [],
  };
}

/** Parses the text of a user configuration; `path` is used in error messages. */
function parseUserConfig(text: string, path = 'config.json'): UserConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(
      `invalid user configuration ${path}: not valid JSON (${(error as Error).message}); repair or remove the file`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidConfigError(`invalid user configuration ${path}: not a JSON object; repair or remove the file`);
  }
  if (jsonDepthExceeds(raw, MAX_JSON_DEPTH)) {
    throw new InvalidConfigError(
      `invalid user configuration ${path}: nested more than ${MAX_JSON_DEPTH} levels deep; repair or remove the file`,
    );
  }
  const object = lowerKeys(raw) as Record<string, unknown>;
  const config = emptyUserConfig();
  config.path = path;
  const author = object['author'] as Record<string, unknown> | undefined;
  if (author !== undefined) {
    if (typeof author !== 'object' || typeof author['name'] !== 'string') {
      throw new InvalidConfigError(`invalid user configuration ${path}: "author" needs a "name" string; fix the file`);
    }
    config.author = { name: author['name'], email: typeof author['email'] === 'string' ? author['email'] : undefined };
  }
  config.items = expressions(object['items']);
  config.records = expressions(object['records']);
  const signing = object['signing'];
  if (typeof signing === 'object' && signing !== null) {
    const s = signing as Record<string, unknown>;
    config.signing = {
      enabled: s['enabled'] === true,
      key: typeof s['key'] === 'string' ? s['key'] : undefined,
      gnupg: typeof s['gnupg'] === 'string' ? s['gnupg'] : undefined,
    };
  }
  for (const [key, value] of Object.entries(object)) {
    if (!['author', 'items', 'records', 'signing'].includes(key)) config.extra.push([key, value]);
  }
  return config;
}

/** Loads the user configuration ({@link userConfigPath}); a missing file is an empty configuration. */
export function loadUserConfig(options: UserConfigLocation = {}): UserConfig {
  const path = userConfigPath(options);
  if (path === undefined || !existsSync(path)) {
    const config = emptyUserConfig();
    config.path = path;
    return config;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(
      `cannot read user configuration ${path}: ${(error as NodeJS.ErrnoException).code}; check its permissions`,
    );
  }
  return parseUserConfig(text, path);
}

/** The user configuration as the original serialises it (key order: author, items, records, signing, others). */
export function userConfigToJson(config: UserConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.author !== undefined) {
    out['author'] =
      config.author.email === undefined
        ? { name: config.author.name }
        : { name: config.author.name, email: config.author.email };
  }
  for (const key of ['items', 'records'] as const) {
    const { filters, queries } = config[key];
    const value: Record<string, unknown> = {};
    if (Object.keys(filters).length > 0) value['filters'] = filters;
    if (Object.keys(queries).length > 0) value['queries'] = queries;
    if (Object.keys(value).length > 0) out[key] = value;
  }
  const { enabled, key, gnupg } = config.signing;
  if (enabled || key !== undefined || gnupg !== undefined) {
    const signing: Record<string, unknown> = { enabled };
    if (key !== undefined) signing['key'] = key;
    if (gnupg !== undefined) signing['gnupg'] = gnupg;
    out['signing'] = signing;
  }
  for (const [k, v] of config.extra) out[k] = v;
  return out;
}

/** Pretty JSON (2-space indent) of the user configuration. */
export function serializeUserConfig(config: UserConfig): string {
  return JSON.stringify(userConfigToJson(config), null, 2);
}

/** Writes the user configuration to `path` (default: where it was loaded from), atomically. */
export function saveUserConfig(config: UserConfig, path: string | undefined = config.path): void {
  if (path === undefined)
    throw new InvalidConfigError(
      'cannot save the user configuration: no location (set HOME or XDG_CONFIG_HOME, or pass -c)',
    );
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, serializeUserConfig(config));
}

/** `Name <email>`, or `Name` without an address: the content of `.authors`. */
export function formatAuthor(author: Author): string {
  return author.email === undefined || author.email === '' ? author.name : `${author.name} <${author.email}>`;
}

/** The git configuration files in increasing priority (system, XDG, global, repository). */
export function gitConfigPaths(options: { workDir?: string; env?: NodeJS.ProcessEnv } = {}): string[] {
  const env = options.env ?? process.env;
  const home = env['HOME'];
  const xdg = env['XDG_CONFIG_HOME'];
  const paths = ['/etc/gitconfig'];
  if (xdg !== undefined && xdg !== '') paths.push(join(xdg, 'git', 'config'));
  else if (home !== undefined && home !== '') paths.push(join(home, '.config', 'git', 'config'));
  if (home !== undefined && home !== '') paths.push(join(home, '.gitconfig'));
  paths.push(join(options.workDir ?? process.cwd(), '.git', 'config'));
  return paths;
}

function unquote(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'b' ? '\b' : n;
    } else if (!quoted && (c === '#' || c === ';')) break;
    else out += c;
  }
  return out.trim();
}

/** Parses the `[user]` `name` and `email` of a git configuration text. */
export function parseGitUser(text: string): { name?: string; email?: string } {
  const out: { name?: string; email?: string } = {};
  let section = '';
  const lines = text.replace(/\\\r?\n/g, '').split(/\r?\n/);
  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]\s"]+)(\s+"[^"]*")?\s*\]\s*(.*)$/.exec(line);
    let rest = line;
    if (header !== null) {
      section = (header[1]!.toLowerCase() + (header[2] === undefined ? '' : ' sub')).trim();
      rest = header[3] ?? '';
      if (rest === '') continue;
    }
    if (section !== 'user') continue;
    const eq = rest.indexOf('=');
    if (eq < 0) continue;
    const key = rest.slice(0, eq).trim().toLowerCase();
    const value = unquote(rest.slice(eq + 1).trim());
    if (key === 'name') out.name = value;
    else if (key === 'email') out.email = value;
  }
  return out;
}

/**
 * The author for new records: the user configuration's `author`, else `user.name` (required) and
 * `user.email` from the git configuration files (later files win). Undefined when neither has
 * one; the caller may then ask on the terminal.
 */
export function deriveAuthor(
  config: UserConfig,
  options: { workDir?: string; env?: NodeJS.ProcessEnv; gitConfigFiles?: readonly string[] } = {},
): Author | undefined {
  if (config.author !== undefined) return config.author;
  let name: string | undefined;
  let email: string | undefined;
  for (const path of options.gitConfigFiles ?? gitConfigPaths(options)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const user = parseGitUser(text);
    if (user.name !== undefined) name = user.name;
    if (user.email !== undefined) email = user.email;
  }
  if (name === undefined || name.trim() === '') return undefined;
  return { name, email: email === '' ? undefined : email };
}
