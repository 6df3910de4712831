// `sit daemon` through the real command line: commands answered by a running daemon print exactly
// what they print when they read the repository themselves; records written while it runs (by
// `sit`, or copied in with plain file operations) are seen by the very next command; and a socket
// that is stale, not a socket, a link, another user's, or a listener that speaks garbage or never
// answers is ignored without a word.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, relative } from 'node:path';
import { PROTOCOL } from '../src/daemon/protocol.ts';
import { makeSandbox, sit, runnersIn } from './helpers/cli.ts';
import { sitAsync } from './helpers/cli_async.ts';
import { daemonSocket, startDaemon as startSitDaemon, stopDaemon } from './helpers/daemon.ts';

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
const started: ChildProcess[] = [];
const servers: Server[] = [];
/** The connections each listener of this process holds open. */
const connections = new Map<Server, Set<import('node:net').Socket>>();

const { run, ok } = runnersIn(sandbox, work);

/** Output with relative times ("just now", "2 minutes ago") made equal: the test runs for a while. */
function timeless(text: string | undefined): string {
  return (text ?? '').replace(/\b(just now|an? [a-z]+ ago|\d+ [a-z]+ ago)\b/g, '(some time ago)');
}

/** Asserts that two outputs are the same but for relative times. */
function same(actual: string, wanted: string | undefined, message: string): void {
  assert.is(timeless(actual), timeless(wanted), message);
}

/** What a command prints when it reads the repository itself. */
const direct = (args: string[]): string => ok(args, { SIT_DAEMON: '0' });

/** Runs read-only commands at once (as `ok` checks them), each in `env`; their outputs in order. */
async function okAll(commands: string[][], env: NodeJS.ProcessEnv): Promise<string[]> {
  const outputs = await Promise.all(commands.map((args) => sitAsync(sandbox, args, work, { env })));
  return outputs.map((output, i) => {
    const args = commands[i]!;
    assert.is(output.stderr, '', `stderr of sit ${args.join(' ')}`);
    assert.is(output.status, 0, `status of sit ${args.join(' ')}`);
    return output.stdout;
  });
}

/** Records what every command of COMMANDS prints when it reads the repository itself. */
async function expectDirect(): Promise<void> {
  const outputs = await okAll(COMMANDS, { SIT_DAEMON: '0' });
  for (const [i, args] of COMMANDS.entries()) expected.set(args.join(' '), outputs[i]!);
}

/** What it prints when the daemon must answer (an error when none does). */
// A daemon busy re-reducing on a loaded machine may answer after the usual 2 s: the tests prove
// what it answers, not how fast.
const viaDaemon = (args: string[]): string => ok(args, { SIT_DAEMON: 'require', SIT_DAEMON_TIMEOUT_MS: '60000' });

/** The socket of the repository in `work` (the cache directory is the sandbox's). */
const socketFile = (): string => daemonSocket(sandbox);

/** Starts `sit daemon` and waits until it answers. */
const startDaemon = (): Promise<ChildProcess> => startSitDaemon(sandbox, work, started);

/** Stops a daemon with `signal` and waits for it to end. */
const stop = stopDaemon;

/** A listener at `path` that does `onConnection` with each connection. */
async function listen(path: string, onConnection: (socket: import('node:net').Socket) => void): Promise<Server> {
  const open = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    // The command may be gone by the time this process gets to its connection.
    socket.on('error', () => undefined);
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    onConnection(socket);
  });
  servers.push(server);
  connections.set(server, open);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => done());
  });
  return server;
}

/** Lets this process accept what the commands it waited for connected (spawnSync blocks its event loop). */
async function settle(): Promise<void> {
  await new Promise((done) => setTimeout(done, 200));
}

/** Closes `server`, cutting the connections it still holds (it closes only once they are gone). */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  for (const socket of connections.get(server) ?? []) socket.destroy();
  await closed;
}

let first = '';
let second = '';
let third = '';
let daemon: ChildProcess | undefined;
const COMMANDS: string[][] = [];
const expected = new Map<string, string>();

