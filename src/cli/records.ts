/** `sit records`: list records in generation order as JSON queries (original-sit.md §4.11). */
import { join } from 'node:path';
import { forTerminal } from '../terminal.ts';
import { formatQueryResult } from '../json.ts';
import {
  prepareHashing,
  readItemRecords,
  readRepositoryRecords,
  verifySignature,
  ItemNotFoundError,
  type StoredRecord,
} from '../store/mod.ts';
import type { Context } from './context.ts';
import { compileExpressions, expressionOptions, passes } from './expressions.ts';
import { UsageError } from './globals.ts';
import { parseCommand, stringOption } from './parse.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The JSON of a record used by `records` filters and queries (original-sit.md §2.9). */
export function recordJson(record: StoredRecord): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const file of record.files) {
    try {
      files[file.name] = utf8.decode(file.data);
    } catch {
      files[file.name] = { type: 'binary' };
    }
  }
  return { files, hash: record.hash };
}

/** Runs `sit records`. */
export async function runRecords(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'records',
      usage: 'records [item]',
      description: "List the repository's records (or an item's) in generation order",
      options: [
        ...expressionOptions(true),
        ['-v, --verify', 'verify PGP signatures (adds "verification" to the record JSON)'],
        ['--gnupg <command>', 'the GnuPG program to verify with (needs --verify)'],
      ],
      examples: [
        'sit records',
        "sit records ITEM -q 'files.text'",
        'sit records -f "contains(keys(files), \'.type/Closed\')"',
      ],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const verify = parsed.options.verify === true;
  const gnupg = stringOption(parsed.options, 'gnupg') ?? context.userConfig().signing.gnupg;
  if (stringOption(parsed.options, 'gnupg') !== undefined && !verify) throw new UsageError('--gnupg needs --verify');
  const repo = context.repository();
  const item = parsed.args[0];
  const section = 'records';
  const expressions = compileExpressions(
    context,
    parsed.options,
    {
      filters: { folder: '.records/filters', section, kind: 'filters' },
      queries: { folder: '.records/queries', section, kind: 'queries' },
    },
    'hash',
  );
  // Every record listed is checked against its hash: load the fast hasher first.
  if (context.integrity) await prepareHashing();
  let records: StoredRecord[];
  const at = context.at === undefined ? undefined : await import('./at.ts');
  if (at !== undefined) {
    records = await at.recordsAt(context, item);
  } else if (item !== undefined) {
    if (!repo.hasItem(item)) throw new ItemNotFoundError(`Item ${item} not found`);
    records = readItemRecords(repo, item, { integrity: context.integrity });
  } else {
    records = readRepositoryRecords(repo, { integrity: context.integrity });
  }
  const out: string[] = [];
  for (const record of records) {
    const json = recordJson(record);
    if (verify && at !== undefined && record.files.some((f) => f.name === '.signature')) {
      json.verification = at.verifyAt(record, { gnupg, config: repo.config });
    } else if (verify && record.files.some((f) => f.name === '.signature')) {
      const dir = repo.recordPath(record.hash) ?? join(repo.root, 'records');
      const full = repo.readRecord(record.hash, { full: true }) ?? record;
      json.verification = verifySignature(dir, full.files, { gnupg, algorithm: repo.hashingAlgorithm });
    }
    if (!passes(expressions.filter, json, `record ${record.hash}`)) continue;
    out.push(formatQueryResult(expressions.query.search(json)) + '\n');
  }
  process.stdout.write(forTerminal(out.join(''), process.stdout.isTTY));
  return 0;
}
