/**
 * What every subcommand needs: the global options, the working directory, the user configuration
 * and the repository, each loaded on first use.
 * @module
 */
import { resolve } from 'node:path';
import { Repository, loadUserConfig, type UserConfig } from '../store/mod.ts';
import type { GlobalOptions } from './globals.ts';
import { isTrusted } from './trust.ts';
import { forTerminal } from '../terminal.ts';

/** The state shared by the subcommands of one `sit` run. */
export class Context {
  /** The parsed global options. */
  readonly globals: GlobalOptions;
  /** The working directory (`-d`, or the process's). */
  readonly workDir: string;
  #userConfig: UserConfig | undefined;
  #repository: Repository | undefined;

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

  /** Writes text to standard output. */
  print(text: string): void {
    process.stdout.write(forTerminal(text.endsWith('\n') ? text : text + '\n', process.stdout.isTTY));
  }
}
