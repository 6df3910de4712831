/**
 * What `sit daemon` and the commands that ask it agree on: where the socket lives, the request
 * and answer lines, their size limits, and the identity of the build (a daemon of another build
 * may reduce or search differently, so its answers are not used).
 *
 * One connection carries one request and one answer, each one line of JSON; an answer whose line
 * says `bytes: N` is followed by exactly N bytes of data (the standard output of a `run`, sent as
 * it is rather than inside the JSON). Every request names
 * the protocol, the build, the repository and whether integrity checking is on; a daemon answers
 * only when all four match its own, and says `unsure` when it cannot vouch for its answer (its
 * watch of `.sit/` failed, or it is still rebuilding): the command then reads the repository
 * itself.
 * @module
 */
import { VERSION } from '../version.ts';

export { socketPath } from './address.ts';

/** The protocol's name and version; a change of either makes old daemons and clients ignore each other. */
export const PROTOCOL = 'sit-daemon 2';

/** The largest request line a daemon reads (the longest query a command sends is far shorter). */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The largest answer line a client reads (every state of a large repository fits). */
export const MAX_ANSWER_BYTES = 512 * 1024 * 1024;

/** How long a client waits for its answer before it reads the repository itself. */
export const ANSWER_TIMEOUT_MS = 2000;

/**
 * The operations a daemon answers: the reads of `ItemReader` (`src/scripts/reader.ts`), and
 * `lines` (what `sit items -f FILTER -q QUERY` prints for each item) and `run` (a whole module
 * command answered from the memo of its last run, see src/scripts/memo.ts).
 */
export const OPERATIONS = [
  'ping',
  'ids',
  'state',
  'states',
  'damaged',
  'search',
  'references',
  'summaries',
  'lines',
  'run',
] as const;

/** One operation. */
export type Operation = (typeof OPERATIONS)[number];

/** A request line. */
export interface DaemonRequest {
  protocol: string;
  build: string;
  /** The repository's root, as the client found it (compared by real path). */
  root: string;
  /** Whether the client checks records against their hashes. */
  integrity: boolean;
  op: Operation;
  args: unknown[];
}

/** An answer line (and the data that followed it, as it arrived, when the line announced `bytes`). */
export type DaemonAnswer =
  | { protocol: string; build: string; ok: true; value: unknown; bytes?: number; data?: Buffer[] }
  | { protocol: string; build: string; ok: false; notFound: string }
  | { protocol: string; build: string; ok: false; unsure: string };

declare const SIT_BUILD_ID: string | undefined;

/**
 * The identity of this build: the version and, in the compiled `sit`, a digest of the sources it
 * was built from (set by scripts/build.mjs); `source` when running from the TypeScript sources.
 */
export function buildId(): string {
  return `${VERSION} ${typeof SIT_BUILD_ID === 'string' ? SIT_BUILD_ID : 'source'}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request in `line`, or a reason why it is not one. */
export function parseRequest(line: string): DaemonRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!isPlainObject(value)) return 'not an object';
  const { protocol, build, root, integrity, op, args } = value;
  if (
    typeof protocol !== 'string' ||
    typeof build !== 'string' ||
    typeof root !== 'string' ||
    typeof integrity !== 'boolean'
  ) {
    return 'protocol, build, root or integrity missing';
  }
  if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) return 'unknown operation';
  if (!Array.isArray(args) || args.length > 4) return 'bad arguments';
  return { protocol, build, root, integrity, op: op as Operation, args };
}

/** The answer in `line` if it is a well-formed answer of this protocol and build, else undefined. */
export function parseAnswer(line: string): DaemonAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value) || value.protocol !== PROTOCOL || value.build !== buildId()) return undefined;
  if (value.ok === true && Object.hasOwn(value, 'value')) {
    const bytes = value.bytes;
    if (bytes === undefined) return value as DaemonAnswer;
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > MAX_ANSWER_BYTES)
      return undefined;
    return value as DaemonAnswer;
  }
  if (value.ok === false && typeof value.notFound === 'string') return value as DaemonAnswer;
  if (value.ok === false && typeof value.unsure === 'string') return value as DaemonAnswer;
  return undefined;
}
