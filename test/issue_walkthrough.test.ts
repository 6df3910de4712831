// `sit issue …` through the real command line, in a temporary project: every subcommand and every
// query qualifier of `sit issue list`, each step checked against its exact output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, sit } from './helpers/cli.ts';
import { sitAll, type Output } from './helpers/cli_async.ts';

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
const ALICE = 'Alice <alice@example.org>';
const BOB = 'Bob <bob@example.org>';
const ME = 'Test User <test@example.org>';
const CAROL = 'Carol <carol@example.org>';

function run(args: string[], options: { input?: string } = {}): Output {
  const result = sit(sandbox, args, { cwd: work, ...(options.input === undefined ? {} : { input: options.input }) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs read-only commands concurrently (a few at a time) and returns their outputs in order. */
function runAll(commands: string[][]): Promise<Output[]> {
  return sitAll(sandbox, commands, work);
}

/** Asserts that each command succeeded with exactly the expected output. */
async function expectAll(cases: Array<[string[], string]>): Promise<void> {
  const outputs = await runAll(cases.map(([args]) => args));
  cases.forEach(([args, expected], i) => {
    const output = outputs[i]!;
    // An empty list says so on standard error.
    if (expected === '' && args[1] === 'list')
      assert.match(output.stderr, /^No issues match .*\n$/, `stderr of sit ${args.join(' ')}`);
    else assert.is(output.stderr, '', `stderr of sit ${args.join(' ')}`);
    assert.is(output.stdout, expected, `stdout of sit ${args.join(' ')}`);
    assert.is(output.status, 0, `status of sit ${args.join(' ')}`);
  });
}

/** Runs a command that must succeed and returns its standard output. */
function ok(args: string[], options: { input?: string } = {}): string {
  const result = run(args, options);
  assert.is(result.stderr, '', `stderr of sit ${args.join(' ')}`);
  assert.is(result.status, 0, `status of sit ${args.join(' ')}`);
  return result.stdout;
}

function lines(...items: string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function time(timestamp: string): string {
  return timestamp.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/, '$1 $2 UTC');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/;

// The issues of the walkthrough, created in this order.
let crash = '';
let dark = '';
let slow = '';
let typo = '';

test('init, add the module, and the help of sit issue', () => {
  assert.is(run(['init']).status, 0);
  assert.is(run(['module', 'add', 'issue-tracking']).status, 0);
  const help = run(['issue']);
  assert.is(help.status, 1);
  assert.is(help.stdout, ok(['issue', '--help']));
  assert.is(
    help.stdout,
    'Usage: sit issue <COMMAND> [ARGS...]\n\n' +
      'Issue tracking: create, list, show, comment on, close, reopen, edit, label and assign issues;\n' +
      'define labels and milestones.\n\n' +
      'Commands:\n' +
      '  new         Create an issue and print its id\n' +
      '  list        List issues matching a query (open ones by default)\n' +
      '  show        Show an issue with its timeline\n' +
      '  comment     Comment on an issue, or edit or delete your comment\n' +
      '  close       Close an issue (with a comment given -m or -F)\n' +
      '  reopen      Reopen an issue (with a comment given -m or -F)\n' +
      '  edit        Change the summary and/or details of an issue\n' +
      '  label       Add or remove labels, or show them\n' +
      '  assign      Add or remove assignees, or show them\n' +
      '  milestone   Set, clear or show the milestone\n' +
      '  labels      List, define and delete labels\n' +
      '  milestones  List, define and delete milestones\n' +
      '  filters     List the named filters of list --filter\n' +
      '  templates   List the issue templates of new --template\n' +
      '  where       Show whether an issue is open, closed or absent on every branch and tag\n\n' +
      'Issue ids may be abbreviated to any unique prefix. `sit issue COMMAND --help` for details.\n',
  );
  assert.match(ok(['issue', 'comment', '--help']), /^Usage: sit issue comment ID \[-m TEXT \| -F FILE\]\n/);
  assert.is(ok(['issue', 'help', 'list']), ok(['issue', 'list', '-h']));
  for (const name of ['labels', 'milestones', 'filters', 'templates'])
    assert.match(ok(['issue', name, '--help']), new RegExp(`^Usage: sit issue ${name}`));
  const empty = run(['issue', 'list']);
  assert.equal(empty, { status: 0, stdout: '', stderr: 'No issues yet. Create the first one with: sit issue new\n' });
});

test('new: from options, from -m with labels, assignee and milestone, from standard input, from a file', () => {
  crash = ok([
    'issue',
    'new',
    '--summary',
    'Crash on empty repository',
    '--details',
    'Steps:\n\n1. sit init\n2. sit items',
  ]);
  assert.match(crash, UUID);
  crash = crash.trim();
  const carol = join(sandbox.dir, 'carol.json');
  writeFileSync(carol, JSON.stringify({ author: { name: 'Carol', email: 'carol@example.org' } }));
  dark = ok([
    '-c',
    carol,
    'issue',
    'new',
    '-m',
    'Add a dark mode',
    '-m',
    'Like the web UI has.',
    '-l',
    'enhancement',
    '-a',
    BOB,
    '--milestone',
    '1.0',
  ]).trim();
  slow = ok(['issue', 'new'], { input: '\nSlow list on big repositories\n\nTakes 10 s with 10 000 issues.\n' }).trim();
  writeFileSync(join(work, 'typo.txt'), 'Typo in README\n\nIt says "isue".\n');
  typo = ok(['issue', 'new', '-F', 'typo.txt']).trim();
  for (const id of [dark, slow, typo]) assert.match(`${id}\n`, UUID);
  const empty = run(['issue', 'new', '-m', '   ']);
  assert.equal(empty, { status: 1, stdout: '', stderr: 'sit issue new: the summary is empty; nothing was recorded\n' });
  const outside = run(['issue', 'new', '-F', 'missing.txt']);
  assert.equal(outside, { status: 1, stdout: '', stderr: 'cannot read missing.txt: no such file\n' });
});

test('comment, label, assign, close, reopen, edit and milestone, by full id and by prefix', () => {
  const prefix = crash.slice(0, 8);
  assert.is(ok(['issue', 'comment', prefix, '-m', 'I can reproduce this.']), lines(`Commented on ${crash}`));
  assert.is(ok(['issue', 'label', prefix, '+bug', 'crash']), lines(`Labels of ${crash}: bug, crash`));
  assert.is(ok(['issue', 'label', crash, '-crash']), lines(`Labels of ${crash}: bug`));
  assert.is(ok(['issue', 'assign', crash, ALICE]), lines(`Assignees of ${crash}: ${ALICE}`));
  assert.is(ok(['issue', 'close', slow, '-m', 'Fixed by caching reduced states.']), lines(`Closed ${slow}`));
  assert.is(ok(['issue', 'close', slow]), lines(`Issue ${slow} is already closed; nothing was recorded`));
  assert.is(ok(['issue', 'close', typo]), lines(`Closed ${typo}`));
  assert.is(ok(['issue', 'reopen', typo]), lines(`Reopened ${typo}`));
  assert.is(ok(['issue', 'edit', typo, '--summary', 'Typo in the README']), lines(`Changed the summary of ${typo}`));
  assert.is(ok(['issue', 'edit', typo, '--summary', 'Typo in the README']), lines(`Nothing changed in ${typo}`));
  assert.is(ok(['issue', 'milestone', dark]), lines(`Milestone of ${dark}: 1.0`));
  const emptyComment = run(['issue', 'comment', crash, '-m', '']);
  assert.equal(emptyComment, {
    status: 1,
    stdout: '',
    stderr: 'sit issue comment: the comment is empty; nothing was recorded\n',
  });
  const unknown = run(['issue', 'show', 'zzzz']);
  assert.equal(unknown, {
    status: 1,
    stdout: '',
    stderr: 'sit issue show: no issue id starts with "zzzz"; see `sit issue list --all`\n',
  });
});

test('list: the default, is:, label:, -label:, no:label, author:, assignee:, milestone:', async () => {
  const summary = (id: string): string => {
    const names: Record<string, string> = {
      [crash]: 'Crash on empty repository',
      [dark]: 'Add a dark mode',
      [slow]: 'Slow list on big repositories',
      [typo]: 'Typo in the README',
    };
    return `${id} | ${names[id]}`;
  };
  const list = (...ids: string[]): string => lines(...ids.map(summary));
  ok(['issue', 'list']); // fills the reduction cache once
  await expectAll([
    [['issue', 'list'], list(typo, dark, crash)],
    [['issue', 'list', 'is:open'], list(typo, dark, crash)],
    [['issue', 'list', 'is:closed'], list(slow)],
    [['issue', 'list', '--all'], list(typo, slow, dark, crash)],
    [['issue', 'list', 'label:bug'], list(crash)],
    [['issue', 'list', '-label:bug'], list(typo, dark)],
    [['issue', 'list', 'no:label'], list(typo)],
    [['issue', 'list', 'author:carol'], list(dark)],
    [['issue', 'list', 'assignee:alice'], list(crash)],
    [['issue', 'list', 'milestone:1.0'], list(dark)],
  ]);
});

test('list: sort:, words, phrases, --jmespath, --json, --limit, --format and the configured one-line format', async () => {
  const list = (...pairs: Array<[string, string]>): string => lines(...pairs.map(([id, s]) => `${id} | ${s}`));
  await expectAll([
    [
      ['issue', 'list', 'sort:created-asc'],
      list([crash, 'Crash on empty repository'], [dark, 'Add a dark mode'], [typo, 'Typo in the README']),
    ],
    [
      ['issue', 'list', '--all', 'sort:updated-desc'],
      list(
        [typo, 'Typo in the README'],
        [slow, 'Slow list on big repositories'],
        [crash, 'Crash on empty repository'],
        [dark, 'Add a dark mode'],
      ),
    ],
    // a word found only in a comment, a word in the details, a phrase, a phrase in the wrong order
    [['issue', 'list', '--all', 'caching'], list([slow, 'Slow list on big repositories'])],
    [['issue', 'list', 'isue'], list([typo, 'Typo in the README'])],
    [['issue', 'list', 'empty repository'], list([crash, 'Crash on empty repository'])],
    [['issue', 'list', 'repository', 'empty'], list([crash, 'Crash on empty repository'])],
    [['issue', 'list', '"empty repository"'], list([crash, 'Crash on empty repository'])],
    [
      ['issue', 'list', '--all', '--jmespath', 'length(comments || `[]`) > `0`'],
      list([slow, 'Slow list on big repositories'], [crash, 'Crash on empty repository']),
    ],
    [['issue', 'list', '--limit', '2'], list([typo, 'Typo in the README'], [dark, 'Add a dark mode'])],
    [['issue', 'list', '--format', 'labels', 'label:bug'], '[\n  "bug"\n]\n'],
  ]);
  // The arguments are one query, as the web search box reads it.
  const phrase = run(['issue', 'list', '"repository empty"']);
  assert.equal(phrase, {
    status: 0,
    stdout: '',
    stderr: 'No issues match "repository empty" (open issues only: add is:all or --all for closed ones too)\n',
  });
  await expectAll([
    [['issue', 'list', 'label:bug -label:wontfix'], list([crash, 'Crash on empty repository'])],
    [['issue', 'list', 'is:closed label:bug'], ''],
    [['issue', 'list', '--all', 'is:closed caching'], list([slow, 'Slow list on big repositories'])],
    [['issue', 'list', crash.slice(0, 8)], list([crash, 'Crash on empty repository'])],
    [['issue', 'list', `#${crash.slice(0, 5)}`], list([crash, 'Crash on empty repository'])],
    [
      ['issue', 'list', '--format', '{{id}}\\t{{state}}\\t{{length(labels)}} {{milestone}}.', 'label:bug'],
      `${crash}\topen\t1 .\n`,
    ],
    [['issue', 'list', '--format', "{{summary}} it's {{state}}", '--limit', '1'], "Typo in the README it's open\n"],
    [['issue', 'list', '--filter', 'unlabelled'], list([typo, 'Typo in the README'])],
    [['issue', 'list', '--filter', 'closed', 'caching'], list([slow, 'Slow list on big repositories'])],
    [['issue', 'list', '--filter', 'mine', 'sort:created-asc'], ''],
  ]);
  const unknownFilter = run(['issue', 'list', '--filter', 'nope']);
  assert.is(unknownFilter.status, 1);
  assert.match(
    unknownFilter.stderr,
    /^no filter named "nope"; named filters: open, closed, all, updated, unassigned, unlabelled, mine, created \(see sit issue filters\)\n$/,
  );
  const state = JSON.parse(ok(['reduce', dark])) as Record<string, unknown>;
  assert.is(
    ok(['issue', 'list', '--json', '--limit', '1', 'author:carol']),
    `${JSON.stringify(sortKeys([state]), null, 2)}\n`,
  );
  assert.equal(state.authors, CAROL);
  const badQuery = run(['issue', 'list', 'kind:bug']);
  assert.is(badQuery.status, 1);
  assert.match(badQuery.stderr, /^unknown qualifier "kind:" in query "kind:bug"; known qualifiers: is:, label:.*\n$/);
  assert.is(badQuery.stderr.split('\n').length, 2);
  const config = join(work, '.sit', 'config.json');
  const json = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  json['issue-tracking'] = { cli: { oneliner: "join(' ', [state, summary])" } };
  writeFileSync(config, JSON.stringify(json, null, 2));
  assert.is(
    ok(['issue', 'list', '--all', 'sort:created-asc', 'label:bug', '--', 'crash']),
    lines('open Crash on empty repository'),
  );
});

test('show: the readable layout and --json', async () => {
  const outputs = await runAll([
    ['reduce', crash],
    ['issue', 'show', crash.slice(0, 6)],
    ['reduce', slow],
    ['issue', 'show', slow],
    ['reduce', dark],
    ['issue', 'show', '--json', dark],
  ]);
  for (const output of outputs) {
    assert.is(output.stderr, '');
    assert.is(output.status, 0);
  }
  const [crashState, crashShownRaw, slowState, slowShownRaw, darkState, darkShown] = outputs.map((o) => o.stdout) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  // Times in the timeline are relative ("just now", "a minute ago"): the test may run slowly.
  const AGO = '<ago>';
  const ago = (text: string): string => text.replace(/\b(just now|a minute ago|\d+ minutes ago)/g, AGO);
  const crashShown = ago(crashShownRaw);
  const slowShown = ago(slowShownRaw);
  const state = JSON.parse(crashState) as {
    timestamp: string;
    last_updated_timestamp: string;
    comments: Array<{ timestamp: string }>;
  };
  assert.is(
    crashShown,
    [
      'Summary:   Crash on empty repository',
      `Id:        ${crash}`,
      'State:     open',
      `Author:    ${ME}`,
      `Opened:    ${time(state.timestamp)}`,
      `Updated:   ${time(state.last_updated_timestamp)}`,
      'Labels:    bug',
      `Assignees: ${ALICE}`,
      'Milestone: -',
      '',
      'Steps:',
      '',
      '1. sit init',
      '2. sit items',
      '',
      `Comment 1 by ${ME}, ${AGO}:`,
      '    I can reproduce this.',
      '',
      `• Test User added the labels "bug", "crash" ${AGO}`,
      '',
      `• Test User removed the label "crash" ${AGO}`,
      '',
      `• Test User added the assignee "${ALICE}" ${AGO}`,
      '',
    ].join('\n'),
  );
  const slowParsed = JSON.parse(slowState) as typeof state;
  assert.is(
    slowShown,
    [
      'Summary:   Slow list on big repositories',
      `Id:        ${slow}`,
      'State:     closed',
      `Author:    ${ME}`,
      `Opened:    ${time(slowParsed.timestamp)}`,
      `Updated:   ${time(slowParsed.last_updated_timestamp)}`,
      'Labels:    -',
      'Assignees: -',
      'Milestone: -',
      '',
      'Takes 10 s with 10 000 issues.',
      '',
      `Comment 1 by ${ME}, ${AGO}:`,
      '    Fixed by caching reduced states.',
      '',
      `• Test User closed this ${AGO}`,
      '',
    ].join('\n'),
  );
  assert.is(darkShown, `${JSON.stringify(sortKeys(JSON.parse(darkState)), null, 2)}\n`);
});

test('an ambiguous id prefix, milestone, editing from standard input, and every record written is intact', () => {
  ok(['item', '--id', 'same-1']);
  ok(['item', '--id', 'same-2']);
  const ambiguous = run(['issue', 'comment', 'same', '-m', 'hello']);
  assert.equal(ambiguous, {
    status: 1,
    stdout: '',
    stderr:
      'sit issue comment: issue id prefix "same" is ambiguous, it matches 2 issues: same-1, same-2; give more characters\n',
  });
  assert.is(ok(['issue', 'milestone', typo, '2.0']), lines(`Milestone of ${typo}: 2.0`));
  assert.is(ok(['issue', 'milestone', typo, '--clear']), lines(`Milestone of ${typo}: -`));
  assert.is(
    ok(['issue', 'edit', typo], { input: 'Typo in README.md\n\nIt says "isue" twice.\n' }),
    lines(`Changed the summary and details of ${typo}`),
  );
  assert.equal(JSON.parse(ok(['reduce', typo, '-q', '[summary, details, milestone]'])), [
    'Typo in README.md',
    'It says "isue" twice.',
    null,
  ]);
  const integrity = run(['integrity']);
  assert.is(integrity.stdout, '');
  assert.is(integrity.status, 0);
});

test.after(() => {
  rmSync(sandbox.dir, { recursive: true, force: true });
});

test.run();
