/**
 * One QuickJS runtime and context with a reducer set loaded: the unit that both the in-thread
 * runtime and every pool worker use. Synchronous once created.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { packedRecordHash, type PackedItem } from './pack.ts';
import { PRELUDE } from './prelude.ts';
import { formatBytes, newSandboxModule, type ResolvedLimits } from './quickjs.ts';
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

/**
 * A loaded reducer set in one QuickJS runtime with its own fixed memory. `reduce` never throws for
 * anything a reducer does: limit hits become `errors` entries. After an out-of-memory error the
 * runtime is disposed and rebuilt (the fixed memory is reused).
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

  private constructor(module: QuickJSWASMModule, set: ReducerSet, limits: ResolvedLimits) {
    this.module = module;
    this.set = set;
    this.limits = limits;
    this.files = set.reducers.map((r) => r.file);
  }

  /** Instantiates QuickJS with the limits and loads the set; throws `ReducerLoadError`. */
  static async create(
    set: ReducerSet,
    limits: ResolvedLimits,
    options: { onLoading?: (index: number) => void; module?: WebAssembly.Module } = {},
  ): Promise<ReducerEngine> {
    const engine = new ReducerEngine(await newSandboxModule(limits, options), set, limits);
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
      this.callApi('configure', [formatBytes(this.limits.stackBytes)]);
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
      handles.forEach((h, i) => typeof args[i] === 'string' && h.dispose());
      fn.dispose();
    }
  }

  private defineFile(path: string, source: string): void {
    const ctx = this.ctx;
    const compiled = ctx.evalCode(`(function (exports, require, module) {${source}\n})`, path);
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
      const result = ctx.callFunction(fn, ctx.undefined, fileHandle, dirHandle, compiled.value);
      fn.dispose();
      if (result.error) {
        const err = readGuestError(ctx, result.error);
        result.error.dispose();
        throw new ReducerLoadError(file, this.limitText(err) ?? describeGuestError(err));
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
  private limitText(err: GuestError): string | undefined {
    if (this.interrupted) return `deadline exceeded (${this.limits.itemDeadlineMs} ms)`;
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
   * limit ends the item: its state is the one before the record that hit it, plus an `errors` entry.
   */
  reduce(item: PackedItem): string {
    if (this.broken) throw new SandboxError('the reducer sandbox failed earlier and cannot be used; create a new one');
    const ctx = this.ctx;
    const tooLarge = (): string => {
      const size = formatBytes(Math.max(1, Math.round(item.buf.byteLength / 1048576)) * 1048576);
      const text = `out of memory (${formatBytes(this.limits.memoryBytes)} limit): the records of this item (${size}) do not fit`;
      return sortedStateJson(withError(item.state, { file: '', error: text }));
    };
    if (item.buf.byteLength + 2 * item.meta.length > this.limits.memoryBytes / 2) return tooLarge();
    const state = ctx.newString(item.state);
    const meta = ctx.newString(item.meta);
    let buf: QuickJSHandle;
    try {
      buf = ctx.newArrayBuffer(item.buf);
    } catch {
      // the allocation failed inside the fixed memory (emscripten reports it as a RangeError)
      state.dispose();
      meta.dispose();
      return tooLarge();
    }
    this.interrupted = false;
    this.deadline = performance.now() + this.limits.itemDeadlineMs;
    let result;
    try {
      result = ctx.callFunction(this.reduceFn, ctx.undefined, state, meta, buf);
    } catch (err) {
      // the WebAssembly instance itself failed (a trap, a host stack overflow): nothing in it can be trusted
      this.broken = true;
      throw new SandboxError(`the reducer sandbox failed on item ${JSON.stringify(item.id)}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.deadline = Infinity;
      if (!this.broken) {
        state.dispose();
        meta.dispose();
        buf.dispose();
      }
    }
    if (!result.error) {
      const json = ctx.getString(result.value);
      result.value.dispose();
      return json;
    }
    const err = readGuestError(ctx, result.error);
    result.error.dispose();
    const limit = this.limitText(err);
    const [recordIndex, reducerIndex, before] = this.readProgress();
    const file = this.files[reducerIndex] ?? '';
    const hash = recordIndex >= 0 ? packedRecordHash(item, recordIndex) : undefined;
    const where = hash === undefined ? '' : ` in record ${hash}`;
    const text = limit === undefined ? `sandbox error: ${describeGuestError(err)}` : `${limit}${where}`;
    if (limit === undefined || limit.startsWith('out of memory')) this.reset();
    return sortedStateJson(withError(before === '' ? item.state : before, { file, error: text }));
  }

  private readProgress(): [number, number, string] {
    const ctx = this.ctx;
    try {
      const result = ctx.callFunction(this.progressFn, ctx.undefined);
      if (result.error) {
        result.error.dispose();
        return [-1, -1, ''];
      }
      const text = ctx.getString(result.value);
      result.value.dispose();
      const first = text.indexOf('\t');
      const second = text.indexOf('\t', first + 1);
      return [Number(text.slice(0, first)), Number(text.slice(first + 1, second)), text.slice(second + 1)];
    } catch {
      return [-1, -1, ''];
    }
  }

  /**
   * Reports every reducer call of the following reductions to `fn` (record index, reducer index,
   * state before the record as JSON), or stops reporting. Slow: for diagnosing a stuck item only.
   */
  setProbe(fn: ((record: number, reducer: number, state: string) => void) | undefined): void {
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

  /** Frees the runtime. */
  dispose(): void {
    if (!this.broken) this.disposeRuntime();
  }
}

function stripSlash(dir: string): string {
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}
