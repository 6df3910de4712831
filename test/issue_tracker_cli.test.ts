// The tracker's newer commands through the real command line: all-or-nothing `sit issue new`,
// templates, comment edits and deletions, labels and milestones, named filters, references and
// commits in `show`, the terminal table (colour, NO_COLOR, the pager) and `sit web` without an
// author or with a busy port.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureBuilt, makeSandbox, SIT_JS, sit, type Sandbox } from './helpers/cli.ts';
import { hasPty, sitOnPty } from './helpers/pty.ts';

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
const ME = 'Test User <test@example.org>';

function run(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; sandbox?: Sandbox; cwd?: string } = {},
) {
  const r = sit(options.sandbox ?? sandbox, args, {
    cwd: options.cwd ?? work,
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], options: Parameters<typeof run>[1] = {}): string {
  const r = run(args, options);
  assert.is(r.stderr, '', `stderr of sit ${args.join(' ')}`);
  assert.is(r.status, 0, `status of sit ${args.join(' ')}`);
  return r.stdout;
}

function items(dir = work): string[] {
  const path = join(dir, '.sit', 'items');
  return existsSync(path) ? readdirSync(path).sort() : [];
}

let first = '';
let second = '';

test('set-up: a repository with the module', () => {
  assert.is(run(['init']).status, 0);
  assert.is(run(['module', 'add', 'issue-tracking']).status, 0);
});

test('new: without an author and without a terminal, nothing at all is recorded (also on retries)', () => {
  const anonymous = makeSandbox({ author: false });
  const dir = join(anonymous.dir, 'work');
  assert.is(run(['init'], { sandbox: anonymous, cwd: dir }).status, 0);
  assert.is(run(['module', 'add', 'issue-tracking'], { sandbox: anonymous, cwd: dir }).status, 0);
  for (let i = 0; i < 2; i++) {
    const r = run(['issue', 'new', '--summary', 'Lost issue'], { sandbox: anonymous, cwd: dir });
    assert.is(r.status, 1);
    assert.match(r.stderr, /authorship identity/);
  }
  assert.equal(items(dir), [], 'no blank issue was left behind');
  assert.is(
    run(['issue', 'list'], { sandbox: anonymous, cwd: dir }).stderr,
    'No issues yet. Create the first one with: sit issue new\n',
  );
  rmSync(anonymous.dir, { recursive: true, force: true });
});

test('templates: listed, used by new --template (summary, body, labels), unknown ones refused', () => {
  mkdirSync(join(work, '.sit', 'templates'), { recursive: true });
  writeFileSync(
    join(work, '.sit', 'templates', 'bug.md'),
    '---\nname: Bug report\nabout: Something does not work\ntitle: "Bug: "\nlabels: bug, needs-triage\n---\n**What happened**\n',
  );
  writeFileSync(join(work, '.sit', 'templates', 'notes.txt'), 'not a template');
  assert.equal(
    JSON.parse(ok(['issue', 'templates', '--json'])).map((t: { name: string }) => t.name),
    ['bug'],
  );
  assert.match(ok(['issue', 'templates']), /^NAME\s+TITLE\s+ABOUT\nbug\s+Bug report\s+Something does not work\n$/);
  first = ok(['issue', 'new', '--template', 'bug', '-m', 'Crash on start']).trim();
  const state = JSON.parse(ok(['reduce', first])) as Record<string, unknown>;
  assert.is(state['summary'], 'Crash on start');
  assert.is(state['details'], '**What happened**');
  assert.equal(state['labels'], ['bug', 'needs-triage']);
  const fromTitle = ok(['issue', 'new', '-t', 'bug', '--details', 'It crashed']).trim();
  assert.is(ok(['reduce', fromTitle, '-q', 'summary']), 'Bug:\n', 'the template title, trimmed as every summary');
  const unknown = run(['issue', 'new', '--template', 'nope', '-m', 'x']);
  assert.equal(unknown, { status: 1, stdout: '', stderr: 'sit issue new: no template "nope"; templates: bug\n' });
  second = ok(['issue', 'new', '-m', 'Dark mode', '-m', `Like #${first.slice(0, 8)} says.`]).trim();
});

test("comment: edit and delete your own comments by number, `last` or record hash; never another author's", () => {
  ok(['issue', 'comment', first, '-m', 'First wording']);
  const carol = join(sandbox.dir, 'carol.json');
  writeFileSync(carol, JSON.stringify({ author: { name: 'Carol', email: 'carol@example.org' } }));
  ok(['-c', carol, 'issue', 'comment', first, '-m', 'Carol was here']);
  ok(['issue', 'comment', first, '-m', 'Second thought']);
  assert.is(ok(['issue', 'comment', first, '--edit', '1', '-m', 'Better wording']), `Edited comment 1 of ${first}\n`);
  assert.is(
    ok(['issue', 'comment', first, '--edit', '1', '-m', 'Better wording']),
    `Nothing changed in comment 1 of ${first}\n`,
  );
  const notMine = run(['issue', 'comment', first, '--edit', '2', '-m', 'Hijacked']);
  assert.equal(notMine, {
    status: 1,
    stdout: '',
    stderr: `sit issue comment: comment 2 of ${first} was written by Carol <carol@example.org>, not by you (${ME}); only its author can change it\n`,
  });
  assert.is(
    run(['issue', 'comment', first, '--delete', '9']).stderr,
    `sit issue comment: issue ${first} has no comment 9 (it has 3 comments; see sit issue show)\n`,
  );
  const state = JSON.parse(ok(['reduce', first])) as {
    comments: Array<{ text: string }>;
    timeline: Array<{ type: string; hash: string; comment?: number }>;
  };
  const third = state.timeline.find((e) => e.type === 'comment' && e.comment === 2)!.hash;
  assert.is(
    ok(['issue', 'comment', first, '--edit', third.slice(0, 6).toLowerCase(), '-m', 'Second, edited']),
    `Edited comment 3 of ${first}\n`,
  );
  assert.is(ok(['issue', 'comment', first, '--delete', 'last']), `Deleted comment 3 of ${first}\n`);
  const after = JSON.parse(ok(['reduce', first])) as typeof state;
  assert.equal(
    after.comments.map((c) => c.text),
    ['Better wording', 'Carol was here'],
  );
  // The history stays in the records.
  const texts = ok(['records', first, '-q', 'files.text']);
  for (const t of ['First wording', 'Second thought', 'Second, edited']) assert.ok(texts.includes(t), t);
  const shown = ok(['issue', 'show', first]);
  assert.match(
    shown,
    /Comment 1 by Test User <test@example\.org>, (?:just now|a minute ago|\d+ minutes ago) \(edited (?:just now|a minute ago|\d+ minutes ago)\):\n {4}Better wording\n/,
  );
  assert.match(shown, /• Test User deleted a comment (?:just now|a minute ago|\d+ minutes ago)\n/);
});

test('labels: define with colours, list with counts, change, delete; colours are checked', () => {
  assert.is(
    ok(['issue', 'labels', 'define', 'bug', '--color', '#D73A4A', '--description', 'Something is not working']),
    'Defined the label "bug"\n',
  );
  assert.is(ok(['issue', 'labels', 'define', 'ui']), 'Defined the label "ui"\n');
  assert.is(ok(['issue', 'labels', 'define', 'bug', '--color', 'f00']), 'Changed the label "bug"\n');
  const bad = run(['issue', 'labels', 'define', 'x', '--color', 'red; background: url(x)']);
  assert.equal(bad, {
    status: 1,
    stdout: '',
    stderr: 'sit issue labels: --color takes #rrggbb or #rgb, got "red; background: url(x)"\n',
  });
  assert.is(run(['issue', 'labels', 'delete', 'nope']).stderr, 'sit issue labels: the label "nope" is not defined\n');
  const list = JSON.parse(ok(['issue', 'labels', '--json'])) as Array<Record<string, unknown>>;
  assert.equal(list, [
    { closed: 0, color: '#ff0000', defined: true, description: 'Something is not working', name: 'bug', open: 2 },
    { closed: 0, color: null, defined: false, description: '', name: 'needs-triage', open: 2 },
    { closed: 0, color: '#0075ca', defined: true, description: '', name: 'ui', open: 0 },
  ]);
  assert.is(ok(['issue', 'labels', 'delete', 'ui']), 'Deleted the definition of the label "ui"\n');
  assert.match(
    ok(['issue', 'labels']),
    /^LABEL\s+OPEN\s+CLOSED\s+DESCRIPTION\n bug \s+2\s+0\s+Something is not working\nneeds-triage\s+2\s+0\s+\(not defined\)\n$/,
  );
  // The definitions item is no issue: lists never show it, and the original's UI sees a closed, titled item.
  assert.is(ok(['issue', 'list', '--all', '--format', '{{id}}']).includes('issue-tracking-definitions'), false);
  assert.equal(JSON.parse(ok(['reduce', 'issue-tracking-definitions', '-q', '[state, summary]'])), [
    'closed',
    'Labels and milestones of this tracker',
  ]);
  const note = run(['issue', 'label', second, '+undefined-one', '-absent']);
  assert.is(note.status, 0);
  assert.is(
    note.stderr,
    `Note: ${second} has no label "absent"; nothing to remove\nNote: the label "undefined-one" is not defined; define it with: sit issue labels define "undefined-one"\n`,
  );
});

test('milestones: define with due dates, close, list with progress, delete', () => {
  assert.is(
    ok(['issue', 'milestones', 'define', '1.0', '--due', '2030-01-31', '--description', 'First release']),
    'Defined the milestone "1.0"\n',
  );
  assert.is(
    run(['issue', 'milestones', 'define', '2.0', '--due', 'soon']).stderr,
    'sit issue milestones: --due takes a date as YYYY-MM-DD, got "soon"\n',
  );
  ok(['issue', 'milestone', first, '1.0']);
  ok(['issue', 'close', first]);
  ok(['issue', 'milestone', second, '1.0']);
  assert.is(ok(['issue', 'milestones', 'define', '1.0', '--close']), 'Changed the milestone "1.0"\n');
  assert.equal(JSON.parse(ok(['issue', 'milestones', '--json'])), [
    {
      closed: 1,
      defined: true,
      description: 'First release',
      due: '2030-01-31',
      open: 1,
      state: 'closed',
      title: '1.0',
    },
  ]);
  assert.match(ok(['issue', 'milestones']), /1\.0\s+closed\s+2030-01-31\s+1\/2 closed \(50%\)\s+First release\n$/);
  const note = run(['issue', 'milestone', second, '3.0']);
  assert.match(
    note.stderr,
    /^Note: the milestone "3\.0" is not defined; define it with: sit issue milestones define "3\.0"\n$/,
  );
  assert.is(ok(['issue', 'milestones', 'delete', '1.0']), 'Deleted the definition of the milestone "1.0"\n');
});

test("filters: built-in, the repository's and the user's, used by list --filter", () => {
  const config = join(work, '.sit', 'config.json');
  const json = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
  json['issue-tracking'] = { filters: { 'dark-things': 'is:all dark' } };
  writeFileSync(config, JSON.stringify(json, null, 2));
  const user = join(sandbox.dir, 'config', 'sit', 'config.json');
  writeFileSync(
    user,
    JSON.stringify({
      author: { name: 'Test User', email: 'test@example.org' },
      issues: { filters: { crashes: 'is:all "on start"', open: 'is:open label:bug' } },
    }),
  );
  const filters = JSON.parse(ok(['issue', 'filters', '--json'])) as Array<{
    name: string;
    query: string;
    source: string;
  }>;
  assert.equal(
    filters.map((f) => `${f.name}=${f.query} (${f.source})`),
    [
      'closed=is:closed sort:updated-desc (built-in)',
      'all=is:all (built-in)',
      'updated=is:open sort:updated-desc (built-in)',
      'unassigned=is:open no:assignee (built-in)',
      'unlabelled=is:open no:label (built-in)',
      'mine=is:open assignee:"Test User" (built-in)',
      'created=is:open author:"Test User" (built-in)',
      'dark-things=is:all dark (repository)',
      'crashes=is:all "on start" (user)',
      'open=is:open label:bug (user)',
    ],
  );
  assert.is(ok(['issue', 'list', '--filter', 'crashes', '--format', '{{summary}}']), 'Crash on start\n');
  assert.is(ok(['issue', 'list', '--filter', 'dark-things', '--format', '{{summary}}']), 'Dark mode\n');
  assert.is(
    ok(['issue', 'list', '--filter', 'created', 'is:all', '--format', '{{summary}}', 'sort:created-asc']),
    'Crash on start\nBug:\nDark mode\n',
  );
  assert.match(ok(['issue', 'filters']), /^NAME\s+QUERY\s+FROM\nclosed\s+is:closed sort:updated-desc\s+built-in\n/);
});

test('show: the issues that mention it and, in a git work tree, the commits that name it', () => {
  assert.not.match(ok(['issue', 'show', first]), /Mentioned in/, 'only with --mentions');
  assert.match(
    ok(['issue', 'show', first, '--mentions']),
    new RegExp(
      `\\nMentioned in:\\n    #${second.slice(0, 8)} Dark mode \\(open\\), by Test User, (?:just now|a minute ago|\\d+ minutes ago)\\n$`,
    ),
  );
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: work,
      env: {
        ...sandbox.env,
        GIT_AUTHOR_NAME: 'Dev',
        GIT_AUTHOR_EMAIL: 'dev@example.org',
        GIT_COMMITTER_NAME: 'Dev',
        GIT_COMMITTER_EMAIL: 'dev@example.org',
      },
    });
  const noGit = ok(['issue', 'show', first, '--mentions']);
  assert.not.match(noGit, /Commits:/);
  git('init', '-q');
  writeFileSync(join(work, 'a.txt'), 'a');
  git('add', 'a.txt');
  git('commit', '-q', '-m', `Handle the empty repository\n\nFixes #${first.slice(0, 8)}`);
  writeFileSync(join(work, 'b.txt'), 'b');
  git('add', 'b.txt');
  git('commit', '-q', '-m', `Mention #${first.slice(0, 6)} only`);
  git('commit', '-q', '--allow-empty', '-m', 'Fixes #ffff nothing of ours');
  const shown = ok(['issue', 'show', first, '--mentions']);
  assert.match(
    shown,
    /\nCommits:\n {4}[0-9a-f]{10} Mention #[0-9a-f]{6} only \(Dev, (?:just now|a minute ago|\d+ minutes ago)\)\n {4}[0-9a-f]{10} Handle the empty repository \(Dev, (?:just now|a minute ago|\d+ minutes ago)\) fixes it\n$/,
  );
  assert.not.match(ok(['issue', 'show', first]), /Commits:/);
});

