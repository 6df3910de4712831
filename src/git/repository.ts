/**
 * A git repository that holds a SIT repository: where git runs, where the SIT directory lies in
 * its trees, and one `git cat-file --batch` process (started on first use) through which every
 * tree and blob is read. Trees are remembered while the command runs; small blobs too.
 * @module
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { CatFile } from './cat_file.ts';
import { GitError, GitNotFoundError, NotAGitRepositoryError, UnknownRevisionError } from './errors.ts';
import { commitTree, findTreeEntry, formatOf, parseTree, type ObjectFormat, type TreeEntry } from './objects.ts';
import { git, gitText } from './run.ts';

/** Options of {@link GitRepository.open}. */
export interface GitOpenOptions {
  /**
   * The SIT repository's path inside the commits' trees (`/`-separated, `''` for the top). By
   * default the path of `dir` inside its git work tree (e.g. `.sit`).
   */
  sitPath?: string;
  /** Extra environment for git. */
  env?: NodeJS.ProcessEnv;
}

/** The object id of the empty blob, by format. */
const EMPTY_BLOB: Record<ObjectFormat, string> = {
  sha1: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
  sha256: '473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813',
};

/** Trees remembered at most (then forgotten all at once). */
const TREE_MEMO = 50_000;
/** Trees kept as bytes for lookups by name at most. */
const RAW_TREE_MEMO = 4096;
/** Blobs of at most this many bytes are remembered (`.authors` is the same in many records). */
const SMALL_BLOB = 512;
const BLOB_MEMO = 20_000;

function realpath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** A git repository and the place of a SIT repository in its trees. */
export class GitRepository {
  /** The directory git runs in. */
  readonly cwd: string;
  /** The SIT repository's path in the commits' trees, `/`-separated raw components (`''`: the top). */
  readonly sitPath: string;
  /** The object id format. */
  readonly format: ObjectFormat;
  readonly #env: NodeJS.ProcessEnv | undefined;
  #catFile: CatFile | undefined;
  readonly #trees = new Map<string, Promise<TreeEntry[] | undefined>>();
  readonly #blobs = new Map<string, Buffer>();
  readonly #rawTrees = new Map<string, Promise<Buffer | undefined>>();

  private constructor(cwd: string, sitPath: string, format: ObjectFormat, env: NodeJS.ProcessEnv | undefined) {
    this.cwd = cwd;
    this.sitPath = sitPath;
    this.format = format;
    this.#env = env;
  }

  /**
   * Opens the git repository that `dir` lies in (a work tree, or a bare repository when
   * `sitPath` is given). Throws {@link NotAGitRepositoryError} outside git.
   */
  static async open(dir: string, options: GitOpenOptions = {}): Promise<GitRepository> {
    const env = options.env;
    // One git process: the object format, and the work tree's top unless the SIT path is given.
    const args = ['rev-parse', '--show-object-format', ...(options.sitPath === undefined ? ['--show-toplevel'] : [])];
    let lines: string[];
    try {
      lines = (await gitText(args, env === undefined ? { cwd: dir } : { cwd: dir, env })).split('\n');
    } catch (error) {
      if (!(error instanceof GitError) || error instanceof GitNotFoundError) throw error;
      throw new NotAGitRepositoryError(
        options.sitPath === undefined
          ? `${dir} is not inside a git work tree; commit the SIT repository with git to use git features`
          : `${dir} is not inside a git repository`,
      );
    }
    const format: ObjectFormat = lines[0] === 'sha256' ? 'sha256' : 'sha1';
    let sitPath = options.sitPath;
    if (sitPath === undefined) {
      const top = lines[1] ?? '';
      const inside = relative(realpath(top), realpath(dir));
      if (top === '' || inside.startsWith('..') || isAbsolute(inside)) {
        throw new NotAGitRepositoryError(`the SIT repository ${dir} is not inside the git work tree ${top}`);
      }
      sitPath = inside.split(sep).join('/');
    }
    return new GitRepository(dir, sitPath.replace(/^\/+|\/+$/g, ''), format, env);
  }

