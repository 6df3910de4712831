/** `sit config` and `sit jmespath` (original-sit.md §4.14, §4.16). */
import { readFileSync } from 'node:fs';
import { SitError } from '../errors.ts';
import { compileExpression } from '../jmespath.ts';
import { formatQueryResult, stringifySorted } from '../json.ts';
import { configToJson, serializeConfig, serializeUserConfig, userConfigToJson } from '../store/mod.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { parseCommand, stringOption } from './parse.ts';

/** Runs `sit config`. */
export async function runConfig(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'config',
      usage: 'config [kind]',
      description:
        'Print the user configuration (kind: user, the default) or the repository configuration (kind: repository)',
      options: [['-q, --query <expr>', 'JMESPath query over the configuration']],
      examples: ['sit config', "sit config repository -q 'features'"],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const kind = parsed.args[0] ?? 'user';
  if (kind !== 'user' && kind !== 'repository') {
    throw new UsageError(`unknown configuration kind ${JSON.stringify(kind)}: use user or repository`);
  }
  const query = stringOption(parsed.options, 'query');
  const repositoryConfig =
    kind === 'repository' && context.at !== undefined ? await (await import('./at.ts')).configAt(context) : undefined;
  const repository = () => repositoryConfig ?? context.repository().config;
  if (query === undefined) {
    // Without a query the configuration prints in its own field order, as the original does.
    context.print(kind === 'user' ? serializeUserConfig(context.userConfig()) : serializeConfig(repository()));
    return 0;
  }
  const json = kind === 'user' ? userConfigToJson(context.userConfig()) : configToJson(repository());
  context.print(formatQueryResult(compileExpression(query, { role: 'query' }).search(json)));
  return 0;
}

/** Runs `sit jmespath`. */
export async function runJmespath(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'jmespath',
      usage: 'jmespath <expr>',
      description: 'Evaluate a JMESPath expression over one JSON document read from standard input',
      options: [['-p, --pretty', 'pretty-print the result']],
      examples: ["echo '{\"a\": [1, 2]}' | sit jmespath 'a[1]'"],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const expression = compileExpression(parsed.args[0]!, {});
  const input = readFileSync(0, 'utf8');
  let document: unknown;
  try {
    document = JSON.parse(input);
  } catch (error) {
    throw new SitError(
      `standard input is not JSON: ${(error as Error).message}; pipe one JSON document into sit jmespath`,
    );
  }
  context.print(stringifySorted(expression.search(document), { pretty: parsed.options.pretty === true }));
  return 0;
}
