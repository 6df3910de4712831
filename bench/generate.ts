/**
 * Generates a repository shaped like SIT's own tracker (about 3.75 records per item: summaries,
 * details, comments, closes, merge requests with patches, merges) from a fixed seed, writing the
 * flat-records layout directly so that 10 000 items take seconds, not minutes.
 * @module
 */
import { mkdirSync, writeFileSync, existsSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { recordHash, splitPath, serializeConfig, defaultConfig, type RecordFile } from '../src/store/mod.ts';

/** Options for {@linkcode generateRepository}. */
export interface GenerateOptions {
  /** The seed of the pseudo-random generator (same seed, same repository). */
  seed?: number;
  /** Link this module directory into `modules/issue-tracking` (a text file holding its path). */
  module?: string;
}

/** A small deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'record item reducer module issue tracker merge request branch patch commit history repository ' +
  'state summary details comment label assignee milestone signature hash base32 generation parent ' +
  'timestamp author web server query filter cache sandbox worker limit memory deadline integrity ' +
  'upgrade rebuild config path file directory link sync git pull push conflict offline immutable'
).split(' ');
const AUTHORS = [
  'Ada Lovelace <ada@example.org>',
  'Grace Hopper <grace@example.org>',
  'Alan Turing <alan@example.org>',
  'SIT Merge Request CI',
  'Edsger Dijkstra <ewd@example.org>',
];

function sentence(rnd: () => number, min: number, max: number): string {
  const n = min + Math.floor(rnd() * (max - min + 1));
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]!);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function paragraph(rnd: () => number, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(rnd, 6, 16) + '.');
  return out.join(' ');
}

function patch(rnd: () => number, lines: number): string {
  const out = [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'Subject: [PATCH] ' + sentence(rnd, 4, 8),
    '',
    '---',
    'diff --git a/src/lib.rs b/src/lib.rs',
    '--- a/src/lib.rs',
    '+++ b/src/lib.rs',
    '@@ -1,10 +1,10 @@',
  ];
  for (let i = 0; i < lines; i++)
    out.push((rnd() < 0.3 ? '+' : rnd() < 0.5 ? '-' : ' ') + '    ' + sentence(rnd, 3, 9).toLowerCase() + ';');
  return out.join('\n') + '\n';
}

const encoder = new TextEncoder();

/** Writes one record into `root/records` and its link file into `items/<id>`; returns its hash. */
function writeRecord(root: string, id: string, files: Array<[string, string]>): string {
  const recordFiles: RecordFile[] = files.map(([name, text]) => ({ name, data: encoder.encode(text) }));
  const hash = recordHash(recordFiles);
  const split = splitPath(hash);
  const dir = join(root, 'records', split);
  if (!existsSync(dir)) {
    const tmp = join(root, `.tmp-gen-${hash}`);
    for (const file of recordFiles) {
      const target = join(tmp, file.name);
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(target, file.data);
    }
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(tmp, dir);
  }
  writeFileSync(join(root, 'items', id, hash), `../../records/${split}`);
  return hash;
}

function uuid(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 3) | 8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * Creates a repository with `items` items at `root` (replacing anything there) and returns the
 * number of records written.
 */
export function generateRepository(root: string, items: number, options: GenerateOptions = {}): number {
  const rnd = random(options.seed ?? 1);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, 'records'), { recursive: true });
  mkdirSync(join(root, 'items'), { recursive: true });
  writeFileSync(join(root, 'config.json'), serializeConfig(defaultConfig()));
  if (options.module !== undefined) {
    mkdirSync(join(root, 'modules'), { recursive: true });
    writeFileSync(join(root, 'modules', 'issue-tracking'), options.module);
  }
  let clock = Date.UTC(2018, 0, 29);
  let records = 0;
  for (let n = 0; n < items; n++) {
    const id = uuid(rnd);
    mkdirSync(join(root, 'items', id));
    const author = AUTHORS[Math.floor(rnd() * 3)]!;
    const at = (): string => {
      clock += 1000 + Math.floor(rnd() * 3_600_000);
      const iso = new Date(clock).toISOString();
      return rnd() < 0.5 ? iso : iso.replace(/\.\d+Z$/, `.${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}Z`);
    };
    const meta = (type: string, parents: string[], who = author): Array<[string, string]> => [
      [`.type/${type}`, ''],
      ['.authors', who],
      ['.timestamp', at()],
      ...parents.map((p): [string, string] => [`.prev/${p}`, '']),
    ];
    const isMergeRequest = rnd() < 0.45;
    let head = writeRecord(root, id, [...meta('SummaryChanged', []), ['text', sentence(rnd, 4, 10) + '\n']]);
    const detailsFiles: Array<[string, string]> = [
      ...meta('DetailsChanged', [head]),
      ['text', paragraph(rnd, 1 + Math.floor(rnd() * 4)) + '\n'],
    ];
    if (isMergeRequest) {
      detailsFiles.push(
        ['.type/MergeRequested', ''],
        ['git/0001-change.patch', patch(rnd, 20 + Math.floor(rnd() * 120))],
      );
    }
    head = writeRecord(root, id, detailsFiles);
    const mergeRequest = head;
    records += 2;
    const comments = rnd() < 0.6 ? Math.floor(rnd() * 4) : 0;
    for (let c = 0; c < comments; c++) {
      const who = AUTHORS[Math.floor(rnd() * AUTHORS.length)]!;
      head = writeRecord(root, id, [
        ...meta('Commented', [head], who),
        ['text', paragraph(rnd, 1 + Math.floor(rnd() * 3))],
      ]);
      records++;
    }
    if (rnd() < 0.88) {
      const files = meta('Closed', [head]);
      if (isMergeRequest && rnd() < 0.7) files.push(['.type/Merged', ''], ['record', mergeRequest + '\n']);
      head = writeRecord(root, id, files);
      records++;
    }
  }
  return records;
}
