/**
 * The host API of module scripts: everything a script may do, and nothing else. It reads reduced
 * items and records of the repository, creates items and records in it, talks to the user (output,
 * the editor, standard input, files named on the command line) and sets the exit status. It offers
 * no access to other files, processes, the network or the environment.
 * @module
 */
import {
  composeRecord,
  configToJson,
  formatAuthor,
  isValidItemId,
  prepareRecordFiles,
  readItemRecords,
  recordSigner,
} from '../store/mod.ts';
import type { Author, RecordFile, Repository } from '../store/mod.ts';
import type { State } from '../reduce/mod.ts';
import { parseQuery, type IssueQuery, type QueryState } from '../query/parse.ts';
import {
  commitsMentioning,
  createItem,
  IdIndex,
  mentionIndex,
  namedFilters,
  readTemplates,
  repositoryFilters,
  type CommitSearch,
  type NamedFilter,
} from '../tracker/mod.ts';
import { renderSegments, renderTable, StyleError, type RenderOptions } from './styled.ts';
import type { Expression } from '../jmespath.ts';
import { SitError } from '../errors.ts';
import type { ScriptEnvironment } from './environment.ts';
import { editText, readTextFile, type ScriptIo } from './io.ts';
import { CacheReader, searchStates, then, type ItemReader, type Maybe } from './reader.ts';
import { jmespathNow, loadJmespath } from './lazy.ts';
import { DaemonReader } from '../daemon/reader.ts';

/** A host function was called with arguments it does not accept. */
export class ScriptApiError extends SitError {}

/** Raised in the script by `sit.exit()`; not an error for the user. */
export class ScriptExit extends Error {
  /** The exit status asked for. */
  readonly status: number;

  /** Creates the signal for `status`. */
  constructor(status: number) {
    super(`exit ${status}`);
    this.status = status;
  }
}

/** Host functions whose result the script does not wait for. */
export const FIRE_AND_FORGET: readonly string[] = ['print', 'eprint', 'write', 'ewrite', 'page', 'table'];

/** Most records `sit.newItem(records)` writes at once. */
const MAX_NEW_RECORDS = 100;

/** A host function: JSON-like arguments in, a JSON-like result (or a promise of one) out. */
export type HostFunction = (...args: unknown[]) => unknown;

/** What `sit.terminal()` tells a script. */
export interface TerminalInfo {
  /** Whether standard output is a terminal. */
  stdout: boolean;
  /** Its width and height in characters (80 × 24 when it is not a terminal). */
  columns: number;
  rows: number;
  /** Whether styled segments are coloured. */
  color: boolean;
}

/** An issue that mentions another, as `sit.mentions()` returns it. */
export interface ScriptMention {
  id: string;
  summary: string;
  state: string;
  place: string;
  authors: string;
  timestamp: string;
}

/** One record as `sit.records()` returns it. */
export interface ScriptRecord {
  /** The record's hash. */
  hash: string;
  /** Every file of the record by name: its UTF-8 text, or `null` when it is not text. */
  files: Record<string, string | null>;
}

const TYPE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function fileText(data: Uint8Array): string | null {
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(data);
    return decoded.includes('\0') ? null : decoded;
  } catch {
    return null;
  }
}

/** What the host needs to know about one run. */
export interface HostOptions {
  /** The command name (`issue` for `sit issue`). */
  command: string;
  /** The raw arguments after the command name. */
  argv: readonly string[];
  /** Standard streams, editor and files. */
  io: ScriptIo;
  /** Where items are read (default: the repository through the engine's caches). */
  reader?: ItemReader;
}

/** The host side of one module-script run. */
export class ScriptHost {
  /** The functions offered to the script, by name. */
  readonly api: Record<string, HostFunction>;
  /** The status given to `sit.exit()`, once called. */
  exitStatus: number | undefined;
  readonly #context: ScriptEnvironment;
  readonly #options: HostOptions;
  readonly #reader: ItemReader | undefined;
  /** The states of the `--at` revision, once read. */
  #states: State[] | undefined;
  #stdin: string | undefined;
  #color: 'auto' | 'always' | 'never' = 'auto';
  readonly #expressions = new Map<string, Expression>();

