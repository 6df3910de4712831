/**
 * Worker thread entry of module scripts: runs one script in the QuickJS sandbox. Every host
 * function posts a call to the main thread and blocks on a shared lock until the reply is posted,
 * so the host may answer asynchronously while the script sees a plain function call.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { runScript, type ScriptApi } from '../sandbox/mod.ts';
import type { DoneMessage, FromScriptWorker, ReplyMessage, ScriptWorkerData } from './protocol.ts';

/** A host function failed; its message is the host error's. */
class HostCallError extends Error {}

const data = workerData as ScriptWorkerData;
const lock = new Int32Array(data.lock);
const port = data.port;

function post(message: FromScriptWorker): void {
  port.postMessage(message);
}

function call(name: string, args: unknown[], reply: boolean): unknown {
  if (!reply) {
    post({ type: 'call', name, args, reply: false });
    return undefined;
  }
  Atomics.store(lock, 0, 0);
  post({ type: 'call', name, args, reply: true });
  Atomics.wait(lock, 0, 0);
  const received = receiveMessageOnPort(port);
  if (received === undefined) throw new HostCallError(`sit.${name}: the host did not answer`);
  const answer = received.message as ReplyMessage;
  if (!answer.ok) throw new HostCallError(answer.message);
  return answer.value;
}

const api: ScriptApi = {};
for (const name of data.names) {
  const reply = !data.fireAndForget.includes(name);
  api[name] = (...args: never[]) => call(name, args, reply);
}

let done: DoneMessage;
try {
  const result = await runScript(data.source, {
    file: data.file,
    args: data.args,
    files: data.files,
    api,
    limits: data.limits,
    wallTimeMs: data.wallTimeMs,
    untimed: data.untimed,
  });
  done = {
    type: 'done',
    exitCode: result.exitCode,
    output: result.output,
    ...(result.error === undefined ? {} : { error: result.error }),
  };
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  done = { type: 'done', exitCode: 1, error: message, hostError: error instanceof HostCallError };
}
post(done);
