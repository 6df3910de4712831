// The issue page's helpers: a patch's diff stat counts the lines inside its hunks only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countLines } from '../src/web/issues.ts';

function git(cwd: string, args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: cwd },
  });
}

test('countLines: a git format-patch signature is not a deletion; a removed "- item" line is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sit-patch-'));
  try {
    git(dir, ['init', '-q']);
    writeFileSync(join(dir, 'a.md'), '- item\nkeep\n');
    git(dir, ['add', 'a.md']);
    git(dir, ['commit', '-qm', 'add']);
    writeFileSync(join(dir, 'a.md'), 'keep\nnew\nmore\n');
    git(dir, ['commit', '-qam', 'Change a.md\n\n--- not a diff line\n-- nor this']);
    const patch = git(dir, ['format-patch', '-1', '--stdout']);
    assert.match(patch, /\n-- \n/, 'the patch ends with the signature separator');
    assert.match(patch, /\n-- item\n/, 'the removed line starts with "- "');
    assert.equal(countLines(patch), { added: 2, removed: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('countLines: several hunks and files, "\\ No newline", hunks without counts', () => {
  const patch = [
    'From x',
    'Subject: y',
    '---',
    ' a | 2 +-',
    '',
    'diff --git a/a b/a',
    '--- a/a',
    '+++ b/a',
    '@@ -1,3 +1,3 @@',
    ' one',
    '-two',
    '+deux',
    '',
    '@@ -10 +10,2 @@',
    '-ten',
    '\\ No newline at end of file',
    '+dix',
    '+onze',
    'diff --git a/b b/b',
    'deleted file mode 100644',
    '--- a/b',
    '+++ /dev/null',
    '@@ -1,2 +0,0 @@',
    '-x',
    '--- y',
    '-- ',
    '2.39.5',
    '',
  ].join('\n');
  assert.equal(countLines(patch), { added: 3, removed: 4 });
});

test.run();
