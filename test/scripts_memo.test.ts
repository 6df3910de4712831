// The memo of module script runs that only read (src/scripts/memo.ts), through the compiled
// command line (only the compiled `sit` uses memos): a repeated read is answered from it with the
// same output, a new record is seen at once, and a damaged or forged memo, or a memo folder that
// cannot be written, only means the script runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, sit } from './helpers/cli.ts';

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
let id = '';

function ok(args: string[]): string {
  const r = sit(sandbox, args, { cwd: work });
  assert.is(r.stderr, '', `stderr of sit ${args.join(' ')}`);
  assert.is(r.status, 0, `status of sit ${args.join(' ')}`);
  return r.stdout;
}

/** The memo folders of the sandbox's cache (one per repository). */
function memoFolders(): string[] {
  const repositories = join(sandbox.dir, 'cache', 'repositories');
  return existsSync(repositories) ? readdirSync(repositories).map((name) => join(repositories, name, 'scripts')) : [];
}

function memoFiles(): string[] {
  return memoFolders().flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []));
}

test('set-up: a repository with an issue', () => {
  assert.is(sit(sandbox, ['init'], { cwd: work }).status, 0);
  assert.is(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: work }).status, 0);
  id = ok(['issue', 'new', '--summary', 'Memo subject', '--details', 'First words']).trim().split(/\s+/).pop() ?? '';
  assert.ok(existsSync(join(work, '.sit', 'items', id)), `new printed the id (${id})`);
});

test('a read is kept, and the same read answered again prints the same', () => {
  rmSync(join(sandbox.dir, 'cache'), { recursive: true, force: true });
  const first = ok(['issue', 'show', id]);
  assert.match(first, /Memo subject/);
  assert.is(memoFiles().length, 1, 'one memo kept');
  assert.is(ok(['issue', 'show', id]), first);
  assert.is(ok(['issue', 'list', '--all']), ok(['issue', 'list', '--all']));
});

test('a record added after a run is seen by the next run', () => {
  ok(['issue', 'show', id]);
  ok(['issue', 'comment', id, '-m', 'Second words']);
  assert.match(ok(['issue', 'show', id]), /Second words/);
});

test('a write is never kept as a memo', () => {
  const before = memoFiles().length;
  ok(['issue', 'label', id, '+memo']);
  assert.is(memoFiles().length, before);
});

test('a damaged or forged memo means the script runs', () => {
  for (const dir of memoFolders()) rmSync(dir, { recursive: true, force: true });
  const expected = ok(['issue', 'show', id]);
  assert.is(memoFiles().length, 1);
  for (const file of memoFiles()) writeFileSync(file, '{"format": "sit-script-memo 1", "calls": [');
  assert.is(ok(['issue', 'show', id]), expected);
  // A memo that claims a write (and another key) is refused whole.
  for (const file of memoFiles()) {
    const memo = JSON.parse(readFileSync(file, 'utf8')) as {
      key: string;
      calls: Array<{ name: string; args: string; answer: string }>;
    };
    memo.calls.unshift({ name: 'newRecord', args: '[]', answer: 'vundefined' });
    writeFileSync(file, JSON.stringify(memo));
  }
  assert.is(ok(['issue', 'show', id]), expected);
});

test('a memo folder that is not a folder costs speed only', () => {
  const expected = ok(['issue', 'show', id]);
  for (const dir of memoFolders()) {
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder');
  }
  assert.is(ok(['issue', 'show', id]), expected);
  assert.is(ok(['issue', 'show', id]), expected);
});

test.after(() => rmSync(sandbox.dir, { recursive: true, force: true }));

test.run();
