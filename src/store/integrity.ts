/** `sit integrity`: every record re-hashed, strictly (original-sit.md §4.13, SPEC §1). */
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../worker_entry.ts';
import { StoreOperationError } from './errors.ts';
import { prepareHashing } from './hash.ts';
import { claimTask, examineRecord, runTask } from './integrity_examine.ts';
import type { Answer, ExaminedEntry, FromWorker, Task, ToWorker, WorkerInit } from './integrity_examine.ts';
import { TEMPORARY_PREFIX } from './fs_util.ts';
import { itemLinkText } from './names.ts';
import { compareEntries } from './record_walk.ts';
import type { ItemRecordLink, RecordEntry } from './record_walk.ts';
import type { Repository } from './repository.ts';

/** One examined record. */
export interface IntegrityResult {
  hash: string;
  intact: boolean;
  /** The item the record was examined for; absent for repository records. */
  item?: string;
}

/** What {@link checkIntegrity} found. */
export interface IntegrityReport {
  /** Every record examined, in order: each item's records (items sorted), then `records/`. */
  checked: IntegrityResult[];
  /** Non-intact records of items, as `sit integrity` prints them (`<ITEM> <HASH>`). */
  itemDamage: Array<{ item: string; hash: string }>;
  /** Non-intact repository records not already reported through an item. */
  repositoryDamage: string[];
  /** Temporary files and directories left by interrupted writes that were removed. */
  removedTemporaries: string[];
  /**
   * Damage that is not a record failing its hash: item links to records that are not there,
   * empty or garbage link files, item directories that cannot be listed, item names that are not
   * UTF-8. Each with the path it concerns and a one-line reason, in item order.
   */
  problems: IntegrityProblem[];
}

/** One problem of {@link IntegrityReport.problems}. */
export interface IntegrityProblem {
  /** The item concerned, when there is one. */
  item?: string;
  /** The file or directory concerned. */
  path: string;
  /** What is wrong, in a few words. */
  reason: string;
}

/** Options of {@link checkIntegrity}. */
export interface IntegrityOptions {
  /** Temporaries older than this are removed (default ten minutes). */
  temporaryAgeMs?: number;
  /** The current time (default `Date.now()`). */
  now?: number;
  /** Told how far the check has got: `done` of `total` steps (items, or shares of the work). */
  onProgress?: (done: number, total: number) => void;
}

/** Options of {@link checkIntegrityParallel}. */
export interface ParallelIntegrityOptions extends IntegrityOptions {
  /**
   * Worker threads working beside the calling thread; 0 checks in the calling thread only.
   * Default: none below {@link PARALLEL_MIN_ITEMS} items (a worker takes 50–100 ms to start),
   * else one per core beyond the first (none on one core), at most 3.
   */
  workers?: number;
}

/** Temporaries older than this are leftovers of interrupted writes. */
const TEMPORARY_AGE_MS = 10 * 60 * 1000;

/** Below this many items, {@link checkIntegrityParallel} checks in the calling thread by default. */
export const PARALLEL_MIN_ITEMS = 300;

/** Tasks per thread and kind of work: small enough to even out, large enough to cost little. */
const TASKS_PER_THREAD = 24;

/**
 * Checks every record strictly, in the calling thread: all files are read (`.type/` and `.prev/`
 * too), symbolic links and special files make a record non-intact, and so does a record whose
 * real path lies outside the repository. Also removes temporaries older than ten minutes (or
 * `temporaryAgeMs`). Hashes with whatever {@link prepareHashing} has prepared; prefer
 * {@link checkIntegrityParallel}, which prepares and uses every core.
 */
