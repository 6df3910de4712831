/** Timestamps in the format the original `sit record` wrote (chrono's Debug format of UTC now). */

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
