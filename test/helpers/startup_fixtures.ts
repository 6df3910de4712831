// Shared by the start-up tests of `sit web`: a repository whose items take a while to reduce (a
// module whose reducer is a busy loop per record), so that its index is not ready at once.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository } from '../../src/store/mod.ts';
import { PROJECT_ROOT, recordFiles } from './web_fixtures.ts';

/** A reducer that keeps the sandbox busy for every record (well within {@linkcode SLOW_LIMITS}). */
function slowReducer(iterations: number): string {
  return `module.exports = function (state, record) {
  var x = 0;
  for (var i = 0; i < ${iterations}; i++) x = (x + i) % 7919;
  state.slow = (state.slow || 0) + 1;
  return state;
};
`;
}

/** Generous limits: the slow reducer must never be cut short on a loaded machine. */
export const SLOW_LIMITS = { itemDeadlineMs: 120_000, watchdogGraceMs: 60_000 };

/** An item id that is markup. */
export const HOSTILE_ID = '"><svg onload=alert(1)>';
/** A summary that is markup and looks like a count. */
export const HOSTILE_SUMMARY = '<img src=x onerror=alert(2)> 99999 of 99999 items';

/** A slow repository: `ids` are its items, the hostile one last. */
export interface SlowFixture {
  dir: string;
  repo: Repository;
  ids: string[];
}

/**
 * Creates a repository of `count` slow issues (two records each) plus one with a hostile id and
 * summary; each record keeps the reducer busy for `iterations` turns of a loop.
 */
export function slowFixture(count = 40, options: { iterations?: number } = {}): SlowFixture {
  const dir = mkdtempSync(join(tmpdir(), 'sit-web-startup-'));
  const { path } = Repository.init(dir);
  mkdirSync(join(path, 'modules', 'slow', 'reducers'), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'modules', 'issue-tracking'), join(path, 'modules', 'issue-tracking'));
  writeFileSync(join(path, 'modules', 'slow', 'reducers', 'Slow.js'), slowReducer(options.iterations ?? 150_000));
  const repo = Repository.open(path);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = repo.newItem();
    repo.newRecord(
      recordFiles(['SummaryChanged'], `Issue number ${i}`, `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`),
      { itemId: id },
    );
    repo.newRecord(recordFiles(['Commented'], `comment of ${i}`), { itemId: id });
    ids.push(id);
  }
  const hostile = repo.newItem(HOSTILE_ID);
  repo.newRecord(recordFiles(['SummaryChanged'], HOSTILE_SUMMARY), { itemId: hostile });
  ids.push(hostile);
  return { dir, repo, ids };
}

/** Points the engine at a fresh, empty cache directory, so that the next index starts cold. */
export function coldCache(f: SlowFixture, name: string): void {
  process.env['SIT_CACHE_DIR'] = join(f.dir, `cache-${name}`);
}
