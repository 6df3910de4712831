// Shared by the web tests: a temporary repository with the issue-tracking module linked, an
// engine-backed item index, and the web application over them.
import { mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { ItemIndex } from '../../src/reduce/mod.ts';
import { createApp, type AppOptions } from '../../src/server.ts';
import { Repository } from '../../src/store/mod.ts';
import type { RecordFile } from '../../src/store/hash.ts';

/** The project's root directory. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A test repository with its index and app. */
export interface WebFixture {
  dir: string;
  repo: Repository;
  index: ItemIndex;
  app: Hono;
  /** Writes an issue (summary, optional details and comments) directly through the store. */
  issue(
    summary: string,
    options?: { details?: string; comments?: string[]; closed?: boolean; at?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

const enc = new TextEncoder();

/** Record files of `types` with `.authors`, `.timestamp` and optional `text`. */
export function recordFiles(
  types: string[],
  text?: string,
  at = new Date().toISOString(),
  authors = 'Ada Lovelace <ada@example.com>',
): RecordFile[] {
  const files: RecordFile[] = types.map((t) => ({ name: `.type/${t}`, data: new Uint8Array(0) }));
  files.push({ name: '.authors', data: enc.encode(authors) });
  files.push({ name: '.timestamp', data: enc.encode(at) });
  if (text !== undefined) files.push({ name: 'text', data: enc.encode(text) });
  return files;
}

/** Creates a temporary repository with the module linked and an app over it. */
export async function webFixture(options: Partial<AppOptions> = {}): Promise<WebFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'sit-web-'));
  process.env['SIT_CACHE_DIR'] = join(dir, 'cache');
  const { path } = Repository.init(dir);
  mkdirSync(join(path, 'modules'), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'modules', 'issue-tracking'), join(path, 'modules', 'issue-tracking'));
  const repo = Repository.open(path);
  const index = await ItemIndex.open(repo, { poolThreshold: 1_000_000 });
  const app = createApp({
    repo,
    index,
    author: { name: 'Web Tester', email: 'web@example.com' },
    ...options,
  });
  return {
    dir,
    repo,
    index,
    app,
    async issue(summary, o = {}) {
      const id = repo.newItem();
      const at = o.at ?? new Date().toISOString();
      repo.newRecord(recordFiles(['SummaryChanged'], summary, at), { itemId: id });
      if (o.details !== undefined) repo.newRecord(recordFiles(['DetailsChanged'], o.details, at), { itemId: id });
      for (const c of o.comments ?? []) repo.newRecord(recordFiles(['Commented'], c, at), { itemId: id });
      if (o.closed) repo.newRecord(recordFiles(['Closed'], undefined, at), { itemId: id });
      await index.refresh([id]);
      return id;
    },
    async close() {
      await index.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Headers of a same-origin form post as a browser sends it. */
export function formHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded', ...extra };
}
