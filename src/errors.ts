/**
 * The base of every error that is the user's to fix: bad input, a missing repository, an unknown
 * item. The command line prints its one-line message (no stack trace) and exits with `exitCode`.
 */
export class SitError extends Error {
  /** The process exit status the command line uses for this error. */
  readonly exitCode: number;

  /** Creates an error whose message says what failed, on what input, and what to do. */
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
  }
}
