/**
 * Asking a running `sit daemon` (or `sit web`) one question. Anything short of a well-formed
 * answer of this protocol and this build, from a socket that this user owns, within a short time,
 * is no answer: the caller reads the repository itself, with the same result, and says nothing.
 *
 * The socket is used only when `lstat` (which does not follow links) finds a socket owned by the
 * current user in a directory owned by the current user that no one else may write to: a link, a
 * regular file or another user's socket at that path is ignored, and so is a socket whose daemon
 * is gone (the connection is refused).
 * @module
 */
import { lstatSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import {
  ANSWER_TIMEOUT_MS,
  buildId,
  MAX_ANSWER_BYTES,
  parseAnswer,
  PROTOCOL,
  socketPath,
  type DaemonAnswer,
  type DaemonRequest,
  type Operation,
} from './protocol.ts';

/** Where and how to ask. */
export interface AskOptions {
  /** Whether the asker checks records against their hashes (the daemon must do the same). */
  integrity: boolean;
  /** The environment that locates the cache directory (default: the process's). */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the answer (default {@linkcode ANSWER_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/** Whether the environment turns the daemon off for this command (`SIT_DAEMON=0`). */
export function daemonDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.SIT_DAEMON === '0' || env.SIT_DAEMON === 'off';
}

/** The socket to use for `root`, if there is one this user may trust. */
export function trustedSocket(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof process.getuid !== 'function') return undefined;
  const uid = process.getuid();
  let path: string;
  try {
    path = socketPath(root, env);
  } catch {
    return undefined;
  }
  try {
    const socket = lstatSync(path, { throwIfNoEntry: false });
    if (socket === undefined || !socket.isSocket() || socket.uid !== uid) return undefined;
    const dir = lstatSync(dirname(path), { throwIfNoEntry: false });
    if (dir === undefined || !dir.isDirectory() || dir.uid !== uid || (dir.mode & 0o022) !== 0) return undefined;
    return path;
  } catch {
    // A cache directory that cannot be looked into (a device, a file in the way): no daemon there.
    return undefined;
  }
}

/** How long to wait for an answer: `SIT_DAEMON_TIMEOUT_MS` when it is a positive number, else {@linkcode ANSWER_TIMEOUT_MS}. */
function answerTimeout(env: NodeJS.ProcessEnv): number {
  const set = Number(env['SIT_DAEMON_TIMEOUT_MS']);
  return Number.isFinite(set) && set > 0 ? set : ANSWER_TIMEOUT_MS;
}

/**
 * Asks the daemon for the repository at `root` to answer `op(...args)`. Resolves to its answer,
 * or to undefined when there is no usable answer (no daemon, a foreign or stale socket, another
 * build, garbage, too long an answer, too long a wait); never rejects.
 */
export function askDaemon(
  root: string,
  op: Operation,
  args: unknown[],
  options: AskOptions,
): Promise<DaemonAnswer | undefined> {
  const env = options.env ?? process.env;
  if (daemonDisabled(env)) return Promise.resolve(undefined);
  const path = trustedSocket(root, env);
  if (path === undefined) return Promise.resolve(undefined);
  const request: DaemonRequest = { protocol: PROTOCOL, build: buildId(), root, integrity: options.integrity, op, args };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    /** The answer line, once read, while the data it announced is still coming. */
    let head: (DaemonAnswer & { ok: true }) | undefined;
    let want = 0;
    const socket = createConnection(path);
    const finish = (answer: DaemonAnswer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(undefined), options.timeoutMs ?? answerTimeout(env));
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('data', (chunk: Buffer) => {
      if (head !== undefined) {
        size += chunk.length;
        if (size > want) return finish(undefined);
        chunks.push(chunk);
        if (size === want) finish({ ...head, data: chunks });
        return;
      }
      const end = chunk.indexOf(10);
      const part = end === -1 ? chunk : chunk.subarray(0, end);
      size += part.length;
      if (size > MAX_ANSWER_BYTES) return finish(undefined);
      chunks.push(part);
      if (end === -1) return;
      const answer = parseAnswer(Buffer.concat(chunks, size).toString('utf8'));
      if (answer?.ok !== true || answer.bytes === undefined) return finish(answer);
      // The data the line announced follows it.
      head = answer;
      want = answer.bytes;
      const rest = chunk.subarray(end + 1);
      chunks.length = 0;
      size = rest.length;
      if (size > want) return finish(undefined);
      if (size > 0) chunks.push(rest);
      if (size === want) finish({ ...head, data: chunks });
    });
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
  });
}