test.after(async () => {
  for (const child of started) await stop(child, 'SIGKILL');
  for (const server of servers) server.close();
  rmSync(sandbox.dir, { recursive: true, force: true });
});

test('set-up: a repository with a few issues, read directly', async () => {
  assert.is(run(['init']).status, 0);
  assert.is(run(['module', 'add', 'issue-tracking']).status, 0);
  first = ok(
    ['issue', 'new', '--summary', 'Crash on start', '--details', 'It crashes when started twice.', '--label', 'bug'],
    { SIT_DAEMON: '0' },
  )
    .trim()
    .split(/\s/)[0]!;
  second = ok(['issue', 'new', '--summary', 'Dark theme', '--details', 'Please add one.'], { SIT_DAEMON: '0' })
    .trim()
    .split(/\s/)[0]!;
  third = ok(['issue', 'new', '--summary', 'Typo in help', '--details', 'See #' + first.slice(0, 8)], {
    SIT_DAEMON: '0',
  })
    .trim()
    .split(/\s/)[0]!;
  ok(['issue', 'close', second, '-m', 'Done.'], { SIT_DAEMON: '0' });
  assert.ok(existsSync(join(work, '.sit', 'items', first)), `issue new printed the id (${first})`);
  COMMANDS.push(
    ['items'],
    ['items', '-q', "join(' | ', [id, summary])"],
    ['items', '-f', "state == 'open'", '-q', 'summary'],
    ['issue', 'list'],
    ['issue', 'list', '--all'],
    ['issue', 'list', 'crash'],
    ['issue', 'list', 'is:closed'],
    ['issue', 'show', first],
    ['issue', 'show', first.slice(0, 8)],
  );
  await expectDirect();
  assert.match(expected.get('issue list --all')!, /Dark theme/);
});