  /** Prepares the host for one run of a script. */
  constructor(context: ScriptEnvironment, options: HostOptions) {
    this.#context = context;
    this.#options = options;
    this.#reader = options.reader;
    this.api = {
      print: (value) => this.#output(value, '\n'),
      eprint: (value) => this.#write('stderr', `${text(value)}\n`),
      write: (value) => this.#output(value, ''),
      ewrite: (value) => this.#write('stderr', text(value)),
      page: (value) => this.#page(value),
      table: (rows, options) => this.#table(rows, options),
      terminal: (options) => this.#terminal(options),
      exit: (status) => this.#exit(status),
      itemIds: (prefix) => {
        // With a prefix, only the ids that start with it (any case): a script resolving a short id
        // need not carry every name of a large repository into the sandbox.
        const only = (ids: string[]): string[] => {
          if (typeof prefix !== 'string') return ids;
          const lower = prefix.toLowerCase();
          return ids.filter((id) => id.toLowerCase().startsWith(lower));
        };
        return this.#context.at === undefined
          ? only(this.#repo().items())
          : this.#context.revision().then(async (view) => only(await view.ids()));
      },
      hasItem: (id) => {
        if (typeof id !== 'string') return false;
        return this.#context.at === undefined
          ? this.#repo().hasItem(id)
          : this.#context.revision().then(async (view) => (await view.ids()).includes(id));
      },
      items: () => this.#allStates(),
      item: (id) => this.#item(id),
      search: (query, options) => this.#search(query, options),
      records: (id) => this.#records(id),
      damagedRecords: (id) => this.#damagedRecords(id),
      config: () =>
        this.#context.at === undefined
          ? configToJson(this.#repo().config)
          : this.#context.revision().then((view) => view.configJson()),
      itemAtRefs: (id, options) => this.#itemAtRefs(id, options),
      jmespath: (expression, value) =>
        then(this.#expression(expression, 'query'), (compiled) => compiled.search(value)),
      newItem: (records, options) => this.#newItem(records, options),
      newRecord: (id, spec) => this.#newRecord(id, spec),
      edit: (request) => this.#edit(request),
      // Standard input may keep the script waiting: it is read outside the script's run.
      readStdin: () => Promise.resolve().then(() => this.#readStdin()),
      readFile: (path) => this.#readFile(path),
      author: () => {
        const me = this.#me();
        return me === undefined ? null : formatAuthor(me);
      },
      filters: () => this.#filters(),
      templates: () => readTemplates(this.#repo().root),
      mentions: (id) => this.#mentions(id),
      commits: (id) => this.#commits(id),
    };
  }

  /**
   * Calls host function `name`; after `sit.exit()` every call but output ends the script again.
   * The answer is a value (or a thrown error) when it is known at once, else a promise of one
   * (work that reduces, asks git or waits for the user).
   */
  call(name: string, args: unknown[]): unknown {
    const fn = Object.hasOwn(this.api, name) ? this.api[name] : undefined;
    if (fn === undefined) throw new ScriptApiError(`no such host function: sit.${name}`);
    if (this.exitStatus !== undefined && !FIRE_AND_FORGET.includes(name)) throw new ScriptExit(this.exitStatus);
    if (!FIRE_AND_FORGET.includes(name)) return fn(...args);
    try {
      // output is written at once
      return fn(...args);
    } catch (error) {
      // The script does not wait for output calls, so it cannot catch their errors (a malformed
      // style): say what went wrong and end the script with status 1 at its next host call.
      if (!(error instanceof SitError) || this.exitStatus !== undefined) throw error;
      this.#options.io.stderr(`sit ${this.#options.command}: ${error.message}\n`);
      this.exitStatus = 1;
      return undefined;
    }
  }

  /** Frees the reduction engine. */
  async close(): Promise<void> {
    await this.#readerFor().close();
    await this.#context.closeRevision();
  }

  #ownReader: ItemReader | undefined;

  /** Where items are read (not at a revision). */
  #readerFor(): ItemReader {
    if (this.#reader !== undefined) return this.#reader;
    const repo = this.#repo();
    const integrity = this.#context.integrity;
    const onProgress = this.#context.onProgress;
    // A running `sit daemon` (or `sit web`) answers first; without one, the caches do.
    this.#ownReader ??= new DaemonReader(repo.root, {
      integrity,
      fallback: () => new CacheReader(repo, { integrity, onProgress }),
    });
    return this.#ownReader;
  }

  #repo(): Repository {
    return this.#context.repository();
  }

  #write(stream: 'stdout' | 'stderr', value: string): void {
    if (this.exitStatus !== undefined) return;
    this.#options.io[stream](value);
  }

  /** Colour is on for a terminal unless NO_COLOR is set (or TERM is dumb), or as the script chose. */
  #colorOn(): boolean {
    if (this.#color !== 'auto') return this.#color === 'always';
    const io = this.#options.io;
    const noColor = io.env['NO_COLOR'];
    return io.stdoutIsTTY === true && (noColor === undefined || noColor === '') && io.env['TERM'] !== 'dumb';
  }

  #render(): RenderOptions {
    const color = this.#colorOn();
    return { color, escape: color || this.#options.io.stdoutIsTTY === true, now: Date.now() };
  }

  #terminal(options: unknown): TerminalInfo {
    if (options !== undefined && options !== null) {
      if (!isPlainObject(options)) throw new ScriptApiError('sit.terminal: the argument must be an object {color}');
      const color = options['color'];
      if (color !== undefined) {
        if (color !== 'auto' && color !== 'always' && color !== 'never') {
          throw new ScriptApiError(
            `sit.terminal: color must be "auto", "always" or "never", got ${JSON.stringify(color)}`,
          );
        }
        this.#color = color;
      }
    }
    const io = this.#options.io;
    const tty = io.stdoutIsTTY === true;
    return {
      stdout: tty,
      columns: tty ? (io.columns ?? 80) : 80,
      rows: tty ? (io.rows ?? 24) : 24,
      color: this.#colorOn(),
    };
  }

