// Progress bars (src/progress.ts): drawn on a terminal's standard error only, only for work that
// runs longer than the delay, cleared when a step is complete; and through the real command line:
// a long reduction draws a bar on a terminal's standard error, never on standard output, and
// nothing at all reaches a pipe.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressBar, renderBar, withProgress, type ProgressStream } from '../src/progress.ts';
import { Repository } from '../src/store/mod.ts';
import { makeSandbox, ROOT, sit } from './helpers/cli.ts';
import { hasPty, sitOnPty } from './helpers/pty.ts';

const CLEAR = '\r\x1b[2K';

function stream(tty: boolean, columns = 60): ProgressStream & { text: string } {
  const out = { isTTY: tty, columns, text: '', write: (chunk: string) => (out.text += chunk) };
  return out;
}

test('renderBar: label, bar and count within the width, one column left free', () => {
  const line = renderBar('Reducing items', 250, 1000, 60);
  assert.ok(line.startsWith('Reducing items ['), line);
  assert.ok(line.endsWith('] 250/1000'), line);
  assert.is(line.length, 59);
  assert.is(renderBar('Reducing items', 1000, 1000, 60).includes(' '.repeat(3)), false, 'a full bar has no gaps');
  assert.ok(renderBar('Reducing items', 0, 1000, 60).includes('[ '), 'an empty bar is empty');
  assert.ok(renderBar('Reducing items', 5, 10, 20).length <= 19, 'a narrow terminal gets the count only');
});

test('no terminal: nothing is ever written', () => {
  const out = stream(false);
  const bar = new ProgressBar('Work', { stream: out, delayMs: 0 });
  for (let i = 0; i <= 10; i++) bar.update(i, 10);
  bar.end();
  assert.is(out.text, '');
});

test('a terminal: the bar is drawn, never a newline, and cleared when the step is complete', () => {
  const out = stream(true);
  const bar = new ProgressBar('Work', { stream: out, delayMs: 0 });
  bar.update(0, 10);
  assert.ok(out.text.startsWith(`${CLEAR}Work [`), JSON.stringify(out.text));
  assert.ok(out.text.endsWith('0/10'));
  bar.update(10, 10);
  assert.ok(out.text.endsWith(CLEAR), 'cleared at the end of the step');
  bar.end();
  assert.ok(out.text.endsWith(CLEAR));
  assert.is(out.text.includes('\n'), false);
});

test('work under the delay shows nothing', () => {
  const out = stream(true);
  const bar = new ProgressBar('Work', { stream: out, delayMs: 60_000 });
  for (let i = 0; i <= 100; i++) bar.update(i, 100);
  bar.end();
  assert.is(out.text, '');
});

test('the delay comes from SIT_PROGRESS_DELAY_MS, else one second', () => {
  const now = stream(true);
  const drawn = new ProgressBar('Work', { stream: now, env: { SIT_PROGRESS_DELAY_MS: '0' } });
  drawn.update(1, 2);
  drawn.end();
  assert.ok(now.text.includes('1/2'));
  const later = stream(true);
  const hidden = new ProgressBar('Work', { stream: later, env: { SIT_PROGRESS_DELAY_MS: 'soon' } });
  hidden.update(1, 2);
  hidden.end();
  assert.is(later.text, '', 'a bad value means the default');
});

test('withProgress clears the bar when the work fails', async () => {
  const out = stream(true);
  try {
    await withProgress(
      'Work',
      (onProgress) => {
        onProgress(3, 10);
        throw new Error('broken');
      },
      { stream: out, delayMs: 0 },
    );
    assert.unreachable('the error goes on');
  } catch (error) {
    assert.is((error as Error).message, 'broken');
  }
  assert.ok(out.text.includes('3/10'));
  assert.ok(out.text.endsWith(CLEAR));
});

// ---- through the command line -------------------------------------------------------------------

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
/** More items than the engine reduces in this thread (32): they go to the worker pool, which reports progress. */
const ITEMS = 80;

