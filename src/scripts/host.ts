/**
 * The host API of module scripts: everything a script may do, and nothing else. It reads reduced
 * items and records of the repository, creates items and records in it, talks to the user (output,
 * the editor, standard input, files named on the command line) and sets the exit status. It offers
 * no access to other files, processes, the network or the environment.
 * @module
 */
import { configToJson, formatAuthor, prepareRecordFiles, readItemRecords, signRecordHash } from '../store/mod.ts';
import type { RecordFile, Repository } from '../store/mod.ts';
import { Engine, type State } from '../reduce/mod.ts';
import { parseQuery, searchIssues, type IssueState, type QueryState } from '../query/mod.ts';
import { compileExpression, EvaluationBudget, type Expression } from '../jmespath.ts';
import { SitError } from '../errors.ts';
import { requireAuthor } from '../cli/author.ts';
import { chronoTimestamp } from '../timestamp.ts';
import type { Context } from '../cli/context.ts';
import { editText, readTextFile, type ScriptIo } from './io.ts';

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
export const FIRE_AND_FORGET: readonly string[] = ['print', 'eprint', 'write', 'ewrite'];

/** A host function: JSON-like arguments in, a JSON-like result (or a promise of one) out. */
export type HostFunction = (...args: unknown[]) => unknown;

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
}

/** The host side of one module-script run. */
export class ScriptHost {
  /** The functions offered to the script, by name. */
  readonly api: Record<string, HostFunction>;
  /** The status given to `sit.exit()`, once called. */
  exitStatus: number | undefined;
  readonly #context: Context;
  readonly #options: HostOptions;
  #engine: Engine | undefined;
  #states: State[] | undefined;
  #stdin: string | undefined;
  readonly #expressions = new Map<string, Expression>();

  /** Prepares the host for one run of a script. */
  constructor(context: Context, options: HostOptions) {
    this.#context = context;
    this.#options = options;
    this.api = {
      print: (value) => this.#write('stdout', `${text(value)}\n`),
      eprint: (value) => this.#write('stderr', `${text(value)}\n`),
      write: (value) => this.#write('stdout', text(value)),
      ewrite: (value) => this.#write('stderr', text(value)),
      exit: (status) => this.#exit(status),
      itemIds: () => this.#repo().items(),
      items: () => this.#allStates(),
      item: (id) => this.#item(id),
      search: (query, options) => this.#search(query, options),
      records: (id) => this.#records(id),
      config: () => configToJson(this.#repo().config),
      jmespath: (expression, value) => this.#expression(expression, 'query').search(value),
      newItem: () => this.#newItem(),
      newRecord: (id, spec) => this.#newRecord(id, spec),
      edit: (request) => this.#edit(request),
      readStdin: () => this.#readStdin(),
      readFile: (path) => this.#readFile(path),
    };
  }

  /** Calls host function `name`; after `sit.exit()` every call but output ends the script again. */
  async call(name: string, args: unknown[]): Promise<unknown> {
    const fn = Object.hasOwn(this.api, name) ? this.api[name] : undefined;
    if (fn === undefined) throw new ScriptApiError(`no such host function: sit.${name}`);
    if (this.exitStatus !== undefined && !FIRE_AND_FORGET.includes(name)) throw new ScriptExit(this.exitStatus);
    return await fn(...args);
  }

  /** Frees the reduction engine. */
  async close(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    if (engine !== undefined) await engine.close();
  }

  #repo(): Repository {
    return this.#context.repository();
  }

