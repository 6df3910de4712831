/**
 * The service behind `sit daemon` (and inside `sit web`): every item's state of one repository in
 * memory ({@linkcode ItemIndex}), kept current by a watch of `.sit/` ({@linkcode RepositoryWatch}),
 * answering the reads of commands over a Unix socket beside the repository's caches.
 *
 * Why an answer is never older than what the asker knows was written. Every change that can
 * alter a read adds or removes an entry in `items/` or `items/<id>/` (a record link, an item, a
 * legacy record directory), or in the directories of the configuration, modules and reducers, all
 * of which are watched. The kernel queues an inotify event inside the system call that made the
 * change, before that call returns; whoever made the change (another `sit`, git, `cp`) has
 * finished it before the command that asks us starts, so the event is queued before the request
 * is even sent. libuv polls with level-triggered epoll, so the poll that reports the request's
 * bytes also reports the inotify descriptor as readable (or an earlier poll did), and it handles
 * every descriptor a poll reports before the event loop's check phase. The service therefore
 * answers only from a `setImmediate` callback after the request arrived: by then every event
 * queued before the request was handled, and the items it names are reduced again before the
 * answer is made. Records that arrive after their links change no directory: those items stay
 * "incomplete" in the index and are looked at again before every answer. When the watch may have
 * lost events (a queue overflow) every item directory is looked at again first; when it cannot
 * watch at all, or while the index is rebuilt after a change of reducers or configuration, the
 * answer is "unsure" and the command reads the repository itself.
 * @module
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { SitError } from '../errors.ts';
import { ItemNotFoundError, type Repository } from '../store/mod.ts';
import { ItemIndex, type State } from '../reduce/mod.ts';
import { makeDirectory } from '../reduce/cache.ts';
import { StatesReader, type ReaderPage } from '../scripts/reader.ts';
import { ReplayChecks } from '../scripts/memo.ts';
import type { IssueQuery } from '../query/parse.ts';
import { loadJmespath } from '../scripts/lazy.ts';
import { formatQueryResult } from '../json.ts';
import { askDaemon } from './client.ts';
import { buildId, MAX_REQUEST_BYTES, parseRequest, PROTOCOL, socketPath, type DaemonRequest } from './protocol.ts';
import { RepositoryWatch } from './watch.ts';

/** Another daemon answers for the repository, or the socket cannot be made. */
export class DaemonStartError extends SitError {}

/** How long a connection may take to send its request. */
const REQUEST_TIMEOUT_MS = 5000;

/** The states a service answers from: an {@linkcode ItemIndex}, or the index of `sit web`. */
export interface ServedIndex {
  /** Every item's state, sorted by id. */
  states(): readonly Record<string, unknown>[];
  /** The state of item `id`, if there is one. */
  get(id: string): Record<string, unknown> | undefined;
  /** Reduces again the items `ids` (all that changed, when omitted); resolves to the ids whose state changed. */
  refresh(ids?: string[]): Promise<string[]>;
  /** Items to look at again before every answer (records that have not arrived yet). */
  incomplete?(): string[];
  /** The records item `id`'s state leaves out as damaged. */
  damagedRecords?(id: string): readonly string[];
}

/** Options for {@linkcode DaemonService.start}. */
export interface DaemonServiceOptions {
  /** Whether records are checked against their hashes (commands with the other setting read directly). */
  integrity?: boolean;
  /** An index kept by someone else (`sit web`): used, refreshed, never rebuilt or closed here. */
  index?: ServedIndex;
  /** Opens the repository again after its configuration changed (default: the same object again). */
  reopen?: () => Repository;
  /** Told the ids whose states changed when this service refreshes the index. */
  onChanged?: (ids: string[]) => void;
  /** Told about problems that make the service answer less (watch limits, failed refreshes). */
  onWarning?: (message: string) => void;
  /** The environment that locates the cache directory (default: the process's). */
  env?: NodeJS.ProcessEnv;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The environment variables a command's output may depend on: those sit reads (`SIT_*`, `XDG_*`,
 * `HOME`, `PATH`, the pager, the editor, colours), and those of the programs and the runtime it
 * relies on (git, GnuPG, the time zone and locale, the temporary directory).
 */
const RELEVANT =
  /^(SIT_|XDG_|GIT_|GNUPG|LC_)|^(HOME|PATH|TZ|LANG|LANGUAGE|NO_COLOR|FORCE_COLOR|TERM|COLUMNS|LINES|PAGER|LESS|LV|VISUAL|EDITOR|EMAIL|USER|LOGNAME|TMPDIR|NODE_OPTIONS)$/;

