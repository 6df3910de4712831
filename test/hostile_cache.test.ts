// The cache is only ever an optimisation: a FIFO, a device or an unusable directory in its place is
// bypassed (never waited on), and a damaged cache line is recomputed, never printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, ReductionCache, cacheFile, type State } from '../src/reduce/mod.ts';
import { lineCheck, makeDirectory } from '../src/reduce/cache.ts';
import { Repository } from '../src/store/mod.ts';
import { makeSandbox, sit } from './helpers/cli.ts';
import { recordFiles } from './helpers/web_fixtures.ts';

const made: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sit-cache-'));
  made.push(dir);
  return dir;
}

const REDUCER = `module.exports = function (state, record) {
  var t = record.files.text;
  if (t) return { id: state.id, text: new TextDecoder().decode(t), n: (state.n || 0) + 1, open: state.open !== false };
  if (record.files['.type/Closed']) return { id: state.id, text: state.text, n: state.n, open: false };
};`;

/** A repository of `count` items with a reducer of its own, and an environment whose cache is in a new directory. */
function repository(count: number): { repo: Repository; env: NodeJS.ProcessEnv } {
  const { path } = Repository.init(tempDir());
  mkdirSync(join(path, 'reducers'));
  writeFileSync(join(path, 'reducers', 'r.js'), REDUCER);
  const repo = Repository.open(path);
  for (let i = 0; i < count; i++) {
    const id = `item-${String(i).padStart(3, '0')}`;
    repo.newItem(id);
    repo.newRecord(recordFiles(['Commented'], `text of ${id} ✓`, '2024-01-01T00:00:00Z'), { itemId: id });
    if (i % 3 === 0) repo.newRecord(recordFiles(['Closed'], undefined, '2024-01-02T00:00:00Z'), { itemId: id });
  }
  return { repo, env: { SIT_CACHE_DIR: join(tempDir(), 'cache') } };
}

async function states(repo: Repository, env: NodeJS.ProcessEnv, cache = true): Promise<Map<string, State>> {
  const engine = new Engine(repo, { env, cache, poolThreshold: 1_000_000 });
  try {
    return await engine.reduceItems();
  } finally {
    await engine.close();
  }
}

async function lines(repo: Repository, env: NodeJS.ProcessEnv): Promise<string[]> {
  const engine = new Engine(repo, { env, poolThreshold: 1_000_000 });
  try {
    const derived = await engine.deriveItems(
      'test',
      (state) => `${String(state.id)} ${String(state.text)} ${String(state.open)}`,
    );
    return [...derived.values()] as string[];
  } finally {
    await engine.close();
  }
}

test('lineCheck is a stable 8-digit checksum that changes with any character', () => {
  assert.is(lineCheck(['a', 'b']), lineCheck(['a', 'b']));
  assert.match(lineCheck(['a', 'b']), /^[0-9a-f]{8}$/);
  assert.is.not(lineCheck(['a', 'b']), lineCheck(['a', 'c']));
  assert.is.not(lineCheck(['ab', '']), lineCheck(['a', 'b']));
});

