// A module command answered whole by `sit daemon`: once the daemon has checked a memo, it replays
// it without making its repository reads again, until anything in items/ changes; reads of the
// user's configuration are still made every time. And the output that follows the answer line as
// plain bytes is used only when exactly the announced bytes arrive.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { askDaemon } from '../src/daemon/client.ts';
import { buildId, PROTOCOL } from '../src/daemon/protocol.ts';
import { makeSandbox, SIT_ESM, runnersIn } from './helpers/cli.ts';
import { sitAsync } from './helpers/cli_async.ts';
import { daemonSocket, startDaemon } from './helpers/daemon.ts';

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
const started: ChildProcess[] = [];
const servers: Server[] = [];
const MARKER = 'sit: answered whole by the sit daemon\n';

test.after(async () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of servers) server.close();
  rmSync(sandbox.dir, { recursive: true, force: true });
});

const { run, ok } = runnersIn(sandbox, work);

/** Runs `args` and asserts that the daemon answered it whole; its output. */
function whole(args: string[]): string {
  const r = run(args, { SIT_DEBUG: '1' });
  assert.is(r.stderr, MARKER, `sit ${args.join(' ')} was answered whole`);
  assert.is(r.status, 0);
  return r.stdout;
}

const direct = (args: string[]): string => ok(args, { SIT_DAEMON: '0' });

function setAuthor(name: string): void {
  writeFileSync(
    join(sandbox.env.XDG_CONFIG_HOME!, 'sit', 'config.json'),
    JSON.stringify({ author: { name, email: 'test@example.org' } }),
  );
}

// A probe that reads the repository (its item ids, its configuration, a search) and the user's
// configuration (the author), and prints them.
const PROBE = `module.exports = function (sit) {
  sit.print('ids: ' + sit.itemIds().sort().join(' '));
  sit.print('open: ' + sit.search('is:open', { select: 'summary' }).items.join(', '));
  sit.print('config: ' + JSON.stringify(sit.config()));
  sit.print('author: ' + sit.author());
  return 0;
};
`;

let daemon: ChildProcess | undefined;
let first = '';

test('set-up: a repository with an issue and a probe module, and a daemon for it', async () => {
  assert.is(run(['init']).status, 0);
  assert.is(run(['module', 'add', 'issue-tracking']).status, 0);
  mkdirSync(join(work, '.sit', 'modules', 'probe', 'cli'), { recursive: true });
  writeFileSync(join(work, '.sit', 'modules', 'probe', 'cli', 'probe.js'), PROBE);
  first = direct(['issue', 'new', '--summary', 'Crash on start', '--details', 'Twice.']).trim().split(/\s/)[0]!;
  daemon = await startDaemon(sandbox, work, started);
});

test('a memo checked once is replayed again and again; the answer stays what the direct path prints', () => {
  const wanted = direct(['probe']);
  assert.match(wanted, new RegExp(`ids: ${first}\\n`));
  assert.match(wanted, /author: Test User <test@example.org>/);
  ok(['probe']);
  // The first replay checks every read; the next ones skip those of the repository.
  for (let i = 0; i < 3; i++) assert.is(whole(['probe']), wanted, `replay ${i + 1}`);
});

test('the installed sit and the command line as an ES module print the same, with a daemon or without', () => {
  const esm = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [SIT_ESM, ...args], {
      cwd: work,
      env: { ...sandbox.env, ...env },
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cases: Array<[string[], NodeJS.ProcessEnv]> = [
    [['--version'], {}],
    [['--help'], {}],
    [['no-such-command'], {}],
    [['-r'], {}],
    [['items', '-q', 'id'], {}],
    [['probe'], {}],
    [['probe'], { SIT_DAEMON: '0' }],
    [['probe'], { SIT_DEBUG: '1' }],
    [['issue', 'show', 'no-such-issue'], {}],
  ];
  for (const [args, env] of cases) {
    const installed = run(args, env);
    assert.equal(esm(args, env), installed, `sit ${args.join(' ')}`);
  }
  assert.is(run(['probe'], { SIT_DEBUG: '1' }).stderr, MARKER, 'the installed sit is answered whole');
  assert.is(run(['no-such-command']).status, 1);
});

test('an empty item directory made by hand is seen by the very next replay', () => {
  whole(['probe']);
  const id = '0b5f2c6e-1d2a-4c55-9a3e-7f00aa11bb22';
  mkdirSync(join(work, '.sit', 'items', id));
  const after = run(['probe']).stdout;
  assert.match(after, new RegExp(`ids: .*${id}`));
  assert.is(after, direct(['probe']));
  rmSync(join(work, '.sit', 'items', id), { recursive: true });
  const gone = run(['probe']).stdout;
  assert.not.match(gone, new RegExp(id));
  assert.is(gone, direct(['probe']));
});

test('a new issue and a closed one are seen by the very next replay', () => {
  const before = whole(['probe']);
  whole(['probe']);
  const second = direct(['issue', 'new', '--summary', 'Dark theme', '--details', 'Please.']).trim().split(/\s/)[0]!;
  const after = run(['probe']).stdout;
  assert.is.not(after, before);
  assert.match(after, /open: (Crash on start, Dark theme|Dark theme, Crash on start)\n/);
  assert.is(after, direct(['probe']));
  assert.is(whole(['probe']), after, 'answered whole again once checked');
  direct(['issue', 'close', second]);
  const closed = run(['probe']).stdout;
  assert.match(closed, /open: Crash on start\n/);
  assert.is(closed, direct(['probe']));
});

test("the user's configuration is read again on every replay", () => {
  whole(['probe']);
  whole(['probe']);
  setAuthor('Someone Else');
  try {
    const other = run(['probe']).stdout;
    assert.match(other, /author: Someone Else <test@example.org>/);
    assert.is(other, direct(['probe']));
  } finally {
    setAuthor('Test User');
  }
  assert.match(run(['probe']).stdout, /author: Test User/);
});

test('the repository configuration changed by hand: the next command prints the new one', () => {
  const configFile = join(work, '.sit', 'config.json');
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  whole(['probe']);
  whole(['probe']);
  writeFileSync(configFile, JSON.stringify({ ...config, probe: 'changed' }, null, 2));
  const after = run(['probe']).stdout;
  assert.match(after, /"probe":"changed"/);
  assert.is(after, direct(['probe']));
});

/** A raw request to the socket at `path`; the answer's bytes. */
function ask(path: string, request: object): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(path);
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => done(Buffer.concat(chunks)));
    socket.on('error', fail);
  });
}

