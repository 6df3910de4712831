/** The filter (`-f`/`-F`) and query (`-q`/`-Q`) options shared by `items`, `records` and `reduce`. */
import { SitError } from '../errors.ts';
import { compileExpression, type Expression } from '../jmespath.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { namedExpression, type NamedPlace } from './named.ts';
import { stringOption } from './parse.ts';

/** Where a command's named filters and queries live. */
export interface ExpressionPlaces {
  filters?: NamedPlace;
  queries: NamedPlace;
}

/** The compiled filter (if any) and query of a command. */
export interface Expressions {
  filter?: Expression;
  query: Expression;
}

/** The cac option lines for `-f/-F/-q/-Q`. */
export function expressionOptions(withFilter: boolean): Array<[string, string]> {
  const options: Array<[string, string]> = [];
  if (withFilter) {
    options.push(['-f, --filter <expr>', 'JMESPath filter: keep what it evaluates to true for']);
    options.push(['-F, --named-filter <name>', 'a named filter (repository file, then user configuration)']);
  }
  options.push(['-q, --query <expr>', 'JMESPath query to print']);
  options.push(['-Q, --named-query <name>', 'a named query (repository file, then user configuration)']);
  return options;
}

function pick(
  context: Context,
  options: Record<string, unknown>,
  inline: string,
  named: string,
  place: NamedPlace | undefined,
): string | undefined {
  const text = stringOption(options, inline);
  const name = stringOption(options, named);
  if (text !== undefined && name !== undefined) {
    throw new UsageError(
      `--${inline} and --${named.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} cannot be used together`,
    );
  }
  if (name !== undefined && place !== undefined) return namedExpression(context, place, name);
  return text;
}

/** Compiles the filter and query options (the query defaulting to `defaultQuery`). */
export function compileExpressions(
  context: Context,
  options: Record<string, unknown>,
  places: ExpressionPlaces,
  defaultQuery: string,
): Expressions {
  const filterText =
    places.filters === undefined ? undefined : pick(context, options, 'filter', 'namedFilter', places.filters);
  const queryText = pick(context, options, 'query', 'namedQuery', places.queries) ?? defaultQuery;
  const result: Expressions = { query: compileExpression(queryText, { role: 'query' }) };
  if (filterText !== undefined) result.filter = compileExpression(filterText, { role: 'filter' });
  return result;
}

/** Applies a filter: it must evaluate to a boolean. */
export function passes(filter: Expression | undefined, document: unknown, what: string): boolean {
  if (filter === undefined) return true;
  const value = filter.search(document);
  if (typeof value !== 'boolean') {
    throw new SitError(
      `filter ${JSON.stringify(filter.text)} gave ${JSON.stringify(value)} for ${what}; a filter must evaluate to true or false`,
    );
  }
  return value;
}
