/**
 * The original SIT's JSON API (original-sit.md §5, original-issue-tracking.md §3.9), kept so that
 * scripts and old front-ends keep working. Path segments are split on `/` and percent-decoded one
 * by one, so an empty segment is a valid (empty) filter and `%2F` stays inside its segment.
 * Responses are compact JSON with keys sorted. Writes answer 404 in read-only mode, as the
 * original did.
 * @module
 */
import { Hono, type Context } from 'hono';
import { SitError } from '../errors.ts';
import { compileExpression, EvaluationBudget, JmesPathLimitError, type Expression } from '../jmespath.ts';
import { jsonDepthExceeds, MAX_JSON_DEPTH, stringifySorted } from '../json.ts';
import type { RecordFile } from '../store/hash.ts';
import { isBase32 } from '../store/hash.ts';
import { readCheckedRecord } from '../store/repository.ts';
import type { ItemSource, RecordStore, RepositoryReducer } from './source.ts';
import type { Writer } from './writer.ts';

/** What the API routes need. */
export interface ApiOptions {
  repo: RecordStore;
  index: ItemSource;
  writer: Writer;
  readonly: boolean;
  /** The user configuration as JSON, with the derived author. */
  userConfig: () => Record<string, unknown>;
  /** Reduces the whole repository (for `/api/reduce`). */
  reducer?: RepositoryReducer | undefined;
}

function json(c: Context, value: unknown, status: 200 | 201 = 200): Response {
  return c.body(stringifySorted(value), status, { 'content-type': 'application/json' });
}

function bad(c: Context, message: string): Response {
  return c.text(message, 400);
}

