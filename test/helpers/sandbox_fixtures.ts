// Reducer sets and synthetic items for the sandbox tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReduceJob, ReducerSet, SandboxRecord } from '../../src/sandbox/mod.ts';

/** The fixture reducer directories under `test/fixtures/sandbox/`. */
export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'sandbox');

function jsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...jsFiles(full));
    else if (entry.name.endsWith('.js')) out.push(full);
  }
  return out.sort();
}

/** Reads reducer directories the way the store will: direct `*.js` entries in name order, every `.js` below for require(). */
export function loadReducerSet(...dirs: string[]): ReducerSet {
  const set: ReducerSet = { reducers: [], requireFiles: {} };
  for (const dir of dirs) {
    const names = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.js') && fs.statSync(path.join(dir, n)).isFile())
      .sort();
    for (const name of names) {
      const file = path.join(dir, name);
      set.reducers.push({ file, dir, source: fs.readFileSync(file, 'utf8') });
    }
    for (const file of jsFiles(dir)) set.requireFiles[file] = fs.readFileSync(file, 'utf8');
  }
  return set;
}

/** The hostile fixture reducer `name` followed by a counting one (`count` = records applied). */
export function hostileSet(name: string): ReducerSet {
  const dir = path.join(FIXTURES, 'hostile');
  const file = path.join(dir, `${name}.js`);
  return {
    reducers: [
      { file, dir, source: fs.readFileSync(file, 'utf8') },
      {
        file: '/ok/Count.js',
        dir: '/ok',
        source: 'module.exports = function (s, r) { s.count = (s.count || 0) + 1; return s; }',
      },
    ],
    requireFiles: {},
  };
}

/** A reducer set made of inline sources, each in its own directory `/virtual/<i>`. */
export function inlineSet(...sources: string[]): ReducerSet {
  const set: ReducerSet = { reducers: [], requireFiles: {} };
  for (const [i, source] of sources.entries())
    set.reducers.push({ file: `/virtual/${i}/reducer${i}.js`, dir: `/virtual/${i}`, source });
  return set;
}

const encoder = new TextEncoder();

/** A record from `{name: text or bytes}`. */
export function record(hash: string, files: Record<string, string | Uint8Array>): SandboxRecord {
  return {
    hash,
    files: Object.entries(files).map(([name, data]) => [name, typeof data === 'string' ? encoder.encode(data) : data]),
  };
}

/** `count` issue-like items of `perItem` records: a summary, comments, and a close every third item. */
export function syntheticJobs(count: number, perItem = 4): ReduceJob[] {
  const jobs: ReduceJob[] = [];
  for (let i = 0; i < count; i++) {
    const id = `item-${String(i).padStart(6, '0')}`;
    const records: SandboxRecord[] = [
      record(`${id}-r0`, {
        '.type/SummaryChanged': '',
        text: `Issue number ${i}: something is broken`,
        '.authors': 'A <a@example.com>',
        '.timestamp': '2018-01-01T00:00:00Z',
      }),
    ];
    for (let r = 1; r < perItem; r++) {
      const closing = r === perItem - 1 && i % 3 === 0;
      records.push(
        closing
          ? record(`${id}-r${r}`, {
              '.type/Closed': '',
              '.authors': 'B <b@example.com>',
              '.timestamp': `2018-01-0${r + 1}T00:00:00Z`,
              [`.prev/${id}-r${r - 1}`]: '',
            })
          : record(`${id}-r${r}`, {
              '.type/Commented': '',
              text: `Comment ${r} on ${i} ✓`,
              '.authors': 'B <b@example.com>',
              '.timestamp': `2018-01-0${r + 1}T00:00:00Z`,
              [`.prev/${id}-r${r - 1}`]: '',
            }),
      );
    }
    jobs.push({ id, state: { id }, records });
  }
  return jobs;
}
