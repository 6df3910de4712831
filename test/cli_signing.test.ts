import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSandbox, sit } from './helpers/cli.ts';

const hasGpg = spawnSync('gpg', ['--version']).status === 0;

if (!hasGpg) {
  console.error('cli_signing: gpg is not on PATH; sit record --sign tests skipped');
} else {
  const sandbox = makeSandbox();
  const home = join(sandbox.dir, 'gnupg');
  mkdirSync(home, { mode: 0o700 });
  sandbox.env.GNUPGHOME = home;
  const params = join(home, 'params');
  writeFileSync(
    params,
    '%no-protection\nKey-Type: EDDSA\nKey-Curve: ed25519\nName-Real: CLI Test\nName-Email: cli@example.org\nExpire-Date: 0\n%commit\n',
  );
  const generated = spawnSync('gpg', ['--batch', '--gen-key', params], { env: sandbox.env });

  test('sit record --sign signs with GnuPG (parent links included) and sit records -v verifies', () => {
    assert.is(generated.status, 0, generated.stderr?.toString());
    const dir = join(sandbox.dir, 'project');
    mkdirSync(dir);
    assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
    writeFileSync(join(dir, 'text'), 'first');
    sit(sandbox, ['record', 'text'], { cwd: dir });
    writeFileSync(join(dir, 'text'), 'signed');
    const signed = sit(sandbox, ['record', '--sign', '--signing-key', 'cli@example.org', '--gnupg', 'gpg', 'text'], {
      cwd: dir,
    });
    assert.is(signed.status, 0, signed.stderr);
    const verified = sit(
      sandbox,
      ['records', '-v', '-f', "contains(keys(files), '.signature')", '-q', 'verification.success'],
      { cwd: dir },
    );
    assert.is(verified.stdout, 'true\n', verified.stderr);
    const keys = sit(sandbox, ['records', '-q', "length(keys(files)[?starts_with(@, '.prev/')])"], { cwd: dir });
    assert.is(keys.stdout, '0\n1\n');
    const refused = sit(sandbox, ['record', '--gnupg', 'gpg', 'text'], { cwd: dir });
    assert.is(refused.status, 1);
    assert.match(refused.stderr, /need --sign/);
    const failing = sit(sandbox, ['record', '--sign', '--gnupg', '/nonexistent/gpg', 'text'], { cwd: dir });
    assert.is(failing.status, 1);
    assert.match(failing.stderr, /^cannot run GnuPG \(\/nonexistent\/gpg\)/);
    assert.is(sit(sandbox, ['records'], { cwd: dir }).stdout.trim().split('\n').length, 2, 'no record written');
  });

  test.after(() => {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: sandbox.env });
  });
}

test.run();
