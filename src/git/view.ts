/**
 * The SIT repository of the working tree, read as committed at a revision (`sit --at REV`): its
 * items, their states (through the git state cache and the working tree's reducers), records and
 * configuration. Nothing here writes: not the work tree, not the index, not `.sit/`.
 * @module
 */
import { configToJson, type RepositoryConfig, type Repository, type StoredRecord } from '../store/mod.ts';
import { loadReducers, type LoadedReducers } from '../reduce/reducers.ts';
import { orderStoredRecords } from '../store/mod.ts';
import { GitError } from './errors.ts';
import { RevisionReducer, type State } from './reduce.ts';
import { GitRepository } from './repository.ts';
import { Revision } from './revision.ts';

/** The commit a revision names has no SIT repository where the working tree has one. */
export class NoRepositoryAtRevisionError extends GitError {}

/** Options of {@link RevisionView.open}. */
export interface RevisionViewOptions {
  /** Leave out records that do not match their hash (default true). */
  integrity?: boolean;
  /** The reducer set (default: the working tree repository's). */
  reducers?: LoadedReducers;
  /** The environment that locates the cache. */
  env?: NodeJS.ProcessEnv;
  /** Told how far a reduction of many items has got (see `RevisionReducerOptions.onProgress`). */
  onProgress?: (done: number, total: number) => void;
}

/** A working-tree repository's git side: the git repository and a reducer of states at revisions. */
export interface GitSide {
  git: GitRepository;
  reducer: RevisionReducer;
  close(): Promise<void>;
}

/** Opens the git repository holding `repo`, with a reducer using the working tree's reducers. */
export async function openGitSide(repo: Repository, options: RevisionViewOptions = {}): Promise<GitSide> {
  const git = await GitRepository.open(repo.root);
  const reducer = new RevisionReducer({
    reducers: options.reducers ?? loadReducers(repo),
    integrity: options.integrity ?? true,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  return {
    git,
    reducer,
    close: async () => {
      await reducer.close();
      await git.close();
    },
  };
}

/** The repository at one revision, for reading. */
export class RevisionView {
  /** The git side it reads through. */
  readonly side: GitSide;
  /** The revision. */
  readonly revision: Revision;
  readonly #integrity: boolean;
  #states: Promise<Map<string, State>> | undefined;

  private constructor(side: GitSide, revision: Revision, integrity: boolean) {
    this.side = side;
    this.revision = revision;
    this.#integrity = integrity;
  }

  /**
   * Opens the repository `repo` as committed at `at`. Throws when `repo` is not in a git work
   * tree, when git does not know `at`, or when that commit has no SIT repository there.
   */
  static async open(repo: Repository, at: string, options: RevisionViewOptions = {}): Promise<RevisionView> {
    const side = await openGitSide(repo, options);
    try {
      const commit = await side.git.resolveCommit(at);
      const revision = await Revision.open(side.git, commit, at);
      if (!revision.exists) {
        if (revision.configProblem !== undefined) throw new NoRepositoryAtRevisionError(revision.configProblem);
        throw new NoRepositoryAtRevisionError(
          `${at} (commit ${commit.slice(0, 12)}) has no SIT repository at ${side.git.sitPath === '' ? 'the top of the tree' : `${side.git.sitPath}/`} (no config.json there)`,
        );
      }
      return new RevisionView(side, revision, options.integrity ?? true);
    } catch (error) {
      await side.close();
      throw error;
    }
  }

  /** The repository configuration at the revision. */
  get config(): RepositoryConfig {
    return this.revision.config!;
  }

  /** The configuration as JSON, as `sit config repository` prints it. */
  configJson(): Record<string, unknown> {
    return configToJson(this.config);
  }

  /** Item identifiers at the revision, sorted. */
  ids(): Promise<string[]> {
    return this.revision.listItems();
  }

  /** Every item's state at the revision, by id (reduced once per view). */
  states(): Promise<Map<string, State>> {
    this.#states ??= (async () => {
      const ids = await this.revision.listItems();
      const found = new Map<string, State>();
      await this.side.reducer.reduce(this.revision, ids, (id, state) => found.set(id, state));
      return new Map(ids.filter((id) => found.has(id)).map((id) => [id, found.get(id)!]));
    })();
    return this.#states;
  }

  /** One item's state at the revision, or undefined when it does not exist there. */
  async state(id: string): Promise<State | undefined> {
    if (this.#states !== undefined) return (await this.#states).get(id);
    let state: State | undefined;
    await this.side.reducer.reduce(this.revision, [id], (_, reduced) => {
      state = reduced;
    });
    return state;
  }

  /** An item's records in generation order (without non-intact ones when checking), or undefined. */
  async records(id: string): Promise<StoredRecord[] | undefined> {
    const read = await this.revision.readItem(id);
    if (read === undefined) return undefined;
    return orderStoredRecords(read.records, {
      hashingAlgorithm: this.revision.hashingAlgorithm,
      integrity: this.#integrity,
    }).flat();
  }

  /**
   * The records of an item at the revision that are left out because they do not hash to their
   * names (or cannot be read whole from git), sorted; undefined when the item does not exist there.
   */
  async damagedRecords(id: string): Promise<string[] | undefined> {
    const read = await this.revision.readItem(id);
    if (read === undefined) return undefined;
    if (!this.#integrity) return [];
    const damaged: string[] = [];
    orderStoredRecords(
      read.records,
      { hashingAlgorithm: this.revision.hashingAlgorithm, integrity: true },
      { damaged },
    );
    return damaged.sort();
  }

  /** Stops git and frees the sandbox. */
  close(): Promise<void> {
    return this.side.close();
  }
}
