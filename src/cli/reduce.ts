/** `sit items` and `sit reduce` (original-sit.md §4.9, §4.12). */
import { formatQueryResult, jsonDepthExceeds, MAX_JSON_DEPTH } from '../json.ts';
import { forTerminal } from '../terminal.ts';
import { Engine, loadReducers } from '../reduce/mod.ts';
import { ItemNotFoundError } from '../store/mod.ts';
import type { Context } from './context.ts';
import { compileExpressions, expressionOptions, passes } from './expressions.ts';
import { UsageError } from './globals.ts';
import { warnModuleProblems } from './modules.ts';
import { listOption, parseCommand, stringOption } from './parse.ts';

/** Runs `sit items`. */
export async function runItems(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'items',
      usage: 'items',
      description:
        'Reduce every item and print the query result (default: the id) for each item that passes the filter, sorted by id',
      options: [...expressionOptions(true), ['--no-cache', 'reduce every item again instead of using the cache']],
      examples: [
        'sit items',
        'sit items -q "join(\' | \', [id, summary])"',
        'sit items -f "state == \'open\'" -q summary',
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const section = 'items';
  const expressions = compileExpressions(
    context,
    parsed.options,
    {
      filters: { folder: '.items/filters', section, kind: 'filters' },
      queries: { folder: '.items/queries', section, kind: 'queries' },
    },
    'id',
  );
  if (context.at !== undefined)
    return (await import('./at.ts')).itemsAt(context, expressions, { cache: parsed.options.cache !== false });
  const repo = context.repository();
  warnModuleProblems(repo);
  if (parsed.options.cache !== false) {
    // A running `sit daemon` (or `sit web`) has every state in memory already.
    const { daemonItemLines } = await import('../daemon/reader.ts');
    const lines = await daemonItemLines(
      repo.root,
      { filter: expressions.filter?.text, query: expressions.query.text },
      { integrity: context.integrity },
    );
    if (lines !== undefined) {
      process.stdout.write(forTerminal(lines.map((line) => `${line}\n`).join(''), process.stdout.isTTY));
      return 0;
    }
  }
  const ids = repo.items();
  if (ids.length === 0) return 0;
  const engine = new Engine(repo, {
    integrity: context.integrity,
    cache: parsed.options.cache !== false,
    onProgress: context.onProgress,
  });
  try {
    // The printed line of each item is a pure function of its state, the filter and the query:
    // it is remembered per item, so that items unchanged since the last run are not read at all.
    const key = `items\0${expressions.filter?.text ?? ''}\0${expressions.query.text}`;
    const lines = await engine.deriveItems(
      key,
      (state) =>
        passes(expressions.filter, state, `item ${String(state.id)}`)
          ? formatQueryResult(expressions.query.search(state))
          : undefined,
      ids,
    );
    const out: string[] = [];
    for (const line of lines.values()) if (typeof line === 'string') out.push(line, '\n');
    process.stdout.write(forTerminal(out.join(''), process.stdout.isTTY));
  } finally {
    await engine.close();
  }
  return 0;
}

function parseState(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`JSON parsing error in --state: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`Expected JSON object in --state, got ${text}`);
  }
  if (jsonDepthExceeds(value, MAX_JSON_DEPTH))
    throw new UsageError(`--state is nested more than ${MAX_JSON_DEPTH} levels deep; give a shallower initial state`);
  return value as Record<string, unknown>;
}

/** Runs `sit reduce`. */
export async function runReduce(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'reduce',
      usage: 'reduce [item]',
      description:
        'Reduce an item (or, without one, the repository-level records) and print the query result (default: the whole state)',
      options: [
        [
          '-r, --reducer <path>',
          'reducer file or directory (repeatable or comma-separated); default: the repository and module reducers',
        ],
        ['-R, --root <hash>', 'fixed root: only these records and their descendants (repeatable or comma-separated)'],
        ['-s, --state <json>', 'initial state, a JSON object'],
        ['-f, --format <format>', 'output format (only json)'],
        ...expressionOptions(false),
      ],
      examples: ['sit reduce ITEM', 'sit reduce ITEM -q summary', 'sit reduce -r ./my-reducers -s \'{"count": 0}\''],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const format = stringOption(parsed.options, 'format');
  if (format !== undefined && format !== 'json')
    throw new UsageError(`unknown format ${JSON.stringify(format)}: only json is supported`);
  const state = parseState(stringOption(parsed.options, 'state'));
  const roots = listOption(parsed.options, 'root');
  const sources = listOption(parsed.options, 'reducer');
  const item = parsed.args[0];
  const repo = context.repository();
  warnModuleProblems(repo);
  if (item !== undefined && context.at === undefined && !repo.hasItem(item))
    throw new ItemNotFoundError(`Item ${item} not found`);
  const expressions = compileExpressions(
    context,
    parsed.options,
    {
      queries:
        item === undefined
          ? { folder: '.queries', section: 'items', kind: 'queries' }
          : { folder: '.items/queries', section: 'items', kind: 'queries' },
    },
    '@',
  );
  if (context.at !== undefined)
    return (await import('./at.ts')).reduceAt(context, { item, state, roots, sources }, expressions);
  const reducers = loadReducers(repo, sources.length === 0 ? {} : { sources });
  const engine = new Engine(repo, { integrity: context.integrity, reducers, cache: false });
  try {
    const options = { ...(state === undefined ? {} : { state }), ...(roots.length === 0 ? {} : { roots }) };
    if (reducers.set.reducers.length === 0) {
      const initial = item === undefined ? { ...state } : { ...state, id: item };
      context.print(formatQueryResult(expressions.query.search(initial)));
      return 0;
    }
    const result = item === undefined ? await engine.reduceRepository(options) : await engine.reduceItem(item, options);
    context.print(formatQueryResult(expressions.query.search(result)));
  } finally {
    await engine.close();
  }
  return 0;
}
