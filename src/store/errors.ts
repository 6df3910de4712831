/** Errors raised by the repository store; each one carries a one-line message for the user. */
import { SitError } from '../errors.ts';

/** A record file name that cannot be stored (empty, escaping, NUL byte, duplicate). */
export class InvalidRecordFileNameError extends SitError {}

/** A `config.json` that is missing, unreadable, not JSON or missing required fields. */
export class InvalidConfigError extends SitError {}

/** The repository uses a deprecated layout; `sit upgrade` fixes it. */
export class UpgradeRequiredError extends SitError {
  /** The upgrade that is needed, as `sit upgrade` names it. */
  readonly upgrade: string;

  /** Creates the error for the repository at `path` needing `upgrade`. */
  constructor(path: string, upgrade: string) {
    super(`repository ${path} needs an upgrade (${upgrade}); run \`sit upgrade\` first`);
    this.upgrade = upgrade;
  }
}

/** No repository was found where discovery looked. */
export class RepositoryNotFoundError extends SitError {}

/** `sit init` could not create the repository. */
export class InitError extends SitError {}

/** An item that already exists was to be created. */
export class ItemExistsError extends SitError {}

/** An item that does not exist was asked for. */
export class ItemNotFoundError extends SitError {}

/** An item identifier that cannot name a direct child of `items/`. */
export class InvalidItemIdError extends SitError {}

/** A module entry of `modules/` that does not resolve, or a missing external module manager. */
export class ModuleError extends SitError {}

/** GnuPG could not be run or refused to sign. */
export class SigningError extends SitError {}

/** A rebuild or upgrade could not proceed. */
export class StoreOperationError extends SitError {}
