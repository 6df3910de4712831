/**
 * JSON output in the original's conventions: object keys sorted byte-wise (UTF-8) at every level,
 * whole numbers printed as integers, pretty output indented by two spaces like serde_json.
 * @module
 */
import { SitError } from './errors.ts';
import { compareUtf8 } from './store/hash.ts';

export { jsonDepthExceeds, MAX_JSON_DEPTH } from './json_depth.ts';

/** Deeper than any walk of this module follows: a typed error rather than V8's stack overflow. */
const MAX_WALK_DEPTH = 1000;

/** A value nested deeper than a walk over it may go. */
export class JsonDepthError extends SitError {}

/** Options for {@linkcode stringifySorted}. */
export interface StringifyOptions {
  /** Two-space indentation with `"key": value`, as serde_json's pretty printer. */
  pretty?: boolean;
}

/** Serialises `value` with sorted keys; `undefined` and functions are dropped as JSON drops them. */
export function stringifySorted(value: unknown, options: StringifyOptions = {}): string {
  const out: string[] = [];
  write(value, options.pretty ? '\n' : '', options.pretty === true, out, 0);
  return out.join('');
}

function write(value: unknown, newline: string, pretty: boolean, out: string[], depth: number): void {
  if (depth > MAX_WALK_DEPTH)
    throw new JsonDepthError(`the value is nested more than ${MAX_WALK_DEPTH} levels deep and cannot be printed`);
  if (value === null || value === undefined || typeof value === 'function') {
    out.push('null');
  } else if (typeof value === 'number') {
    out.push(Number.isFinite(value) ? String(value) : 'null');
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    const inner = pretty ? newline + '  ' : '';
    out.push('[');
    value.forEach((v, i) => {
      if (i > 0) out.push(',');
      out.push(inner);
      write(v, inner, pretty, out, depth + 1);
    });
    out.push(pretty ? newline : '', ']');
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function')
      .sort(compareUtf8);
    if (keys.length === 0) {
      out.push('{}');
      return;
    }
    const inner = pretty ? newline + '  ' : '';
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(inner, JSON.stringify(k), pretty ? ': ' : ':');
      write(obj[k], inner, pretty, out, depth + 1);
    });
    out.push(pretty ? newline : '', '}');
  } else {
    out.push('null');
  }
}

/**
 * Formats a query result as the original command line does: a string prints raw, anything else as
 * pretty JSON with sorted keys. The result carries no trailing newline.
 */
export function formatQueryResult(value: unknown): string {
  return typeof value === 'string' ? value : stringifySorted(value, { pretty: true });
}
