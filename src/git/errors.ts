/** Errors of the git integration; each one carries a one-line message for the user. */
import { SitError } from '../errors.ts';

/** Something about git went wrong: a command failed, or its output was not what was expected. */
export class GitError extends SitError {}

/** The `git` program could not be run. */
export class GitNotFoundError extends GitError {}

/** The SIT repository does not lie inside a git work tree. */
export class NotAGitRepositoryError extends GitError {}

/** A revision that git does not know (or that names no commit). */
export class UnknownRevisionError extends GitError {}

/** A write was asked for while reading the repository as committed at a revision (`--at`). */
export class ReadOnlyRevisionError extends SitError {}