/** Variables that say how to run rather than what to print. */
const IGNORED = new Set(['SIT_DAEMON', 'SIT_DAEMON_TIMEOUT_MS', 'SIT_DEBUG']);

/** Whether `asker` has the same relevant variables as `own` ({@linkcode IGNORED} aside). */
function sameEnvironment(asker: Record<string, unknown>, own: NodeJS.ProcessEnv): boolean {
  const keys = new Set([...Object.keys(asker), ...Object.keys(own)]);
  for (const key of keys) if (RELEVANT.test(key) && !IGNORED.has(key) && asker[key] !== own[key]) return false;
  return true;
}

/** The reducer directories a repository's states depend on (whether they exist or not). */
function reducerDirs(repo: Repository): string[] {
  const dirs = [join(repo.root, 'reducers')];
  try {
    for (const module of repo.modules()) dirs.push(resolve(module), join(resolve(module), 'reducers'));
  } catch {
    // the engine reports a broken module itself
  }
  return dirs;
}

/** A watch of `repo`'s items, configuration, modules and reducers. */
function newWatch(repo: Repository): RepositoryWatch {
  return new RepositoryWatch(repo.root, { itemsDir: repo.itemsDir(), reducerDirs: reducerDirs(repo) });
}

/** Removes a socket left by a daemon that is gone; refuses when a live daemon answers there. */
async function clearSocketPath(path: string, root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const found = lstatSync(path, { throwIfNoEntry: false });
  if (found === undefined) return;
  if (found.isSocket()) {
    const live = await new Promise<boolean>((done) => {
      // Any daemon that accepts the connection is alive, whatever its build.
      void import('node:net').then(
        ({ createConnection }) => {
          const probe = createConnection(path);
          probe.on('connect', () => {
            probe.destroy();
            done(true);
          });
          probe.on('error', (error: NodeJS.ErrnoException) =>
            done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
          );
        },
        () => done(false),
      );
    });
    if (live) {
      const answer = await askDaemon(root, 'ping', [], { integrity: true, env, timeoutMs: 1000 });
      const pid = answer?.ok === true && isPlainObject(answer.value) ? ` (process ${String(answer.value['pid'])})` : '';
      throw new DaemonStartError(
        `another sit daemon${pid} already answers for this repository at ${path}; stop it first`,
      );
    }
  }
  // A socket nobody listens on, or a file or link in our own cache directory: ours to replace.
  unlinkSync(path);
}

/** A running service for one repository. */
export class DaemonService {
  /** The socket's path. */
  readonly socketPath: string;
  #repo: Repository;
  readonly #root: string;
  readonly #integrity: boolean;
  readonly #options: DaemonServiceOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #index: ServedIndex;
  /** The index this service made (and closes), if it made one. */
  #ownIndex: ItemIndex | undefined;
  #watch: RepositoryWatch;
  /** Why answers are "unsure" for now (a rebuild after a change of reducers, a blind watch). */
  #unsure: string | undefined;
  #rebuilding: Promise<void> | undefined;
  /** Answers made since the states last changed, by request. */
  readonly #answers = new Map<string, string>();
  /** The last catch-up asked for (see {@linkcode DaemonService.#catchUp}). */
  #catching: Promise<unknown> = Promise.resolve();
  /** Memos of module commands checked since the repository last changed. */
  readonly #checks = new ReplayChecks();
  #closed = false;
  /** The inode of the socket this service made. */
  #socketIno = -1;

  private constructor(
    repo: Repository,
    index: ServedIndex,
    watch: RepositoryWatch,
    server: Server,
    path: string,
    options: DaemonServiceOptions,
  ) {
    this.#repo = repo;
    this.#root = repo.root;
    this.#integrity = options.integrity ?? true;
    this.#options = options;
    this.#index = index;
    if (options.index === undefined) this.#ownIndex = index as ItemIndex;
    this.#server = server;
    this.socketPath = path;
    this.#watch = watch;
    this.#checkBlind();
  }

