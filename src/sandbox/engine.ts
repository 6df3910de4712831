/**
 * One QuickJS runtime and context with a reducer set loaded: the unit that both the in-thread
 * runtime and every pool worker use. Synchronous once created.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { packedRecordHash, type PackedItem } from './pack.ts';
import { PRELUDE } from './prelude.ts';
import { formatBytes, itemDeadline, newSandboxModule, type ResolvedLimits } from './quickjs.ts';
import { sortedStateJson, withError } from './state_json.ts';
import { ReducerLoadError, SandboxError, type ReducerSet } from './types.ts';

/** What a guest error looked like, read back on the host. */
interface GuestError {
  name: string;
  message: string;
  stack: string;
}

/** Reads a thrown guest value without ever dumping megabytes (`util.inspect` of handles does). */
export function readGuestError(ctx: QuickJSContext, handle: QuickJSHandle): GuestError {
  try {
    const value: unknown = ctx.dump(handle);
    if (value !== null && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      return { name: String(v.name ?? 'Error'), message: String(v.message ?? ''), stack: String(v.stack ?? '') };
    }
    return { name: '', message: String(value), stack: '' };
  } catch {
    return { name: 'Error', message: 'unreadable error', stack: '' };
  }
}

/** `SyntaxError: unexpected token (at file.js:3:5)`: the message plus the innermost location. */
export function describeGuestError(err: GuestError): string {
  const text = err.name === '' ? err.message : `${err.name}: ${err.message}`;
  const at = /^\s*at (.+)$/m.exec(err.stack)?.[1];
  return at === undefined ? text : `${text} (at ${at.trim()})`;
}

/** A reduced state as JSON, and whether a limit cut it short (then it is not final). */
export interface ReducedJson {
  json: string;
  limited: boolean;
}

/** Options of {@linkcode ReducerEngine.create}. */
export interface ReducerEngineOptions {
  /** Called before each reducer file is first loaded, with its index (the pool's watchdog uses it). */
  onLoading?: (index: number) => void;
  /**
   * Called whenever the engine starts timing a reduction, with the time it allows (ms): at the
   * start of an item, and again when it reduces the item once more to find the state before the
   * record that hit a limit. The pool's watchdog uses it.
   */
  onDeadline?: (ms: number) => void;
  /** A compiled QuickJS module (default: this thread's `startup` module). */
  module?: WebAssembly.Module;
}

/** The most passes over one item (a pass ends early at each newly failing record, see prelude.ts). */
const MAX_PASSES = 8;
/** Failing records copied before one by one; with more, every record from the first is copied. */
const MAX_KNOWN = 4;

/**
 * A loaded reducer set in one QuickJS runtime with its own fixed memory. `reduce` never throws for
 * anything a reducer does: limit hits become `errors` entries. After an out-of-memory error, or
 * when an item left the global object in a state that cannot be undone, the runtime is disposed
 * and rebuilt (the fixed memory is reused).
 */
export class ReducerEngine {
  readonly files: string[];
  private readonly module: QuickJSWASMModule;
  private readonly set: ReducerSet;
  private readonly limits: ResolvedLimits;
  private rt!: QuickJSRuntime;
  private ctx!: QuickJSContext;
  private api!: QuickJSHandle;
  private reduceFn!: QuickJSHandle;
  private progressFn!: QuickJSHandle;
  private deadline = Infinity;
  private interrupted = false;
  private broken = false;
  /** Called before each reducer file is first loaded, with its index (the pool's watchdog uses it). */
  private onLoading: ((index: number) => void) | undefined;
  private readonly onDeadline: ((ms: number) => void) | undefined;
  /** The probe (see {@linkcode ReducerEngine.setProbe}), installed again when the runtime is rebuilt. */
  private probeFn: ((record: number, reducer: number, state: string) => void) | undefined;

  private constructor(
    module: QuickJSWASMModule,
    set: ReducerSet,
    limits: ResolvedLimits,
    onDeadline: ((ms: number) => void) | undefined,
  ) {
    this.module = module;
    this.set = set;
    this.limits = limits;
    this.onDeadline = onDeadline;
    this.files = set.reducers.map((r) => r.file);
  }

  /** Instantiates QuickJS with the limits and loads the set; throws `ReducerLoadError`. */
  static async create(
    set: ReducerSet,
    limits: ResolvedLimits,
    options: ReducerEngineOptions = {},
  ): Promise<ReducerEngine> {
    const sandbox = await newSandboxModule(limits, options.module === undefined ? {} : { module: options.module });
    const engine = new ReducerEngine(sandbox, set, limits, options.onDeadline);
    engine.onLoading = options.onLoading;
    engine.setup();
    engine.onLoading = undefined;
    return engine;
  }

