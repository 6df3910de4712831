/**
 * RFC 3339 timestamps as comparable instants, with the nanosecond precision SIT writes.
 * @module
 */

/** An instant: whole seconds since the Unix epoch and the nanoseconds within that second. */
export interface Instant {
  /** Seconds since 1970-01-01T00:00:00Z (may be negative). */
  readonly seconds: number;
  /** 0 to 999 999 999. */
  readonly nanos: number;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Parses an RFC 3339 date-time (`2018-12-20T19:36:21.344727532Z`, `…:21Z`, `…+02:00`); fractions
 * beyond nine digits are cut. Returns `null` for anything else.
 */
export function parseTimestamp(text: string): Instant | null {
  const m = RFC3339.exec(text.trim());
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number, number, number, number, number, number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return null;
  }
  let seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  if (m[9] !== undefined) {
    const offset = Number(m[10]) * 3600 + Number(m[11]) * 60;
    seconds -= m[9] === '-' ? -offset : offset;
  }
  const nanos = Number((m[7] ?? '').slice(0, 9).padEnd(9, '0'));
  return { seconds, nanos };
}

/** Orders instants; `null` (no or unparsable timestamp) comes before every instant. */
export function compareInstants(a: Instant | null, b: Instant | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanos - b.nanos;
}
