/**
 * The SIT repository store: the on-disk format of the original SIT as a library. What other
 * rooms use is listed here; the rest stays inside the store (tests of its parts import their
 * files).
 * @module
 */
export {
  InitError,
  InvalidConfigError,
  InvalidItemIdError,
  InvalidRecordFileNameError,
  ItemExistsError,
  ItemNotFoundError,
  ModuleError,
  RepositoryNotFoundError,
  SigningError,
  StoreOperationError,
  UpgradeRequiredError,
} from './errors.ts';
export { compareUtf8, digestSize, isBase32, prepareHashing, recordHash, sortUtf8 } from './hash.ts';
export type { HashingAlgorithm, HashOptions, RecordFile } from './hash.ts';
export { isValidItemId, itemLinkText, prepareRecordFiles, splitPath } from './names.ts';
export { configToJson, defaultConfig, parseConfig, readConfig, serializeConfig } from './config.ts';
export type { RepositoryConfig } from './config.ts';
export { isConfined, isInside, resolveDir, resolveDirectory } from './resolve.ts';
export { resolveShippedLink, shippedLinkText } from './module_link.ts';
export { isIntact, readRecord } from './record.ts';
export type { StoredRecord } from './record.ts';
export type { RecordSource } from './record_source.ts';
export { orderStoredRecords, readCheckedRecord, readItemRecords, readRepositoryRecords } from './order_records.ts';
export { Repository } from './repository.ts';
export type { NewRecordOptions, OpenOptions } from './repository.ts';
export { externalModuleManager, findExecutable } from './modules.ts';
export type { ModuleManager } from './modules.ts';
export { checkIntegrity, checkIntegrityParallel } from './integrity.ts';
export type {
  IntegrityOptions,
  IntegrityProblem,
  IntegrityReport,
  IntegrityResult,
  ParallelIntegrityOptions,
} from './integrity.ts';
export { pendingUpgrades, upgradeRepository } from './upgrade.ts';
export { rebuildRepository } from './rebuild.ts';
export type { RebuildOptions, RebuildResult } from './rebuild.ts';
export {
  deriveAuthor,
  emptyUserConfig,
  formatAuthor,
  loadUserConfig,
  saveUserConfig,
  serializeUserConfig,
  userConfigToJson,
} from './user_config.ts';
export type { Author, NamedExpressions, UserConfig, UserConfigLocation } from './user_config.ts';
export { signRecordHash, verifySignature } from './signing.ts';
export { composeRecord, recordSigner } from './compose.ts';
export type { ComposeOptions, RecordSigning } from './compose.ts';
export type { Verification } from './signing.ts';
