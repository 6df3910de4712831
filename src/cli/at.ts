/**
 * The read commands under `sit --at REV`: `items`, `records`, `reduce`, `integrity` and
 * `config repository` answer for the repository as committed at REV, read from git's objects
 * (src/git/). Reducers, named filters and queries come from the working tree.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatQueryResult } from '../json.ts';
import { loadReducers } from '../reduce/reducers.ts';
import {
  ItemNotFoundError,
  prepareHashing,
  readItemRecords,
  readRepositoryRecords,
  verifySignature,
  type RepositoryConfig,
  type StoredRecord,
  type Verification,
} from '../store/mod.ts';
import { GitRecordSource } from '../git/source.ts';
import { checkRevisionIntegrity } from '../git/integrity.ts';
import { RevisionReducer, type State } from '../git/reduce.ts';
import type { RevisionView } from '../git/view.ts';
import type { Context } from './context.ts';
import { passes, type Expressions } from './expressions.ts';

/** A one-line note on standard error when objects were missing from the clone. */
function noteIncomplete(view: RevisionView, count: number): void {
  if (count === 0) return;
  process.stderr.write(
    `warning: ${count} item(s) at ${view.revision.name} need objects that are missing from this clone (a partial or damaged clone); ` +
      `records that need them were left out (see \`sit --at ${view.revision.name} integrity\`)\n`,
  );
}

/** Runs {@link fn} on the `--at` revision and closes it afterwards. */
async function withRevision<T>(context: Context, fn: (view: RevisionView) => Promise<T>): Promise<T> {
  try {
    return await fn(await context.revision());
  } finally {
    await context.closeRevision();
  }
}

/** `sit --at REV items`: the query of every item at REV that passes the filter, sorted by id. */
export function itemsAt(context: Context, expressions: Expressions, options: { cache: boolean }): Promise<number> {
  return withRevision(context, async (view) => {
    const ids = await view.ids();
    const reducer = options.cache
      ? view.side.reducer
      : new RevisionReducer({
          reducers: loadReducers(context.repository()),
          integrity: context.integrity,
          cache: false,
          onProgress: context.onProgress,
        });
    const lines = new Map<string, string>();
    try {
      await reducer.reduce(view.revision, ids, (id, state) => {
        if (!passes(expressions.filter, state, `item ${id}`)) return;
        const line = formatQueryResult(expressions.query.search(state));
        if (typeof line === 'string') lines.set(id, line);
      });
    } finally {
      if (reducer !== view.side.reducer) await reducer.close();
    }
    const out: string[] = [];
    for (const id of ids) {
      const line = lines.get(id);
      if (line !== undefined) out.push(line, '\n');
    }
    process.stdout.write(out.join(''));
    noteIncomplete(view, reducer.incomplete);
    return 0;
  });
}

/** `sit --at REV records [ITEM]`: the records of an item (or of the repository) in generation order. */
export function recordsAt(context: Context, item: string | undefined): Promise<StoredRecord[]> {
  return withRevision(context, async (view) => {
    if (context.integrity) await prepareHashing();
    if (item !== undefined && !(await view.revision.hasItem(item)))
      throw new ItemNotFoundError(`Item ${item} not found at ${view.revision.name}`);
    const source = await GitRecordSource.load(view.revision, {
      ...(item === undefined ? { all: true } : { items: [item] }),
      integrity: context.integrity,
    });
    return item === undefined ? readRepositoryRecords(source) : readItemRecords(source, item);
  });
}

/** Verifies a record's `.signature` read from git (GnuPG needs it as a file). */
export function verifyAt(
  record: StoredRecord,
  options: { gnupg: string | undefined; config: RepositoryConfig | undefined },
): Verification {
  const dir = mkdtempSync(join(tmpdir(), 'sit-verify-'));
  try {
    const signature = record.files.find((f) => f.name === '.signature');
    if (signature !== undefined) writeFileSync(join(dir, '.signature'), signature.data);
    return verifySignature(dir, record.files, {
      gnupg: options.gnupg,
      ...(options.config === undefined ? {} : { algorithm: options.config.hashingAlgorithm }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What `sit reduce` asks for. */
export interface ReduceRequest {
  item: string | undefined;
  state: State | undefined;
  roots: string[];
  sources: string[];
}

/** `sit --at REV reduce [ITEM]`: one item (or the repository-level records) reduced at REV. */
export function reduceAt(context: Context, request: ReduceRequest, expressions: Expressions): Promise<number> {
  return withRevision(context, async (view) => {
    const revision = view.revision;
    if (request.item !== undefined && !(await revision.hasItem(request.item))) {
      throw new ItemNotFoundError(`Item ${request.item} not found at ${revision.name}`);
    }
    const reducers = loadReducers(
      context.repository(),
      request.sources.length === 0 ? {} : { sources: request.sources },
    );
    const options = {
      ...(request.state === undefined ? {} : { state: request.state }),
      ...(request.roots.length === 0 ? {} : { roots: request.roots }),
    };
    let result: State | undefined;
    if (reducers.set.reducers.length === 0) {
      result = request.item === undefined ? { ...request.state } : { ...request.state, id: request.item };
    } else {
      const reducer = new RevisionReducer({ reducers, integrity: context.integrity, cache: false });
      try {
        result =
          request.item === undefined
            ? await reducer.reduceRepository(revision, options)
            : await reducer.reduceItem(revision, request.item, options);
      } finally {
        await reducer.close();
      }
    }
    context.print(formatQueryResult(expressions.query.search(result)));
    return 0;
  });
}

/** `sit --at REV integrity`: every record at REV checked; damaged ones on stdout, exit 1 if any. */
export function integrityAt(context: Context): Promise<number> {
  return withRevision(context, async (view) => {
    const report = await checkRevisionIntegrity(view.revision);
    process.stderr.write(report.checked.map((r) => `${r.hash} ${r.intact}\n`).join(''));
    const out = [
      ...report.itemDamage.map((d) => `${d.item} ${d.hash}\n`),
      ...report.repositoryDamage.map((h) => `${h}\n`),
    ];
    process.stdout.write(out.join(''));
    return out.length > 0 ? 1 : 0;
  });
}

/** The repository configuration at the `--at` revision. */
export function configAt(context: Context): Promise<RepositoryConfig> {
  return withRevision(context, async (view) => view.config);
}