  /**
   * Reduces every item of `repo` (or takes `options.index`), starts watching it and listens on
   * its socket. Throws {@linkcode DaemonStartError} when another daemon answers for it.
   */
  static async start(repo: Repository, options: DaemonServiceOptions = {}): Promise<DaemonService> {
    const env = options.env ?? process.env;
    const path = socketPath(repo.root, env);
    if (Buffer.byteLength(path) > 100) {
      throw new DaemonStartError(
        `the socket path ${path} is too long for a Unix socket; set SIT_CACHE_DIR to a shorter directory`,
      );
    }
    const dir = dirname(path);
    try {
      makeDirectory(dir);
      // Only this user may enter the directory of the socket (it holds the caches too).
      chmodSync(dir, 0o700);
    } catch (error) {
      throw new DaemonStartError(
        `cannot use ${dir} for the socket (${error instanceof Error ? error.message : String(error)}); set SIT_CACHE_DIR to a directory of yours`,
      );
    }
    await clearSocketPath(path, repo.root, env);
    const server = createServer({ allowHalfOpen: false });
    // The watch begins before the states are read, so that no change falls between the two; an
    // index made earlier is looked at again once the watch runs.
    const watch = newWatch(repo);
    let index: ServedIndex;
    try {
      index = options.index ?? (await ItemIndex.open(repo, { integrity: options.integrity ?? true }));
      if (options.index !== undefined) options.onChanged?.(await index.refresh());
    } catch (error) {
      watch.close();
      throw error;
    }
    const service = new DaemonService(repo, index, watch, server, path, options);
    server.on('connection', (socket) => service.#accept(socket));
    try {
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(path, () => done());
      });
      chmodSync(path, 0o600);
      service.#socketIno = lstatSync(path).ino;
    } catch (error) {
      service.#watch.close();
      await service.#ownIndex?.close();
      throw new DaemonStartError(`cannot listen on ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    return service;
  }

  /** Stops answering, removes the socket and (unless it was given) frees the index. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The path first (at once, so that a process that exits right after has removed it), and only
    // while it is still this service's socket.
    try {
      const now = lstatSync(this.socketPath, { throwIfNoEntry: false });
      if (now?.isSocket() && now.ino === this.#socketIno) unlinkSync(this.socketPath);
    } catch {
      // gone already
    }
    this.#watch.close();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((done) => this.#server.close(() => done()));
    await this.#rebuilding?.catch(() => undefined);
    await this.#ownIndex?.close();
  }

  /** A watch that cannot see everything makes every answer "unsure" (said once). */
  #checkBlind(): void {
    const blind = this.#watch.blind;
    if (blind === undefined) return;
    this.#unsure = blind;
    this.#options.onWarning?.(`${blind}; commands will read the repository themselves`);
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    const chunks: Buffer[] = [];
    let size = 0;
    let handled = false;
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      if (handled) return;
      const end = chunk.indexOf(10);
      const part = end === -1 ? chunk : chunk.subarray(0, end);
      size += part.length;
      if (size > MAX_REQUEST_BYTES) {
        handled = true;
        socket.destroy();
        return;
      }
      chunks.push(part);
      if (end === -1) return;
      handled = true;
      socket.setTimeout(0);
      const line = Buffer.concat(chunks, size).toString('utf8');
      // Answer after the events already queued are handled (see the module's header).
      setImmediate(() => {
        this.#answer(line).then(
          (text) => {
            if (typeof text === 'string') return void socket.end(text);
            socket.write(text.line);
            for (const piece of text.data) socket.write(piece);
            socket.end();
          },
          () => socket.destroy(),
        );
      });
    });
  }

  #line(
    answer:
      | { ok: true; value: unknown; bytes?: number }
      | { ok: false; notFound: string }
      | { ok: false; unsure: string },
  ): string {
    return `${JSON.stringify({ protocol: PROTOCOL, build: buildId(), ...answer })}\n`;
  }

  /** The answer to request `line`: a line, or a line and the data it announces (the output of `run`). */
  async #answer(line: string): Promise<string | { line: string; data: Buffer[] }> {
    const request = parseRequest(line);
    if (typeof request === 'string') return this.#line({ ok: false, unsure: `bad request: ${request}` });
    if (request.protocol !== PROTOCOL || request.build !== buildId())
      return this.#line({ ok: false, unsure: 'another protocol or build' });
    if (request.op === 'ping') return this.#line({ ok: true, value: { pid: process.pid, root: this.#root } });
    if (!this.#sameRepository(request.root)) return this.#line({ ok: false, unsure: 'another repository' });
    if (request.integrity !== this.#integrity) return this.#line({ ok: false, unsure: 'another integrity setting' });
    const unsure = await this.#catchUp();
    if (unsure !== undefined) return this.#line({ ok: false, unsure });
    // A whole command's output depends on the moment (relative times): never kept.
    const key = request.op === 'run' ? undefined : JSON.stringify([request.op, request.args]);
    const known = key === undefined ? undefined : this.#answers.get(key);
    if (known !== undefined) return known;
    let text: string;
    try {
      if (request.op === 'run') {
        const { stdout, stderr, status } = await this.#run(request.args[0], this.#reader());
        // Piece by piece, as printed: joining them first would copy a large output once more.
        const data = stdout.map((text) => Buffer.from(text, 'utf8'));
        const bytes = data.reduce((sum, piece) => sum + piece.length, 0);
        return { line: this.#line({ ok: true, value: { stderr, status }, bytes }), data };
      }
      const value = await this.#evaluate(request);
      text = this.#line({ ok: true, value });
    } catch (error) {
      if (error instanceof ItemNotFoundError) return this.#line({ ok: false, notFound: error.message });
      // Anything else the command finds out (and reports) by itself.
      if (process.env.SIT_DEBUG)
        this.#options.onWarning?.(`${request.op} failed: ${error instanceof Error ? error.stack : String(error)}`);
      return this.#line({ ok: false, unsure: 'failed' });
    }
    if (this.#answers.size > 256) this.#answers.clear();
    if (key !== undefined) this.#answers.set(key, text);
    return text;
  }

  #sameRepository(root: string): boolean {
    if (root === this.#root) return true;
    try {
      return realpathSync(root) === realpathSync(this.#root);
    } catch {
      return false;
    }
  }

  /**
   * Brings the index up to date with what the watch saw; a reason when it cannot be trusted.
   * Catch-ups run one after the other: a request that arrives while an earlier one refreshes the
   * index waits for that refresh (the changes it reads may be the ones being taken in).
   */
  #catchUp(): Promise<string | undefined> {
    const next = this.#catching.then(() => this.#catchUpNow());
    this.#catching = next.catch(() => undefined);
    return next;
  }

  async #catchUpNow(): Promise<string | undefined> {
    if (this.#unsure !== undefined) return this.#unsure;
    const report = this.#watch.take();
    if (report.structure) {
      this.#rebuild();
      return this.#unsure;
    }
    try {
      const waiting = this.#index.incomplete?.() ?? [];
      // Anything seen in items/ (even a change that alters no state, such as an empty item) or
      // records still to come may change what a command reads.
      if (report.unsure || report.items.size > 0 || waiting.length > 0) this.#checks.invalidate();
      if (report.unsure) {
        this.#changed(await this.#index.refresh());
      } else if (report.items.size > 0 || waiting.length > 0) {
        this.#changed(await this.#index.refresh([...report.items]));
      }
    } catch (error) {
      this.#options.onWarning?.(`cannot refresh the states: ${error instanceof Error ? error.message : String(error)}`);
      this.#watch.take();
      this.#checks.invalidate();
      this.#rebuild();
      return this.#unsure ?? 'refresh failed';
    }
    return undefined;
  }

  #changed(ids: string[]): void {
    if (ids.length === 0) return;
    this.#answers.clear();
    this.#checks.invalidate();
    this.#options.onChanged?.(ids);
  }

  /**
   * Starts again from scratch after reducers, modules or configuration changed: a new watch and
   * (when the index is ours) a new index; answers are "unsure" meanwhile. An index lent by
   * `sit web` is not ours to rebuild: answers stay "unsure" until it restarts.
   */
  #rebuild(): void {
    this.#answers.clear();
    this.#checks.invalidate();
    if (this.#options.index !== undefined) {
      this.#unsure = 'the reducers or the configuration changed; restart sit web';
      return;
    }
    if (this.#rebuilding !== undefined) return;
    this.#unsure = 'rebuilding';
    this.#rebuilding = (async () => {
      try {
        const old = this.#ownIndex;
        this.#watch.close();
        const repo = this.#options.reopen?.() ?? this.#repo;
        this.#repo = repo;
        this.#watch = newWatch(repo);
        this.#checkBlind();
        this.#ownIndex = await ItemIndex.open(repo, { integrity: this.#integrity });
        this.#index = this.#ownIndex;
        await old?.close();
        // Changes seen while the new index was made are left to the next request to refresh.
        if (this.#watch.blind === undefined) this.#unsure = undefined;
      } catch (error) {
        this.#options.onWarning?.(
          `cannot read the repository again: ${error instanceof Error ? error.message : String(error)}`,
        );
        this.#unsure = 'the repository cannot be read';
      } finally {
        this.#rebuilding = undefined;
      }
    })();
  }

  /**
   * `run`: a module command (`sit issue list …`) answered from the memo of its last run, with the
   * states in memory answering its reads, for an asker whose environment is this process's and
   * whose output is not a terminal; its standard output and error and its exit status. Anything
   * else (another environment, a built-in command, no memo that holds) fails: the asker then runs
   * the command itself.
   */
  async #run(spec: unknown, reader: StatesReader): Promise<{ stdout: string[]; stderr: string; status: number }> {
    if (!isPlainObject(spec)) throw new Error('bad run');
    const { argv, cwd, env } = spec;
    if (!Array.isArray(argv) || argv.length > 1000 || !argv.every((arg) => typeof arg === 'string'))
      throw new Error('bad argv');
    if (typeof cwd !== 'string' || !isAbsolute(cwd) || !isPlainObject(env)) throw new Error('bad cwd or env');
    if (!sameEnvironment(env, process.env)) throw new Error('another environment');
    const [{ parseGlobalOptions }, { Context }, { findModuleScript }, { runModuleScript }, { scriptEnvironment }] =
      await Promise.all([
        import('../cli/globals.ts'),
        import('../cli/context.ts'),
        import('../cli/external.ts'),
        import('../scripts/run.ts'),
        import('../cli/script_environment.ts'),
      ]);
    const globals = parseGlobalOptions(argv as string[]);
    const name = globals.command;
    // (The asker sends only commands that are not built in.)
    if (name === undefined || name === 'help' || globals.help || globals.version || globals.at !== undefined)
      throw new Error('not a module command');
    if (globals.disableIntegrityCheck === this.#integrity) throw new Error('another integrity setting');
    globals.workDir = resolve(cwd, globals.workDir ?? '.');
    const context = new Context(globals);
    const repo = context.repository();
    if (!this.#sameRepository(repo.root)) throw new Error('another repository');
    const file = findModuleScript(repo, name);
    if (file === undefined) throw new Error('not a module script');
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (text: string) => void out.push(text),
      stderr: (text: string) => void err.push(text),
      readStdin: (): string => {
        throw new Error('no standard input here');
      },
      stdinIsTTY: false,
      env: env as NodeJS.ProcessEnv,
      cwd: globals.workDir,
      stdoutIsTTY: false,
      rawStdout: (text: string) => void out.push(text),
    };
    const status = await runModuleScript(scriptEnvironment(context), file, {
      name,
      args: globals.rest,
      io,
      memoOnly: true,
      reader,
      checks: this.#checks,
    });
    return { stdout: out, stderr: err.join(''), status };
  }

  /** A reader of the states in memory. */
  #reader(): StatesReader {
    return new StatesReader({
      ids: () => this.#index.states().map((state) => String(state['id'])),
      states: () => this.#index.states() as readonly State[],
      get: (id) => this.#index.get(id) as State | undefined,
      damagedRecords: (id) => this.#index.damagedRecords?.(id) ?? [],
    });
  }

  async #evaluate(request: DaemonRequest): Promise<unknown> {
    const reader = this.#reader();
    const [first, second] = request.args;
    switch (request.op) {
      case 'ids':
        return reader.ids();
      case 'state':
        return reader.state(String(first));
      case 'states':
        return reader.states();
      case 'damaged':
        return reader.damaged(String(first));
      case 'references':
        return reader.references();
      case 'summaries':
        return [...reader.summaries()];
      case 'search': {
        if (!isPlainObject(first) || !isPlainObject(second)) throw new Error('bad search');
        const { select, jmespath, limit, offset } = second;
        const options: {
          jmespath?: string;
          limit?: number;
          offset?: number;
          select?: import('../jmespath.ts').Expression;
        } = {};
        if (typeof jmespath === 'string') options.jmespath = jmespath;
        if (typeof limit === 'number') options.limit = limit;
        if (typeof offset === 'number') options.offset = offset;
        if (typeof select === 'string')
          options.select = (await loadJmespath()).compileExpression(select, { role: 'select' });
        const page: ReaderPage = await reader.search(first as unknown as IssueQuery, options);
        return page;
      }
      case 'lines': {
        // What `sit items` prints: the query's result for every item that passes the filter. A
        // filter that does not give true or false fails here; the command reports it itself.
        if ((first !== null && typeof first !== 'string') || typeof second !== 'string') throw new Error('bad lines');
        const jmespath = await loadJmespath();
        const filter = first === null ? undefined : jmespath.compileExpression(first, { role: 'filter' });
        const query = jmespath.compileExpression(second, { role: 'query' });
        const lines: string[] = [];
        for (const state of this.#index.states()) {
          const passes = filter === undefined ? true : filter.search(state);
          if (typeof passes !== 'boolean') throw new Error('a filter must give true or false');
          if (passes) lines.push(formatQueryResult(query.search(state)));
        }
        return lines;
      }
      default:
        throw new Error('unknown operation');
    }
  }
}
