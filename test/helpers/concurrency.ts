/**
 * Two writers racing into one item, as the concurrency tests run them: short in `npm test`, at
 * full size in the stress tests of `test/stress/` (`npm run test:all`).
 */
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Repository, checkIntegrity, isIntact } from '../../src/store/mod.ts';
import { ensureBuilt, makeSandbox, ROOT, SIT_JS, sit } from './cli.ts';
import type { TempDirs } from './store_fixtures.ts';

/** Runs Node with `args` (a helper script of test/helpers and its arguments); resolves with its exit status. */
function runHelper(args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      ...(env === undefined ? {} : { env }),
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/**
 * Two processes each run `sit record` `count` times in a row (one process per record) into one
 * item; the item then holds `2 * count` intact records and no temporaries.
 */
export async function twoSitWriters(count: number): Promise<void> {
  ensureBuilt();
  const sandbox = makeSandbox();
  const dir = sandbox.dir;
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  assert.is(sit(sandbox, ['item', '--id', 'busy'], { cwd: dir }).stdout, 'busy\n');
  const loop = join(ROOT, 'test', 'helpers', 'cli_record_loop.mjs');
  const writer = (tag: string): Promise<number> =>
    runHelper([loop, SIT_JS, dir, 'busy', String(count), tag], sandbox.env);
  assert.equal(await Promise.all([writer('a'), writer('b')]), [0, 0]);
  assert.is(readdirSync(join(dir, '.sit', 'items', 'busy')).length, 2 * count);
  const integrity = sit(sandbox, ['integrity'], { cwd: dir });
  assert.is(integrity.status, 0, integrity.stdout);
  assert.is(
    integrity.stderr
      .trim()
      .split('\n')
      .filter((l) => l.endsWith(' true')).length,
    4 * count,
  );
  assert.is(sit(sandbox, ['records', 'busy'], { cwd: dir }).stdout.trim().split('\n').length, 2 * count);
  const leftovers = readdirSync(join(dir, '.sit')).filter((name) => name.startsWith('.tmp-'));
  assert.equal(leftovers, []);
}

/**
 * Two processes each write `count` records through the store into one item, and every fifth
 * record also at repository level, where the two writers race to write identical records: the
 * item ends with `2 * count` intact, completely ordered records, identical records are stored
 * once, and no temporaries are left. `count` must be a multiple of 5.
 */
export async function twoStoreWriters(temp: TempDirs, count: number): Promise<void> {
  const { path } = Repository.init(temp.make());
  const repo = Repository.open(path);
  const item = repo.newItem('shared');
  const writer = join(ROOT, 'test', 'helpers', 'store_writer.ts');
  const run = (tag: string): Promise<number> => runHelper(['--import', 'tsx', writer, path, item, String(count), tag]);
  assert.equal(await Promise.all([run('first'), run('second')]), [0, 0]);
  const records = repo.readItemRecords(item, { full: true });
  assert.is(records.length, 2 * count);
  assert.ok(records.every((r) => isIntact(r)));
  // Every record is ordered (no cycles, no lost parents) and each writer's chain is complete.
  assert.is(repo.itemGenerations(item).flat().length, 2 * count);
  const report = checkIntegrity(repo);
  assert.equal(report.itemDamage, []);
  assert.equal(report.repositoryDamage, []);
  // The racing identical repository records were reused, not duplicated or damaged.
  assert.is(repo.recordEntries().length, 2 * count + count / 5);
  assert.equal(
    readdirSync(repo.root).filter((n) => n.startsWith('.tmp-')),
    [],
  );
  assert.equal(
    readdirSync(join(repo.root, 'items', item)).filter((n) => n.startsWith('.tmp-')),
    [],
  );
}
