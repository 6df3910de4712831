/**
 * Runs a module script (`<module>/cli/<name>.js`) for `sit NAME ARGS…`: the script runs in the
 * QuickJS sandbox in a worker thread; its host functions ({@link ScriptHost}) run here.
 * @module
 */
import { readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { workerEntry } from '../worker_entry.ts';
import type { SandboxLimits, ScriptFiles } from '../sandbox/mod.ts';
import type { ScriptEnvironment } from './environment.ts';
import { FIRE_AND_FORGET, ScriptExit, ScriptHost } from './host.ts';
import { processIo, type ScriptIo } from './io.ts';
import type { DoneMessage, FromScriptWorker, ReplyMessage, ScriptWorkerData } from './protocol.ts';
import { ModuleScriptError } from './errors.ts';
import { type ReplayChecks, ScriptMemo } from './memo.ts';
import { scriptFiles } from './files.ts';
import { runInThread } from './thread.ts';
import type { ItemReader } from './reader.ts';

export { ModuleScriptError } from './errors.ts';

/** Limits of module scripts unless the caller gives others: 10 s of the script's own time, 64 MiB. */
export const SCRIPT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  itemDeadlineMs: 10_000,
  memoryBytes: 64 * 1024 * 1024,
});

/**
 * The time a whole run may take unless the caller says otherwise, the script's host calls included
 * (reducing every item of a cold repository among them), waits for the user excepted: a script
 * calling the host in a loop spends almost none of its own time.
 */
export const SCRIPT_WALL_TIME_MS = 60_000;

/** Host functions that wait for the user: their time counts against no limit. */
const INTERACTIVE: readonly string[] = ['edit', 'readStdin'];

/** What `sit NAME ARGS…` passes to a module script. */
export interface ScriptInvocation {
  /** The command name (`issue` for `sit issue`). */
  name: string;
  /** The raw arguments after the command name, uninterpreted. */
  args: string[];
  /** Sandbox limits (default {@link SCRIPT_LIMITS}). */
  limits?: SandboxLimits;
  /** The time the whole run may take, host calls included (default {@link SCRIPT_WALL_TIME_MS}). */
  wallTimeMs?: number;
  /** Standard streams, editor and working directory (default: the process's). */
  io?: ScriptIo;
  /**
   * Where the script runs: `thread` (the default: this thread, no worker to start) or `worker` (a
   * worker thread, so that this thread keeps answering meanwhile: a server's choice).
   */
  where?: 'thread' | 'worker';
  /**
   * Answer a run that only reads from the memo of the same run when nothing it read has changed
   * (see memo.ts; default true, without `--at`).
   */
  memo?: boolean;
  /** Only answer from the memo: a run that is not remembered throws {@link NotRemembered}, and nothing runs. */
  memoOnly?: boolean;
  /** Where the host reads items (default: the repository, through a running daemon or the caches). */
  reader?: ItemReader;
  /** What a process that watches the repository knows about memos (see {@link ReplayChecks}). */
  checks?: ReplayChecks;
}

/** A run asked for with `memoOnly` has no memo that still holds. */
export class NotRemembered extends Error {}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs the module script `file` for `sit NAME ARGS…` and resolves to its exit status: the number
 * the script returned or gave to `sit.exit()`, else 0. A host error the script did not catch (an
 * unknown item, a bad query) is rethrown as it is; a script that throws, fails to load or hits a
 * limit is a {@link ModuleScriptError} with a one-line message.
 */
