import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Repository, checkIntegrity, isIntact } from '../src/store/mod.ts';
import { tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

const writer = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'store_writer.ts');

function run(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

test('two processes writing 200 records each into one item end with 400 intact records', async () => {
  const { path } = Repository.init(tempDir());
  const repo = Repository.open(path);
  const item = repo.newItem('shared');
  const codes = await Promise.all([run([path, item, '200', 'first']), run([path, item, '200', 'second'])]);
  assert.equal(codes, [0, 0]);
  const records = repo.readItemRecords(item, { full: true });
  assert.is(records.length, 400);
  assert.ok(records.every((r) => isIntact(r)));
  // Every record is ordered (no cycles, no lost parents) and each writer's chain is complete.
  assert.is(repo.itemGenerations(item).flat().length, 400);
  const report = checkIntegrity(repo);
  assert.equal(report.itemDamage, []);
  assert.equal(report.repositoryDamage, []);
  // The racing identical repository records were reused, not duplicated or damaged.
  assert.is(repo.recordEntries().length, 400 + 40);
  assert.equal(readdirSync(repo.root).filter((n) => n.startsWith('.tmp-')), []);
  assert.equal(readdirSync(join(repo.root, 'items', item)).filter((n) => n.startsWith('.tmp-')), []);
});

test.after(temp.cleanup);
test.run();
