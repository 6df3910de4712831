/**
 * An {@linkcode ItemReader} that asks the daemon of the repository first and reads the repository
 * itself (through `fallback`) when no daemon answers: commands read through it without knowing
 * where their answers come from. Once the daemon fails to answer, the rest of the run reads
 * directly.
 * @module
 */
import { SitError } from '../errors.ts';
import { ItemNotFoundError } from '../store/mod.ts';
import type { State } from '../reduce/mod.ts';
import type { IssueQuery } from '../query/parse.ts';
import type { ItemReader, Maybe, ReaderPage, ReaderSearch } from '../scripts/reader.ts';
import type { Reference } from '../tracker/mod.ts';
import { askDaemon, daemonDisabled, trustedSocket } from './client.ts';
import type { Operation } from './protocol.ts';

/** `SIT_DAEMON=require` was set and no daemon answered. */
export class DaemonUnavailableError extends SitError {}

/**
 * What `sit items -f FILTER -q QUERY` prints, line by line, from the daemon of `root`; undefined
 * when none answers (the command reduces itself). `SIT_DAEMON=require` makes that an error.
 */
export async function daemonItemLines(
  root: string,
  expressions: { filter: string | undefined; query: string },
  options: { integrity: boolean; env?: NodeJS.ProcessEnv },
): Promise<string[] | undefined> {
  const env = options.env ?? process.env;
  const required = env.SIT_DAEMON === 'require';
  const answer = await askDaemon(root, 'lines', [expressions.filter ?? null, expressions.query], options);
  if (answer?.ok === true && Array.isArray(answer.value) && answer.value.every((line) => typeof line === 'string'))
    return answer.value as string[];
  if (required)
    throw new DaemonUnavailableError(
      `no sit daemon answered (${answer !== undefined && 'unsure' in answer ? answer.unsure : 'no answer'}) (SIT_DAEMON=require)`,
    );
  return undefined;
}

/** Reads through the daemon of `root` while it answers, else through `fallback`. */
export class DaemonReader implements ItemReader {
  readonly #root: string;
  readonly #integrity: boolean;
  readonly #fallback: () => ItemReader;
  #direct: ItemReader | undefined;
  #useDaemon: boolean;
  /** `SIT_DAEMON=require`: no answer is an error rather than a reason to read directly (to check a set-up). */
  readonly #required: boolean;

  /** A reader of the repository at `root`; `fallback` makes the direct reader when it is needed. */
  constructor(root: string, options: { integrity: boolean; fallback: () => ItemReader; env?: NodeJS.ProcessEnv }) {
    this.#root = root;
    this.#integrity = options.integrity;
    this.#fallback = options.fallback;
    const env = options.env ?? process.env;
    this.#useDaemon = !daemonDisabled(env) && trustedSocket(root, env) !== undefined;
    this.#required = env.SIT_DAEMON === 'require';
  }

  /** Whether a daemon may answer (a socket was found and has not failed yet). */
  get usesDaemon(): boolean {
    return this.#useDaemon;
  }

  #directReader(): ItemReader {
    this.#direct ??= this.#fallback();
    return this.#direct;
  }

  /** `op(...args)` from the daemon (`convert` applied), else `direct()`. */
  #ask<T>(
    op: Operation,
    args: unknown[],
    convert: (value: unknown) => T,
    direct: (reader: ItemReader) => Maybe<T>,
  ): Maybe<T> {
    if (this.#required && !this.#useDaemon)
      throw new DaemonUnavailableError('no sit daemon answers for this repository (SIT_DAEMON=require)');
    if (!this.#useDaemon) return direct(this.#directReader());
    return askDaemon(this.#root, op, args, { integrity: this.#integrity }).then((answer) => {
      if (answer?.ok === true) return convert(answer.value);
      if (answer !== undefined && 'notFound' in answer) throw new ItemNotFoundError(answer.notFound);
      this.#useDaemon = false;
      if (this.#required)
        throw new DaemonUnavailableError(
          `the sit daemon did not answer ${op} (${answer === undefined ? 'no answer' : answer.unsure}) (SIT_DAEMON=require)`,
        );
      return direct(this.#directReader());
    });
  }

  ids(): Maybe<string[]> {
    // Callers may need the ids at once (a plain listing of `items/`).
    return this.#directReader().ids();
  }

  state(id: string): Maybe<State> {
    return this.#ask(
      'state',
      [id],
      (value) => value as State,
      (reader) => reader.state(id),
    );
  }

  states(): Maybe<State[]> {
    return this.#ask(
      'states',
      [],
      (value) => value as State[],
      (reader) => reader.states(),
    );
  }

  damaged(id: string): Maybe<readonly string[]> {
    return this.#ask(
      'damaged',
      [id],
      (value) => value as string[],
      (reader) => reader.damaged(id),
    );
  }

  search(query: IssueQuery, options: ReaderSearch): Maybe<ReaderPage> {
    const { select, ...rest } = options;
    const args = [query, { ...rest, ...(select === undefined ? {} : { select: select.text }) }];
    return this.#ask(
      'search',
      args,
      (value) => value as ReaderPage,
      (reader) => reader.search(query, options),
    );
  }

  references(): Maybe<Array<[string, Reference[]]>> {
    return this.#ask(
      'references',
      [],
      (value) => value as Array<[string, Reference[]]>,
      (reader) => reader.references(),
    );
  }

  summaries(): Maybe<Map<string, [string, string]>> {
    return this.#ask(
      'summaries',
      [],
      (value) => new Map(value as Array<[string, [string, string]]>),
      (reader) => reader.summaries(),
    );
  }

  written(): void {
    // The daemon sees the write through its watch before it answers again (see service.ts).
    this.#direct?.written();
  }

  async close(): Promise<void> {
    await this.#direct?.close();
  }
}
