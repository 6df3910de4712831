// Help texts: every command's --help starts with what it does, negated flags carry no
// "(default: true)", and `sit --help` lists the commands the repository it stands in adds
// (module scripts and programs) without running anything from it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { COMMANDS } from '../src/cli/commands.ts';
import { ensureBuilt, makeSandbox, ROOT, sit } from './helpers/cli.ts';

const sandbox = makeSandbox();

test('every command\'s --help starts with what it does; no "(default: true)"', () => {
  for (const name of Object.keys(COMMANDS)) {
    const help = sit(sandbox, [name, '--help']);
    assert.is(help.status, 0, name);
    const first = help.stdout.split('\n')[0]!;
    assert.ok(
      /^[A-Z][a-z-]+ /.test(first) && first.length > 20,
      `${name} --help starts with a sentence, got ${JSON.stringify(first)}`,
    );
    assert.not.match(help.stdout, /\(default: true\)/, name);
    assert.not.match(help.stdout, / +\n/, `${name}: no trailing spaces`);
  }
  assert.match(sit(sandbox, ['trust', '--help']).stdout, /^Trust what this repository ships/);
  assert.match(
    sit(sandbox, ['items', '--help']).stdout,
    /\n {2}--no-cache {17}reduce every item again instead of using the cache\n/,
  );
  assert.is(sit(sandbox, ['help', 'trust']).stdout, sit(sandbox, ['trust', '--help']).stdout);
});

test("sit --help lists the repository's module scripts and programs, and runs none of them", () => {
  const dir = join(sandbox.dir, 'with-commands');
  mkdirSync(dir);
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  assert.is(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: dir }).status, 0);
  const marker = join(dir, 'ran');
  const program = (path: string) => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(path, 0o755);
  };
  program(join(dir, '.sit', 'cli', 'sit-deploy'));
  program(join(dir, '.sit', 'cli', 'sit-path'));
  program(join(dir, '.sit', 'modules', 'extra', 'cli', 'sit-review'));
  program(join(dir, 'tools', 'sit-manager'));
  writeFileSync(join(dir, '.sit', 'modules', 'extra', 'cli', 'sit-review.yaml'), 'name: not a program');
  writeFileSync(join(dir, '.sit', 'modules', 'extra', 'cli', 'sit-sh-script.sh'), 'echo run with sh');
  const config = readFileSync(join(dir, '.sit', 'config.json'), 'utf8');
  writeFileSync(join(dir, '.sit', 'config.json'), config.slice(0, -2) + ',\n  "external_module_manager": "manager"\n}');
  const env = { PATH: `${join(dir, 'tools')}:${process.env['PATH']}` };
  const help = sit(sandbox, ['--help'], { cwd: dir, env });
  assert.is(help.status, 0, help.stderr);
  const section = help.stdout.slice(help.stdout.indexOf('\nCommands of this repository'));
  const row = (name: string, what: string) => `  ${name.padEnd('sh-script'.length + 2)} ${what}\n`;
  assert.is(
    section,
    `\nCommands of this repository (${join(dir, '.sit')}):\n` +
      row('issue', 'a script of the issue-tracking module') +
      row('deploy', 'a program in .sit/cli (runs after `sit trust`)') +
      row('review', 'a program of the extra module (runs after `sit trust`)') +
      row('sh-script', 'a program of the extra module (runs after `sit trust`)'),
  );
  assert.not.ok(existsSync(marker), 'nothing from the repository ran');
  const fromProject = sit(sandbox, ['-r', join(dir, '.sit'), '--help'], { env });
  assert.match(fromProject.stdout, /\n {2}deploy +a program in .*\.sit\/cli \(runs after `sit trust`\)\n/);
  assert.not.match(help.stdout, /\n {2}path +a program/, 'built-in commands win, as when they run');
});

test('sit --help outside a repository, and in one without modules', () => {
  const outside = sit(sandbox, ['--help'], { cwd: sandbox.dir });
  assert.not.match(outside.stdout, /Commands of this repository|adds no commands/);
  const dir = join(sandbox.dir, 'bare');
  mkdirSync(dir);
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  assert.match(
    sit(sandbox, ['--help'], { cwd: dir }).stdout,
    /\nThis repository \(.*\) adds no commands: `sit module add issue-tracking` adds `sit issue`\.\n$/,
  );
});

test('an installed sit whose command line is missing says so in one line, status 70', () => {
  ensureBuilt();
  const broken = join(sandbox.dir, 'broken-dist');
  cpSync(join(ROOT, 'dist'), broken, { recursive: true });
  rmSync(join(broken, 'src', 'cli', 'main.js'));
  const result = spawnSync(process.execPath, [join(broken, 'src', 'sit.cjs'), 'items'], {
    cwd: sandbox.dir,
    env: sandbox.env,
    encoding: 'utf8',
  });
  assert.is(result.status, 70);
  assert.is(result.stdout, '');
  assert.match(result.stderr, /^sit: cannot load .*main\.js \(.*\); build sit again with npm run build\n$/);
  rmSync(broken, { recursive: true, force: true });
});

test.run();
