/** Module scripts (the `sit issue` porcelain): one script, a fresh QuickJS context, host functions the caller chooses. */
import vm from 'node:vm';
import type { QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { describeGuestError, readGuestError } from './engine.ts';
import { SCRIPT_PRELUDE } from './prelude.ts';
import { formatBytes, newSandboxModule, resolveLimits, type ResolvedLimits } from './quickjs.ts';
import type { SandboxLimits } from './types.ts';

/** Host functions offered to a script: synchronous, taking and returning JSON-serialisable values. */
export type ScriptApi = Record<string, (...args: never[]) => unknown>;

/**
 * The files a script may `require()`, by their path relative to the script's directory
 * (`/`-separated, e.g. `issue/list.js`): each its source, or why it may not be loaded (a link that
 * leads out of the directory). A path under a refused directory is refused too.
 */
export type ScriptFiles = Record<string, { source: string } | { refused: string }>;

/** Options of `runScript`. */
export interface ScriptOptions {
  /** What `require()` may load (default: nothing). */
  files?: ScriptFiles;
  /** The path shown in errors and stack traces. */
  file: string;
  /** The second argument of the script's function (JSON-serialisable). */
  args?: unknown;
  /** Host functions, exposed to the script as the methods of its first argument. */
  api?: ScriptApi;
  /** `itemDeadlineMs` is the time the script may run, not counting time spent in `api` functions. */
  limits?: SandboxLimits;
  /**
   * The time the whole run may take, time spent in `api` functions included (default: no limit
   * but the deadline): a script that keeps calling the host must end too.
   */
  wallTimeMs?: number;
  /** `api` functions whose time counts against neither limit: waits for the user (the editor). */
  untimed?: readonly string[];
  /**
   * Polled by the interrupt handler: once it returns true the script is stopped at once, whatever
   * it catches (its caller abandons the run, e.g. to run it again after some asynchronous work).
   */
  abort?: () => boolean;
  /**
   * In the calling thread: the script's call runs under `vm`'s timeout of this many milliseconds
   * (its host calls included), the watchdog for one long native operation that the interrupt
   * handler cannot stop. A run it stops fails with `watchdog: …`, and the QuickJS instance is
   * replaced. Without it, the caller must be able to stop the thread (a worker).
   */
  watchdogMs?: number;
}

/** How a script ended. */
export interface ScriptResult {
  /** 0 when the script's function returned, 1 when loading or running it failed. */
  exitCode: number;
  /** What the function returned, through JSON (`undefined` when it returned nothing). */
  output: unknown;
  /** Why it failed (`exitCode` 1): the thrown value as `String(err)` with its location, or the limit that was hit. */
  error?: string;
}

const modules = new Map<number, Promise<QuickJSWASMModule>>();

function scriptModule(limits: ResolvedLimits): Promise<QuickJSWASMModule> {
  let module = modules.get(limits.memoryBytes);
  if (module === undefined) {
    module = newSandboxModule(limits);
    modules.set(limits.memoryBytes, module);
  }
  return module;
}

/**
 * Runs a module script in a fresh QuickJS context. The script sets `module.exports` to
 * `function (sit, args) {…}`; `sit.<name>(…)` calls `api[name]` on the host, its arguments and
 * result crossing as JSON, and a host function that throws raises an `Error` in the script. No other
 * host access exists (no clock, no I/O; `require()` loads only `files`). The deadline, memory and stack
 * limits apply; one long native operation cannot be interrupted in this thread.
 *
 * Returns `{exitCode: 0, output}` with the function's return value, or `{exitCode: 1, error}` when
 * the script did not load, threw, or hit a limit. When a host function threw and the script let
 * that error escape, `runScript` rethrows the host's original error instead (so a `SitError` from
 * the store reaches the command line unchanged).
 */
export async function runScript(source: string, options: ScriptOptions): Promise<ScriptResult> {
  const limits = resolveLimits(options.limits);
  const api = options.api ?? {};
  const module = await scriptModule(limits);
  const rt = module.newRuntime();
  rt.setMaxStackSize(limits.stackBytes);
  rt.setMemoryLimit(limits.memoryBytes);
  let deadline = Infinity;
  let wallDeadline = Infinity;
  let interrupted: 'deadline' | 'wall' | 'abort' | undefined;
  let broken = false;
  rt.setInterruptHandler(() => {
    if (options.abort?.() === true) {
      interrupted = 'abort';
      return true;
    }
    const now = performance.now();
    if (now > deadline) interrupted = 'deadline';
    else if (now > wallDeadline) interrupted = 'wall';
    return interrupted !== undefined;
  });
  const untimed = new Set(options.untimed ?? []);
  const ctx = rt.newContext();
  const owned: QuickJSHandle[] = [];
  let hostError: { error: unknown; message: string } | undefined;
  try {
    const driver = ctx.unwrapResult(ctx.evalCode(SCRIPT_PRELUDE, '<sit prelude>'));
    owned.push(driver);
    const compiled = ctx.evalCode(`(function (require) { return function (module) {${source}\n}; })`, options.file);
    if (compiled.error) {
      const err = readGuestError(ctx, compiled.error);
      compiled.error.dispose();
      return { exitCode: 1, output: undefined, error: describeGuestError(err) };
    }
    owned.push(compiled.value);
    const hostCall = ctx.newFunction('sit', (nameHandle, argsHandle) => {
      const started = performance.now();
      const name = ctx.getString(nameHandle);
      try {
        const fn = Object.hasOwn(api, name) ? api[name] : undefined;
        if (fn === undefined) throw new TypeError(`no such function: sit.${name}`);
        const args = JSON.parse(ctx.getString(argsHandle)) as never[];
        const result = fn(...args);
        if (result instanceof Promise)
          throw new TypeError(`sit.${name} is asynchronous and cannot be called from a script`);
        const json = result === undefined ? undefined : JSON.stringify(result);
        return json === undefined ? undefined : ctx.newString(json);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        hostError = { error, message };
        return { error: ctx.newError({ name: 'HostError', message }) };
      } finally {
        // host time does not count as the script's own, but it does count against the wall time
        const spent = performance.now() - started;
        deadline += spent;
        if (untimed.has(name)) wallDeadline += spent;
      }
    });
    owned.push(hostCall);
    const load = ctx.newFunction('load', (pathHandle) => {
      const path = ctx.getString(pathHandle);
      const file = fileToLoad(options.files ?? {}, path);
      if (file === undefined) return undefined;
      if ('refused' in file) return { error: ctx.newError(file.refused) };
      const shown = `${options.file.replace(/[^/]*$/, '')}${path}`;
      const outer = ctx.evalCode(
        `(function () { return function (exports, require, module) {${file.source}\n}; })`,
        shown,
      );
      return outer.error === undefined ? outer.value : { error: outer.error };
    });
    owned.push(load);
    const names = ctx.newArray();
    owned.push(names);
    Object.keys(api).forEach((name, i) => {
      const handle = ctx.newString(name);
      ctx.setProp(names, i, handle);
      handle.dispose();
    });
    const argsJson = ctx.newString(JSON.stringify(options.args ?? null));
    owned.push(argsJson);
    const run = ctx.getProp(driver, 'runScript');
    owned.push(run);
    deadline = performance.now() + limits.itemDeadlineMs;
    if (options.wallTimeMs !== undefined) wallDeadline = performance.now() + options.wallTimeMs;
    const call = () => ctx.callFunction(run, ctx.undefined, compiled.value, hostCall, names, argsJson, load);
    let result: ReturnType<typeof call>;
    if (options.watchdogMs === undefined) {
      result = call();
    } else {
      const stopped = guarded(call, options.watchdogMs);
      if ('stopped' in stopped) {
        broken = true;
        modules.delete(limits.memoryBytes);
        return { exitCode: 1, output: undefined, error: stopped.stopped };
      }
      result = stopped.value;
    }
    deadline = Infinity;
    wallDeadline = Infinity;
    if (!result.error) {
      const json = ctx.getString(result.value);
      result.value.dispose();
      return { exitCode: 0, output: json === '' ? undefined : JSON.parse(json) };
    }
    const err = readGuestError(ctx, result.error);
    result.error.dispose();
    if (hostError !== undefined && err.name === 'HostError' && err.message === hostError.message) throw hostError.error;
    if (interrupted === 'abort') return { exitCode: 1, output: undefined, error: 'aborted' };
    const wall =
      interrupted === 'wall' ? `wall time exceeded (${options.wallTimeMs} ms, host calls included)` : undefined;
    return {
      exitCode: 1,
      output: undefined,
      error: wall ?? limitText(err, interrupted === 'deadline', limits) ?? describeGuestError(err),
    };
  } finally {
    deadline = Infinity;
    wallDeadline = Infinity;
    // A QuickJS instance stopped in the middle of native code is left as it is (see guarded).
    if (!broken) {
      for (const handle of owned.reverse()) if (handle.alive) handle.dispose();
      try {
        ctx.dispose();
        rt.dispose();
      } catch {
        // leaked objects after an out-of-memory error: the memory is reused anyway
      }
    }
  }
}

/** The file `require()` finds at `path`: its source, why it is refused, or nothing. */
function fileToLoad(files: ScriptFiles, path: string): ScriptFiles[string] | undefined {
  if (Object.hasOwn(files, path)) return files[path];
  for (const [name, file] of Object.entries(files)) if ('refused' in file && path.startsWith(`${name}/`)) return file;
  return undefined;
}

/**
 * Runs `call` under `vm`'s timeout: its thread stops the code running here (the WebAssembly code
 * of QuickJS too) after `ms`. A host stack overflow inside QuickJS's native code also ends the
 * call. Either way the QuickJS instance cannot be trusted any more.
 */
function guarded<T>(call: () => T, ms: number): { value: T } | { stopped: string } {
  const box = vm.createContext({ call });
  try {
    return { value: vm.runInContext('call()', box, { timeout: Math.max(1, Math.ceil(ms)) }) as T };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
      return { stopped: `watchdog: stopped a long operation after ${Math.ceil(ms)} ms` };
    if (error instanceof RangeError)
      return { stopped: 'stack overflow: the script nested deeper than the native stack of the host allows' };
    throw error;
  }
}

function limitText(
  err: { name: string; message: string },
  interrupted: boolean,
  limits: ResolvedLimits,
): string | undefined {
  if (interrupted) return `deadline exceeded (${limits.itemDeadlineMs} ms)`;
  if (err.name !== 'InternalError') return undefined;
  if (err.message === 'out of memory') return `out of memory (${formatBytes(limits.memoryBytes)} limit)`;
  if (err.message === 'stack overflow') return `stack overflow (${formatBytes(limits.stackBytes)} limit)`;
  return undefined;
}
