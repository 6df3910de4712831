// `sit web` answers the reads of commands as `sit daemon` does while it runs, from its own index:
// the same output as the direct path, records written meanwhile seen at once, and its socket gone
// when it stops. A `sit daemon` already running for the repository keeps answering instead.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, makeSandbox, SIT_JS, sit } from './helpers/cli.ts';

const sandbox = makeSandbox();
const work = join(sandbox.dir, 'work');
const started: ChildProcess[] = [];

function ok(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = sit(sandbox, args, { cwd: work, env });
  assert.is(r.stderr, '', `stderr of sit ${args.join(' ')}`);
  assert.is(r.status, 0, `status of sit ${args.join(' ')}`);
  return r.stdout;
}

function timeless(text: string): string {
  return text.replace(/\b(just now|an? [a-z]+ ago|\d+ [a-z]+ ago)\b/g, '(some time ago)');
}

function socketFile(): string {
  const repositories = join(sandbox.env.SIT_CACHE_DIR!, 'repositories');
  return join(repositories, readdirSync(repositories)[0]!, 'daemon.sock');
}

/** Starts `sit ARGS` and waits for `ready` on its stdout or stderr; `seen` gets both. */
async function start(args: string[], ready: string): Promise<{ child: ChildProcess; output: () => string }> {
  ensureBuilt();
  const child = spawn(process.execPath, [SIT_JS, ...args], {
    cwd: work,
    env: sandbox.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  await new Promise<void>((done, fail) => {
    const take = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(ready)) done();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', (code) => fail(new Error(`sit ${args.join(' ')} exited (${code}): ${output}`)));
  });
  return { child, output: () => output };
}

/** Waits until `sit web` has its socket (it starts answering commands once it listens). */
async function socketAppears(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (lstatSync(socketFile(), { throwIfNoEntry: false })?.isSocket()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('no socket appeared within 30 s');
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  await exited;
}

test.after(async () => {
  for (const child of started) await stop(child, 'SIGKILL');
  rmSync(sandbox.dir, { recursive: true, force: true });
});

let id = '';

test('sit web answers commands while it runs, and removes its socket when it stops', async () => {
  assert.is(sit(sandbox, ['init'], { cwd: work }).status, 0);
  assert.is(sit(sandbox, ['module', 'add', 'issue-tracking'], { cwd: work }).status, 0);
  id = ok(['issue', 'new', '--summary', 'Served by the web server', '--details', 'Body.'], { SIT_DAEMON: '0' }).trim();
  const listed = ok(['issue', 'list', '--all'], { SIT_DAEMON: '0' });
  const web = await start(['web', '--readonly', '--listen', '127.0.0.1:0'], 'Serving on');
  try {
    await socketAppears();
    assert.is(ok(['issue', 'list', '--all'], { SIT_DAEMON: 'require', SIT_DAEMON_TIMEOUT_MS: '60000' }), listed);
    ok(['issue', 'comment', id, '-m', 'Written while sit web runs.'], { SIT_DAEMON: '0' });
    const shown = ok(['issue', 'show', id], { SIT_DAEMON: 'require', SIT_DAEMON_TIMEOUT_MS: '60000' });
    assert.match(shown, /Written while sit web runs\./);
    assert.is(timeless(shown), timeless(ok(['issue', 'show', id], { SIT_DAEMON: '0' })));
  } finally {
    await stop(web.child);
  }
  assert.not.ok(existsSync(socketFile()), 'the socket is gone');
});

test('sit web beside a running sit daemon: it says so and serves; the daemon keeps answering', async () => {
  const daemon = await start(['daemon'], 'answering for');
  const web = await start(['web', '--readonly', '--listen', '127.0.0.1:0'], 'Serving on');
  for (let i = 0; i < 300 && !web.output().includes('not answering'); i++)
    await new Promise((done) => setTimeout(done, 100));
  assert.match(
    web.output(),
    /sit web: not answering other commands: another sit daemon \(process \d+\) already answers/,
  );
  assert.match(
    ok(['issue', 'list', '--all'], { SIT_DAEMON: 'require', SIT_DAEMON_TIMEOUT_MS: '60000' }),
    /Served by the web server/,
  );
  await stop(web.child);
  assert.ok(lstatSync(socketFile()).isSocket(), "the daemon's socket is left alone");
  assert.match(
    ok(['issue', 'list', '--all'], { SIT_DAEMON: 'require', SIT_DAEMON_TIMEOUT_MS: '60000' }),
    /Served by the web server/,
  );
  await stop(daemon.child);
});

test.run();