test('without a daemon, SIT_DAEMON=require says so in one line', () => {
  const r = run(['issue', 'list'], { SIT_DAEMON: 'require' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /^no sit daemon answers for this repository/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('daemon: the socket is 0600 in a 0700 directory; every read answers as the direct path does', async () => {
  daemon = await startDaemon();
  const path = socketFile();
  assert.ok(lstatSync(path).isSocket());
  assert.is(lstatSync(path).mode & 0o777, 0o600);
  assert.is(statSync(join(path, '..')).mode & 0o777, 0o700);
  // A busy daemon may answer after the usual 2 s (see viaDaemon).
  const outputs = await okAll(COMMANDS, { SIT_DAEMON: 'require', SIT_DAEMON_TIMEOUT_MS: '60000' });
  for (const [i, args] of COMMANDS.entries()) same(outputs[i]!, expected.get(args.join(' ')), `sit ${args.join(' ')}`);
});

test('daemon: a module command is answered whole from the memo of its last run, in the same environment only', () => {
  const marker = 'sit: answered whole by the sit daemon\n';
  for (const args of COMMANDS.filter((command) => command[0] === 'issue')) {
    ok(args);
    const r = run(args, { SIT_DEBUG: '1' });
    assert.is(r.stderr, marker, `sit ${args.join(' ')} was answered whole`);
    assert.is(r.status, 0);
    same(r.stdout, expected.get(args.join(' ')), `sit ${args.join(' ')}`);
  }
  // Another pager, say, may change what a command does: it runs as usual then.
  const other = run(['issue', 'list', '--all'], { SIT_DEBUG: '1', SIT_PAGER: 'cat' });
  assert.is(other.stderr, '');
  same(other.stdout, expected.get('issue list --all'), 'another environment');
  // A write since: the memo no longer holds, the command runs (through the daemon's reads).
  ok(['issue', 'label', second, '--add', 'ui'], { SIT_DAEMON: '0' });
  const after = run(['issue', 'show', second], { SIT_DEBUG: '1' });
  assert.is(after.stderr, '');
  assert.match(after.stdout, /Labels: +ui/);
  same(after.stdout, direct(['issue', 'show', second]), 'after a write');
});

test('daemon: a second daemon for the same repository refuses to start, in one line', () => {
  const r = run(['daemon']);
  assert.is(r.status, 1);
  assert.match(
    r.stderr,
    /^another sit daemon \(process \d+\) already answers for this repository at .*daemon\.sock; stop it first\n$/,
  );
  assert.ok(lstatSync(socketFile()).isSocket(), 'the live socket is left alone');
  same(viaDaemon(['issue', 'list', '--all']), expected.get('issue list --all'), 'issue list --all');
});

test('hostile: a cache directory that cannot hold a socket: commands read directly, sit daemon says why in one line', () => {
  for (const cache of ['/dev/full', '/dev/null/cache']) {
    same(run(['issue', 'list', '--all'], { SIT_CACHE_DIR: cache }).stdout, expected.get('issue list --all'), cache);
    const r = run(['daemon'], { SIT_CACHE_DIR: cache });
    assert.is(r.status, 1, cache);
    assert.match(r.stderr, /^cannot use .* for the socket \(.*\); set SIT_CACHE_DIR to a directory of yours\n$/, cache);
  }
});

/** Sends `text` to the daemon's socket; resolves to what it answered (up to its close) or 'closed' when it cut the connection. */
async function raw(text: string | Buffer): Promise<string> {
  const { createConnection } = await import('node:net');
  return await new Promise((done) => {
    const socket = createConnection(socketFile());
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => done('closed'));
    socket.on('close', () => done(answer === '' ? 'closed' : answer));
    socket.on('connect', () => socket.write(text));
  });
}

test('daemon: requests are size-limited and checked; nothing but answers from memory comes back', async () => {
  const probe = JSON.parse(
    await raw(
      `${JSON.stringify({ protocol: PROTOCOL, build: '?', root: '/', integrity: true, op: 'ids', args: [] })}\n`,
    ),
  );
  assert.is(probe.ok, false);
  assert.is(probe.unsure, 'another protocol or build');
  const build = probe.build as string;
  const root = join(work, '.sit');
  const ask = async (op: string, args: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.parse(
      await raw(`${JSON.stringify({ protocol: PROTOCOL, build, root, integrity: true, op, args, ...extra })}\n`),
    );
  assert.is(await raw(Buffer.alloc(70 * 1024, 'a')), 'closed', 'an oversized request is cut off');
  assert.is(JSON.parse(await raw('not json\n')).unsure, 'bad request: not JSON');
  assert.is((await ask('rm', [])).unsure, 'bad request: unknown operation');
  assert.is((await ask('ids', [], { root: '/tmp' })).unsure, 'another repository');
  assert.is((await ask('ids', [], { integrity: false })).unsure, 'another integrity setting');
  assert.match((await ask('state', ['../../../etc/passwd'])).notFound, /not found/);
  assert.match((await ask('damaged', ['../config.json'])).notFound, /not found/);
  assert.is((await ask('search', ['is:open', 'x'])).unsure, 'failed');
  const ids = await ask('ids', []);
  assert.equal(ids.value, [first, second, third].sort());
  // It still answers commands after all that.
  same(viaDaemon(['issue', 'list', '--all']), expected.get('issue list --all'), 'issue list --all');
});

test('daemon: a comment written by sit is seen by the very next command', () => {
  ok(['issue', 'comment', first, '-m', 'Seen with a daemon running.'], { SIT_DAEMON: '0' });
  const shown = viaDaemon(['issue', 'show', first]);
  assert.match(shown, /Seen with a daemon running\./);
  same(shown, direct(['issue', 'show', first]), 'issue show');
  ok(['issue', 'close', third, '-m', 'Fixed.']);
  const all = viaDaemon(['issue', 'list', 'is:closed']);
  assert.match(all, /Typo in help/);
  same(all, direct(['issue', 'list', 'is:closed']), 'issue list is:closed');
});

test('daemon: records and items copied in with plain file operations are seen by the very next command', () => {
  // Write them in a copy of the repository, then copy the new files over: records first, links last.
  const other = join(sandbox.dir, 'other');
  cpSync(join(work, '.sit'), join(other, '.sit'), { recursive: true });
  const before = new Set(listFiles(join(other, '.sit')));
  const env = { SIT_DAEMON: '0', SIT_CACHE_DIR: join(sandbox.dir, 'other-cache') };
  const r1 = sit(sandbox, ['issue', 'comment', second, '-m', 'Copied in by hand.'], { cwd: other, env });
  assert.is(r1.status, 0, r1.stderr);
  const r2 = sit(sandbox, ['issue', 'new', '--summary', 'Arrived by copy', '--details', 'From elsewhere.'], {
    cwd: other,
    env,
  });
  assert.is(r2.status, 0, r2.stderr);
  const added = listFiles(join(other, '.sit')).filter((file) => !before.has(file));
  const records = added.filter((file) => file.startsWith('records/'));
  const links = added.filter((file) => file.startsWith('items/'));
  assert.ok(records.length >= 2 && links.length >= 2, `new files: ${added.join(', ')}`);
  for (const file of [...records, ...links]) {
    mkdirSync(join(work, '.sit', file, '..'), { recursive: true });
    cpSync(join(other, '.sit', file), join(work, '.sit', file));
  }
  const list = viaDaemon(['issue', 'list', '--all']);
  assert.match(list, /Arrived by copy/);
  same(list, direct(['issue', 'list', '--all']), 'issue list --all');
  const shown = viaDaemon(['issue', 'show', second]);
  assert.match(shown, /Copied in by hand\./);
  same(shown, direct(['issue', 'show', second]), 'issue show');
});

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path, base));
    else out.push(relative(base, path));
  }
  return out;
}

