/**
 * Times as people read them: `3 days ago`, `12 Mar 2024, 14:05 UTC`. Shared by the web pages and
 * the terminal output of module scripts (which have no clock of their own).
 * @module
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Parses an RFC 3339 timestamp; undefined when it is not one. */
export function parseTime(text: string): Date | undefined {
  if (text === '') return undefined;
  const d = new Date(text.trim());
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `12 Mar 2024, 14:05 UTC`. */
export function absoluteTime(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `3 days ago`, `just now`, or the date for anything older than a month. */
export function relativeTime(d: Date, now: number = Date.now()): string {
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 0) return `on ${absoluteTime(d).replace(/, .*/, '')}`;
  if (s < 45) return 'just now';
  if (s < 90) return 'a minute ago';
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 5400) return 'an hour ago';
  if (s < 86400) return `${Math.round(s / 3600)} hours ago`;
  if (s < 2 * 86400) return 'yesterday';
  if (s < 30 * 86400) return `${Math.round(s / 86400)} days ago`;
  return `on ${absoluteTime(d).replace(/, .*/, '')}`;
}

/** A short age for columns: `now`, `5m`, `3h`, `2d`, `5w`, `4mo`, `2y`. */
export function shortAge(d: Date, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - d.getTime()) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 14 * 86400) return `${Math.floor(s / 86400)}d`;
  if (s < 60 * 86400) return `${Math.floor(s / (7 * 86400))}w`;
  if (s < 365 * 86400) return `${Math.floor(s / (30 * 86400))}mo`;
  return `${Math.floor(s / (365 * 86400))}y`;
}
