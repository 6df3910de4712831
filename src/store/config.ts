/** The repository's `config.json` (original-sit.md §1.3), read and written byte-exact. */
import { readFileSync } from 'node:fs';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../json_depth.ts';
import { InvalidConfigError } from './errors.ts';
import type { HashingAlgorithm } from './hash.ts';

/** A parsed `config.json`: the known fields plus every other key in its original order. */
export interface RepositoryConfig {
  hashingAlgorithm: HashingAlgorithm;
  encoding: string;
  idGenerator: string;
  version: string;
  features: string[];
  /** Keys the format does not define, in the order they appeared, preserved on writing. */
  extra: Array<[string, unknown]>;
}

/** The configuration `sit init` writes. */
export function defaultConfig(): RepositoryConfig {
  return {
    hashingAlgorithm: { blake2b: { size: 20 } },
    encoding: 'base32',
    idGenerator: 'uuiv4',
    version: '1',
    features: ['flat-records'],
    extra: [],
  };
}

const KNOWN = new Set(['hashing_algorithm', 'encoding', 'id_generator', 'version', 'features']);

/** The top-level keys of a JSON object text in their textual order (JSON.parse reorders integer-like keys). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

/**
 * The hashing algorithm of `config.json`: only the original's choices, BLAKE2b with a 20-byte
 * digest and SHA-1. Other sizes are refused: with a digest of a byte or two, a forged record
 * (or a link to a file elsewhere) would match its name by chance.
 */
function parseHashingAlgorithm(value: unknown): HashingAlgorithm | undefined {
  if (value === 'sha1') return 'sha1';
  if (typeof value !== 'object' || value === null) return undefined;
  const blake = (value as Record<string, unknown>)['blake2b'];
  if (Object.keys(value).length !== 1 || typeof blake !== 'object' || blake === null) return undefined;
  const size = (blake as Record<string, unknown>)['size'];
  if (size !== 20) return undefined;
  return { blake2b: { size } };
}

/** `line L, column C` (1-based) of character `offset` of `text`. */
function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/** Where JSON.parse stopped in `text`, from its message (the end of the text when it ran out). */
function jsonErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /at position (\d+)/.exec(message)?.[1];
  const offset = position === undefined ? text.length : Math.min(Number(position), text.length);
  return lineAndColumn(text, offset);
}

/** Parses the text of `config.json`; `path` is only used in error messages. */
export function parseConfig(text: string, path = 'config.json'): RepositoryConfig {
  const fail = (what: string): never => {
    throw new InvalidConfigError(
      `invalid repository configuration ${path}: ${what}; repair the file or restore it from version control`,
    );
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.replace(/ in JSON at position \d+.*$/, '');
    return fail(`not valid JSON at ${jsonErrorPlace(text, error)} (${reason})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH)) return fail(`nested more than ${MAX_JSON_DEPTH} levels deep`);
  const object = value as Record<string, unknown>;
  const hashingAlgorithm = parseHashingAlgorithm(object['hashing_algorithm']);
  if (hashingAlgorithm === undefined) {
    return fail('"hashing_algorithm" must be {"blake2b": {"size": 20}} or "sha1" (the hashes SIT supports)');
  }
  const encoding = object['encoding'];
  if (encoding !== 'base32') return fail('"encoding" must be "base32"');
  const idGenerator = object['id_generator'];
  if (typeof idGenerator !== 'string') return fail('"id_generator" is missing');
  const version = object['version'];
  if (typeof version !== 'string') return fail('"version" is missing');
  const features = object['features'] ?? [];
  if (!Array.isArray(features) || features.some((f) => typeof f !== 'string')) {
    return fail('"features" must be an array of strings');
  }
  const extra: Array<[string, unknown]> = [];
  for (const key of topLevelKeys(text)) {
    if (!KNOWN.has(key) && Object.hasOwn(object, key) && !extra.some(([k]) => k === key)) {
      extra.push([key, object[key]]);
    }
  }
  return { hashingAlgorithm, encoding, idGenerator, version, features: features as string[], extra };
}

/** Reads and parses `<path>` (a `config.json`). */
export function readConfig(path: string): RepositoryConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(
      `cannot read repository configuration ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; check that the file exists and is readable`,
    );
  }
  return parseConfig(text, path);
}

/** Serialises a configuration exactly as the original writes it: 2-space JSON, no trailing newline. */
export function serializeConfig(config: RepositoryConfig): string {
  const object: Record<string, unknown> = {
    hashing_algorithm: config.hashingAlgorithm,
    encoding: config.encoding,
    id_generator: config.idGenerator,
    version: config.version,
    features: config.features,
  };
  let text = JSON.stringify(object, null, 2).slice(0, -2);
  for (const [key, value] of config.extra) {
    const rendered = JSON.stringify(value, null, 2).replaceAll('\n', '\n  ');
    text += `,\n  ${JSON.stringify(key)}: ${rendered}`;
  }
  return text + '\n}';
}

/** The JSON value of a configuration as `sit config repository` shows it (known keys, then extras). */
export function configToJson(config: RepositoryConfig): Record<string, unknown> {
  return JSON.parse(serializeConfig(config)) as Record<string, unknown>;
}