test('daemon: a reducer added or removed while it runs: commands read directly until it has reduced again', async () => {
  const query = ['issue', 'list', '--all', 'label:from-a-local-reducer'];
  mkdirSync(join(work, '.sit', 'reducers'));
  writeFileSync(
    join(work, '.sit', 'reducers', 'local.js'),
    "module.exports = function (state) { return Object.assign(state, { labels: ['from-a-local-reducer'] }); };\n",
  );
  const wanted = direct(query);
  assert.match(wanted, /Dark theme/);
  same(ok(query), wanted, 'right after the change');
  assert.ok(await daemonAnswers(query, wanted), 'the daemon answers again, with the new reducer');
  rmSync(join(work, '.sit', 'reducers'), { recursive: true });
  const without = run(query, { SIT_DAEMON: '0' });
  assert.is(without.stdout, '');
  assert.equal(run(query), without, 'right after the removal');
  assert.ok(
    await daemonAnswers(['issue', 'list', '--all'], direct(['issue', 'list', '--all'])),
    'the daemon answers again, without it',
  );
});

/** Whether the daemon answers `args` with `wanted` within 60 s (it reduces every item again first). */
async function daemonAnswers(args: string[], wanted: string): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    const r = run(args, { SIT_DAEMON: 'require' });
    if (r.status === 0) return timeless(r.stdout) === timeless(wanted);
    assert.match(r.stderr, /did not answer/);
    await new Promise((done) => setTimeout(done, 500));
  }
  return false;
}

test('daemon: SIGTERM stops it and removes its socket', async () => {
  await expectDirect();
  const path = socketFile();
  assert.is(await stop(daemon!), 0);
  assert.not.ok(existsSync(path), 'the socket is gone');
});

/** Every command prints what the direct path prints, and nothing on stderr. */
function assertIgnored(what: string, commands: string[][] = COMMANDS): void {
  for (const args of commands) same(ok(args), expected.get(args.join(' ')), `${what}: sit ${args.join(' ')}`);
}

/**
 * Like {@linkcode assertIgnored}, with the commands running at once and this process free to
 * answer them meanwhile: a listener of this process must really speak to them (with `sit` run by
 * spawnSync, its connections would wait unanswered until each command gave up).
 */
