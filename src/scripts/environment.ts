/**
 * What a module script's host needs from the program that runs it: the repository, whether
 * records are checked, the revision read with `--at`, how records are signed and who writes them.
 * The command line builds one; the scripts know nothing of it.
 * @module
 */
import type { Author, RecordSigning, Repository } from '../store/mod.ts';
import type { RevisionView } from '../git/view.ts';
import type { ScriptIo } from './io.ts';

/** Who writes new records. */
export interface AuthorProvider {
  /** The configured author, or `undefined` when nothing configures one. */
  known(): Author | undefined;
  /**
   * The author, asked for through `io` (and kept) when nothing configures one; rejects with a
   * clear error when `io` is not a terminal.
   */
  ask(io: ScriptIo): Promise<Author>;
}

/** The environment of a module-script run. */
export interface ScriptEnvironment {
  /** The repository, opened on first use. */
  repository(): Repository;
  /** Whether records are checked against their hashes while reading. */
  readonly integrity: boolean;
  /** Told how far a reduction of many items has got (a progress bar on a terminal), if anything draws it. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /** The git revision the repository is read at (`--at`), if any: then it is read-only. */
  readonly at: string | undefined;
  /** The repository as committed at {@link ScriptEnvironment.at}; throws without one. */
  revision(): Promise<RevisionView>;
  /** Closes what {@link ScriptEnvironment.revision} opened. */
  closeRevision(): Promise<void>;
  /** Throws a clear error naming `what` (a write) when the repository is read at a revision. */
  refuseAt(what: string): void;
  /** How new records are signed. */
  signing(): RecordSigning;
  /** A top-level entry of the user configuration that SIT itself does not use (e.g. `issues`). */
  userSetting(name: string): unknown;
  /** Who writes new records. */
  readonly authors: AuthorProvider;
}