export function checkIntegrity(repo: Repository, options: IntegrityOptions = {}): IntegrityReport {
  const realRoot = realpathSync.native(repo.root);
  const temporaries: string[] = [];
  const problems = itemProblems(repo);
  const items = repo.items().map((item) => {
    const entries: RecordEntry[] = [];
    for (const link of repo.itemRecordLinks(item, { temporaries })) {
      const entry = repo.followItemRecordLink(link);
      if (entry !== undefined) entries.push(entry);
      else problems.push({ item, path: link.path, reason: brokenLinkReason(link) });
    }
    return { item, entries };
  });
  // Directories found by the walk of records/ need no real-path check.
  const repositoryEntries = repo.recordEntries({ expected: items.flatMap((i) => i.entries.map((e) => e.hash)) });
  const direct = new Set(repositoryEntries.filter((e) => e.direct === true).map((e) => e.dir));
  const cache = new Map<string, boolean | undefined>();
  const examine = (entry: RecordEntry): boolean | undefined => {
    const key = entryKey(entry);
    if (cache.has(key)) return cache.get(key);
    const intact = examineRecord({ ...entry, direct: direct.has(entry.dir) }, realRoot, repo.hashingAlgorithm);
    cache.set(key, intact);
    return intact;
  };
  const report = assemble(items, repositoryEntries, examine, problems, options.onProgress);
  report.removedTemporaries = removeOldTemporaries(
    [...temporariesIn(repo.root), ...temporariesIn(repo.recordsDir()), ...temporaries],
    options,
  );
  return report;
}

