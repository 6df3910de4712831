/**
 * Loading QuickJS (compiled to WebAssembly) with a fixed memory and a clock-free, UTC-only view of
 * time, so that guest code can neither exhaust the host's memory nor observe the host's time zone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import type { QuickJSSyncVariant, QuickJSWASMModule } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import type { SandboxLimits } from './types.ts';

/** Limits with every default filled in. */
export interface ResolvedLimits {
  memoryBytes: number;
  stackBytes: number;
  itemDeadlineMs: number;
  watchdogGraceMs: number;
  maxStateDepth: number;
  maxStateChars: number;
}

const MiB = 1024 * 1024;
const PAGE = 64 * 1024;
/** The module declares an initial memory of 16 MiB: the smallest possible cap. */
const MIN_PAGES = 256;

/** Records of an item per unit of its deadline: an item gets `itemDeadlineMs` for every 100 records. */
export const RECORDS_PER_DEADLINE = 100;

/**
 * Fills in the defaults of SPEC §2: 64 MiB of memory, a 256 KiB stack, 1 s per item (per 100
 * records), 1 s grace, states at most 100 levels deep and 8 MiB of JSON.
 */
export function resolveLimits(limits: SandboxLimits = {}): ResolvedLimits {
  const memoryBytes = limits.memoryBytes ?? 64 * MiB;
  const stackBytes = limits.stackBytes ?? 256 * 1024;
  const itemDeadlineMs = limits.itemDeadlineMs ?? 1000;
  const watchdogGraceMs = limits.watchdogGraceMs ?? 1000;
  const maxStateDepth = limits.maxStateDepth ?? 100;
  const maxStateChars = limits.maxStateChars ?? 8 * MiB;
  if (!(memoryBytes >= 16 * MiB && memoryBytes <= 2048 * MiB)) {
    throw new RangeError(`sandbox memory limit must be between 16 MiB and 2 GiB, got ${memoryBytes}`);
  }
  if (!(stackBytes >= 16 * 1024 && stackBytes <= 384 * 1024)) {
    throw new RangeError(`sandbox stack limit must be between 16 KiB and 384 KiB, got ${stackBytes}`);
  }
  if (!(itemDeadlineMs > 0) || !(watchdogGraceMs >= 0)) {
    throw new RangeError('sandbox deadlines must be positive numbers of milliseconds');
  }
  if (!(Number.isInteger(maxStateDepth) && maxStateDepth >= 2 && maxStateDepth <= 1000)) {
    throw new RangeError(`the state depth limit must be a whole number from 2 to 1000, got ${maxStateDepth}`);
  }
  if (!(Number.isInteger(maxStateChars) && maxStateChars >= 1024)) {
    throw new RangeError(
      `the state size limit must be a whole number of at least 1024 characters, got ${maxStateChars}`,
    );
  }
  return { memoryBytes, stackBytes, itemDeadlineMs, watchdogGraceMs, maxStateDepth, maxStateChars };
}

/** The deadline of an item with `records` records: `itemDeadlineMs` for every 100 records, at least once. */
export function itemDeadline(limits: ResolvedLimits, records: number): number {
  return limits.itemDeadlineMs * Math.max(1, Math.ceil(records / RECORDS_PER_DEADLINE));
}

/** Formats a byte count the way limit errors show it: `64 MiB`, `256 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * What a QuickJS module is compiled for. `throughput`: V8 optimises the hot functions in the
 * background (the worker pool, which reduces thousands of items). `startup`: V8 keeps its baseline
 * code, because optimising QuickJS's interpreter loop alone takes 150 to 350 ms of compiling that a
 * short job never earns back, and a process cannot exit while a worker's function is being
 * optimised (it waited that long after the worker of a one-item job was terminated).
 */
export type CompileGoal = 'throughput' | 'startup';

const compiled = new Map<CompileGoal, WebAssembly.Module>();

/** A function index no module has: `--wasm-tier-up-filter` set to it optimises no function. */
const NO_FUNCTION = 2147483647;
/** Whether a `startup` module was compiled in this thread, and how many throughput pools hold optimising on. */
let startupUsed = false;
let throughputHolds = 0;

/**
 * Optimising WebAssembly is a process-wide V8 setting, read when a function becomes hot: it is on
 * while a throughput pool runs or before any `startup` module was compiled, and off otherwise.
 */
function applyTierUp(): void {
  const enabled = throughputHolds > 0 || !startupUsed;
  v8.setFlagsFromString(`--wasm-tier-up-filter=${enabled ? -1 : NO_FUNCTION}`);
}

/** Turns optimising on for a throughput pool; the function returned turns the hold off again. */
export function holdTierUp(): () => void {
  throughputHolds++;
  applyTierUp();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    throughputHolds--;
    applyTierUp();
  };
}

/**
 * The bytes of a `startup` module: QuickJS with an empty custom section (name `sit-startup`)
 * appended. The code is the same; the bytes differ so that V8, which shares one compiled module
 * between all modules of equal bytes in a process, keeps it apart from the `throughput` one.
 */
function startupBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const name = new TextEncoder().encode('sit-startup');
  const out = new Uint8Array(bytes.length + 3 + name.length);
  out.set(bytes, 0);
  out.set([0, name.length + 1, name.length], bytes.length);
  out.set(name, bytes.length + 3);
  return out;
}

/**
 * The compiled QuickJS WebAssembly module of this thread for `goal`, compiled on first use. Worker
 * threads are given the pool's (it can be posted to them), so that V8 compiles it, and optimises
 * its hot functions, once per process rather than once per worker.
 */
export function compiledModule(goal: CompileGoal): WebAssembly.Module {
  let module = compiled.get(goal);
  if (module !== undefined) return module;
  const require = createRequire(import.meta.url);
  const bytes = readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm'));
  if (goal === 'throughput') {
    module = new WebAssembly.Module(bytes);
  } else {
    module = new WebAssembly.Module(startupBytes(bytes));
    startupUsed = true;
    applyTierUp();
  }
  compiled.set(goal, module);
  return module;
}

type ImportFn = (...args: unknown[]) => unknown;

/**
 * Replaces the Emscripten imports that read the host's local time zone (`localtime` and `tzset`)
 * with UTC versions writing into `memory`, so `new Date(x).getHours()` is the same on every machine.
 * The imports are recognised by their source, which calls `getTimezoneOffset`.
 */
function utcImports(imports: Record<string, Record<string, unknown>>, memory: WebAssembly.Memory): void {
  for (const table of Object.values(imports)) {
    for (const [name, value] of Object.entries(table)) {
      if (typeof value !== 'function' || !String(value).includes('getTimezoneOffset')) continue;
      const fn = value as ImportFn;
      if (fn.length === 2) table[name] = utcLocaltime(memory);
      else if (fn.length === 4) table[name] = utcTzset(memory);
      else throw new Error(`unexpected QuickJS time import ${name}/${fn.length}`);
    }
  }
}

function utcLocaltime(memory: WebAssembly.Memory): ImportFn {
  return (time: unknown, tmPtr: unknown) => {
    const t = Number(time);
    const d = new Date(Number.isFinite(t) && Math.abs(t) <= 8.64e12 ? t * 1000 : NaN);
    const heap = new Int32Array(memory.buffer);
    const p = (tmPtr as number) >> 2;
    const year = d.getUTCFullYear();
    heap[p] = d.getUTCSeconds();
    heap[p + 1] = d.getUTCMinutes();
    heap[p + 2] = d.getUTCHours();
    heap[p + 3] = d.getUTCDate();
    heap[p + 4] = d.getUTCMonth();
    heap[p + 5] = year - 1900;
    heap[p + 6] = d.getUTCDay();
    heap[p + 7] = Math.round((d.getTime() - Date.UTC(year, 0, 1)) / 86400000);
    heap[p + 8] = 0;
    heap[p + 9] = 0;
  };
}

function utcTzset(memory: WebAssembly.Memory): ImportFn {
  return (timezonePtr: unknown, daylightPtr: unknown, stdName: unknown, dstName: unknown) => {
    const heap = new Int32Array(memory.buffer);
    heap[(timezonePtr as number) >> 2] = 0;
    heap[(daylightPtr as number) >> 2] = 0;
    const bytes = new Uint8Array(memory.buffer);
    for (const ptr of [stdName as number, dstName as number]) bytes.set([85, 84, 67, 0], ptr); // "UTC\0"
  };
}

/**
 * Instantiates a QuickJS WebAssembly module with its own fixed memory of at most
 * `limits.memoryBytes` (the only reliable cap on a runtime's total memory), from `options.module`
 * or this thread's `startup` {@linkcode compiledModule}; instantiation takes a few milliseconds.
 */
export async function newSandboxModule(
  limits: ResolvedLimits,
  options: { module?: WebAssembly.Module } = {},
): Promise<QuickJSWASMModule> {
  const maximum = Math.ceil(limits.memoryBytes / PAGE);
  const wasmMemory = new WebAssembly.Memory({ initial: MIN_PAGES, maximum });
  const module = options.module ?? compiledModule('startup');
  // the package's CommonJS-style typings describe the namespace; at run time this is the variant
  const variant = newVariant(releaseSync as unknown as QuickJSSyncVariant, {
    wasmMemory,
    emscriptenModule: {
      instantiateWasm(imports: Record<string, Record<string, unknown>>, done: (i: WebAssembly.Instance) => void) {
        utcImports(imports, wasmMemory);
        // A worker given the start-up module keeps optimising off in this process too.
        if (!startupUsed && WebAssembly.Module.customSections(module, 'sit-startup').length > 0) {
          startupUsed = true;
          applyTierUp();
        }
        const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
        done(instance);
        return instance.exports;
      },
    } as never,
  });
  return await newQuickJSWASMModuleFromVariant(variant);
}
