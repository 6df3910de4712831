import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Repository, SigningError, recordHash, signRecordHash, verifySignature } from '../src/store/mod.ts';
import type { RecordFile } from '../src/store/mod.ts';
import { bytes, tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const tempDir = temp.make;

const hasGpg = spawnSync('gpg', ['--version']).status === 0;

if (!hasGpg) {
  console.error('store_signing: gpg is not on PATH; signature tests skipped');
} else {
  const home = tempDir('sit-gpg-');
  const env = { ...process.env, GNUPGHOME: home };
  const params = join(home, 'params');
  writeFileSync(
    params,
    '%no-protection\nKey-Type: EDDSA\nKey-Curve: ed25519\nName-Real: Store Test\nName-Email: store@example.org\nExpire-Date: 0\n%commit\n',
  );
  const generated = spawnSync('gpg', ['--batch', '--gen-key', params], { env });
  const gpg = 'gpg';

  test('a throwaway key was generated', () => {
    assert.is(generated.status, 0, generated.stderr?.toString());
  });

  test('signing: the armored detached signature of the hash', () => {
    const signature = new TextDecoder().decode(signRecordHash('7TVNNJXPVZPZFJW5WOUIFYCR2XTN5TNG', { gnupg: gpg, env }));
    assert.match(signature, /^-----BEGIN PGP SIGNATURE-----/);
  });

  test('a record signed with its parent links verifies; a changed record does not', () => {
    const repo = Repository.open(Repository.init(tempDir()).path);
    repo.newRecord([{ name: 'text', data: bytes('root') }]);
    const hash = repo.newRecord([{ name: 'text', data: bytes('signed child') }], {
      sign: (h) => signRecordHash(h, { gnupg: gpg, env }),
    });
    const record = repo.readRecord(hash, { full: true })!;
    assert.ok(record.files.some((f) => f.name.startsWith('.prev/')));
    const dir = repo.recordPath(hash)!;
    const result = verifySignature(dir, record.files, { gnupg: gpg, env });
    assert.is(result.success, true, result.output);
    assert.match(result.output, /Good signature/);
    const tampered = record.files.map((f) => (f.name === 'text' ? { name: 'text', data: bytes('changed') } : f));
    assert.is(verifySignature(dir, tampered, { gnupg: gpg, env }).success, false);
  });

  test('the 0.4 rule (signature without .prev links) also verifies', () => {
    const dir = tempDir();
    const files: RecordFile[] = [{ name: 'text', data: bytes('old style') }];
    const signature = signRecordHash(recordHash(files), { gnupg: gpg, env });
    writeFileSync(join(dir, '.signature'), signature);
    const withParent = [
      ...files,
      { name: '.prev/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', data: new Uint8Array(0) },
      { name: '.signature', data: signature },
    ];
    assert.is(verifySignature(dir, withParent, { gnupg: gpg, env }).success, true);
  });

  test('a failing or missing program is a SigningError', () => {
    const failing = join(home, 'failing-gpg');
    writeFileSync(failing, '#!/bin/sh\necho "gpg: no default secret key" >&2\nexit 2\n', { mode: 0o755 });
    // It exits without reading the hash it is given: some writes fail with EPIPE, which must
    // still read as a refusal, not as a program that could not run.
    for (let i = 0; i < 50; i++) {
      assert.throws(
        () => signRecordHash('X', { gnupg: failing, env }),
        (e: Error) => e instanceof SigningError && /refused to sign.*no default secret key/.test(e.message),
      );
    }
    assert.throws(
      () => signRecordHash('X', { gnupg: join(home, 'no-such-gpg'), env }),
      (e: Error) => e instanceof SigningError && /cannot run GnuPG/.test(e.message),
    );
  });

  test.after(() => {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env });
  });
}

test.after(temp.cleanup);
test.run();
