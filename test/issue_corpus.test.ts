// `sit issue list` on a copy of SIT's own tracker (the corpus) with the issue-tracking module installed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeSandbox, sit } from './helpers/cli.ts';
import { sitAll } from './helpers/cli_async.ts';
import { corpusRepository, tempDirs } from './helpers/store_fixtures.ts';

const dirs = tempDirs();
const sandbox = makeSandbox();
const repo = corpusRepository() === undefined ? undefined : dirs.copyCorpus();

// Found in the data: each phrase occurs in the comments of exactly one issue and nowhere else
// (no summary, details or other comment contains it).
const OPEN_PHRASE = { id: '069bcab3-e238-4c86-a236-1c674d381520', phrase: 'separate prompt notifications' };
const CLOSED_PHRASE = { id: '4710cb07-9b02-4390-bdf1-415fc4720bbe', phrase: 'the destructors to' };

if (repo === undefined) {
  process.stderr.write('skipping issue_corpus tests: the corpus (../shared/corpus/sit/.sit) is absent\n');
} else {
  const cwd = dirname(repo);
  chmodSync(repo, 0o755);
  const expected = JSON.parse(readFileSync(join(dirname(corpusRepository()!), 'expected-states.json'), 'utf8')) as
    | Array<Record<string, string>>
    | Record<string, Record<string, string>>;
  const states = Array.isArray(expected) ? expected : Object.values(expected);
  const summaries = new Map(states.map((state) => [state.id!, state.summary!]));

  test('install the module and list the open issues (the first run fills the reduction cache)', () => {
    const added = sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd });
    assert.is(added.status, 0, added.stderr);
    const open = sit(sandbox, ['issue', 'list', 'is:open'], { cwd });
    assert.is(open.stderr, '');
    const lines = open.stdout.trimEnd().split('\n');
    assert.is(lines.length, 22);
    const openIds = states.filter((state) => state.state !== 'closed').map((state) => state.id!);
    assert.equal(lines.map((line) => line.split(' | ')[0]).sort(), openIds.sort());
    for (const line of lines) {
      const [id, summary] = line.split(' | ');
      assert.is(summary, summaries.get(id!));
    }
  });

  test('closed issues, the default list, and full-text phrases found only in one comment', async () => {
    const [closed, byDefault, openPhrase, closedPhrase, closedPhraseDefault, both] = await sitAll(
      sandbox,
      [
        ['issue', 'list', 'is:closed'],
        ['issue', 'list'],
        ['issue', 'list', OPEN_PHRASE.phrase],
        ['issue', 'list', 'is:closed', CLOSED_PHRASE.phrase],
        ['issue', 'list', CLOSED_PHRASE.phrase],
        ['issue', 'list', '--all', '--json', CLOSED_PHRASE.phrase],
      ],
      cwd,
    );
    for (const output of [closed, byDefault, openPhrase, closedPhrase, both]) {
      assert.is(output!.stderr, '');
      assert.is(output!.status, 0);
    }
    assert.is(closedPhraseDefault!.status, 0);
    assert.is(
      closedPhraseDefault!.stderr,
      `No issues match ${CLOSED_PHRASE.phrase} (open issues only: add is:all or --all for closed ones too)\n`,
    );
    assert.is(closed!.stdout.trimEnd().split('\n').length, 169);
    assert.is(byDefault!.stdout.trimEnd().split('\n').length, 22);
    assert.is(openPhrase!.stdout, `${OPEN_PHRASE.id} | ${summaries.get(OPEN_PHRASE.id)}\n`);
    assert.is(closedPhrase!.stdout, `${CLOSED_PHRASE.id} | ${summaries.get(CLOSED_PHRASE.id)}\n`);
    assert.is(closedPhraseDefault!.stdout, '');
    const found = JSON.parse(both!.stdout) as Array<{ id: string; comments: Array<{ text: string }> }>;
    assert.equal(
      found.map((state) => state.id),
      [CLOSED_PHRASE.id],
    );
    assert.ok(
      found[0]!.comments.some((comment) =>
        comment.text.replace(/\s+/g, ' ').toLowerCase().includes(CLOSED_PHRASE.phrase),
      ),
    );
  });
}

test.after(() => {
  dirs.cleanup();
  rmSync(sandbox.dir, { recursive: true, force: true });
});

test.run();
