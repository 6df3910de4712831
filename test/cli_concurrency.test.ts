import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SIT_JS, ensureBuilt, makeSandbox, sit } from './helpers/cli.ts';

const COUNT = 200;

function writer(dir: string, item: string, tag: string, env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'helpers', 'cli_record_loop.mjs'), SIT_JS, dir, item, String(COUNT), tag], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

test(`two sit record processes writing ${COUNT} records each into one item end with ${2 * COUNT} intact records`, async () => {
  ensureBuilt();
  const sandbox = makeSandbox();
  const dir = sandbox.dir;
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  assert.is(sit(sandbox, ['item', '--id', 'busy'], { cwd: dir }).stdout, 'busy\n');
  const codes = await Promise.all([writer(dir, 'busy', 'a', sandbox.env), writer(dir, 'busy', 'b', sandbox.env)]);
  assert.equal(codes, [0, 0]);
  assert.is(readdirSync(join(dir, '.sit', 'items', 'busy')).length, 2 * COUNT);
  const integrity = sit(sandbox, ['integrity'], { cwd: dir });
  assert.is(integrity.status, 0, integrity.stdout);
  assert.is(integrity.stderr.trim().split('\n').filter((l) => l.endsWith(' true')).length, 4 * COUNT);
  assert.is(sit(sandbox, ['records', 'busy'], { cwd: dir }).stdout.trim().split('\n').length, 2 * COUNT);
  const leftovers = readdirSync(join(dir, '.sit')).filter((name) => name.startsWith('.tmp-'));
  assert.equal(leftovers, []);
});

test.run();
