import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidConfigError,
  Repository,
  defaultConfig,
  parseConfig,
  readConfig,
  serializeConfig,
} from '../src/store/mod.ts';
import { tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

const INIT_CONFIG = `{
  "hashing_algorithm": {
    "blake2b": {
      "size": 20
    }
  },
  "encoding": "base32",
  "id_generator": "uuiv4",
  "version": "1",
  "features": [
    "flat-records"
  ]
}`;

test('serializeConfig: byte-exact file of sit init, no trailing newline', () => {
  assert.is(serializeConfig(defaultConfig()), INIT_CONFIG);
});

test('Repository.init writes exactly that file and records/', () => {
  const dir = tempDir();
  const { path, created } = Repository.init(dir);
  assert.is(created, true);
  assert.is(path, join(dir, '.sit'));
  assert.is(readFileSync(join(path, 'config.json'), 'utf8'), INIT_CONFIG);
  assert.ok(Repository.open(path));
});

test('parse then serialise keeps unknown keys in their order, integer-like keys included', () => {
  const text =
    INIT_CONFIG.slice(0, -2) +
    `,
  "zeta": {
    "b": [
      1,
      "x"
    ]
  },
  "external_module_manager": "mm",
  "10": true,
  "alpha": null
}`;
  const config = parseConfig(text);
  assert.equal(
    config.extra.map(([k]) => k),
    ['zeta', 'external_module_manager', '10', 'alpha'],
  );
  assert.is(serializeConfig(config), text);
});

test('sha1 and missing features parse; features default to []', () => {
  const text = `{"hashing_algorithm": "sha1", "encoding": "base32", "id_generator": "uuiv4", "version": "1"}`;
  const config = parseConfig(text);
  assert.is(config.hashingAlgorithm, 'sha1');
  assert.equal(config.features, []);
});

function invalid(text: string, pattern: RegExp): void {
  try {
    parseConfig(text, '/some/repo/config.json');
  } catch (error) {
    assert.instance(error, InvalidConfigError);
    const message = (error as Error).message;
    assert.match(message, /\/some\/repo\/config\.json/);
    assert.match(message, /repair the file or restore it/);
    assert.match(message, pattern);
    assert.not.match(message, /\n/);
    return;
  }
  assert.unreachable('accepted');
}

test('invalid and truncated configurations are refused with the path and what to do', () => {
  invalid(INIT_CONFIG.slice(0, 60), /not valid JSON/);
  invalid('', /not valid JSON/);
  invalid('[]', /not a JSON object/);
  invalid('{"encoding": "base32", "id_generator": "uuiv4", "version": "1"}', /hashing_algorithm/);
  invalid(
    '{"hashing_algorithm": {"blake2b": {"size": 0}}, "encoding": "base32", "id_generator": "uuiv4", "version": "1"}',
    /hashing_algorithm/,
  );
  invalid('{"hashing_algorithm": "sha1", "encoding": "hex", "id_generator": "uuiv4", "version": "1"}', /encoding/);
  invalid('{"hashing_algorithm": "sha1", "encoding": "base32", "version": "1"}', /id_generator/);
  invalid(
    '{"hashing_algorithm": "sha1", "encoding": "base32", "id_generator": "uuiv4", "version": "1", "features": "x"}',
    /features/,
  );
});

test('a repository with a truncated config.json does not open and names the file', () => {
  const dir = tempDir();
  const { path } = Repository.init(dir);
  writeFileSync(join(path, 'config.json'), INIT_CONFIG.slice(0, 40));
  assert.throws(
    () => Repository.open(path),
    (e: Error) => e instanceof InvalidConfigError && e.message.includes(join(path, 'config.json')),
  );
  assert.throws(
    () => readConfig(join(dir, 'missing.json')),
    (e: Error) => e instanceof InvalidConfigError && /cannot read/.test(e.message),
  );
});

test('an unsupported version is refused on open', () => {
  const dir = tempDir();
  const { path } = Repository.init(dir);
  writeFileSync(join(path, 'config.json'), INIT_CONFIG.replace('"version": "1"', '"version": "2"'));
  assert.throws(() => Repository.open(path), /unsupported version "2"/);
});

test.after(temp.cleanup);
test.run();
