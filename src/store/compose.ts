/**
 * Composing a new record: every writer (the `sit record` command, module scripts, the web UI)
 * gives its own files and record types, and this adds what SIT adds to every record it writes
 * (original-sit.md §2.5): an empty `.type/<T>` per type, `.authors` and `.timestamp` in the form
 * the original `sit record` wrote, and the signing of the record when the user configuration (or
 * the command line) asks for it.
 * @module
 */
import { chronoTimestamp } from '../timestamp.ts';
import type { RecordFile } from './hash.ts';
import { signRecordHash } from './signing.ts';
import { formatAuthor, type Author } from './user_config.ts';

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** How records get signed (the user configuration's `signing`, or the command line's options). */
export interface RecordSigning {
  /** Whether records are signed. */
  enabled: boolean;
  /** The GnuPG key to sign with (default: GnuPG's default key). */
  key?: string | undefined;
  /** The GnuPG program (default: `gpg2` on PATH, else `gpg`). */
  gnupg?: string | undefined;
}

/** Options of {@linkcode composeRecord}. */
export interface ComposeOptions {
  /** Record types: an empty `.type/<T>` file each, in the order given (a repeated type is refused on writing). */
  types?: readonly string[] | undefined;
  /** The author (`.authors`, `Name <email>` without a newline), or its text; none when undefined. */
  author?: Author | string | undefined;
  /** Whether `.timestamp` (now) is added (default true). */
  timestamp?: boolean | undefined;
}

/**
 * The files of a new record: `files` as given, then a `.type/<T>` per type, `.authors` and
 * `.timestamp` (the current UTC time, strictly increasing within the process, as chrono prints it:
 * `2018-12-20T19:36:21.344727532Z`). `.prev/*` and `.signature` are the repository's to add.
 */
export function composeRecord(files: readonly RecordFile[], options: ComposeOptions = {}): RecordFile[] {
  const composed = [...files];
  for (const type of options.types ?? []) composed.push({ name: `.type/${type}`, data: EMPTY });
  const author = options.author;
  if (author !== undefined) {
    composed.push({
      name: '.authors',
      data: encoder.encode(typeof author === 'string' ? author : formatAuthor(author)),
    });
  }
  if (options.timestamp ?? true) composed.push({ name: '.timestamp', data: encoder.encode(chronoTimestamp()) });
  return composed;
}

/**
 * The signing function a repository's `newRecord` takes (`sign`), or `undefined` when `signing`
 * is not enabled: it runs GnuPG on the record's hash (see {@linkcode signRecordHash}).
 */
export function recordSigner(signing: RecordSigning | undefined): ((hash: string) => Uint8Array) | undefined {
  if (signing?.enabled !== true) return undefined;
  const { gnupg, key } = signing;
  return (hash: string) => signRecordHash(hash, { gnupg, key });
}
