/**
 * SIT with git (SPEC §6): the repository as committed at any revision, read from git's objects
 * without a checkout (one `git cat-file --batch` process per command, `git ls-tree` for listings),
 * item states cached by git object ids, where an issue stands on every branch and tag, merge
 * requests, and the inbox that accepts only new records. Git is always the system `git`, run with
 * argument arrays, never through a shell; nothing here writes the work tree, the index or `.sit/`
 * except the merge request commands, which say so.
 * @module
 */
export {
  GitError,
  GitNotFoundError,
  NotAGitRepositoryError,
  ReadOnlyRevisionError,
  UnknownRevisionError,
} from './errors.ts';
export { git, gitText, type GitOptions, type GitResult } from './run.ts';
export { CatFile, type GitObject } from './cat_file.ts';
export type { ObjectFormat, TreeEntry, TreeFile } from './objects.ts';
export { GitRepository, type GitOpenOptions } from './repository.ts';
export { Revision, type ItemListing, type ItemRead, type RecordPlace } from './revision.ts';
export { listRecords, packFiles, RecordsListing, type ListedRecord, type RecordsIndex } from './listing.ts';
export { GitRecordSource, type GitSourceOptions } from './source.ts';
export { GitStateCache, type StateCacheKey } from './state_cache.ts';
export { RevisionReducer, type RevisionReducerOptions, type State } from './reduce.ts';
export { checkRevisionIntegrity } from './integrity.ts';
export { issueState, itemAtRefs, listRefs, type GitRef, type RefState } from './refs.ts';
export { statesAtRefs, type RefItemState, type WhereOptions } from './where.ts';
export {
  NoRepositoryAtRevisionError,
  openGitSide,
  RevisionView,
  type GitSide,
  type RevisionViewOptions,
} from './view.ts';
export { branchPatches, commitFilesOnBranch, currentBranch, type BranchPatches, type CommitMessage } from './mr.ts';
export { checkCommits, preReceiveHook, type InboxOptions, type InboxReport, type Violation } from './inbox.ts';