async function listen(path: string, onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => onConnection(socket));
  });
  servers.push(server);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => done());
  });
  chmodSync(path, 0o600);
  return server;
}

test('hostile: output shorter or longer than announced is no answer; the command reads the repository itself', async () => {
  const path = daemonSocket(sandbox);
  const root = join(work, '.sit');
  // The compiled build's identity, as its daemon states it.
  const pong = JSON.parse(
    (await ask(path, { protocol: PROTOCOL, build: 'x', root, integrity: true, op: 'ping', args: [] })).toString(),
  ) as { build: string };
  const build = pong.build;
  daemon!.kill('SIGTERM');
  await new Promise((done) => daemon!.once('exit', done));
  rmSync(path, { force: true });
  const wanted = direct(['issue', 'list', '--all']);
  const line = (bytes: number) =>
    `${JSON.stringify({ protocol: PROTOCOL, build, ok: true, value: { stderr: '', status: 0 }, bytes })}\n`;
  const behaviours: Array<[string, (socket: Socket) => void]> = [
    ['fewer bytes, then the end', (socket) => socket.end(`${line(100)}forged`)],
    ['more bytes than announced', (socket) => socket.end(`${line(3)}forged output`)],
    ['a negative count', (socket) => socket.end(`${line(-1)}`)],
    ['a count past the limit', (socket) => socket.end(`${line(2 ** 40)}forged`)],
  ];
  for (const [what, behaviour] of behaviours) {
    let asked = 0;
    const server = await listen(path, (socket) => {
      asked += 1;
      behaviour(socket);
    });
    const r = await sitAsync(sandbox, ['issue', 'list', '--all'], work, { env: { SIT_DEBUG: '1' } });
    assert.is(r.status, 0, what);
    assert.is(r.stdout, wanted, what);
    assert.not.match(r.stderr, /answered whole/, what);
    assert.ok(asked > 0, `${what}: the command did ask`);
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(path, { force: true });
  }
  // Exactly the announced bytes, in several pieces: that is the answer.
  const server = await listen(path, (socket) => {
    socket.write(line(11));
    socket.write('exact ');
    setTimeout(() => socket.end('bytes'), 20);
  });
  const r = await sitAsync(sandbox, ['issue', 'list', '--all'], work, { env: { SIT_DEBUG: '1' } });
  assert.is(r.stdout, 'exact bytes');
  assert.is(r.stderr, MARKER);
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(path, { force: true });
});

test('the client: data announced by the line is handed over whole, in the pieces it came in', async () => {
  const base = { protocol: PROTOCOL, build: buildId() };
  // askDaemon trusts only a socket where it expects one; ask through a listener at that place.
  const root = join(sandbox.dir, 'client-root');
  mkdirSync(root, { recursive: true });
  const env = { ...sandbox.env, SIT_CACHE_DIR: join(sandbox.dir, 'client-cache') };
  const { socketPath } = await import('../src/daemon/protocol.ts');
  const where = socketPath(root, env);
  mkdirSync(join(where, '..'), { recursive: true, mode: 0o700 });
  chmodSync(join(where, '..'), 0o700);
  let reply = '';
  const server = await listen(where, (socket) => socket.end(reply));
  const answer = async (text: string) => {
    reply = text;
    return await askDaemon(root, 'run', [], { integrity: true, env, timeoutMs: 5000 });
  };
  const plain = await answer(`${JSON.stringify({ ...base, ok: true, value: 1 })}\n`);
  assert.equal(plain, { ...base, ok: true, value: 1 });
  const withData = await answer(`${JSON.stringify({ ...base, ok: true, value: 2, bytes: 4 })}\nabcd`);
  assert.is(withData?.ok, true);
  assert.is(Buffer.concat((withData as { data: Buffer[] }).data).toString(), 'abcd');
  const empty = await answer(`${JSON.stringify({ ...base, ok: true, value: 3, bytes: 0 })}\n`);
  assert.equal((empty as { data: Buffer[] }).data, []);
  assert.is(await answer(`${JSON.stringify({ ...base, ok: true, value: 4, bytes: 5 })}\nabcd`), undefined);
  assert.is(await answer(`${JSON.stringify({ ...base, ok: true, value: 5, bytes: 3 })}\nabcd`), undefined);
  assert.is(await answer(`${JSON.stringify({ ...base, ok: true, value: 6, bytes: 'x' })}\nabcd`), undefined);
  await new Promise<void>((done) => server.close(() => done()));
});

test.run();