test('list: arguments form one query, as the search box reads it', () => {
  assert.is(ok(['issue', 'list', 'label:bug -label:wontfix', '--format', '{{summary}}', 'sort:created-asc']), 'Bug:\n');
  assert.is(ok(['issue', 'list', 'is:closed label:bug', '--format', '{{summary}}']), 'Crash on start\n');
  assert.is(
    ok(['issue', 'list', `#${first.slice(0, 6)}`, '--all', '--format', '{{summary}}', 'sort:created-asc']),
    'Crash on start\nDark mode\n',
  );
});

test('the terminal: aligned columns with colour, NO_COLOR, escaped control characters, the pager', () => {
  if (!hasPty()) {
    process.stderr.write('issue_tracker_cli.test.ts: terminal checks skipped, python3 with pty is not available\n');
    return;
  }
  ok(['issue', 'new', '--summary', 'Evil \x1b]52;c;aGk=\x07 summary']);
  const coloured = sitOnPty(sandbox, ['issue', 'list'], { cwd: work });
  assert.is(coloured.status, 0);
  assert.match(coloured.output, /\x1b\[32mopen\x1b\[0m/, 'the state in green');
  assert.match(coloured.output, /\x1b\[38;2;0;0;0;48;2;255;0;0m bug \x1b\[0m/, 'the label in its defined colour');
  assert.match(coloured.output, /Evil \\x1b\]52;c/, 'control characters escaped (the summary may be cut to fit)');
  assert.not.match(coloured.output, /\x1b\]52/);
  const lines = coloured.output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const header = lines.find((l) => l.startsWith('STATE'))!;
  assert.match(header, /^STATE\s+ID\s+SUMMARY\s+LABELS\s+COMMENTS\s+UPDATED$/);
  const rows = lines.filter((l) => /^(open|closed) /.test(l));
  assert.ok(rows.length >= 2);
  assert.equal(new Set(rows.map((r) => r.search(/[0-9a-f]{8}/))).size, 1, 'ids start in one column');
  const plain = sitOnPty({ ...sandbox, env: { ...sandbox.env, NO_COLOR: '1' } }, ['issue', 'list'], { cwd: work });
  assert.not.match(plain.output, /\x1b\[/, 'NO_COLOR: no colour codes');
  assert.match(plain.output, /STATE\s+ID\s+SUMMARY/);
  // More lines than the screen: through $PAGER (here a program that saves what it gets).
  const pagerOut = join(sandbox.dir, 'paged.txt');
  const pager = join(sandbox.dir, 'pager.mjs');
  writeFileSync(
    pager,
    `import { readFileSync, writeFileSync } from 'node:fs';\nwriteFileSync(process.argv[2], readFileSync(0));\n`,
  );
  const paged = sitOnPty(
    { ...sandbox, env: { ...sandbox.env, PAGER: `${process.execPath} ${pager} ${pagerOut}` } },
    ['issue', 'show', first, '--mentions'],
    { cwd: work },
  );
  assert.is(paged.status, 0);
  assert.ok(existsSync(pagerOut), 'the pager ran');
  assert.match(readFileSync(pagerOut, 'utf8'), /Summary:.*Crash on start/);
  assert.not.match(paged.output, /Summary:/, 'the text went to the pager, not to the terminal');
});

test('sit web --readonly starts without an author; a busy port suggests --listen', async () => {
  ensureBuilt();
  const anonymous = makeSandbox({ author: false });
  const dir = join(anonymous.dir, 'work');
  assert.is(run(['init'], { sandbox: anonymous, cwd: dir }).status, 0);
  assert.is(run(['module', 'add', 'issue-tracking'], { sandbox: anonymous, cwd: dir }).status, 0);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as { port: number }).port;
  try {
    const started = await firstLine(anonymous, dir, ['web', '--readonly', '--listen', '127.0.0.1:0']);
    assert.match(started, /^Serving on http:\/\/127\.0\.0\.1:\d+$/);
    const refused = run(['web', '--readonly', '--listen', `127.0.0.1:${port}`], { sandbox: anonymous, cwd: dir });
    assert.is(refused.status, 1);
    assert.is(
      refused.stderr,
      `cannot listen on 127.0.0.1:${port}: another program (another sit web?) already uses that port; stop it, or pick another port with --listen 127.0.0.1:${port + 1}\n`,
    );
    const writer = run(['web', '--listen', '127.0.0.1:0'], { sandbox: anonymous, cwd: dir });
    assert.is(writer.status, 1);
    assert.match(writer.stderr, /authorship identity/);
  } finally {
    busy.close();
    rmSync(anonymous.dir, { recursive: true, force: true });
  }
});

/** Starts `sit ARGS`, returns its first line of output and stops it. */
function firstLine(box: Sandbox, cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIT_JS, ...args], { cwd, env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`no output from sit ${args.join(' ')}: ${err}`));
    }, 20_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(out.slice(0, nl));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (out.indexOf('\n') < 0) reject(new Error(`sit ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

test('label and assign print what the reducer makes of the change (removed first, then added, sorted)', () => {
  const id = ok(['issue', 'new', '--summary', 'Label order']).trim();
  // Labels that are not defined get a note on stderr.
  assert.is(run(['issue', 'label', id, '+zeta', '+alpha', 'mu']).stdout, `Labels of ${id}: alpha, mu, zeta\n`);
  assert.is(
    run(['issue', 'label', id, '-mu', '+beta', '--add', 'alpha']).stdout,
    `Labels of ${id}: alpha, beta, zeta\n`,
  );
  assert.is(
    ok(['issue', 'assign', id, 'Zed <z@example.org>', 'Ann <a@example.org>']),
    `Assignees of ${id}: Ann <a@example.org>, Zed <z@example.org>\n`,
  );
  const state = JSON.parse(ok(['reduce', id])) as { labels: string[]; assignees: string[] };
  assert.equal(state.labels, ['alpha', 'beta', 'zeta']);
  assert.equal(state.assignees, ['Ann <a@example.org>', 'Zed <z@example.org>']);
});

test.after(() => {
  rmSync(sandbox.dir, { recursive: true, force: true });
});

test.run();
