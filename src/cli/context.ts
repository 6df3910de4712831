/**
 * What every subcommand needs: the global options, the working directory, the user configuration
 * and the repository, each loaded on first use.
 * @module
 */
import { resolve } from 'node:path';
import { Repository, loadUserConfig, type UserConfig } from '../store/mod.ts';
import { ReadOnlyRevisionError } from '../git/errors.ts';
import type { RevisionView } from '../git/view.ts';
import type { GlobalOptions } from './globals.ts';
import { isTrusted } from './trust.ts';
import { forTerminal } from '../terminal.ts';
import { ProgressBar } from '../progress.ts';

/** The state shared by the subcommands of one `sit` run. */
export class Context {
  /** The parsed global options. */
  readonly globals: GlobalOptions;
  /** The working directory (`-d`, or the process's). */
  readonly workDir: string;
  #userConfig: UserConfig | undefined;
  #repository: Repository | undefined;
  #revision: Promise<RevisionView> | undefined;
  #progress: ProgressBar | undefined;

  /** Creates the context for one run. */
  constructor(globals: GlobalOptions) {
    this.globals = globals;
    this.workDir = resolve(globals.workDir ?? '.');
  }

  /** Whether records are checked against their hashes while reading. */
  get integrity(): boolean {
    return !this.globals.disableIntegrityCheck;
  }

  /** The user configuration (`-c`, or the default location). */
  userConfig(): UserConfig {
    this.#userConfig ??= loadUserConfig({ path: this.globals.configFile });
    return this.#userConfig;
  }

  /** The repository (`-r`, `SIT_DIR`, or the nearest `.sit` at or above the working directory). */
  repository(): Repository {
    this.#repository ??= Repository.discover(this.workDir, {
      repository: this.globals.repository,
      integrity: this.integrity,
      // A program shipped in the repository (an in-repository module manager) runs once trusted.
      trust: () => this.#repository !== undefined && isTrusted(this.userConfig(), this.#repository),
      onWarning: (message) => process.stderr.write(forTerminal(`warning: ${message}\n`, process.stderr.isTTY)),
    });
    return this.#repository;
  }

  /** The git revision given with `--at`, if any: commands then read the repository as committed there. */
  get at(): string | undefined {
    return this.globals.at;
  }

  /**
   * The repository as committed at the `--at` revision (opened once; the caller closes it with
   * {@link Context.closeRevision}). Throws outside git or for an unknown revision.
   */
  revision(): Promise<RevisionView> {
    const at = this.at;
    if (at === undefined) throw new ReadOnlyRevisionError('no --at revision was given');
    this.#revision ??= import('../git/view.ts').then(({ RevisionView }) =>
      RevisionView.open(this.repository(), at, { integrity: this.integrity, onProgress: this.onProgress }),
    );
    return this.#revision;
  }

  /**
   * Told how far a reduction of many items has got: the run's progress bar on standard error when
   * that is a terminal and the work takes more than a second (see progress.ts); else nothing.
   */
  readonly onProgress = (done: number, total: number): void => {
    this.#progress ??= new ProgressBar('Reducing items');
    this.#progress.update(done, total);
  };

  /** Clears the run's progress bar, if one was drawn (at the end of the run, however it ends). */
  endProgress(): void {
    this.#progress?.end();
    this.#progress = undefined;
  }

  /** Stops what {@link Context.revision} started. */
  async closeRevision(): Promise<void> {
    const revision = this.#revision;
    this.#revision = undefined;
    if (revision !== undefined) await (await revision.catch(() => undefined))?.close();
  }

  /**
   * Refuses `what` (a write, or a command that cannot read a revision) under `--at`; `instead`
   * says what to do rather than just "run it without --at".
   */
  refuseAt(what: string, options: { instead?: string } = {}): void {
    if (this.at === undefined) return;
    throw new ReadOnlyRevisionError(
      `${what} does not work with --at: --at ${this.at} reads the repository as committed there, read-only; ${options.instead ?? 'run it without --at'}`,
    );
  }

  /** Writes text to standard output. */
  print(text: string): void {
    process.stdout.write(forTerminal(text.endsWith('\n') ? text : text + '\n', process.stdout.isTTY));
  }
}