test('single-byte damage anywhere in the cache lines is recomputed, never shown', async () => {
  const { repo, env } = repository(12);
  const truthStates = await states(repo, env, false);
  const truthLines = await lines(repo, env);
  // Fill both caches, then damage one byte at a time at many places of each file.
  await states(repo, env);
  await lines(repo, env);
  const file = cacheFile(repo.root, env);
  const derived = readdirSync(join(file, '..'))
    .filter((n) => n.startsWith('derived-'))
    .map((n) => join(file, '..', n));
  assert.is(derived.length, 1);
  let damaged = 0;
  for (const path of [file, derived[0]!]) {
    const original = readFileSync(path);
    const firstLineEnd = original.indexOf(10);
    for (let k = 0; k < 60; k++) {
      const at = firstLineEnd + 1 + Math.floor((((k * 7919) % 1000) / 1000) * (original.length - firstLineEnd - 2));
      if (original[at] === 10) continue;
      const bytes = Buffer.from(original);
      for (const replacement of [0x31, 0x61, 0x7d]) {
        if (bytes[at] === replacement) continue;
        bytes[at] = replacement;
        writeFileSync(path, bytes);
        damaged++;
        if (path === file)
          assert.equal(
            await states(repo, env),
            truthStates,
            `byte ${at} of ${path} as ${String.fromCharCode(replacement)}`,
          );
        else
          assert.equal(
            await lines(repo, env),
            truthLines,
            `byte ${at} of ${path} as ${String.fromCharCode(replacement)}`,
          );
        writeFileSync(path, original);
        break;
      }
    }
  }
  assert.ok(damaged >= 100, `damaged ${damaged} places`);
});

test('a damaged header is not believed', async () => {
  const { repo, env } = repository(3);
  await states(repo, env);
  const file = cacheFile(repo.root, env);
  const text = readFileSync(file, 'utf8');
  const header = text.slice(0, text.indexOf('\n')).split('\t');
  // A later write time would make every entry trusted by its modification time alone.
  header[3] = String(Number(header[3]) + 1e9);
  writeFileSync(file, header.join('\t') + text.slice(text.indexOf('\n')));
  assert.is(
    ReductionCache.load(file, { reducers: new Engine(repo, { env }).reducers.digest, integrity: true }).size,
    0,
  );
});

test('a FIFO, a link to a device or an unusable cache directory never hangs a command', () => {
  const sandbox = makeSandbox();
  const dir = join(sandbox.dir, 'work', 'project');
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  mkdirSync(join(dir, '.sit', 'reducers'));
  writeFileSync(join(dir, '.sit', 'reducers', 'r.js'), REDUCER);
  assert.is(sit(sandbox, ['item', '--id', 'one'], { cwd: dir }).status, 0);
  writeFileSync(join(dir, 'text'), 'hello');
  assert.is(sit(sandbox, ['record', 'one', 'text'], { cwd: dir }).status, 0);
  const query = ['items', '-q', "join(' ', [id, text])"];
  assert.is(sit(sandbox, query, { cwd: dir }).stdout, 'one hello\n');
  const cacheDir = join(sandbox.dir, 'cache', 'repositories');
  const [repoDir] = readdirSync(cacheDir);
  const files = readdirSync(join(cacheDir, repoDir!)).map((n) => join(cacheDir, repoDir!, n));
  assert.ok(files.length >= 1);
  const run = (env: NodeJS.ProcessEnv = {}) => {
    const result = sit(sandbox, query, { cwd: dir, env });
    assert.is(result.stdout, 'one hello\n', JSON.stringify(env));
    assert.is(result.status, 0);
  };
  for (const path of files) {
    rmSync(path);
    assert.is(spawnSync('mkfifo', [path]).status, 0);
  }
  run();
  for (const path of readdirSync(join(cacheDir, repoDir!)).map((n) => join(cacheDir, repoDir!, n))) {
    rmSync(path);
    symlinkSync('/dev/zero', path);
  }
  run();
  run({ SIT_CACHE_DIR: '/proc' });
  run({ SIT_CACHE_DIR: '/dev/full' });
  run({ SIT_CACHE_DIR: '/dev/null/cache' });
});

test('makeDirectory makes missing levels and refuses what it cannot make, below /proc too', () => {
  const base = tempDir();
  makeDirectory(join(base, 'a', 'b', 'c'));
  assert.equal(readdirSync(join(base, 'a', 'b')), ['c']);
  writeFileSync(join(base, 'file'), '');
  assert.throws(() => makeDirectory(join(base, 'file', 'x')), /not a directory/);
  assert.throws(() => makeDirectory('/proc/sit-cache-test/x'));
});

test.after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
test.run();