  #write(stream: 'stdout' | 'stderr', value: string): void {
    if (this.exitStatus !== undefined) return;
    this.#options.io[stream](value);
  }

  #exit(status: unknown): never {
    const code = status === undefined ? 0 : status;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
      throw new ScriptApiError(`sit.exit: the status must be a whole number from 0 to 255, got ${JSON.stringify(code)}`);
    }
    this.exitStatus = code;
    throw new ScriptExit(code);
  }

  #engineFor(): Engine {
    this.#engine ??= new Engine(this.#repo(), { integrity: this.#context.integrity });
    return this.#engine;
  }

  async #allStates(): Promise<State[]> {
    if (this.#states === undefined) this.#states = [...(await this.#engineFor().reduceItems()).values()];
    return this.#states;
  }

  #itemId(id: unknown, fn: string): string {
    if (typeof id !== 'string' || id === '') throw new ScriptApiError(`sit.${fn}: the item id must be a non-empty string, got ${JSON.stringify(id)}`);
    return id;
  }

  async #item(id: unknown): Promise<State> {
    const itemId = this.#itemId(id, 'item');
    const cached = this.#states?.find((state) => state.id === itemId);
    if (cached !== undefined) return cached;
    const state = (await this.#engineFor().reduceItems([itemId])).get(itemId);
    if (state === undefined) throw new ScriptApiError(`Item ${itemId} not found`);
    return state;
  }

  #expression(value: unknown, role: string): Expression {
    if (typeof value !== 'string') throw new ScriptApiError(`the ${role} expression must be a string, got ${JSON.stringify(value)}`);
    let expression = this.#expressions.get(`${role}\0${value}`);
    if (expression === undefined) {
      expression = compileExpression(value, { role });
      this.#expressions.set(`${role}\0${value}`, expression);
    }
    return expression;
  }

  async #search(query: unknown, options: unknown = {}): Promise<{ total: number; items: unknown[] }> {
    if (typeof query !== 'string') throw new ScriptApiError(`sit.search: the query must be a string, got ${JSON.stringify(query)}`);
    if (!isPlainObject(options)) throw new ScriptApiError('sit.search: the options must be an object');
    const known = ['jmespath', 'limit', 'offset', 'select', 'defaultState'];
    const unknown = Object.keys(options).filter((key) => !known.includes(key));
    if (unknown.length > 0) throw new ScriptApiError(`sit.search: unknown option ${unknown.join(', ')}; known options: ${known.join(', ')}`);
    const parsed = parseQuery(query);
    const defaultState = options.defaultState;
    if (defaultState !== undefined && defaultState !== null) {
      if (defaultState !== 'open' && defaultState !== 'closed') {
        throw new ScriptApiError(`sit.search: defaultState must be "open" or "closed", got ${JSON.stringify(defaultState)}`);
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
      if (typeof value !== 'number') throw new ScriptApiError(`sit.search: ${key} must be a number, got ${JSON.stringify(value)}`);
      searchOptions[key] = value;
    }
    const states = (await this.#allStates()) as IssueState[];
    const result = searchIssues(states, parsed, searchOptions);
    const select = options.select === undefined || options.select === null ? undefined : this.#expression(options.select, 'select');
    const budget = new EvaluationBudget();
    return { total: result.total, items: select === undefined ? result.items : result.items.map((state) => select.search(state, budget)) };
  }

  #records(id: unknown): ScriptRecord[] {
    const repo = this.#repo();
    const itemId = this.#itemId(id, 'records');
    if (!repo.hasItem(itemId)) throw new ScriptApiError(`Item ${itemId} not found`);
    return readItemRecords(repo, itemId, { integrity: this.#context.integrity }).map((record) => {
      const files: Record<string, string | null> = {};
      for (const file of record.files) files[file.name] = fileText(file.data);
      return { hash: record.hash, files };
    });
  }

  #newItem(): string {
    const id = this.#repo().newItem();
    this.#states = undefined;
    return id;
  }

  async #newRecord(id: unknown, spec: unknown): Promise<string> {
    const repo = this.#repo();
    const itemId = this.#itemId(id, 'newRecord');
    if (!isPlainObject(spec)) throw new ScriptApiError('sit.newRecord: the second argument must be an object {files, types}');
    const unknown = Object.keys(spec).filter((key) => key !== 'files' && key !== 'types');
    if (unknown.length > 0) throw new ScriptApiError(`sit.newRecord: unknown field ${unknown.join(', ')}; give {files, types}`);
    const filesSpec = spec.files ?? {};
    const typesSpec = spec.types ?? [];
    if (!isPlainObject(filesSpec)) throw new ScriptApiError('sit.newRecord: files must be an object of file name → text');
    if (!Array.isArray(typesSpec)) throw new ScriptApiError('sit.newRecord: types must be an array of record type names');
    const encoder = new TextEncoder();
    const files: RecordFile[] = [];
    for (const [name, content] of Object.entries(filesSpec)) {
      if (typeof content !== 'string') throw new ScriptApiError(`sit.newRecord: the content of file ${JSON.stringify(name)} must be a string`);
      files.push({ name, data: encoder.encode(content) });
    }
    for (const file of prepareRecordFiles(files)) {
      if (file.name.startsWith('.')) {
        throw new ScriptApiError(
          `sit.newRecord: record file name ${JSON.stringify(file.name)} is reserved (names starting with "." are added by SIT: .type/*, .authors, .timestamp, .prev/*, .signature); give record types in types`,
        );
      }
    }
    const types = new Set<string>();
    for (const type of typesSpec) {
      if (typeof type !== 'string' || !TYPE_NAME.test(type)) {
        throw new ScriptApiError(`sit.newRecord: bad record type ${JSON.stringify(type)}; use letters, digits, "_", "-" and "."`);
      }
      types.add(type);
    }
    if (files.length === 0 && types.size === 0) throw new ScriptApiError('sit.newRecord: a record needs at least one file or type');
    if (!repo.hasItem(itemId)) throw new ScriptApiError(`Item ${itemId} not found`);
    const author = await requireAuthor(this.#context);
    for (const type of [...types].sort()) files.push({ name: `.type/${type}`, data: new Uint8Array(0) });
    files.push({ name: '.authors', data: encoder.encode(formatAuthor(author)) });
    files.push({ name: '.timestamp', data: encoder.encode(chronoTimestamp()) });
    const signing = this.#context.userConfig().signing;
    const hash = repo.newRecord(files, {
      itemId,
      ...(signing.enabled ? { sign: (h: string) => signRecordHash(h, { gnupg: signing.gnupg, key: signing.key }) } : {}),
    });
    this.#states = undefined;
    return hash;
  }

  #edit(request: unknown = {}): string {
    if (!isPlainObject(request)) throw new ScriptApiError('sit.edit: the argument must be an object {initial, help, fileName}');
    for (const key of ['initial', 'help', 'fileName']) {
      const value = request[key];
      if (value !== undefined && value !== null && typeof value !== 'string') throw new ScriptApiError(`sit.edit: ${key} must be a string`);
    }
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
    if (typeof path !== 'string' || path === '') throw new ScriptApiError(`sit.readFile: the path must be a non-empty string, got ${JSON.stringify(path)}`);
    const named = this.#options.argv.some((arg) => arg === path || (arg.startsWith('-') && arg.endsWith(`=${path}`)));
    if (!named) {
      throw new ScriptApiError(`sit.readFile: ${JSON.stringify(path)} was not named on the command line; a module script may only read files the user names`);
    }
    return readTextFile(this.#options.io.cwd, path);
  }
}
