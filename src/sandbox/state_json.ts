/** Reading a reduced state back on the host, with object keys in sorted order at every level. */
import { SandboxError, type ReducerErrorEntry } from './types.ts';

/** Deeper than the sandbox lets a state be, by far: a typed error rather than V8's stack overflow. */
const MAX_SORT_DEPTH = 1000;

function sortDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_SORT_DEPTH)
    throw new SandboxError(`a state nested more than ${MAX_SORT_DEPTH} levels deep cannot be read`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = sortDeep(value[i], depth + 1);
    return value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0 && sorted && !(keys[i - 1]! < key)) sorted = false;
    object[key] = sortDeep(object[key], depth + 1);
  }
  if (sorted) return object;
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: object[key], enumerable: true, writable: true, configurable: true });
    else out[key] = object[key];
  }
  return out;
}

/** Parses a state's JSON (always an object) and sorts the keys of every object in it. */
export function parseState(json: string): Record<string, unknown> {
  return sortDeep(JSON.parse(json)) as Record<string, unknown>;
}

/** A state as JSON text with the keys of every object sorted (the form `parseState` reads back). */
export function sortedStateJson(state: Record<string, unknown>): string {
  return JSON.stringify(sortDeep(state));
}

/** Appends an `errors` entry to a state given as JSON. */
export function withError(stateJson: string, entry: ReducerErrorEntry): Record<string, unknown> {
  let state: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(stateJson);
    state =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
  } catch {
    state = {};
  }
  const errors = Array.isArray(state.errors) ? state.errors : [];
  errors.push(entry);
  state.errors = errors;
  return state;
}
