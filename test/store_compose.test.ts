import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeRecord, recordSigner } from '../src/store/compose.ts';
import { InvalidRecordFileNameError, recordHash } from '../src/store/mod.ts';
import { parseTimestamp } from '../src/timestamp.ts';
import { newRepository, tempDirs, text } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const dec = new TextDecoder();

/** The form the original `sit record` writes (chrono's UTC Debug form): 0, 3, 6 or 9 fraction digits. */
const CHRONO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;

function fileText(files: { name: string; data: Uint8Array }[], name: string): string | undefined {
  const file = files.find((f) => f.name === name);
  return file === undefined ? undefined : dec.decode(file.data);
}

test('composeRecord: the given files, a .type per type, .authors and a chrono .timestamp', () => {
  const files = composeRecord([text('text', 'hello')], {
    types: ['Commented', 'Closed'],
    author: { name: 'Ada', email: 'ada@example.org' },
  });
  assert.equal(
    files.map((f) => f.name),
    ['text', '.type/Commented', '.type/Closed', '.authors', '.timestamp'],
  );
  assert.is(fileText(files, 'text'), 'hello');
  assert.is(files.find((f) => f.name === '.type/Closed')!.data.length, 0);
  assert.is(fileText(files, '.authors'), 'Ada <ada@example.org>');
  const stamp = fileText(files, '.timestamp')!;
  assert.match(stamp, CHRONO);
  const instant = parseTimestamp(stamp)!;
  assert.ok(Math.abs(instant.seconds * 1000 - Date.now()) < 60_000, stamp);
});

test('composeRecord: an author given as text is written as it is, with no newline', () => {
  const files = composeRecord([], { types: ['Closed'], author: 'Web Tester <web@example.com>' });
  assert.is(fileText(files, '.authors'), 'Web Tester <web@example.com>');
});

test('composeRecord: without author or timestamp, neither file is added; the input is not changed', () => {
  const input = [text('a', '1')];
  const files = composeRecord(input, { timestamp: false });
  assert.equal(
    files.map((f) => f.name),
    ['a'],
  );
  assert.is(input.length, 1);
  assert.not.ok(composeRecord(input).some((f) => f.name === '.authors'));
  assert.ok(composeRecord(input).some((f) => f.name === '.timestamp'));
});

test('composeRecord: timestamps of records composed one after another strictly increase', () => {
  const stamps = Array.from({ length: 50 }, () => parseTimestamp(fileText(composeRecord([]), '.timestamp')!)!);
  for (let i = 1; i < stamps.length; i++) {
    const [a, b] = [stamps[i - 1]!, stamps[i]!];
    assert.ok(
      a.seconds < b.seconds || (a.seconds === b.seconds && a.nanos < b.nanos),
      `${JSON.stringify(a)} then ${JSON.stringify(b)}`,
    );
  }
});

test('composeRecord: a repeated type is refused when the record is written, and nothing is written', () => {
  const repo = newRepository(temp);
  const files = composeRecord([], { types: ['A', 'A'] });
  assert.throws(
    () => repo.newRecord(files),
    (error: unknown) => error instanceof InvalidRecordFileNameError,
  );
  assert.equal(repo.heads(), []);
});

test('recordSigner: none unless signing is enabled', () => {
  assert.is(recordSigner(undefined), undefined);
  assert.is(recordSigner({ enabled: false, gnupg: '/bin/false' }), undefined);
});

test('recordSigner: runs the configured program with the key on the hash of the record as written', () => {
  const dir = temp.make('sit-compose-');
  const program = join(dir, 'fake-gpg');
  // Echoes its arguments and the hash it is given: the "signature" says what it was asked to sign.
  writeFileSync(program, '#!/bin/sh\nprintf "%s " "$@"\ncat\n');
  chmodSync(program, 0o755);
  const sign = recordSigner({ enabled: true, gnupg: program, key: 'KEY1' })!;
  const repo = newRepository(temp);
  const hash = repo.newRecord(composeRecord([text('text', 'signed')], { types: ['Commented'], author: 'Ada' }), {
    sign,
  });
  const record = repo.readRecord(hash, { full: true })!;
  const signature = fileText(record.files, '.signature')!;
  const unsigned = record.files.filter((f) => f.name !== '.signature');
  assert.is(
    signature,
    `--sign --armor --detach-sign -o - --default-key KEY1 ${recordHash(unsigned, { algorithm: repo.hashingAlgorithm })}`,
  );
});

test.run();
