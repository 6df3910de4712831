// The daemon's protocol: the socket sits in the same directory as the repository's caches, and
// requests and answers that are not exactly of this protocol and build are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheFile } from '../src/reduce/cache.ts';
import { buildId, parseAnswer, parseRequest, PROTOCOL, socketPath } from '../src/daemon/protocol.ts';

const dir = mkdtempSync(join(tmpdir(), 'sit-protocol-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the socket is in the cache directory of the repository, whatever locates it', () => {
  const envs: NodeJS.ProcessEnv[] = [
    { SIT_CACHE_DIR: join(dir, 'cache') },
    { XDG_CACHE_HOME: join(dir, 'xdg') },
    { XDG_CACHE_HOME: 'relative/ignored' },
    {},
  ];
  for (const env of envs) {
    for (const root of [dir, join(dir, 'missing', '.sit')]) {
      assert.is(socketPath(root, env), join(dirname(cacheFile(root, env)), 'daemon.sock'), JSON.stringify(env));
    }
  }
});

test('requests: only known operations, with the fields of the protocol', () => {
  const good = { protocol: PROTOCOL, build: buildId(), root: dir, integrity: true, op: 'search', args: [{}, {}] };
  assert.equal(parseRequest(JSON.stringify(good)), good);
  assert.is(parseRequest('{'), 'not JSON');
  assert.is(parseRequest('[]'), 'not an object');
  assert.is(parseRequest(JSON.stringify({ ...good, op: 'constructor' })), 'unknown operation');
  assert.is(parseRequest(JSON.stringify({ ...good, op: '__proto__' })), 'unknown operation');
  assert.is(parseRequest(JSON.stringify({ ...good, integrity: 'yes' })), 'protocol, build, root or integrity missing');
  assert.is(parseRequest(JSON.stringify({ ...good, args: [1, 2, 3, 4, 5] })), 'bad arguments');
});

test('answers: another protocol or build, or a malformed answer, is no answer', () => {
  const base = { protocol: PROTOCOL, build: buildId() };
  assert.equal(parseAnswer(JSON.stringify({ ...base, ok: true, value: [1] })), { ...base, ok: true, value: [1] });
  assert.ok(parseAnswer(JSON.stringify({ ...base, ok: false, notFound: 'Item x not found' })));
  assert.ok(parseAnswer(JSON.stringify({ ...base, ok: false, unsure: 'rebuilding' })));
  assert.is(parseAnswer(JSON.stringify({ ...base, build: 'other', ok: true, value: 1 })), undefined);
  assert.is(parseAnswer(JSON.stringify({ ...base, protocol: 'sit-daemon 0', ok: true, value: 1 })), undefined);
  assert.is(parseAnswer(JSON.stringify({ ...base, ok: true })), undefined);
  assert.is(parseAnswer(JSON.stringify({ ...base, ok: false })), undefined);
  assert.is(parseAnswer(JSON.stringify({ ...base, ok: true, value: 1, bytes: -1 })), undefined);
  assert.is(parseAnswer(JSON.stringify({ ...base, ok: true, value: 1, bytes: 1.5 })), undefined);
  assert.is(parseAnswer(JSON.stringify({ ...base, ok: true, value: 1, bytes: 2 ** 40 })), undefined);
  assert.equal(parseAnswer(JSON.stringify({ ...base, ok: true, value: 1, bytes: 7 })), {
    ...base,
    ok: true,
    value: 1,
    bytes: 7,
  });
  assert.is(parseAnswer('garbage'), undefined);
  assert.is(parseAnswer('null'), undefined);
});

test.run();
