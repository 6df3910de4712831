/**
 * Messages between the host (main thread) and the worker that runs a module script. The worker
 * blocks on a shared lock while the host answers a call, so host functions may do asynchronous
 * work (reduction, asking for the author) and still look synchronous to the script.
 * @module
 */
import type { MessagePort } from 'node:worker_threads';
import type { SandboxLimits, ScriptFiles } from '../sandbox/mod.ts';

/** What the worker is started with (its `workerData`). */
export interface ScriptWorkerData {
  /** The script's source text. */
  source: string;
  /** The script's path, shown in errors. */
  file: string;
  /** The script's second argument. */
  args: unknown;
  /** What the script's `require()` may load. */
  files: ScriptFiles;
  /** The names of the host functions. */
  names: string[];
  /** Host functions the worker does not wait for (their result is always `undefined`). */
  fireAndForget: string[];
  /** Sandbox limits. */
  limits: SandboxLimits;
  /** The time the whole run may take, host calls included (ms). */
  wallTimeMs: number;
  /** Host functions whose time counts against no limit (waits for the user). */
  untimed: string[];
  /** `Int32Array` word 0: 0 while a call is pending, 1 once its reply was posted. */
  lock: SharedArrayBuffer;
  /** The channel for calls, replies and the final result. */
  port: MessagePort;
}

/** A call of a host function from the script. */
export interface CallMessage {
  type: 'call';
  name: string;
  args: unknown[];
  /** False for fire-and-forget calls: the host posts no reply. */
  reply: boolean;
}

/** How the script ended. */
export interface DoneMessage {
  type: 'done';
  /** `runScript`'s exit code: 0 when the function returned. */
  exitCode: number;
  /** The function's return value. */
  output?: unknown;
  /** Why the script failed (exit code 1). */
  error?: string;
  /** The failure was a host function's error that the script let escape. */
  hostError?: boolean;
}

/** Worker → host. */
export type FromScriptWorker = CallMessage | DoneMessage;

/** Host → worker: the answer to one call. */
export type ReplyMessage = { ok: true; value: unknown } | { ok: false; message: string };
