// `sit args` from the command line, and a shell script written for the original SIT (driven by
// `"$SIT" args` with a clap YAML specification beside it) run as a trusted `.sit/cli` program,
// also when the PATH it is started with has no `node` on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, sit } from './helpers/cli.ts';

const sandbox = makeSandbox();

const SPEC = `name: Greeter
version: 1.2.3
settings: [ColoredHelp, DisableHelpSubcommand]
subcommands:
  - hello:
      about: Say hello
      args:
        - NAME:
            required: true
            takes_value: true
            index: 1
        - loud:
            short: l
            long: loud
  - count:
  - help:
`;

// A script in the style of the original module's bash commands: the specification is piped into
// "$SIT args", line 1 is the subcommand, the value is taken back with eval.
const SCRIPT = `#!/usr/bin/env bash
dir=$(dirname "$0")
spec=$(cat "$dir/sit-greet.yaml")
output=$(echo "$spec" | "$SIT" args -- "sit greet" "$@") || exit $?
command=$(echo "$output" | head -1)
case "$command" in
  hello)
    line=$(echo "$output" | grep '^NAME ')
    read -r arg occurs index value <<< "$line"
    eval "name=$value"
    if echo "$output" | grep -q '^loud '; then echo "HELLO, $name!"; else echo "Hello, $name."; fi
    ;;
  count)
    "$SIT" items | wc -l | tr -d ' '
    ;;
  *)
    echo "$spec" | "$SIT" args --help
    ;;
esac
`;

test('sit args: matches on stdout, clap errors on stderr with exit 1, help with exit 0', () => {
  const ok = sit(sandbox, ['args', '--', 'sit greet', 'hello', '-l', 'Ada Lovelace'], { input: SPEC });
  assert.is(ok.status, 0, ok.stderr);
  assert.is(ok.stdout, 'hello\nNAME 1 2 "Ada Lovelace" \nloud 1 1 \n');
  const none = sit(sandbox, ['args', '--', 'sit greet'], { input: SPEC });
  assert.equal([none.status, none.stdout], [0, '\n']);
  const missing = sit(sandbox, ['args', '--', 'sit greet', 'hello'], { input: SPEC });
  assert.is(missing.status, 1);
  assert.is(missing.stdout, '');
  assert.match(
    missing.stderr,
    /^error: The following required arguments were not provided:\n {4}<NAME>\n\nUSAGE:\n {4}sit greet hello \[FLAGS\] <NAME>\n/,
  );
  const help = sit(sandbox, ['args', '--help'], { input: SPEC });
  assert.is(help.status, 0);
  assert.ok(help.stdout.startsWith('Greeter 1.2.3\n\nUSAGE:\n    Greeter [SUBCOMMAND]\n'), help.stdout);
  const version = sit(sandbox, ['args', '--', 'sit greet', '--version'], { input: SPEC });
  assert.equal([version.status, version.stdout], [0, 'sit-greet 1.2.3\n']);
});

test('sit args: its own help without a specification; bad specifications and usage are one line', () => {
  const own = sit(sandbox, ['args', '--help']);
  assert.is(own.status, 0);
  assert.match(own.stdout, /^Parse a script's arguments against a clap \(2\.x\) YAML specification/);
  const empty = sit(sandbox, ['args', '--', 'x']);
  assert.equal(
    [empty.status, empty.stderr],
    [1, 'sit args: no specification on standard input; pipe a clap YAML application specification in\n'],
  );
  const bad = sit(sandbox, ['args', '--', 'x'], { input: 'name: x\nsettings: [Bogus]\n' });
  assert.equal(
    [bad.status, bad.stderr],
    [1, 'sit args: invalid clap specification: application "x", settings: unknown AppSetting "Bogus"\n'],
  );
  const yaml = sit(sandbox, ['args', '--', 'x'], { input: 'name: [x\n' });
  assert.match(yaml.stderr, /^sit args: YAML line 1: expected "," or "\]" in a flow collection\n$/);
  const stray = sit(sandbox, ['args', 'x'], { input: SPEC });
  assert.is(stray.status, 1);
  assert.match(stray.stderr, /the arguments to parse follow `--`/);
  assert.ok(sit(sandbox, ['--help']).stdout.includes('  args '), 'sit --help lists sit args');
});

function greetProject(name: string): string {
  const dir = join(sandbox.dir, name);
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  mkdirSync(join(dir, '.sit', 'cli'));
  writeFileSync(join(dir, '.sit', 'cli', 'sit-greet'), SCRIPT);
  chmodSync(join(dir, '.sit', 'cli', 'sit-greet'), 0o755);
  writeFileSync(join(dir, '.sit', 'cli', 'sit-greet.yaml'), SPEC);
  return dir;
}

test('a shell script driven by "$SIT args" runs unchanged once trusted', () => {
  const dir = greetProject('greet');
  const refused = sit(sandbox, ['greet', 'hello', 'x'], { cwd: dir });
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /not trusted/);
  assert.is(sit(sandbox, ['trust'], { cwd: dir }).status, 0);
  const hello = sit(sandbox, ['greet', 'hello', 'Grace $(touch pwned) "Hopper"'], { cwd: dir });
  assert.is(hello.status, 0, hello.stderr);
  assert.is(hello.stdout, 'Hello, Grace $(touch pwned) "Hopper".\n', 'the value comes back exactly, nothing is run');
  assert.is(sit(sandbox, ['greet', 'hello', '--loud', 'Ada'], { cwd: dir }).stdout, 'HELLO, Ada!\n');
  assert.is(sit(sandbox, ['item', '--id', 'one'], { cwd: dir }).status, 0);
  assert.is(sit(sandbox, ['greet', 'count'], { cwd: dir }).stdout, '1\n', '"$SIT items" works from the script');
  const help = sit(sandbox, ['greet'], { cwd: dir });
  assert.match(help.stdout, /^Greeter 1\.2\.3\n/);
  const wrong = sit(sandbox, ['greet', 'hello'], { cwd: dir });
  assert.is(wrong.status, 1);
  assert.match(wrong.stderr, /^error: The following required arguments were not provided/);
});

test('"$SIT" is executable and finds this node even when PATH has none', () => {
  const dir = greetProject('no-node-on-path');
  assert.is(sit(sandbox, ['trust'], { cwd: dir }).status, 0);
  const bin = join(sandbox.dir, 'bare-bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['bash', 'sh', 'cat', 'dirname', 'head', 'grep', 'env', 'wc', 'tr']) {
    const found = ['/usr/bin', '/bin']
      .map((d) => join(d, tool))
      .find((p) => statSync(p, { throwIfNoEntry: false })?.isFile());
    if (found !== undefined) symlinkSync(found, join(bin, tool));
  }
  const result = sit(sandbox, ['greet', 'hello', 'Linus'], { cwd: dir, env: { PATH: bin } });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout, 'Hello, Linus.\n');
});

test.run();
