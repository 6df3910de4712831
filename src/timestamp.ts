/**
 * Timestamps: RFC 3339 text as comparable instants with the nanosecond precision SIT writes, and
 * new timestamps in the format the original `sit record` wrote.
 * @module
 */

/** An instant: whole seconds since the Unix epoch and the nanoseconds within that second. */
export interface Instant {
  /** Seconds since 1970-01-01T00:00:00Z (may be negative). */
  readonly seconds: number;
  /** 0 to 999 999 999. */
  readonly nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time (`2018-12-20T19:36:21.344727532Z`, `…:21Z`, `…+02:00`); fractions
 * beyond nine digits are cut. Returns `undefined` for anything else.
 */
export function parseTimestamp(text: string): Instant | undefined {
  const m = RFC3339.exec(text.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (m[9] !== undefined) {
    const offset = Number(m[10]) * 3600 + Number(m[11]) * 60;
    seconds += m[9] === '+' ? -offset : offset;
  }
  const nanos = Number((m[7] ?? '').slice(0, 9).padEnd(9, '0'));
  return { seconds, nanos };
}

/** Orders instants; `undefined` (no or unparsable timestamp) comes before every instant. */
export function compareInstants(a: Instant | undefined, b: Instant | undefined): number {
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanos - b.nanos;
}

let lastNs = 0n;

/** The current time in nanoseconds since the epoch, strictly increasing within this process. */
function nowNs(): bigint {
  const ms = BigInt(Date.now());
  const sub = process.hrtime.bigint() % 1_000_000n;
  let ns = ms * 1_000_000n + sub;
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

/**
 * `YYYY-MM-DDTHH:MM:SS` plus a fraction of 3, 6 or 9 digits (none when zero) plus `Z`, as chrono
 * prints a UTC time; e.g. `2018-12-20T19:36:21.344727532Z`.
 */
export function chronoTimestamp(ns: bigint = nowNs()): string {
  const ms = Number(ns / 1_000_000n);
  const fraction = Number(ns % 1_000_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  if (fraction === 0) return `${base}Z`;
  if (fraction % 1_000_000 === 0) return `${base}.${String(fraction / 1_000_000).padStart(3, '0')}Z`;
  if (fraction % 1_000 === 0) return `${base}.${String(fraction / 1_000).padStart(6, '0')}Z`;
  return `${base}.${String(fraction).padStart(9, '0')}Z`;
}
