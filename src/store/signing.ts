/** PGP signatures of records through GnuPG (SPEC §1 "Signatures", original-sit.md §2.6). */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { delimiter } from 'node:path';
import { SigningError } from './errors.ts';
import { recordHash } from './hash.ts';
import type { HashingAlgorithm, RecordFile } from './hash.ts';
import { findExecutable } from './modules.ts';

/** The outcome of verifying a record's signature; `output` is what GnuPG printed. */
export interface Verification {
  success: boolean;
  output: string;
}

/** The GnuPG program to use when none is configured: `gpg2` on PATH, else `gpg`. */
function defaultGnupg(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((p) => p !== '');
  return findExecutable('gpg2', dirs) ?? 'gpg';
}

/**
 * Signs a record hash: runs `<gnupg> --sign --armor --detach-sign -o - [--default-key KEY]` with
 * the hash (ASCII, no newline) on standard input and returns the armored signature.
 */
export function signRecordHash(
  hash: string,
  options: { gnupg?: string | undefined; key?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): Uint8Array {
  const env = options.env ?? process.env;
  const gnupg = options.gnupg ?? defaultGnupg(env);
  const args = ['--sign', '--armor', '--detach-sign', '-o', '-'];
  if (options.key !== undefined) args.push('--default-key', options.key);
  const result = runGnupg(gnupg, args, hash, env);
  if (result.error !== undefined) {
    throw new SigningError(
      `cannot run GnuPG (${gnupg}): ${result.error.message}; install it or set --gnupg / signing.gnupg`,
    );
  }
  if (result.status !== 0) {
    const detail = result.stderr.toString('utf8').trim().split('\n').pop() ?? '';
    throw new SigningError(`GnuPG (${gnupg}) refused to sign the record (exit status ${result.status}): ${detail}`);
  }
  return new Uint8Array(result.stdout);
}

/**
 * Runs GnuPG with `input` on its standard input. A program that exits without reading all of it
 * (GnuPG refusing at once) makes the write fail with EPIPE: it did run, and its exit status says
 * how it went, so that error is not reported as one.
 */
function runGnupg(gnupg: string, args: string[], input: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<Buffer> {
  const result = spawnSync(gnupg, args, { input, env, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 16 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code !== 'EPIPE' || result.status === null) return result;
  const { error: _pipe, ...ran } = result;
  return ran;
}

function runVerify(gnupg: string, signaturePath: string, hash: string, env: NodeJS.ProcessEnv): Verification {
  const result = runGnupg(gnupg, ['--verify', signaturePath, '-'], hash, env);
  if (result.error !== undefined)
    return { success: false, output: `cannot run GnuPG (${gnupg}): ${result.error.message}` };
  return { success: result.status === 0, output: result.stderr.toString('utf8') };
}

/**
 * Verifies the `.signature` of the record in `recordDir` whose files are `files`. Accepts the
 * signature of the hash of all files but `.signature` (SIT ≤ 0.3 and this implementation) or,
 * failing that, of all files but `.signature` and `.prev/*` (SIT 0.4 and later).
 */
export function verifySignature(
  recordDir: string,
  files: readonly RecordFile[],
  options: { gnupg?: string | undefined; algorithm?: HashingAlgorithm; env?: NodeJS.ProcessEnv } = {},
): Verification {
  const env = options.env ?? process.env;
  const gnupg = options.gnupg ?? defaultGnupg(env);
  const hashOptions = options.algorithm === undefined ? {} : { algorithm: options.algorithm };
  const signaturePath = join(recordDir, '.signature');
  const signed = files.filter((f) => f.name !== '.signature');
  const first = runVerify(gnupg, signaturePath, recordHash(signed, hashOptions), env);
  if (first.success) return first;
  const withoutParents = signed.filter((f) => !f.name.startsWith('.prev/'));
  if (withoutParents.length === signed.length) return first;
  const second = runVerify(gnupg, signaturePath, recordHash(withoutParents, hashOptions), env);
  return second.success ? second : first;
}