  /** `print`/`write`: a string as before, or styled segments rendered here. */
  #output(value: unknown, end: string): void {
    if (this.exitStatus !== undefined) return;
    const segment = isPlainObject(value) && ('text' in value || 'time' in value);
    if (!Array.isArray(value) && !segment) {
      // Apart: a large text stays the very string it was (no copy of it with the newline added).
      this.#write('stdout', text(value));
      if (end !== '') this.#write('stdout', end);
      return;
    }
    this.#emit(this.#styled(() => renderSegments(value, this.#render())) + end, false);
  }

  #styled(render: () => string): string {
    try {
      return render();
    } catch (error) {
      if (error instanceof StyleError) throw new ScriptApiError(error.message);
      throw error;
    }
  }

  /** Writes rendered text (already escaped where needed), through the pager when asked and useful. */
  #emit(rendered: string, page: boolean): void {
    const io = this.#options.io;
    if (page && io.stdoutIsTTY === true && io.page !== undefined) {
      const lines = rendered.split('\n').length - (rendered.endsWith('\n') ? 1 : 0);
      if (lines >= (io.rows ?? 24) && io.page(rendered)) return;
    }
    if (io.rawStdout !== undefined) io.rawStdout(rendered);
    else io.stdout(rendered);
  }

  #page(value: unknown): void {
    if (this.exitStatus !== undefined) return;
    const rendered = this.#styled(() => renderSegments(value, this.#render()));
    this.#emit(rendered.endsWith('\n') || rendered === '' ? rendered : rendered + '\n', true);
  }

  #table(rows: unknown, options: unknown): void {
    if (this.exitStatus !== undefined) return;
    const o = options === undefined || options === null ? {} : options;
    if (!isPlainObject(o))
      throw new ScriptApiError('sit.table: the options must be an object {align, shrink, page, title}');
    const align = Array.isArray(o['align'])
      ? (o['align'] as unknown[]).map((a) => (a === 'right' ? 'right' : 'left') as 'left' | 'right')
      : [];
    const shrink = typeof o['shrink'] === 'number' ? o['shrink'] : undefined;
    const io = this.#options.io;
    const width = io.stdoutIsTTY === true ? (io.columns ?? 80) : undefined;
    const title = o['title'];
    const rendered = this.#styled(() =>
      renderTable(
        rows,
        { align, ...(shrink === undefined ? {} : { shrink }), width, ...(title === undefined ? {} : { title }) },
        this.#render(),
      ),
    );
    this.#emit(rendered, o['page'] === true);
  }

  #exit(status: unknown): never {
    const code = status === undefined ? 0 : status;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
      throw new ScriptApiError(
        `sit.exit: the status must be a whole number from 0 to 255, got ${JSON.stringify(code)}`,
      );
    }
    this.exitStatus = code;
    throw new ScriptExit(code);
  }

  #allStates(): Maybe<State[]> {
    if (this.#context.at === undefined) return this.#readerFor().states();
    if (this.#states !== undefined) return this.#states;
    return this.#context
      .revision()
      .then((view) => view.states())
      .then((states) => (this.#states = [...states.values()]));
  }

  /** `sit.itemAtRefs(id, {refs})`: the item's state on every branch and tag (git runs here, never in the script). */
  async #itemAtRefs(
    id: unknown,
    options: unknown = {},
  ): Promise<Array<{ ref: string; commit: string; state: State | null }>> {
    const itemId = this.#itemId(id, 'itemAtRefs');
    if (!isPlainObject(options)) throw new ScriptApiError('sit.itemAtRefs: the options must be an object {refs}');
    const refs = options.refs ?? [];
    if (!Array.isArray(refs) || refs.some((r) => typeof r !== 'string'))
      throw new ScriptApiError('sit.itemAtRefs: refs must be an array of ref patterns');
    const { statesAtRefs } = await import('../git/where.ts');
    return await statesAtRefs(this.#repo(), itemId, { patterns: refs as string[], integrity: this.#context.integrity });
  }

  #itemId(id: unknown, fn: string): string {
    if (typeof id !== 'string' || id === '')
      throw new ScriptApiError(`sit.${fn}: the item id must be a non-empty string, got ${JSON.stringify(id)}`);
    return id;
  }

  #item(id: unknown): Maybe<State> {
    const itemId = this.#itemId(id, 'item');
    if (this.#context.at === undefined) return this.#readerFor().state(itemId);
    const cached = this.#states?.find((state) => state.id === itemId);
    if (cached !== undefined) return cached;
    return (async () => {
      const state = await (await this.#context.revision()).state(itemId);
      if (state === undefined) throw new ScriptApiError(`Item ${itemId} not found at ${this.#context.at}`);
      return state;
    })();
  }

  /** `value` compiled (JMESPath is loaded first if need be). */
  #expression(value: unknown, role: string): Maybe<Expression> {
    if (typeof value !== 'string')
      throw new ScriptApiError(`the ${role} expression must be a string, got ${JSON.stringify(value)}`);
    const known = this.#expressions.get(`${role}\0${value}`);
    if (known !== undefined) return known;
    const jmespath = jmespathNow();
    if (jmespath === undefined) return loadJmespath().then(() => this.#expression(value, role));
    const expression = jmespath.compileExpression(value, { role });
    this.#expressions.set(`${role}\0${value}`, expression);
    return expression;
  }

  #search(query: unknown, options: unknown = {}): Maybe<{ total: number; items: unknown[] }> {
    if (typeof query !== 'string')
      throw new ScriptApiError(`sit.search: the query must be a string, got ${JSON.stringify(query)}`);
    if (!isPlainObject(options)) throw new ScriptApiError('sit.search: the options must be an object');
    const known = ['jmespath', 'limit', 'offset', 'select', 'defaultState', 'filter'];
    const unknown = Object.keys(options).filter((key) => !known.includes(key));
    if (unknown.length > 0)
      throw new ScriptApiError(`sit.search: unknown option ${unknown.join(', ')}; known options: ${known.join(', ')}`);
    let parsed = parseQuery(query);
    if (options.filter !== undefined && options.filter !== null) {
      if (typeof options.filter !== 'string')
        throw new ScriptApiError('sit.search: filter must be the name of a named filter');
      parsed = withFilter(parsed, this.#filter(options.filter));
    }
    const defaultState = options.defaultState;
    if (defaultState !== undefined && defaultState !== null) {
      if (defaultState !== 'open' && defaultState !== 'closed' && defaultState !== 'all') {
        throw new ScriptApiError(
          `sit.search: defaultState must be "open", "closed" or "all", got ${JSON.stringify(defaultState)}`,
        );
      }
      parsed.state ??= defaultState as QueryState;
    }
    const searchOptions: { jmespath?: string; limit?: number; offset?: number } = {};
    if (options.jmespath !== undefined && options.jmespath !== null) {
      if (typeof options.jmespath !== 'string') throw new ScriptApiError('sit.search: jmespath must be a string');
      searchOptions.jmespath = options.jmespath;
    }
    for (const key of ['limit', 'offset'] as const) {
      const value = options[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number')
        throw new ScriptApiError(`sit.search: ${key} must be a number, got ${JSON.stringify(value)}`);
      searchOptions[key] = value;
    }
    const compiled =
      options.select === undefined || options.select === null ? undefined : this.#expression(options.select, 'select');
    return then(compiled, (select) => {
      const withSelect = { ...searchOptions, ...(select === undefined ? {} : { select }) };
      if (this.#context.at === undefined) return this.#readerFor().search(parsed, withSelect);
      return then(this.#allStates(), (all) => searchStates(all, parsed, withSelect));
    });
  }

  #me(): Author | undefined {
    return this.#context.authors.known();
  }

  #filters(): NamedFilter[] {
    const user = this.#context.userSetting('issues');
    return namedFilters({
      me: this.#me()?.name,
      repository: repositoryFilters(configToJson(this.#repo().config)),
      user: typeof user === 'object' && user !== null ? (user as Record<string, unknown>)['filters'] : undefined,
    });
  }

  #filter(name: string): IssueQuery {
    const all = this.#filters();
    const found = all.find((f) => f.name === name);
    if (found === undefined) {
      throw new ScriptApiError(
        `no filter named ${JSON.stringify(name)}; named filters: ${all.map((f) => f.name).join(', ')} (see sit issue filters)`,
      );
    }
    try {
      return parseQuery(found.query);
    } catch (error) {
      throw new ScriptApiError(
        `the filter ${JSON.stringify(name)} (${JSON.stringify(found.query)}) does not parse: ${(error as Error).message}`,
      );
    }
  }

  #mentions(id: unknown): Maybe<ScriptMention[]> {
    const itemId = this.#itemId(id, 'mentions');
    const repo = this.#repo();
    if (!repo.hasItem(itemId)) throw new ScriptApiError(`Item ${itemId} not found`);
    const reader = this.#readerFor();
    return then(reader.references(), (references) =>
      then(reader.summaries(), (summaries) => {
        const mentions = mentionIndex(references, new IdIndex(reader.ids() as string[])).get(itemId) ?? [];
        return mentions.map((m) => {
          const [summary, state] = summaries.get(m.id) ?? ['', 'open'];
          return { id: m.id, summary, state, place: m.place, authors: m.authors, timestamp: m.timestamp };
        });
      }),
    );
  }

  #commits(id: unknown): Promise<CommitSearch> {
    const itemId = this.#itemId(id, 'commits');
    const repo = this.#repo();
    if (!repo.hasItem(itemId)) throw new ScriptApiError(`Item ${itemId} not found`);
    // git runs outside the script's run: a large history takes a while.
    return Promise.resolve().then(() => commitsMentioning(repo.root, itemId, new IdIndex(repo.items())));
  }

  /** The records item `id`'s state leaves out because they do not hash to their names (damaged). */
  #damagedRecords(id: unknown): Maybe<readonly string[]> {
    const itemId = this.#itemId(id, 'damagedRecords');
    if (this.#context.at === undefined) return this.#readerFor().damaged(itemId);
    return (async () => {
      const damaged = await (await this.#context.revision()).damagedRecords(itemId);
      if (damaged === undefined) throw new ScriptApiError(`Item ${itemId} not found at ${this.#context.at}`);
      return damaged;
    })();
  }

  async #records(id: unknown): Promise<ScriptRecord[]> {
    const repo = this.#repo();
    const itemId = this.#itemId(id, 'records');
    const atRevision =
      this.#context.at === undefined ? undefined : await (await this.#context.revision()).records(itemId);
    if (atRevision === undefined && this.#context.at !== undefined)
      throw new ScriptApiError(`Item ${itemId} not found at ${this.#context.at}`);
    if (atRevision === undefined && !repo.hasItem(itemId)) throw new ScriptApiError(`Item ${itemId} not found`);
    return (atRevision ?? readItemRecords(repo, itemId, { integrity: this.#context.integrity })).map((record) => {
      const files: Record<string, string | null> = {};
      for (const file of record.files) files[file.name] = fileText(file.data);
      return { hash: record.hash, files };
    });
  }

  #newItem(records: unknown, options: unknown): Maybe<string> {
    this.#context.refuseAt('creating an item');
    const repo = this.#repo();
    let id: string | undefined;
    if (options !== undefined && options !== null) {
      if (!isPlainObject(options)) throw new ScriptApiError('sit.newItem: the options must be an object {id}');
      const given = options['id'];
      if (given !== undefined) {
        if (typeof given !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(given) || !isValidItemId(given)) {
          throw new ScriptApiError(
            `sit.newItem: bad item id ${JSON.stringify(given)}; use letters, digits, ".", "_" and "-"`,
          );
        }
        if (repo.hasItem(given)) throw new ScriptApiError(`sit.newItem: item ${given} already exists`);
        id = given;
      }
    }
    if (records === undefined || records === null) {
      const made = repo.newItem(...(id === undefined ? [] : [id]));
      this.#written();
      return made;
    }
    if (!Array.isArray(records) || records.length === 0 || records.length > MAX_NEW_RECORDS) {
      throw new ScriptApiError(`sit.newItem: records must be an array of 1 to ${MAX_NEW_RECORDS} {files, types}`);
    }
    // Everything is checked, and the author known, before anything is written: all or nothing.
    const specs = records.map((spec) => this.#recordSpec(spec, 'newItem'));
    return then(this.#author(), (author) => {
      const made = createItem(
        repo,
        specs.map((spec) => this.#recordFiles(spec, author)),
        { id, sign: this.#signer() },
      );
      this.#written();
      return made;
    });
  }

  /** A record was written: what was read before may be out of date. */
  #written(): void {
    this.#states = undefined;
    this.#readerFor().written();
  }

  /** The author of new records: known at once when configured, else asked for on the terminal. */
  #author(): Maybe<Author> {
    return this.#me() ?? this.#context.authors.ask(this.#options.io);
  }

  #signer(): ((hash: string) => Uint8Array) | undefined {
    return recordSigner(this.#context.signing());
  }

  /** The files of a record: the script's, a `.type/*` per type, `.authors` and `.timestamp`. */
  #recordFiles(spec: { files: RecordFile[]; types: string[] }, author: Author): RecordFile[] {
    return composeRecord(spec.files, { types: spec.types, author });
  }

  /** Checks a `{files, types}` record spec of `sit.FN` and returns its files and sorted types. */
  #recordSpec(spec: unknown, fn: string): { files: RecordFile[]; types: string[] } {
    if (!isPlainObject(spec)) throw new ScriptApiError(`sit.${fn}: a record is an object {files, types}`);
    const unknown = Object.keys(spec).filter((key) => key !== 'files' && key !== 'types');
    if (unknown.length > 0)
      throw new ScriptApiError(`sit.${fn}: unknown field ${unknown.join(', ')}; give {files, types}`);
    const filesSpec = spec.files ?? {};
    const typesSpec = spec.types ?? [];
    if (!isPlainObject(filesSpec)) throw new ScriptApiError(`sit.${fn}: files must be an object of file name → text`);
    if (!Array.isArray(typesSpec)) throw new ScriptApiError(`sit.${fn}: types must be an array of record type names`);
    const encoder = new TextEncoder();
    const files: RecordFile[] = [];
    for (const [name, content] of Object.entries(filesSpec)) {
      if (typeof content !== 'string')
        throw new ScriptApiError(`sit.${fn}: the content of file ${JSON.stringify(name)} must be a string`);
      files.push({ name, data: encoder.encode(content) });
    }
    for (const file of prepareRecordFiles(files)) {
      if (file.name.startsWith('.')) {
        throw new ScriptApiError(
          `sit.${fn}: record file name ${JSON.stringify(file.name)} is reserved (names starting with "." are added by SIT: .type/*, .authors, .timestamp, .prev/*, .signature); give record types in types`,
        );
      }
    }
    const types = new Set<string>();
    for (const type of typesSpec) {
      if (typeof type !== 'string' || !TYPE_NAME.test(type)) {
        throw new ScriptApiError(
          `sit.${fn}: bad record type ${JSON.stringify(type)}; use letters, digits, "_", "-" and "."`,
        );
      }
      types.add(type);
    }
    if (files.length === 0 && types.size === 0)
      throw new ScriptApiError(`sit.${fn}: a record needs at least one file or type`);
    return { files, types: [...types].sort() };
  }

  #newRecord(id: unknown, spec: unknown): Maybe<string> {
    this.#context.refuseAt('writing a record');
    const repo = this.#repo();
    const itemId = this.#itemId(id, 'newRecord');
    if (!isPlainObject(spec))
      throw new ScriptApiError('sit.newRecord: the second argument must be an object {files, types}');
    const unknown = Object.keys(spec).filter((key) => key !== 'files' && key !== 'types');
    if (unknown.length > 0)
      throw new ScriptApiError(`sit.newRecord: unknown field ${unknown.join(', ')}; give {files, types}`);
    const checked = this.#recordSpec(spec, 'newRecord');
    if (!repo.hasItem(itemId)) throw new ScriptApiError(`Item ${itemId} not found`);
    return then(this.#author(), (author) => {
      const sign = this.#signer();
      const hash = repo.newRecord(this.#recordFiles(checked, author), {
        itemId,
        ...(sign === undefined ? {} : { sign }),
      });
      this.#written();
      return hash;
    });
  }

  #edit(request: unknown = {}): Promise<string> {
    if (!isPlainObject(request))
      throw new ScriptApiError('sit.edit: the argument must be an object {initial, help, fileName}');
    for (const key of ['initial', 'help', 'fileName']) {
      const value = request[key];
      if (value !== undefined && value !== null && typeof value !== 'string')
        throw new ScriptApiError(`sit.edit: ${key} must be a string`);
    }
    // The editor (or standard input) keeps the script waiting: it runs outside the script's run.
    return Promise.resolve().then(() => this.#editNow(request));
  }

  #editNow(request: Record<string, unknown>): string {
    const io = this.#options.io;
    if (!io.stdinIsTTY) return this.#readStdin();
    return editText(io, {
      ...(typeof request.initial === 'string' ? { initial: request.initial } : {}),
      ...(typeof request.help === 'string' ? { help: request.help } : {}),
      ...(typeof request.fileName === 'string' ? { fileName: request.fileName } : {}),
    });
  }

  #readStdin(): string {
    this.#stdin ??= this.#options.io.readStdin();
    return this.#stdin;
  }

  /** Reads a file, but only one the user named on the command line (`FILE`, or `--opt=FILE`). */
  #readFile(path: unknown): string {
    if (typeof path !== 'string' || path === '')
      throw new ScriptApiError(`sit.readFile: the path must be a non-empty string, got ${JSON.stringify(path)}`);
    const named = this.#options.argv.some((arg) => arg === path || (arg.startsWith('-') && arg.endsWith(`=${path}`)));
    if (!named) {
      throw new ScriptApiError(
        `sit.readFile: ${JSON.stringify(path)} was not named on the command line; a module script may only read files the user names`,
      );
    }
    return readTextFile(this.#options.io.cwd, path);
  }
}

/** `query` narrowed by named filter `filter`: both sets of terms; the query's `is:` and `sort:` win. */
function withFilter(query: IssueQuery, filter: IssueQuery): IssueQuery {
  return {
    state: query.state ?? filter.state,
    terms: [...filter.terms, ...query.terms],
    sort: query.sort ?? filter.sort,
  };
}