  private setup(): void {
    const rt = this.module.newRuntime();
    rt.setMaxStackSize(this.limits.stackBytes);
    rt.setMemoryLimit(this.limits.memoryBytes);
    rt.setInterruptHandler(() => {
      if (performance.now() <= this.deadline) return false;
      this.interrupted = true;
      return true;
    });
    this.rt = rt;
    const ctx = (this.ctx = rt.newContext());
    try {
      this.api = ctx.unwrapResult(ctx.evalCode(PRELUDE, '<sit prelude>'));
      this.reduceFn = ctx.getProp(this.api, 'reduceItem');
      this.progressFn = ctx.getProp(this.api, 'progress');
      const depth = ctx.newNumber(this.limits.maxStateDepth);
      const chars = ctx.newNumber(this.limits.maxStateChars);
      try {
        this.callApi('configure', [formatBytes(this.limits.stackBytes), depth, chars]);
      } finally {
        depth.dispose();
        chars.dispose();
      }
      this.callApi('lockdown', []);
      for (const [path, source] of Object.entries(this.set.requireFiles)) this.defineFile(path, source);
      this.set.reducers.forEach((reducer, index) => {
        this.onLoading?.(index);
        this.loadReducer(reducer.file, stripSlash(reducer.dir), reducer.source);
      });
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  /** Calls a driver function with string arguments; returns its string result. */
  private callApi(name: string, args: Array<string | QuickJSHandle>): string {
    const ctx = this.ctx;
    const fn = ctx.getProp(this.api, name);
    const handles = args.map((a) => (typeof a === 'string' ? ctx.newString(a) : a));
    try {
      const result = ctx.callFunction(fn, ctx.undefined, ...handles);
      if (result.error) {
        const err = readGuestError(ctx, result.error);
        result.error.dispose();
        throw new SandboxError(`sandbox driver failed in ${name}: ${describeGuestError(err)}`);
      }
      const out = ctx.typeof(result.value) === 'string' ? ctx.getString(result.value) : '';
      result.value.dispose();
      return out;
    } finally {
      for (const [i, h] of handles.entries()) if (typeof args[i] === 'string') h.dispose();
      fn.dispose();
    }
  }

  private defineFile(path: string, source: string): void {
    const ctx = this.ctx;
    // The outer function makes a new function object for every item (see prelude.ts).
    const compiled = ctx.evalCode(`(function () { return function (exports, require, module) {${source}\n}; })`, path);
    const pathHandle = ctx.newString(path);
    try {
      if (compiled.error) this.callApi('define', [pathHandle, ctx.null, compiled.error]);
      else this.callApi('define', [pathHandle, compiled.value, ctx.undefined]);
    } finally {
      pathHandle.dispose();
      (compiled.error ?? compiled.value).dispose();
    }
  }

  private loadReducer(file: string, dir: string, source: string): void {
    const ctx = this.ctx;
    const compiled = ctx.evalCode(`(function (require) { return function (module) {${source}\n}; })`, file);
    if (compiled.error) {
      const err = readGuestError(ctx, compiled.error);
      compiled.error.dispose();
      throw new ReducerLoadError(file, describeGuestError(err));
    }
    const fileHandle = ctx.newString(file);
    const dirHandle = ctx.newString(dir);
    this.deadline = performance.now() + this.limits.itemDeadlineMs;
    this.interrupted = false;
    try {
      const fn = ctx.getProp(this.api, 'addReducer');
      let result;
      try {
        result = ctx.callFunction(fn, ctx.undefined, fileHandle, dirHandle, compiled.value);
      } catch (err) {
        // the host's stack overflowed under deep recursion in the guest: this instance is lost
        this.broken = true;
        throw new ReducerLoadError(file, `it failed the sandbox: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        fn.dispose();
      }
      if (result.error) {
        const err = readGuestError(ctx, result.error);
        result.error.dispose();
        throw new ReducerLoadError(file, this.limitText(err, this.limits.itemDeadlineMs) ?? describeGuestError(err));
      }
      const message = ctx.getString(result.value);
      result.value.dispose();
      if (message !== '') throw new ReducerLoadError(file, message);
    } finally {
      this.deadline = Infinity;
      fileHandle.dispose();
      dirHandle.dispose();
      compiled.value.dispose();
    }
  }

  /** The limit an uncaught guest error means, as an error text, or undefined. */
  private limitText(err: GuestError, deadlineMs: number): string | undefined {
    if (this.interrupted) return `deadline exceeded (${deadlineMs} ms)`;
    if (err.name === 'InternalError' && err.message === 'out of memory') {
      return `out of memory (${formatBytes(this.limits.memoryBytes)} limit)`;
    }
    if (err.name === 'InternalError' && err.message === 'stack overflow') {
      return `stack overflow (${formatBytes(this.limits.stackBytes)} limit)`;
    }
    return undefined;
  }

  /**
   * Reduces one packed item; returns the final state as JSON (keys sorted). A reducer that hits a
   * limit ends the item: its state is the one before the record that hit it, plus an `errors`
   * entry, and the result is marked `limited`.
   */
  reduce(item: PackedItem): ReducedJson {
    if (this.broken) throw new SandboxError('the reducer sandbox failed earlier and cannot be used; create a new one');
    const tooLarge = (): ReducedJson => {
      const size = formatBytes(Math.max(1, Math.round(item.buf.byteLength / 1048576)) * 1048576);
      const text = `out of memory (${formatBytes(this.limits.memoryBytes)} limit): the records of this item (${size}) do not fit`;
      return { json: this.errorJson(item, item.state, { file: '', error: text }), limited: true };
    };
    if (item.buf.byteLength + 2 * item.meta.length > this.limits.memoryBytes / 2) return tooLarge();
    const deadlineMs = itemDeadline(this.limits, item.records);
    this.startDeadline(deadlineMs);
    const passes = this.passes(item, -1);
    if (passes === 'too large') return tooLarge();
    if (passes.ok) return { json: passes.json, limited: false };
    const { err, record, reducer, known, checkedFrom } = passes;
    const limit = this.limitText(err, deadlineMs);
    const file = this.files[reducer] ?? '';
    this.recover(limit);
    if (limit === undefined) {
      // not something a reducer can cause: a failure of the driver itself
      return {
        json: this.errorJson(item, item.state, { file, error: `sandbox error: ${describeGuestError(err)}` }),
        limited: true,
      };
    }
    const hash = record >= 0 ? packedRecordHash(item, record) : undefined;
    const entry = { file, error: hash === undefined ? limit : `${limit} in record ${hash}` };
    // The state before the record that hit the limit: the records before it, once more.
    let before = item.state;
    if (record > 0) {
      this.startDeadline(deadlineMs);
      const prefix = this.passes(item, record, known, checkedFrom);
      if (prefix !== 'too large' && prefix.ok) before = prefix.json;
      else if (prefix !== 'too large') this.recover(this.limitText(prefix.err, deadlineMs));
    }
    this.deadline = Infinity;
    return { json: this.errorJson(item, before, entry), limited: true };
  }

  /**
   * After a pass that a limit (or a driver failure) stopped: a runtime out of memory, or in an
   * unknown state, is rebuilt; otherwise the guest undoes what the item changed.
   */
  private recover(limit: string | undefined): void {
    const deadline = this.deadline;
    if (limit === undefined || limit.startsWith('out of memory')) {
      this.reset();
    } else {
      this.deadline = Infinity;
      let answer: string;
      try {
        answer = this.callApi('abandon', []);
      } catch {
        answer = '!';
      }
      if (answer.startsWith('!')) this.reset();
    }
    this.deadline = deadline;
  }

  private startDeadline(ms: number): void {
    this.onDeadline?.(ms);
    this.interrupted = false;
    this.deadline = performance.now() + ms;
  }

  /** A state as JSON with an error entry appended and the item's id. */
  private errorJson(item: PackedItem, stateJson: string, entry: { file: string; error: string }): string {
    const state = withError(stateJson, entry);
    if (item.id !== '') state.id = item.id;
    return sortedStateJson(state);
  }

  /**
   * Runs passes over the item (see prelude.ts) until one answers with the state, records from
   * `stopBefore` on left out (-1: none). On a limit hit, says where it happened.
   */
  private passes(
    item: PackedItem,
    stopBefore: number,
    known: number[] = [],
    checkedFrom = this.probeFn === undefined ? -1 : 0,
  ):
    | { ok: true; json: string }
    | { ok: false; err: GuestError; record: number; reducer: number; known: number[]; checkedFrom: number }
    | 'too large' {
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const answer = this.pass(item, known, checkedFrom, stopBefore);
      if (answer === 'too large') return answer;
      if (typeof answer !== 'string') return { ok: false, ...answer, known, checkedFrom };
      if (!answer.startsWith('?')) {
        this.deadline = Infinity;
        return { ok: true, json: answer };
      }
      if (answer === '?end') {
        checkedFrom = 0;
        known = [];
        continue;
      }
      const record = Number(answer.slice(1));
      if (known.length < MAX_KNOWN && checkedFrom < 0) known = [...known, record];
      else checkedFrom = Math.min(record, ...known, checkedFrom < 0 ? record : checkedFrom);
    }
    this.deadline = Infinity;
    return {
      ok: false,
      err: { name: 'Error', message: `no result after ${MAX_PASSES} passes`, stack: '' },
      record: -1,
      reducer: -1,
      known,
      checkedFrom,
    };
  }

  /** One guest pass; a string answer, or where a limit (or a driver failure) stopped it. */
  private pass(
    item: PackedItem,
    known: number[],
    checkedFrom: number,
    stopBefore: number,
  ): string | { err: GuestError; record: number; reducer: number } {
    const ctx = this.ctx;
    let buf: QuickJSHandle;
    try {
      buf = ctx.newArrayBuffer(item.buf);
    } catch {
      // the allocation failed inside the fixed memory (emscripten reports it as a RangeError)
      return 'too large';
    }
    const args: QuickJSHandle[] = [
      ctx.newString(item.id),
      ctx.newString(item.state),
      ctx.newString(item.meta),
      buf,
      ctx.newString(known.join(',')),
      ctx.newNumber(checkedFrom),
      ctx.newNumber(stopBefore),
    ];
    let result;
    try {
      result = ctx.callFunction(this.reduceFn, ctx.undefined, ...args);
    } catch (err) {
      // the WebAssembly instance itself failed (a trap, a host stack overflow): nothing in it can be trusted
      this.broken = true;
      throw new SandboxError(
        `the reducer sandbox failed on item ${JSON.stringify(item.id)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    } finally {
      if (!this.broken) for (const handle of args) handle.dispose();
    }
    if (result.error) {
      const err = readGuestError(ctx, result.error);
      result.error.dispose();
      const [record, reducer] = this.readProgress();
      return { err, record, reducer };
    }
    let answer = ctx.getString(result.value);
    result.value.dispose();
    if (answer.startsWith('!')) {
      // the item left the global object changed in a way the guest cannot undo
      answer = answer.slice(1);
      const deadline = this.deadline;
      this.reset();
      this.deadline = deadline;
    }
    return answer;
  }

  private readProgress(): [number, number] {
    const ctx = this.ctx;
    try {
      const result = ctx.callFunction(this.progressFn, ctx.undefined);
      if (result.error) {
        result.error.dispose();
        return [-1, -1];
      }
      const text = ctx.getString(result.value);
      result.value.dispose();
      const tab = text.indexOf('\t');
      return [Number(text.slice(0, tab)), Number(text.slice(tab + 1))];
    } catch {
      return [-1, -1];
    }
  }

  /**
   * Reports every reducer call of the following reductions to `fn` (record index, reducer index,
   * state before the record as JSON), or stops reporting. Slow: the state is turned into JSON before
   * every record; for diagnosing a stuck item only.
   */
  setProbe(fn: ((record: number, reducer: number, state: string) => void) | undefined): void {
    this.probeFn = fn;
    this.installProbe();
  }

  private installProbe(): void {
    const fn = this.probeFn;
    const ctx = this.ctx;
    const hook =
      fn === undefined
        ? ctx.null
        : ctx.newFunction('probe', (record, reducer, state) => {
            fn(ctx.getNumber(record), ctx.getNumber(reducer), ctx.getString(state));
          });
    try {
      this.callApi('setProbe', [hook]);
    } finally {
      if (hook !== ctx.null) hook.dispose();
    }
  }

  /** Disposes the runtime and loads the set again in a fresh one (same module, same memory). */
  private reset(): void {
    this.disposeRuntime();
    this.setup();
    if (this.probeFn !== undefined) this.installProbe();
  }

  /** How many bytes of the fixed memory are in use by the WebAssembly instance (its high-water mark). */
  memoryBytes(): number {
    return this.module.getWasmMemory().buffer.byteLength;
  }

  private disposeRuntime(): void {
    for (const h of [this.reduceFn, this.progressFn, this.api]) {
      try {
        if (h?.alive) h.dispose();
      } catch {
        // a handle of a runtime that already failed
      }
    }
    try {
      if (this.ctx?.alive) this.ctx.dispose();
      if (this.rt?.alive) this.rt.dispose();
    } catch {
      // QuickJS may report leaked objects after an out-of-memory error; the memory is reused anyway
    }
  }

  /**
   * Whether the WebAssembly instance itself failed (the host's stack overflowed inside it): the
   * engine cannot be used any more; create a new one.
   */
  get failed(): boolean {
    return this.broken;
  }

  /** Frees the runtime. */
  dispose(): void {
    if (!this.broken) this.disposeRuntime();
  }
}

function stripSlash(dir: string): string {
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}
