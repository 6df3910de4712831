/**
 * Running a module script in the calling thread: no worker to start, so a short command such as
 * `sit issue show` costs little more than Node's own start. The QuickJS sandbox is the same, with
 * every limit, and `vm`'s timeout is the watchdog for one long native operation.
 *
 * The script sees synchronous host functions, but some host work is asynchronous (reducing items
 * that are not cached, asking git, waiting for the editor). A host function that needs such work
 * returns a promise: the run is then stopped at once (nothing after that point happens: every
 * later host call is refused and the interrupt handler ends the script), the work is awaited
 * outside the run, and the script runs again from the start, each host call it made before being
 * answered from a record of the first run instead of being made again (scripts are deterministic:
 * their clock is frozen and their random numbers repeat). Output, records written and questions
 * asked therefore happen exactly once. A script that calls the host differently the second time
 * fails with a clear error.
 * @module
 */
import type { SandboxLimits, ScriptFiles, ScriptResult } from '../sandbox/mod.ts';
import { ModuleScriptError } from './errors.ts';

/** Answers the script's host calls: a value (or a thrown error) now, or a promise of one. */
export type HostCall = (name: string, args: unknown[]) => unknown;

/** What a run needs besides the script. */
export interface ThreadRun {
  /** The script's path, shown in errors. */
  file: string;
  /** The script's second argument. */
  args: unknown;
  /** What the script's `require()` may load (default: nothing). */
  files?: ScriptFiles;
  /** The names of the host functions. */
  names: readonly string[];
  /** Sandbox limits (`itemDeadlineMs`: the script's own time). */
  limits: SandboxLimits;
  /** The time the whole run may take, host calls included, waits for the user excepted (ms). */
  wallTimeMs: number;
  /** Host functions whose time counts against no limit (waits for the user). */
  untimed: readonly string[];
  /**
   * Host time a run may spend in synchronous host calls before the watchdog stops it, on top of
   * the script's own deadline and grace (default 5 s): long host work is asynchronous.
   */
  hostAllowanceMs?: number;
}

/** The outcome of one recorded host call. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** One host call of a run: its name, its arguments as JSON, and what it gave. */
export interface RecordedCall {
  name: string;
  args: string;
  outcome: Outcome;
}

/** How a run in this thread ended, and the host calls it made, in order. */
export interface ThreadResult {
  result: ScriptResult;
  calls: RecordedCall[];
}

/** Raised in a run being abandoned: the script must not go on. */
class RunAbandoned extends Error {
  constructor() {
    super('the run is abandoned (it goes on after asynchronous host work)');
  }
}

/** The most times one run may be started again: each asynchronous host call costs one. */
const MAX_RESTARTS = 10_000;

/**
 * Runs `source` in this thread; resolves to the sandbox's result (`exitCode` 0 and the output, or
 * 1 and why) and the host calls the script made. A host error the script lets escape is
 * rethrown, as {@linkcode runScript} does.
 */
export async function runInThread(source: string, run: ThreadRun, host: HostCall): Promise<ThreadResult> {
  // The sandbox is loaded only when a script runs (a memo of the run may answer without it).
  const { runScript } = await import('../sandbox/mod.ts');
  const records: RecordedCall[] = [];
  const grace = (run.limits.watchdogGraceMs ?? 1000) + 2000;
  const deadline = run.limits.itemDeadlineMs ?? 10_000;
  const allowance = run.hostAllowanceMs ?? 5000;
  const untimed = new Set(run.untimed);
  const started = performance.now();
  /** Time spent waiting for the user outside the runs (it counts against no limit). */
  let waited = 0;
  for (let restarts = 0; ; restarts++) {
    if (restarts > MAX_RESTARTS)
      throw new ModuleScriptError(
        `module script ${run.file} failed: it called asynchronous host functions more than ${MAX_RESTARTS} times`,
      );
    let position = 0;
    let pending: { name: string; args: string; promise: Promise<unknown> } | undefined;
    let diverged: string | undefined;
    const api: Record<string, (...args: never[]) => unknown> = {};
    for (const name of run.names) {
      api[name] = (...args: never[]) => {
        if (pending !== undefined || diverged !== undefined) throw new RunAbandoned();
        const text = JSON.stringify(args) ?? '';
        if (position < records.length) {
          const record = records[position]!;
          if (record.name !== name || record.args !== text) {
            diverged = `sit.${name}(…) where the first run called sit.${record.name}(…)`;
            throw new RunAbandoned();
          }
          position++;
          if (record.outcome.ok) return record.outcome.value;
          throw record.outcome.error;
        }
        let value: unknown;
        try {
          value = host(name, args);
        } catch (error) {
          records.push({ name, args: text, outcome: { ok: false, error } });
          position++;
          throw error;
        }
        if (value instanceof Promise) {
          pending = { name, args: text, promise: value };
          throw new RunAbandoned();
        }
        records.push({ name, args: text, outcome: { ok: true, value } });
        position++;
        return value;
      };
    }
    const elapsed = performance.now() - started - waited;
    const wallLeft = Math.max(1, run.wallTimeMs - elapsed);
    let result: ScriptResult;
    try {
      result = await runScript(source, {
        file: run.file,
        args: run.args,
        ...(run.files === undefined ? {} : { files: run.files }),
        api,
        limits: run.limits,
        wallTimeMs: wallLeft,
        untimed: run.untimed,
        abort: () => pending !== undefined || diverged !== undefined,
        watchdogMs: Math.min(wallLeft + grace, deadline + grace + allowance),
      });
    } catch (error) {
      if (!(error instanceof RunAbandoned)) throw error;
      result = { exitCode: 1, output: undefined, error: error.message };
    }
    if (diverged !== undefined) {
      throw new ModuleScriptError(
        `module script ${run.file} failed: it is not deterministic: run again, it called ${diverged}`,
      );
    }
    if (pending === undefined) {
      // The sandbox names the time left to this run; the user gave the whole run's.
      if (result.error?.startsWith('wall time exceeded (') === true)
        result.error = `wall time exceeded (${run.wallTimeMs} ms, host calls included)`;
      return { result, calls: records.slice(0, position) };
    }
    const waitStarted = performance.now();
    let outcome: Outcome;
    try {
      outcome = { ok: true, value: await pending.promise };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (untimed.has(pending.name)) waited += performance.now() - waitStarted;
    records.push({ name: pending.name, args: pending.args, outcome });
    if (performance.now() - started - waited > run.wallTimeMs + grace) {
      throw new ModuleScriptError(
        `module script ${run.file} failed: wall time exceeded (${run.wallTimeMs} ms, host calls included)`,
      );
    }
  }
}