export async function runModuleScript(
  context: ScriptEnvironment,
  file: string,
  invocation: ScriptInvocation,
): Promise<number> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModuleScriptError(
      `cannot read module script ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const files = scriptFiles(file);
  const io = invocation.io ?? processIo();
  const host = new ScriptHost(context, {
    command: invocation.name,
    argv: invocation.args,
    io,
    ...(invocation.reader === undefined ? {} : { reader: invocation.reader }),
  });
  const limits = { ...SCRIPT_LIMITS, ...invocation.limits };
  let lastError: unknown;
  try {
    const wallTimeMs = invocation.wallTimeMs ?? SCRIPT_WALL_TIME_MS;
    if (invocation.where !== 'worker') {
      const args = { command: invocation.name, argv: [...invocation.args] };
      const call = (name: string, callArgs: unknown[]): unknown => host.call(name, callArgs);
      const memo =
        invocation.memo === false || context.at !== undefined
          ? undefined
          : ScriptMemo.for({ root: context.repository().root, file, source, args, extra: [limits, wallTimeMs, files] });
      const remembered = await memo?.replay(call, invocation.checks === undefined ? {} : { checks: invocation.checks });
      if (remembered !== undefined) return remembered;
      if (invocation.memoOnly === true) throw new NotRemembered(`sit ${invocation.name}: not remembered`);
      let ran;
      try {
        ran = await runInThread(
          source,
          { file, args, files, names: Object.keys(host.api), limits, wallTimeMs, untimed: INTERACTIVE },
          call,
        );
      } catch (error) {
        if (error instanceof ScriptExit || host.exitStatus !== undefined)
          return host.exitStatus ?? (error as ScriptExit).status;
        throw error;
      }
      const { result, calls } = ran;
      if (host.exitStatus !== undefined) return host.exitStatus;
      if (result.exitCode !== 0)
        throw new ModuleScriptError(
          `sit ${invocation.name}: module script ${file} failed: ${oneLine(result.error ?? 'unknown error')}`,
        );
      const status = exitStatusOf(result.output);
      memo?.save(calls, status);
      return status;
    }
    const done = await runInWorker(
      source,
      file,
      { command: invocation.name, argv: [...invocation.args] },
      host,
      { limits, wallTimeMs, files },
      (error) => {
        lastError = error;
      },
    );
    if (host.exitStatus !== undefined) return host.exitStatus;
    if (done.hostError === true && lastError !== undefined && !(lastError instanceof ScriptExit)) throw lastError;
    if (done.exitCode !== 0) {
      throw new ModuleScriptError(
        `sit ${invocation.name}: module script ${file} failed: ${oneLine(done.error ?? 'unknown error')}`,
      );
    }
    return exitStatusOf(done.output);
  } finally {
    await host.close();
  }
}

/** The exit status a script's return value asks for: a whole number from 0 to 255, else 0. */
function exitStatusOf(output: unknown): number {
  return typeof output === 'number' && Number.isInteger(output) && output >= 0 && output <= 255 ? output : 0;
}

function runInWorker(
  source: string,
  file: string,
  args: unknown,
  host: ScriptHost,
  budget: { limits: SandboxLimits; wallTimeMs: number; files: ScriptFiles },
  onHostError: (error: unknown) => void,
): Promise<DoneMessage> {
  const { limits, wallTimeMs } = budget;
  const entry = workerEntry('scripts/worker');
  const channel = new MessageChannel();
  const lockBuffer = new SharedArrayBuffer(4);
  const lock = new Int32Array(lockBuffer);
  const data: ScriptWorkerData = {
    source,
    file,
    args,
    files: budget.files,
    names: Object.keys(host.api),
    fireAndForget: [...FIRE_AND_FORGET],
    limits,
    wallTimeMs,
    untimed: [...INTERACTIVE],
    lock: lockBuffer,
    port: channel.port2,
  };
  const worker = new Worker(entry.script, { eval: entry.eval, workerData: data, transferList: [channel.port2] });
  const port = channel.port1;
  // A backstop for one long native operation that the sandbox's interrupt handler cannot stop:
  // the script's own time (host calls excluded) may exceed the deadline by this much.
  const grace = (limits.watchdogGraceMs ?? 1000) + 2000;
  const deadline = (limits.itemDeadlineMs ?? SCRIPT_LIMITS.itemDeadlineMs!) + grace;
  const started = performance.now();
  let hostTime = 0;
  /** Time spent waiting for the user: it counts against no limit. */
  let untimedTime = 0;
  let callStarted: number | undefined;
  let callUntimed = false;
  return new Promise<DoneMessage>((resolve, reject) => {
    let settled = false;
    let queue = Promise.resolve();
    const finish = (error: unknown, done?: DoneMessage): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      port.close();
      void worker.terminate();
      if (done !== undefined) resolve(done);
      else reject(error);
    };
    const watchdog = setInterval(() => {
      const now = performance.now();
      const waiting = callStarted !== undefined && callUntimed ? now - callStarted : 0;
      // The whole run, host calls included: the guest stops itself at the wall time when it can,
      // this stops it (or a host call that never ends) a little later.
      if (now - started - untimedTime - waiting > wallTimeMs + grace) {
        finish(
          new ModuleScriptError(
            `module script ${file} failed: wall time exceeded (${wallTimeMs} ms, host calls included), stopped by the watchdog`,
          ),
        );
        return;
      }
      if (callStarted !== undefined) return;
      if (now - started - hostTime > deadline) {
        finish(
          new ModuleScriptError(
            `module script ${file} failed: deadline exceeded (${limits.itemDeadlineMs} ms), stopped by the watchdog`,
          ),
        );
      }
    }, 250);
    watchdog.unref();
    const answer = async (message: FromScriptWorker): Promise<void> => {
      if (message.type === 'done') {
        finish(undefined, message);
        return;
      }
      callStarted = performance.now();
      callUntimed = INTERACTIVE.includes(message.name);
      let reply: ReplyMessage;
      try {
        const value = await host.call(message.name, message.args);
        reply = { ok: true, value: value === undefined ? undefined : value };
      } catch (error) {
        onHostError(error);
        reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
      } finally {
        const spent = performance.now() - callStarted;
        hostTime += spent;
        if (callUntimed) untimedTime += spent;
        callStarted = undefined;
        callUntimed = false;
      }
      if (!message.reply || settled) return;
      port.postMessage(reply);
      Atomics.store(lock, 0, 1);
      Atomics.notify(lock, 0);
    };
    port.on('message', (message: FromScriptWorker) => {
      queue = queue.then(() => answer(message)).catch((error: unknown) => finish(error));
    });
    worker.on('error', (error) =>
      finish(new ModuleScriptError(`module script ${file} could not run: ${error.message}`)),
    );
    worker.on('exit', (code) => {
      // Messages the worker posted just before it ended may not have been dispatched yet.
      for (let left = receiveMessageOnPort(port); left !== undefined; left = receiveMessageOnPort(port)) {
        const message = left.message as FromScriptWorker;
        queue = queue.then(() => answer(message)).catch((error: unknown) => finish(error));
      }
      queue = queue.then(() =>
        finish(new ModuleScriptError(`module script ${file} stopped unexpectedly (worker exit ${code})`)),
      );
    });
  });
}
