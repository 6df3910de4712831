import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SIT_JS, makeSandbox, sit, sit as run } from './helpers/cli.ts';

const sandbox = makeSandbox();

function project(name: string): string {
  const dir = join(sandbox.dir, name);
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  return dir;
}

function script(path: string, body: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

test("a sit-NAME program on PATH runs with SIT_DIR and SIT set, and its exit status is sit's", () => {
  const dir = project('path-program');
  const bin = join(sandbox.dir, 'bin');
  script(join(bin, 'sit-hello'), 'echo "hello $1 from $SIT_DIR"; echo "sit=$SIT"; exit 3');
  const result = sit(sandbox, ['hello', 'world'], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}` } });
  assert.is(result.status, 3);
  assert.is(result.stdout, `hello world from ${join(dir, '.sit')}\nsit=${SIT_JS}\n`);
});

test('an unknown command is a one-line error', () => {
  const dir = project('unknown');
  const result = sit(sandbox, ['frobnicate'], { cwd: dir });
  assert.is(result.status, 1);
  assert.is(
    result.stderr,
    'unknown command "frobnicate": not a built-in, a module script or a sit-frobnicate program; this repository has no modules: add the issue tracker with `sit module add issue-tracking` (see `sit module --help`)\n',
  );
  // Names of an object's own properties are no commands either (nor an internal error).
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const other = sit(sandbox, [name], { cwd: dir });
    assert.is(other.status, 1, name);
    assert.match(other.stderr, new RegExp(`^unknown command "${name}"`), name);
  }
});

test('executables shipped in .sit/cli run only after sit trust, and again only after a change is trusted', () => {
  const dir = join(sandbox.dir, 'Trust-Case');
  mkdirSync(dir);
  const own = makeSandbox();
  const sit = (_: unknown, args: string[], options: { cwd: string }) => run(own, args, options);
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  const program = join(dir, '.sit', 'cli', 'sit-shipped');
  script(program, 'echo shipped v1');
  const refused = sit(sandbox, ['shipped'], { cwd: dir });
  assert.is(refused.status, 1);
  assert.match(
    refused.stderr,
    /^refusing to run .*sit-shipped: the executables shipped in this repository are not trusted .* run `sit trust`\n$/,
  );
  assert.is(refused.stdout, '');
  const trust = sit(sandbox, ['trust'], { cwd: dir });
  assert.is(trust.status, 0, trust.stderr);
  assert.is(sit(sandbox, ['shipped'], { cwd: dir }).stdout, 'shipped v1\n');
  script(program, 'echo shipped v2: changed by somebody else');
  const changed = sit(sandbox, ['shipped'], { cwd: dir });
  assert.is(changed.status, 1);
  assert.match(changed.stderr, /not trusted/);
  script(join(dir, '.sit', 'modules', 'extra', 'cli', 'sit-other'), 'echo other');
  sit(sandbox, ['trust'], { cwd: dir });
  assert.is(sit(sandbox, ['shipped'], { cwd: dir }).stdout, 'shipped v2: changed by somebody else\n');
  assert.is(sit(sandbox, ['other'], { cwd: dir }).stdout, 'other\n');
  script(join(dir, '.sit', 'modules', 'extra', 'cli', 'sit-other'), 'echo other, changed');
  assert.is(sit(sandbox, ['other'], { cwd: dir }).status, 1);
  assert.is(sit(sandbox, ['shipped'], { cwd: dir }).status, 1);
});

test('an external module manager inside the project runs only after sit trust; reviewing runs nothing', () => {
  const dir = project('manager');
  const own = makeSandbox();
  const marker = join(dir, 'manager-ran');
  const config = readFileSync(join(dir, '.sit', 'config.json'), 'utf8');
  writeFileSync(join(dir, '.sit', 'config.json'), config.slice(0, -2) + ',\n  "external_module_manager": "mm"\n}');
  assert.is(run(own, ['item', '--id', 'one'], { cwd: dir }).status, 0);
  const tools = join(dir, 'tools');
  script(join(tools, 'sit-mm'), `: > ${marker}`);
  const env = { PATH: `${tools}:${process.env.PATH}` };
  const items = run(own, ['items'], { cwd: dir, env });
  assert.is(items.status, 1);
  assert.match(
    items.stderr,
    /^external module manager .*sit-mm comes from the repository; review it and run `sit trust` before using it\n$/,
  );
  const list = run(own, ['trust', '--list'], { cwd: dir, env });
  assert.is(list.status, 0, list.stderr);
  assert.is(list.stdout, `${join(tools, 'sit-mm')} (not trusted)\n`);
  assert.not.ok(existsSync(marker), 'sit trust --list ran nothing');
  assert.is(run(own, ['trust'], { cwd: dir, env }).status, 0);
  assert.not.ok(existsSync(marker), 'sit trust ran nothing');
  const trusted = run(own, ['items'], { cwd: dir, env });
  assert.is(trusted.status, 0, trusted.stderr);
  assert.ok(existsSync(marker), 'the trusted manager ran');
  script(join(tools, 'sit-mm'), `: > ${marker}; echo changed`);
  assert.match(run(own, ['items'], { cwd: dir, env }).stderr, /run `sit trust`/);
});

test('an external module manager name with a path in it is refused with a one-line error', () => {
  const dir = project('manager-path');
  const marker = join(dir, 'ran');
  assert.is(sit(sandbox, ['item', '--id', 'one'], { cwd: dir }).status, 0);
  script(join(dir, '.sit', 'evil'), `: > ${marker}`);
  const config = readFileSync(join(dir, '.sit', 'config.json'), 'utf8');
  writeFileSync(
    join(dir, '.sit', 'config.json'),
    config.slice(0, -2) +
      `,\n  "external_module_manager": ${JSON.stringify(`/../../../../../../../../..${join(dir, '.sit', 'evil')}`)}\n}`,
  );
  for (const args of [['items'], ['trust', '--list'], ['trust']]) {
    const result = sit(sandbox, args, { cwd: dir });
    assert.is(result.status, 1, args.join(' '));
    assert.match(result.stderr, /^invalid "external_module_manager" .* it must be a plain program name .*\n$/);
  }
  assert.not.ok(existsSync(marker));
});

test('built-in commands win over shipped programs of the same name', () => {
  const dir = project('builtin');
  script(join(dir, '.sit', 'cli', 'sit-path'), 'echo not the built-in');
  assert.is(sit(sandbox, ['path'], { cwd: dir }).stdout, `${join(dir, '.sit')}\n`);
});

test('sit upgrade migrates issues/ and legacy record directories, printing each upgrade', () => {
  const dir = join(sandbox.dir, 'legacy');
  mkdirSync(join(dir, '.sit'), { recursive: true });
  writeFileSync(
    join(dir, '.sit', 'config.json'),
    JSON.stringify({
      hashing_algorithm: { blake2b: { size: 20 } },
      encoding: 'base32',
      id_generator: 'uuiv4',
      version: '1',
    }),
  );
  const record = join(dir, '.sit', 'issues', 'one', '7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG');
  mkdirSync(record, { recursive: true });
  writeFileSync(join(record, 'test'), 'hello');
  const before = sit(sandbox, ['items'], { cwd: dir });
  assert.is(before.status, 1);
  assert.match(before.stderr, /needs an upgrade .*run `sit upgrade`/);
  const upgrade = sit(sandbox, ['upgrade'], { cwd: dir });
  assert.is(upgrade.status, 0, upgrade.stderr);
  assert.is(upgrade.stdout, "renaming issues/ to items/\nmigrating items' records to flat records namespace\n");
  assert.is(sit(sandbox, ['records', 'one'], { cwd: dir }).stdout, '7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG\n');
  assert.ok(
    existsSync(
      join(
        dir,
        '.sit',
        'records',
        '7T',
        'VN',
        'NJ',
        'XP',
        'VZ',
        'PZ',
        'FJ',
        'W5',
        'WO',
        'UI',
        'FY',
        'CR',
        '2X',
        'TN',
        '5T',
        '7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG',
        'test',
      ),
    ),
  );
  assert.is(sit(sandbox, ['upgrade'], { cwd: dir }).stdout, '');
});

test('sit rebuild re-hashes records into a new repository, mapping parent links and item links', () => {
  const dir = project('rebuild');
  sit(sandbox, ['item', '--id', 'one'], { cwd: dir });
  writeFileSync(join(dir, 'text'), 'first');
  const first = sit(sandbox, ['record', '--no-aux', '-t', 'Commented', 'one', 'text'], { cwd: dir }).stdout.trim();
  writeFileSync(join(dir, 'text'), 'second');
  sit(sandbox, ['record', '--no-aux', '-t', 'Commented', 'one', 'text'], { cwd: dir });
  const bin = join(sandbox.dir, 'bin-rebuild');
  script(join(bin, 'add-note'), 'echo rebuilt > "$1/note"');
  const result = sit(
    sandbox,
    ['rebuild', join(dir, '.sit'), join(dir, 'rebuilt'), '--on-record', join(bin, 'add-note')],
    { cwd: dir },
  );
  assert.is(result.status, 0, result.stderr);
  const records = sit(sandbox, ['-r', join(dir, 'rebuilt'), 'records', 'one', '-q', 'files'], { cwd: dir }).stdout;
  const parsed = JSON.parse(`[${records.trim().replace(/\n}\n{/g, '},{')}]`) as Array<Record<string, string>>;
  assert.is(parsed.length, 2);
  assert.is(parsed[0]!.note, 'rebuilt\n');
  assert.is(parsed[1]!.text, 'second');
  const newFirst = readdirSync(join(dir, 'rebuilt', 'items', 'one')).find((h) =>
    Object.keys(parsed[1]!).includes(`.prev/${h}`),
  );
  assert.ok(newFirst !== undefined && newFirst !== first);
  assert.is(sit(sandbox, ['-r', join(dir, 'rebuilt'), 'integrity'], { cwd: dir }).status, 0);
});

test('config, modules and module add', () => {
  const dir = project('config');
  const user = sit(sandbox, ['config'], { cwd: dir });
  assert.is(user.stdout, '{\n  "author": {\n    "name": "Test User",\n    "email": "test@example.org"\n  }\n}\n');
  assert.is(sit(sandbox, ['config', 'user', '-q', 'author.name'], { cwd: dir }).stdout, 'Test User\n');
  assert.is(sit(sandbox, ['config', 'repository', '-q', 'version'], { cwd: dir }).stdout, '1\n');
  assert.is(sit(sandbox, ['modules'], { cwd: dir }).stdout, '');
  const add = sit(sandbox, ['module', 'add', 'issue-tracking', '--copy'], { cwd: dir });
  assert.is(add.status, 0, add.stderr);
  assert.is(sit(sandbox, ['modules'], { cwd: dir }).stdout, `${join(dir, '.sit', 'modules', 'issue-tracking')}\n`);
  assert.equal(
    readdirSync(join(dir, '.sit', 'modules', 'issue-tracking', 'reducers')),
    readdirSync(join(ROOT, 'modules', 'issue-tracking', 'reducers')),
  );
  assert.is(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: dir }).status, 1);
  const unknown = sit(sandbox, ['module', 'add', 'nope'], { cwd: dir });
  assert.match(unknown.stderr, /no module named "nope" ships with sit; known modules: issue-tracking/);
  renameSync(join(dir, '.sit', 'modules'), join(dir, 'moved'));
  const linked = project('linked');
  assert.is(sit(sandbox, ['init', '--module', 'issue-tracking'], { cwd: linked }).status, 0);
  // A link naming the module shipped with sit, not a path of this machine.
  assert.is(readFileSync(join(linked, '.sit', 'modules', 'issue-tracking'), 'utf8'), 'sit:issue-tracking');
  assert.is(sit(sandbox, ['modules'], { cwd: linked }).stdout, `${join(ROOT, 'modules', 'issue-tracking')}\n`);
});

test.run();
