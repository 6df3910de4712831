// Record text on a terminal: control characters are shown escaped, pipes get the bytes as they are.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeControls, forTerminal } from '../src/terminal.ts';
import { makeSandbox, sit } from './helpers/cli.ts';
import { hasPty, sitOnPty } from './helpers/pty.ts';

const HOSTILE = 'Title\x1b[2K\x1b]52;c;ZWNobyBvd25lZA==\x07\x1b]0;pwned\x07\r\x9b31m\x7f end';

test('escapeControls shows every control character but newline and tab as \\xHH', () => {
  assert.is(
    escapeControls(HOSTILE),
    'Title\\x1b[2K\\x1b]52;c;ZWNobyBvd25lZA==\\x07\\x1b]0;pwned\\x07\\x0d\\x9b31m\\x7f end',
  );
  assert.is(escapeControls('a\tb\nc é ✓ \u2028'), 'a\tb\nc é ✓ \u2028');
  assert.is(escapeControls('\x00\x1f'), '\\x00\\x1f');
  assert.is(forTerminal(HOSTILE, false), HOSTILE);
  assert.is(forTerminal(HOSTILE, undefined), HOSTILE);
  assert.is(forTerminal(HOSTILE, true), escapeControls(HOSTILE));
});

test('sit items, sit reduce and sit records escape record text on a terminal and pass it through a pipe', () => {
  const sandbox = makeSandbox();
  const dir = join(sandbox.dir, 'work', 'project');
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  mkdirSync(join(dir, '.sit', 'reducers'));
  writeFileSync(
    join(dir, '.sit', 'reducers', 'text.js'),
    'module.exports = function (state, record) { var t = record.files.text; return t ? { id: state.id, text: new TextDecoder().decode(t) } : state; };',
  );
  assert.is(sit(sandbox, ['item', '--id', 'one'], { cwd: dir }).status, 0);
  writeFileSync(join(dir, 'text'), HOSTILE);
  assert.is(sit(sandbox, ['record', '-n', 'one', 'text'], { cwd: dir }).status, 0);
  const piped = sit(sandbox, ['items', '-q', 'text'], { cwd: dir });
  assert.is(piped.stdout, `${HOSTILE}\n`, 'a pipe gets the bytes as they are');
  if (!hasPty()) {
    process.stderr.write('skipping the terminal half: python3 with pty is not available\n');
    return;
  }
  for (const args of [
    ['items', '-q', 'text'],
    ['reduce', 'one', '-q', 'text'],
    ['records', 'one', '-q', 'files.text'],
  ]) {
    const { status, output } = sitOnPty(sandbox, args, { cwd: dir });
    assert.is(status, 0, args.join(' '));
    assert.not.ok(
      /[\x1b\x07\x9b\x7f]/.test(output),
      `no control characters reach the terminal: ${JSON.stringify(output)}`,
    );
    assert.ok(output.includes('Title\\x1b[2K\\x1b]52;c;'), output);
  }
});

test('sit issue show (a module script) escapes record text on a terminal', () => {
  if (!hasPty()) {
    process.stderr.write('skipping: python3 with pty is not available\n');
    return;
  }
  const sandbox = makeSandbox();
  const dir = join(sandbox.dir, 'work', 'tracker');
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init', '--module', 'issue-tracking'], { cwd: dir }).status, 0);
  const created = sit(sandbox, ['issue', 'new', '--summary', 'plain', '--details', HOSTILE], { cwd: dir });
  assert.is(created.status, 0, created.stderr);
  const id =
    created.stdout
      .trim()
      .split(/\s+/)
      .find((word) => /^[0-9a-f-]{36}$/.test(word)) ?? created.stdout.trim();
  const piped = sit(sandbox, ['issue', 'show', id], { cwd: dir });
  assert.ok(piped.stdout.includes(HOSTILE), 'a pipe gets the bytes as they are');
  const { status, output } = sitOnPty(sandbox, ['issue', 'show', id], { cwd: dir });
  assert.is(status, 0, output);
  // The only escape sequences are the colours sit adds itself (SGR, `ESC [ … m`), never record text.
  const text = output.replace(/\x1b\[[0-9;]*m/g, '');
  assert.not.ok(/[\x1b\x07\x9b\x7f]/.test(text), JSON.stringify(output));
  assert.ok(text.includes('Title\\x1b[2K'), output);
  const plain = sitOnPty({ ...sandbox, env: { ...sandbox.env, NO_COLOR: '1' } }, ['issue', 'show', id], { cwd: dir });
  assert.not.ok(/[\x1b\x07\x9b\x7f]/.test(plain.output), JSON.stringify(plain.output));
});

test.run();