  /** Options for running git here. */
  gitOptions(): { cwd: string; env?: NodeJS.ProcessEnv } {
    return this.#env === undefined ? { cwd: this.cwd } : { cwd: this.cwd, env: this.#env };
  }

  /** The commit that `revision` (anything git understands: a branch, a tag, `HEAD~3`, an id) names. */
  async resolveCommit(revision: string): Promise<string> {
    if (revision === '' || revision.startsWith('-') || /[\0\n]/.test(revision)) {
      throw new UnknownRevisionError(`invalid revision ${JSON.stringify(revision)}: give a branch, a tag or a commit`);
    }
    const result = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`], {
      ...this.gitOptions(),
      okStatus: [1, 128],
    });
    const oid = result.stdout.toString('latin1').trim();
    if (result.status !== 0 || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(oid)) {
      throw new UnknownRevisionError(
        `unknown revision ${JSON.stringify(revision)}: git knows no commit by that name (see \`git log --oneline\`, \`git branch -a\`, \`git tag\`)`,
      );
    }
    return oid;
  }

  /** The one cat-file process of this repository. */
  #objects(): CatFile {
    this.#catFile ??= CatFile.start(this.cwd, this.#env);
    return this.#catFile;
  }

  /** Reads object `oid`; undefined when the repository does not have it. */
  async readObject(oid: string): Promise<{ type: string; data: Buffer } | undefined> {
    return await this.#objects().read(oid);
  }

  /** The entries of tree `oid`; undefined when the object is missing (or not a tree). */
  readTree(oid: string): Promise<TreeEntry[] | undefined> {
    let found = this.#trees.get(oid);
    if (found === undefined) {
      if (this.#trees.size >= TREE_MEMO) this.#trees.clear();
      found = this.readObject(oid).then((object) =>
        object?.type === 'tree' ? parseTree(object.data, formatOf(oid)) : undefined,
      );
      this.#trees.set(oid, found);
    }
    return found;
  }

  /**
   * The entry `name` (raw) of tree `oid`: undefined when there is none, `missing` when the tree is
   * missing from the clone. Large trees are scanned, not parsed (see `findTreeEntry`).
   */
  async treeEntry(oid: string, name: string): Promise<TreeEntry | 'missing' | undefined> {
    const parsed = this.#trees.get(oid);
    if (parsed !== undefined) {
      const entries = await parsed;
      return entries === undefined ? 'missing' : entries.find((e) => e.name === name);
    }
    let raw = this.#rawTrees.get(oid);
    if (raw === undefined) {
      if (this.#rawTrees.size >= RAW_TREE_MEMO) this.#rawTrees.clear();
      raw = this.readObject(oid).then((object) => (object?.type === 'tree' ? object.data : undefined));
      this.#rawTrees.set(oid, raw);
    }
    const data = await raw;
    return data === undefined ? 'missing' : findTreeEntry(data, name, formatOf(oid));
  }

  /** The bytes of blob `oid`; undefined when the object is missing (or not a blob). */
  async readBlob(oid: string): Promise<Buffer | undefined> {
    if (oid === EMPTY_BLOB[this.format]) return Buffer.alloc(0);
    const known = this.#blobs.get(oid);
    if (known !== undefined) return known;
    const object = await this.readObject(oid);
    if (object?.type !== 'blob') return undefined;
    if (object.data.length <= SMALL_BLOB) {
      if (this.#blobs.size >= BLOB_MEMO) this.#blobs.clear();
      this.#blobs.set(oid, object.data);
    }
    return object.data;
  }

  /** The tree of commit `oid`. */
  async commitTree(oid: string): Promise<string> {
    const object = await this.readObject(oid);
    if (object?.type !== 'commit')
      throw new GitError(`commit ${oid} is missing from the repository (a damaged or shallow clone?)`);
    return commitTree(object.data);
  }

  /** Stops the cat-file process. */
  async close(): Promise<void> {
    const catFile = this.#catFile;
    this.#catFile = undefined;
    this.#trees.clear();
    this.#rawTrees.clear();
    this.#blobs.clear();
    if (catFile !== undefined) await catFile.close();
  }
}