/** Problems of `items/` itself: item names that are not UTF-8, item directories that cannot be listed. */
function itemProblems(repo: Repository): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  const dir = repo.itemsDir();
  for (const name of repo.unusableItemNames()) {
    problems.push({ path: join(dir, name), reason: 'item name is not UTF-8, so no command can name it; rename it' });
  }
  for (const item of repo.items()) {
    const itemDir = repo.itemDir(item);
    if (itemDir === undefined) continue;
    try {
      readdirSync(itemDir);
    } catch (error) {
      problems.push({
        item,
        path: itemDir,
        reason: `cannot list the item's directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      });
    }
  }
  return problems;
}

/** Why an item's record link leads to no record directory. */
function brokenLinkReason(link: ItemRecordLink): string {
  if (link.kind === 'symlink') return 'symbolic link that leads nowhere, or out of the repository';
  if (link.kind === 'directory') return `record ${link.hash} is missing`;
  let text: string;
  try {
    text = readFileSync(link.path, 'utf8').trim();
  } catch (error) {
    return `cannot read the link file (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (text === '') return 'empty link file: it names no record';
  if (text === itemLinkText(link.hash) || text.replaceAll('\\', '/').endsWith(`/${link.hash}`)) {
    return `links to record ${link.hash}, which is not in the repository (not copied yet, or lost)`;
  }
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return `link file names ${shown}, which is not a record directory inside the repository`;
}

/**
 * {@link checkIntegrity} in worker threads and the calling thread, with the same report: the
 * calling thread lists the items' directories while the workers start, then the threads walk
 * shares of `records/` (reading and hashing each record found there once) and follow the items'
 * record links, then examine the few entries of items that the walk did not reach.
 * The calling thread takes its share too, synchronously. Small repositories are checked in the
 * calling thread only (see `workers`). Prepares hashing.
 */
export async function checkIntegrityParallel(
  repo: Repository,
  options: ParallelIntegrityOptions = {},
): Promise<IntegrityReport> {
  const items = repo.items();
  const count = Math.floor(options.workers ?? (items.length < PARALLEL_MIN_ITEMS ? 0 : defaultWorkers()));
  if (!(count >= 1)) {
    await prepareHashing();
    return checkIntegrity(repo, options);
  }
  const realRoot = realpathSync.native(repo.root);
  const runner = new TaskRunner(repo, { root: repo.root, realRoot }, count);
  try {
    await prepareHashing();
    // The items' directories are listed here while the workers start: the names of their
    // record links tell the walk of records/ what to expect.
    const temporaries: string[] = [];
    const problems = itemProblems(repo);
    const itemLinks = items.map((item) => repo.itemRecordLinks(item, { temporaries }));
    const expected = new Map<string, string[]>();
    for (const links of itemLinks) {
      for (const { hash } of links) {
        const top = hash.slice(0, 2);
        const list = expected.get(top);
        if (list === undefined) expected.set(top, [hash]);
        else list.push(hash);
      }
    }
    const records = repo.recordsDir();
    const top = records === undefined ? [] : topDirectories(records).sort();
    const links = itemLinks.flat();
    const per = (total: number) => Math.max(1, Math.ceil(total / ((count + 1) * TASKS_PER_THREAD)));
    const walkTasks = chunks(top, per(top.length)).map(
      (names): Task => ({ type: 'walk', top: names, expected: names.flatMap((name) => expected.get(name) ?? []) }),
    );
    const followTasks = chunks(links, per(links.length)).map((batch): Task => ({ type: 'follow', links: batch }));
    const walked: ExaminedEntry[] = [];
    const followed: Array<RecordEntry | null> = [];
    for (const answer of await runner.run([...walkTasks, ...followTasks], options.onProgress)) {
      if (answer.type === 'walk') walked.push(...answer.entries);
      else if (answer.type === 'follow') followed.push(...answer.entries);
    }
    walked.sort(compareEntries);
    // Follow answers come in the order of `links`: each item's links, item after item.
    let next = 0;
    const listed = items.map((item, i) => {
      const answers = followed.slice(next, (next += itemLinks[i]!.length));
      answers.forEach((entry, j) => {
        if (entry === null)
          problems.push({ item, path: itemLinks[i]![j]!.path, reason: brokenLinkReason(itemLinks[i]![j]!) });
      });
      return { item, entries: answers.filter((entry): entry is RecordEntry => entry !== null) };
    });

    const known = new Map<string, boolean | undefined>();
    const direct = new Set<string>();
    for (const entry of walked) {
      known.set(entryKey(entry), entry.intact ?? undefined);
      if (entry.direct === true) direct.add(entry.dir);
    }
    // Entries of items that the walk did not reach (legacy directories, other links, missing records).
    const missing = new Map<string, RecordEntry>();
    for (const { entries } of listed) {
      for (const entry of entries) {
        const key = entryKey(entry);
        if (!known.has(key) && !missing.has(key)) missing.set(key, { ...entry, direct: direct.has(entry.dir) });
      }
    }
    if (missing.size > 0) {
      const entries = [...missing.values()];
      const batches = chunks(entries, per(entries.length));
      const answers = await runner.run(batches.map((batch): Task => ({ type: 'examine', entries: batch })));
      answers.forEach((answer, i) => {
        if (answer.type !== 'examine') return;
        for (const [j, entry] of batches[i]!.entries()) known.set(entryKey(entry), answer.intact[j] ?? undefined);
      });
    }
    const report = assemble(listed, walked, (entry) => known.get(entryKey(entry)), problems);
    report.removedTemporaries = removeOldTemporaries(
      [...temporariesIn(repo.root), ...temporariesIn(records), ...temporaries],
      options,
    );
    return report;
  } finally {
    await runner.close();
  }
}

/**
 * The report from items' entries (items sorted) and `records/` entries, examined by `examine`,
 * with the `problems` found on the way. An item entry whose record is not there is a problem too.
 */
function assemble(
  items: ReadonlyArray<{ item: string; entries: RecordEntry[] }>,
  repositoryEntries: RecordEntry[],
  examine: (entry: RecordEntry) => boolean | undefined,
  problems: IntegrityProblem[],
  onProgress?: (done: number, total: number) => void,
): IntegrityReport {
  const report: IntegrityReport = {
    checked: [],
    itemDamage: [],
    repositoryDamage: [],
    removedTemporaries: [],
    problems,
  };
  const reported = new Set<string>();
  let done = 0;
  for (const { item, entries } of items) {
    onProgress?.(done++, items.length);
    for (const entry of entries) {
      const intact = examine(entry);
      if (intact === undefined) {
        problems.push({ item, path: entry.dir, reason: `record ${entry.hash} is missing (not copied yet, or lost)` });
        continue;
      }
      report.checked.push({ hash: entry.hash, intact, item });
      if (!intact) {
        report.itemDamage.push({ item, hash: entry.hash });
        reported.add(entry.hash);
      }
    }
  }
  for (const entry of repositoryEntries) {
    const intact = examine(entry);
    if (intact === undefined) continue;
    report.checked.push({ hash: entry.hash, intact });
    if (!intact && !reported.has(entry.hash)) report.repositoryDamage.push(entry.hash);
  }
  onProgress?.(items.length, items.length);
  return report;
}

function entryKey(entry: RecordEntry): string {
  return `${entry.hash}\0${entry.dir}`;
}

function defaultWorkers(): number {
  return Math.max(0, Math.min(availableParallelism() - 1, 3));
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The names of the real directories directly in `dir` (what the walk of `records/` descends into). */
function topDirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/**
 * Worker threads and the calling thread sharing lists of tasks: every thread claims the next
 * task of a list until none is left, so that no thread waits for another to hand out work.
 */
class TaskRunner {
  readonly #repo: Repository;
  readonly #realRoot: string;
  readonly #workers: Worker[] = [];
  #failure: Error | undefined;
  #onFailure: ((error: Error) => void) | undefined;

  constructor(repo: Repository, init: WorkerInit, count: number) {
    this.#repo = repo;
    this.#realRoot = init.realRoot;
    const entry = workerEntry('store/integrity_worker');
    for (let i = 0; i < count; i++) {
      const worker = new Worker(entry.script, { eval: entry.eval, workerData: init });
      const fail = (error: Error): void => {
        this.#failure ??= error;
        this.#onFailure?.(this.#failure);
      };
      worker.on('error', (error) => fail(new StoreOperationError(`integrity check worker failed: ${error.message}`)));
      worker.on('exit', (code) =>
        fail(new StoreOperationError(`integrity check worker stopped (exit status ${code})`)),
      );
      this.#workers.push(worker);
    }
  }

  /**
   * Runs every task and returns the answers in task order; rejects on the first failure. The
   * calling thread runs its share synchronously: the workers' answers wait until it is done.
   */
  run(tasks: Task[], onProgress?: (done: number, total: number) => void): Promise<Answer[]> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) return reject(this.#failure);
      if (tasks.length === 0) return resolve([]);
      const shared: ToWorker = { tasks, next: new Int32Array(new SharedArrayBuffer(4)) };
      const answers: Answer[] = new Array(tasks.length);
      let working = this.#workers.length + 1;
      let settled = false;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        this.#onFailure = undefined;
        for (const worker of this.#workers) worker.off('message', onMessage);
        if (error === undefined) {
          onProgress?.(tasks.length, tasks.length);
          resolve(answers);
        } else {
          reject(error);
        }
      };
      const onMessage = (message: FromWorker): void => {
        if (message.type === 'answer') answers[message.index] = message.answer;
        else if (message.type === 'error')
          finish(new StoreOperationError(`integrity check failed: ${message.message}`));
        else if (--working === 0) finish();
      };
      this.#onFailure = finish;
      for (const worker of this.#workers) {
        worker.on('message', onMessage);
        worker.postMessage(shared);
      }
      try {
        for (let index = claimTask(shared); index !== undefined; index = claimTask(shared)) {
          answers[index] = runTask(this.#repo, this.#realRoot, tasks[index]!);
          // The tasks taken so far, by any thread: this thread is busy until none are left.
          onProgress?.(Math.min(Atomics.load(shared.next, 0), tasks.length), tasks.length);
        }
      } catch (error) {
        return finish(error instanceof Error ? error : new Error(String(error)));
      }
      if (--working === 0) finish();
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    for (const worker of workers) worker.removeAllListeners('exit');
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** The paths of `.tmp-*` entries directly in `dir`. */
function temporariesIn(dir: string | undefined): string[] {
  if (dir === undefined) return [];
  try {
    return readdirSync(dir)
      .filter((name) => name.startsWith(TEMPORARY_PREFIX))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** Removes those of `paths` older than the temporary age; returns them, sorted. */
function removeOldTemporaries(paths: readonly string[], options: IntegrityOptions): string[] {
  const limit = (options.now ?? Date.now()) - (options.temporaryAgeMs ?? TEMPORARY_AGE_MS);
  const removed: string[] = [];
  for (const path of paths) {
    try {
      if (statSync(path).mtimeMs > limit) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // vanished meanwhile
    }
  }
  return removed.sort();
}