test('set-up: a repository of many items with the issue-tracking module', () => {
  const { path } = Repository.init(work);
  mkdirSync(join(path, 'modules'), { recursive: true });
  writeFileSync(join(path, 'modules', 'issue-tracking'), join(ROOT, 'modules', 'issue-tracking'));
  const repo = Repository.open(path);
  const encoder = new TextEncoder();
  for (let i = 0; i < ITEMS; i++) {
    const id = repo.newItem();
    repo.newRecord(
      [
        { name: '.type/SummaryChanged', data: new Uint8Array() },
        { name: 'text', data: encoder.encode(`Issue number ${i}`) },
      ],
      { itemId: id },
    );
  }
});

test('a long reduction draws a bar on a terminal stderr; stdout gets the results only', () => {
  if (!hasPty()) {
    console.log('  (skipped: no pseudo-terminal here, python3 pty missing)');
    return;
  }
  rmSync(join(sandbox.dir, 'cache'), { recursive: true, force: true });
  const file = join(sandbox.dir, 'stdout.txt');
  const { status, output } = sitOnPty(sandbox, ['items', '-q', 'summary'], {
    cwd: work,
    stdoutFile: file,
    env: { SIT_PROGRESS_DELAY_MS: '0' },
  });
  assert.is(status, 0, output);
  assert.match(output, /Reducing items \[[=> ]+\] \d+\/80/);
  assert.ok(output.endsWith(CLEAR), `the bar is cleared: ${JSON.stringify(output.slice(-40))}`);
  const stdout = readFileSync(file, 'utf8');
  assert.is(stdout.split('\n').filter((line) => line.startsWith('Issue number')).length, ITEMS);
  assert.is(stdout.includes('Reducing'), false);
  assert.is(stdout.includes('\x1b'), false);
});

test('sit integrity draws its own bar on a terminal', () => {
  if (!hasPty()) return;
  const file = join(sandbox.dir, 'stdout.txt');
  const { status, output } = sitOnPty(sandbox, ['integrity'], {
    cwd: work,
    stdoutFile: file,
    env: { SIT_PROGRESS_DELAY_MS: '0' },
  });
  assert.is(status, 0, output);
  assert.match(output, /Checking records \[/);
  assert.is(readFileSync(file, 'utf8'), '');
});

test('with a pipe, nothing is written to stderr (same reduction, same delay)', () => {
  rmSync(join(sandbox.dir, 'cache'), { recursive: true, force: true });
  const r = sit(sandbox, ['items', '-q', 'summary'], { cwd: work, env: { SIT_PROGRESS_DELAY_MS: '0' } });
  assert.is(r.status, 0);
  assert.is(r.stderr, '');
  assert.is(r.stdout.split('\n').filter((line) => line.startsWith('Issue number')).length, ITEMS);
  const integrity = sit(sandbox, ['integrity'], { cwd: work, env: { SIT_PROGRESS_DELAY_MS: '0' } });
  assert.is(integrity.status, 0);
  assert.is(integrity.stderr.includes('Checking'), false);
  assert.is(integrity.stderr.includes('\x1b'), false);
});

test('a module script that reduces many items (sit issue list) draws the bar on a terminal too', () => {
  if (!hasPty()) return;
  rmSync(join(sandbox.dir, 'cache'), { recursive: true, force: true });
  const file = join(sandbox.dir, 'stdout.txt');
  const { status, output } = sitOnPty(sandbox, ['issue', 'list', '--all'], {
    cwd: work,
    stdoutFile: file,
    env: { SIT_PROGRESS_DELAY_MS: '0' },
  });
  assert.is(status, 0, output);
  assert.match(output, /Reducing items \[/);
  // Every issue is listed, each once.
  const listed = readFileSync(file, 'utf8').match(/\| Issue number \d+$/gm) ?? [];
  assert.equal(
    listed.map((line) => Number(line.slice('| Issue number '.length))).sort((a, b) => a - b),
    Array.from({ length: ITEMS }, (_, i) => i),
  );
});

test.after(() => rmSync(sandbox.dir, { recursive: true, force: true }));

test.run();