/** Splits the raw path after `/api/` into percent-decoded segments; undefined for bad encoding. */
function apiSegments(c: Context): string[] | undefined {
  const raw = new URL(c.req.url).pathname.slice('/api/'.length);
  try {
    return raw.split('/').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function compile(c: Context, text: string, role: string): Expression | Response {
  try {
    return compileExpression(text, { role });
  } catch (error) {
    return bad(c, error instanceof SitError ? error.message : `bad ${role} expression`);
  }
}

/**
 * What the expressions of one request may spend in all: an address is untrusted input (any web
 * page can make a browser send one), and the server must keep answering.
 */
function requestBudget(): EvaluationBudget {
  return new EvaluationBudget({ timeMs: 2000 });
}

function evaluate(c: Context, expr: Expression, doc: unknown, budget: EvaluationBudget): { value: unknown } | Response {
  try {
    return { value: expr.search(doc, budget) };
  } catch (error) {
    return bad(c, error instanceof SitError ? error.message : 'the expression failed');
  }
}

function fileNames(files: readonly RecordFile[]): string[] {
  return files.map((f) => f.name);
}

/** The file names of a record read with the integrity rule of the command line: a damaged record is not served. */
function recordFiles(
  c: Context,
  record: ReturnType<typeof readCheckedRecord>,
  hash: string,
): Response | Promise<Response> {
  if (record === undefined) return c.notFound();
  if ('damaged' in record)
    return c.text(`record ${hash} is damaged (its files do not match its hash); run \`sit integrity\``, 404);
  return json(c, fileNames(record.files));
}

/** Reads a multipart body into record files: each part's field name is the file's name. */
async function multipartFiles(c: Context): Promise<RecordFile[] | Response> {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return bad(c, 'send the record as multipart/form-data: one part per file, the field name being the file name');
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    return bad(c, 'the multipart body could not be read');
  }
  const files: RecordFile[] = [];
  const seen = new Set<string>();
  for (const [name, value] of form.entries()) {
    if (seen.has(name)) return bad(c, `the record file ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    const data =
      typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer());
    files.push({ name, data });
  }
  return files;
}

/** `/config`, `/user/config` and `/api/*`, as an application to mount at `/`. */
export function apiRoutes(o: ApiOptions): Hono {
  const app = new Hono();
  app.get('/config', (c) => json(c, { readonly: o.readonly }));
  app.get('/user/config', (c) => json(c, o.userConfig()));

  app.get('/api/*', async (c) => {
    const seg = apiSegments(c);
    if (seg === undefined) return bad(c, 'bad percent-encoding in the address');
    const [a, b, d, e] = seg;
    // /api/items/{filter}/{query}
    if (seg.length === 3 && a === 'items') {
      const filterText = b!;
      const filter = filterText === '' ? undefined : compile(c, filterText, 'filter');
      if (filter instanceof Response) return filter;
      const query = compile(c, d!, 'query');
      if (query instanceof Response) return query;
      const out: unknown[] = [];
      const budget = requestBudget();
      for (const state of o.index.states()) {
        if (filter !== undefined) {
          let pass: unknown;
          try {
            pass = filter.search(state, budget);
          } catch (error) {
            if (error instanceof JmesPathLimitError) return bad(c, error.message);
            pass = false;
          }
          if (pass !== true) continue;
        }
        const r = evaluate(c, query, state, budget);
        if (r instanceof Response) return r;
        out.push(r.value);
      }
      return json(c, out);
    }
    // /api/item/{id}/{record}/files
    if (seg.length === 4 && a === 'item' && e === 'files') {
      if (!isBase32(d!) || !o.repo.hasItem(b!)) return c.notFound();
      return recordFiles(c, readCheckedRecord(o.repo, d!, { item: b! }), d!);
    }
    // /api/item/{id}/{query}
    if (seg.length === 3 && a === 'item') {
      // The original compiled the query before looking the item up: a bad query is 400 either way.
      const query = compile(c, d!, 'query');
      if (query instanceof Response) return query;
      const state = o.index.get(b!);
      if (state === undefined) return c.notFound();
      const r = evaluate(c, query, state, requestBudget());
      return r instanceof Response ? r : json(c, r.value);
    }
    // /api/record/{record}/files
    if (seg.length === 3 && a === 'record' && d === 'files') {
      if (!isBase32(b!)) return c.notFound();
      return recordFiles(c, readCheckedRecord(o.repo, b!), b!);
    }
    // /api/reduce/{query} and /api/{roots}/reduce/{query}
    const reduceAt = seg.length === 2 && a === 'reduce' ? 0 : seg.length === 3 && b === 'reduce' ? 1 : -1;
    if (reduceAt >= 0) {
      if (o.reducer === undefined) return c.text('repository reduction is not available in this server', 404);
      const query = compile(c, seg[reduceAt + 1]!, 'query');
      if (query instanceof Response) return query;
      const roots = reduceAt === 1 ? a!.split(',').filter((r) => r !== '') : undefined;
      if (roots?.some((r) => !isBase32(r))) return bad(c, 'roots must be record hashes separated by commas');
      const reducersParam = c.req.query('reducers');
      const stateParam = c.req.query('state');
      let state: Record<string, unknown> | undefined;
      if (stateParam !== undefined) {
        try {
          const parsed: unknown = JSON.parse(stateParam);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
          if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH))
            return bad(c, `state is nested more than ${MAX_JSON_DEPTH} levels deep`);
          state = parsed as Record<string, unknown>;
        } catch {
          return c.text('state must be a JSON object', 500);
        }
      }
      let reduced: unknown;
      try {
        reduced = await o.reducer({
          ...(roots === undefined ? {} : { roots }),
          ...(state === undefined ? {} : { state }),
          ...(reducersParam === undefined ? {} : { reducers: reducersParam.split(',').filter((r) => r !== '') }),
        });
      } catch (error) {
        return c.text(error instanceof SitError ? error.message : 'reduction failed', 500);
      }
      const r = evaluate(c, query, reduced, requestBudget());
      return r instanceof Response ? r : json(c, r.value);
    }
    return c.notFound();
  });

  app.post('/api/*', async (c) => {
    if (o.readonly) return c.notFound();
    const seg = apiSegments(c);
    if (seg === undefined) return bad(c, 'bad percent-encoding in the address');
    const [a, b, d] = seg;
    try {
      // POST /api/item
      if (seg.length === 1 && a === 'item') {
        const id = o.writer.newItem();
        await o.writer.settle([id]);
        return json(c, id);
      }
      // POST /api/item/{id}/records
      if (seg.length === 3 && a === 'item' && d === 'records') {
        if (!o.repo.hasItem(b!)) return c.notFound();
        const files = await multipartFiles(c);
        if (files instanceof Response) return files;
        const linkParents = !files.some((f) => f.name.startsWith('.prev/'));
        const hash = o.writer.write(b!, files, { linkParents });
        await o.writer.settle([b!]);
        return json(c, hash);
      }
      // POST /api/records
      if (seg.length === 1 && a === 'records') {
        const files = await multipartFiles(c);
        if (files instanceof Response) return files;
        const linkParents = !files.some((f) => f.name.startsWith('.prev/'));
        return json(c, o.writer.write(undefined, files, { linkParents }));
      }
    } catch (error) {
      if (error instanceof SitError && error.name === 'SigningError') return c.text('Error', 500);
      if (error instanceof SitError) return bad(c, error.message);
      throw error;
    }
    return c.notFound();
  });
  return app;
}