async function assertIgnoredWhileListening(what: string, commands: string[][]): Promise<void> {
  const outputs = await Promise.all(commands.map((args) => sitAsync(sandbox, args, work)));
  commands.forEach((args, i) => {
    const r = outputs[i]!;
    assert.is(r.stderr, '', `${what}: stderr of sit ${args.join(' ')}`);
    assert.is(r.status, 0, `${what}: status of sit ${args.join(' ')}`);
    same(r.stdout, expected.get(args.join(' ')), `${what}: sit ${args.join(' ')}`);
  });
}

test('hostile: a stale socket (its daemon killed) is ignored, and a new daemon replaces it', async () => {
  const child = await startDaemon();
  const path = socketFile();
  await stop(child, 'SIGKILL');
  assert.ok(lstatSync(path).isSocket(), 'a killed daemon leaves its socket');
  assertIgnored('stale socket');
  const again = await startDaemon();
  same(viaDaemon(['issue', 'list', '--all']), expected.get('issue list --all'), 'issue list --all');
  assert.is(await stop(again), 0);
});

test("hostile: a regular file, a link to a live listener, or another user's socket at the path is ignored", async () => {
  const path = socketFile();
  rmSync(path, { force: true });
  writeFileSync(path, '{"protocol":"sit-daemon 1"}\n');
  assertIgnored('regular file');
  unlinkSync(path);
  // A link to a socket that answers like a daemon would (it echoes nothing useful, but must not even be asked).
  const elsewhere = join(sandbox.dir, 'elsewhere.sock');
  let asked = 0;
  const server = await listen(elsewhere, (socket) => {
    asked += 1;
    socket.end('garbage\n');
  });
  symlinkSync(elsewhere, path);
  assertIgnored('link');
  await settle();
  assert.is(asked, 0, 'a link is never followed');
  unlinkSync(path);
  await closeServer(server);
  if (process.getuid?.() === 0) {
    // Only root can make a socket that belongs to someone else.
    const foreign = await listen(path, (socket) => {
      asked += 1;
      socket.end('garbage\n');
    });
    chownSync(path, 4242, 4242);
    assertIgnored("another user's socket");
    await settle();
    assert.is(asked, 0, "another user's socket is never asked");
    await closeServer(foreign);
  }
  rmSync(path, { force: true });
});

test('hostile: listeners that speak garbage, close at once, or never answer are ignored', async () => {
  const path = socketFile();
  const behaviours: Array<[string, (socket: import('node:net').Socket) => void]> = [
    ['garbage', (socket) => socket.end('\u0000\u00ff not json at all\n')],
    [
      'another protocol',
      (socket) => socket.end('{"protocol":"sit-daemon 0","build":"x","ok":true,"value":{"total":0,"items":[]}}\n'),
    ],
    [
      'a lie of another build',
      (socket) =>
        socket.end(
          `${JSON.stringify({ protocol: PROTOCOL, build: '0.0.0 other', ok: true, value: { total: 0, items: [] } })}\n`,
        ),
    ],
    ['close at once', (socket) => socket.destroy()],
    ['endless line', (socket) => void socket.write('x'.repeat(1 << 16))],
  ];
  for (const [what, behaviour] of behaviours) {
    let asked = 0;
    const server = await listen(path, (socket) => {
      asked += 1;
      behaviour(socket);
    });
    chmodSync(path, 0o600);
    await assertIgnoredWhileListening(what, [
      ['issue', 'list', '--all'],
      ['issue', 'show', first],
    ]);
    await settle();
    assert.ok(asked > 0, `${what}: the commands did ask`);
    await closeServer(server);
    rmSync(path, { force: true });
  }
  // Never answers: the command waits a short while, then reads the repository itself.
  const held: import('node:net').Socket[] = [];
  const silent = await listen(path, (socket) => void held.push(socket));
  await assertIgnoredWhileListening('silent listener', [['issue', 'list', '--all']]);
  await settle();
  assert.ok(held.length > 0, 'the command did ask');
  for (const socket of held) socket.destroy();
  await closeServer(silent);
  rmSync(path, { force: true });
});

test.run();
