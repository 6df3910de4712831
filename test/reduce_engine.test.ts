// The reduction engine: the cache (nothing reduced twice, one new record re-reduces one item, a
// corrupt cache changes nothing) and the worker path (records read, checked and ordered in the
// pool's workers) giving exactly the states of the in-thread path.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRepository } from '../bench/generate.ts';
import { cacheFile, Engine, ItemIndex, type EngineOptions, type State } from '../src/reduce/mod.ts';
import { Repository } from '../src/store/mod.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = path.join(ROOT, 'modules', 'issue-tracking');
const CORPUS = path.join(ROOT, '..', 'shared', 'corpus', 'sit', '.sit');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sit-reduce-engine-'));
const env: NodeJS.ProcessEnv = { SIT_CACHE_DIR: path.join(tmp, 'sit-cache') };

function generated(name: string, items: number): Repository {
  const root = path.join(tmp, name);
  generateRepository(root, items, { seed: 7, module: MODULE });
  return Repository.open(root);
}

async function reduceAll(
  repo: Repository,
  options: EngineOptions,
): Promise<{ states: Map<string, State>; reduced: number }> {
  const engine = new Engine(repo, { env, ...options });
  try {
    const states = await engine.reduceItems();
    return { states, reduced: engine.lastReduced };
  } finally {
    await engine.close();
  }
}

/** The states as text, keys in the order they come: equal texts mean equal states and key order. */
function texts(states: Map<string, State>): string[] {
  return [...states].map(([id, state]) => `${id} ${JSON.stringify(state)}`);
}

function setItemTimes(repo: Repository, when: Date): void {
  for (const id of repo.items()) fs.utimesSync(path.join(repo.itemsDir(), id), when, when);
}

test('a second run reduces nothing, in the pool and in this thread, whether or not the items changed just now', async () => {
  const repo = generated('cache', 60);
  for (const poolThreshold of [0, 1000]) {
    fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
    const first = await reduceAll(repo, { poolThreshold });
    assert.is(first.reduced, 60);
    const second = await reduceAll(repo, { poolThreshold });
    assert.is(second.reduced, 0, `threshold ${poolThreshold}`);
    assert.equal(texts(second.states), texts(first.states));
  }
  // Items changed long ago are cached without listing them a second time, and still trusted.
  setItemTimes(repo, new Date(Date.now() - 3_600_000));
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  const old = await reduceAll(repo, { poolThreshold: 0 });
  assert.is(old.reduced, 60);
  assert.is((await reduceAll(repo, { poolThreshold: 0 })).reduced, 0);
});

test('one new record re-reduces exactly its item, also when the cached entry has no record digest', async () => {
  const repo = generated('incremental', 50);
  setItemTimes(repo, new Date(Date.now() - 3_600_000));
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  const before = await reduceAll(repo, { poolThreshold: 0 });
  const id = repo.items()[17]!;
  const data = (text: string): Uint8Array => new TextEncoder().encode(text);
  repo.newRecord(
    [
      { name: '.type/SummaryChanged', data: new Uint8Array(0) },
      { name: '.timestamp', data: data('2030-01-01T00:00:00.000Z') },
      { name: 'text', data: data('A summary written later') },
    ],
    { itemId: id },
  );
  const after = await reduceAll(repo, { poolThreshold: 0 });
  assert.is(after.reduced, 1);
  assert.is(after.states.get(id)!.summary, 'A summary written later');
  assert.is.not(before.states.get(id)!.summary, 'A summary written later');
  for (const other of repo.items()) if (other !== id) assert.equal(after.states.get(other), before.states.get(other));
  assert.is((await reduceAll(repo, { poolThreshold: 0 })).reduced, 0);
});

test('a corrupt cache file gives the same states as no cache, and is repaired', async () => {
  const repo = generated('corrupt', 40);
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  await reduceAll(repo, {});
  const file = cacheFile(repo.root, env);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  assert.ok(lines.length > 40);
  // a state cut in the middle, a line without fields, a wrong summary behind a bad tab count, noise
  lines[3] = lines[3]!.slice(0, lines[3]!.length - 20);
  lines[5] = 'garbage';
  lines[7] = lines[7]!.replace('\t', '\t\t');
  lines.splice(9, 0, '\u0000\u0001 not a cache line');
  fs.writeFileSync(file, lines.join('\n'));
  const uncached = await reduceAll(repo, { cache: false });
  const damaged = await reduceAll(repo, {});
  assert.ok(damaged.reduced >= 3, `reduced ${damaged.reduced}`);
  assert.equal(texts(damaged.states), texts(uncached.states));
  assert.is((await reduceAll(repo, {})).reduced, 0);
  fs.writeFileSync(file, 'not a cache at all');
  assert.equal(texts((await reduceAll(repo, {})).states), texts(uncached.states));
});

test('states with text beyond ASCII come back from the cache unchanged', async () => {
  const repo = generated('unicode', 5);
  const id = repo.items()[2]!;
  const summary = 'naïve café, 東京, 🎉 and a lone \u00ff';
  repo.newRecord(
    [
      { name: '.type/SummaryChanged', data: new Uint8Array() },
      { name: 'text', data: new TextEncoder().encode(summary) },
    ],
    { itemId: id },
  );
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  const first = await reduceAll(repo, {});
  assert.is(first.states.get(id)!.summary, summary);
  const cached = await reduceAll(repo, {});
  assert.is(cached.reduced, 0);
  assert.equal(texts(cached.states), texts(first.states));
  // The same for what sit items remembers per item (a second cache file).
  const derive = (state: State): unknown => state.summary;
  for (let run = 0; run < 2; run++) {
    const engine = new Engine(repo, { env });
    try {
      const values = await engine.deriveItems('summary', derive);
      assert.is(values.get(id), summary);
      assert.is(engine.lastDerived, run === 0 ? 5 : 0);
    } finally {
      await engine.close();
    }
  }
});

test('one engine reduces large jobs one after the other (its pool is closed after each, and started again)', async () => {
  const repo = generated('pool-again', 60);
  const expected = texts((await reduceAll(repo, { cache: false, poolThreshold: 1000 })).states);
  const engine = new Engine(repo, { env, cache: false, poolThreshold: 0, poolSize: 2 });
  try {
    for (let run = 0; run < 3; run++) assert.equal(texts(await engine.reduceItems()), expected, `run ${run}`);
  } finally {
    await engine.close();
  }
});

test('a cache location that cannot be written changes nothing but speed', async () => {
  const repo = generated('unwritable', 40);
  const blocker = path.join(tmp, 'a-file');
  fs.writeFileSync(blocker, '');
  const blocked = { SIT_CACHE_DIR: blocker };
  const expected = texts((await reduceAll(repo, { cache: false })).states);
  for (const poolThreshold of [0, 1000]) {
    const engine = new Engine(repo, { env: blocked, poolThreshold });
    try {
      assert.equal(texts(await engine.reduceItems()), expected);
      const derived = await engine.deriveItems('summary', (state) => state.summary);
      assert.is(derived.size, 40);
    } finally {
      await engine.close();
    }
  }
});

test('the pool with the item loader gives exactly the in-thread states (generated repository)', async () => {
  const repo = generated('pool', 200);
  const inThread = await reduceAll(repo, { cache: false, poolThreshold: 1000 });
  const pooled = await reduceAll(repo, { cache: false, poolThreshold: 0, poolSize: 2 });
  assert.is(pooled.states.size, 200);
  assert.equal(texts(pooled.states), texts(inThread.states));
  assert.ok([...pooled.states.values()].some((s) => Array.isArray(s.comments) && s.comments.length > 0));
  // A record whose content no longer matches its hash is dropped by the workers' integrity check.
  const id = repo.items().find((item) => typeof inThread.states.get(item)!.summary === 'string')!;
  const summary = repo.readItemRecords(id).find((r) => r.files.some((f) => f.name === '.type/SummaryChanged'))!;
  const dir = repo.itemRecordEntries(id).find((e) => e.hash === summary.hash)!.dir;
  fs.writeFileSync(path.join(dir, 'text'), 'tampered\n');
  const checked = await reduceAll(repo, { cache: false, poolThreshold: 0 });
  assert.is(checked.states.get(id)!.summary, undefined);
  const unchecked = await reduceAll(repo, { cache: false, poolThreshold: 0, integrity: false });
  assert.is(unchecked.states.get(id)!.summary, 'tampered');
  assert.equal(texts((await reduceAll(repo, { cache: false, poolThreshold: 1000 })).states), texts(checked.states));
});

if (!fs.existsSync(path.join(CORPUS, 'config.json'))) {
  console.error(`reduce_engine: corpus test skipped, the corpus is not at ${CORPUS}`);
  test.skip('the pool with the item loader gives exactly the in-thread states (corpus, integrity on)', () => {});
} else {
  test('the pool with the item loader gives exactly the in-thread states (corpus, integrity on)', async () => {
    // Only read (nothing is cached), so read where it is.
    const repo = Repository.open(CORPUS);
    const inThread = await reduceAll(repo, { cache: false, poolThreshold: 1000 });
    const pooled = await reduceAll(repo, { cache: false, poolThreshold: 0, poolSize: 2 });
    assert.is(pooled.states.size, 191);
    assert.equal(texts(pooled.states), texts(inThread.states));
    // integrity off reaches the workers too
    const unchecked = await reduceAll(repo, { cache: false, poolThreshold: 1000, integrity: false });
    const uncheckedPooled = await reduceAll(repo, { cache: false, poolThreshold: 0, integrity: false });
    assert.equal(texts(uncheckedPooled.states), texts(unchecked.states));
  });
}

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a few changed items are appended to the cache file; later runs use them; many appends compact the file', async () => {
  const repo = generated('append', 40);
  setItemTimes(repo, new Date(Date.now() - 3_600_000));
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  await reduceAll(repo, { poolThreshold: 0 });
  const file = cacheFile(repo.root, env);
  const lines = (): number => fs.readFileSync(file, 'utf8').trim().split('\n').length;
  assert.is(lines(), 41);
  const ids = repo.items();
  const comment = (id: string, n: number): void => {
    repo.newRecord(
      [
        { name: '.type/Commented', data: new Uint8Array() },
        { name: 'text', data: new TextEncoder().encode(`note ${n}`) },
      ],
      { itemId: id },
    );
  };
  comment(ids[3]!, 1);
  const after = await reduceAll(repo, {});
  assert.is(after.reduced, 1);
  assert.is(lines(), 42, 'one line appended, nothing rewritten');
  const again = await reduceAll(repo, {});
  assert.is(again.reduced, 0);
  assert.equal(texts(again.states), texts(after.states));
  const fresh = await reduceAll(repo, { cache: false });
  assert.equal(texts(again.states), texts(fresh.states));
  for (let n = 0; n < 70; n++) {
    comment(ids[n % ids.length]!, n + 2);
    await reduceAll(repo, {});
  }
  assert.ok(lines() < 41 + 70, `compacted to ${lines()} lines`);
  assert.equal(texts((await reduceAll(repo, {})).states), texts((await reduceAll(repo, { cache: false })).states));
});

test('derived results (what sit items prints) are remembered per item and follow new records', async () => {
  const repo = generated('derive', 40);
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  const derive = (state: State): unknown =>
    state.state === 'open' ? `${String(state.id)} | ${String(state.summary)}` : undefined;
  const run = async (options: EngineOptions = {}): Promise<{ results: Map<string, unknown>; derived: number }> => {
    const engine = new Engine(repo, { env, ...options });
    try {
      const results = await engine.deriveItems('open summaries', derive);
      return { results, derived: engine.lastDerived };
    } finally {
      await engine.close();
    }
  };
  const first = await run();
  assert.is(first.derived, 40);
  const uncached = await run({ cache: false });
  assert.equal([...first.results], [...uncached.results]);
  assert.ok(
    [...first.results.values()].some((v) => v === undefined),
    'closed items derive nothing',
  );
  await new Promise((resolve) => setTimeout(resolve, 2100));
  const second = await run();
  assert.is(second.derived, 0);
  assert.equal([...second.results], [...first.results]);
  const id = repo.items()[5]!;
  repo.newRecord(
    [
      { name: '.type/SummaryChanged', data: new Uint8Array() },
      { name: 'text', data: new TextEncoder().encode('Renamed') },
    ],
    { itemId: id },
  );
  repo.newRecord([{ name: '.type/Reopened', data: new Uint8Array() }], { itemId: id });
  const third = await run();
  assert.is(third.derived, 1);
  assert.is(third.results.get(id), `${id} | Renamed`);
  assert.equal([...third.results], [...(await run({ cache: false })).results]);
  const other = new Engine(repo, { env });
  try {
    assert.is((await other.deriveItems('another key', (state) => state.id)).size, 40);
    assert.is(other.lastDerived, 40, 'another key has its own cache');
  } finally {
    await other.close();
  }
});

test('an item whose link came before its record is not cached, and shows the record once it arrives', async () => {
  const repo = generated('early-link', 40);
  fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
  const id = repo.items()[3]!;
  const hash = repo.newRecord(
    [
      { name: '.type/SummaryChanged', data: new Uint8Array() },
      { name: 'text', data: new TextEncoder().encode('Arrived late') },
    ],
    { itemId: id },
  );
  // As a synchronisation that copies items/ before records/ leaves it: the link, no record.
  const recordDir = repo.recordPath(hash)!;
  const away = path.join(tmp, 'away-record');
  fs.renameSync(recordDir, away);
  const derive = (state: State): unknown => state.summary;
  for (const poolThreshold of [0, 1000]) {
    fs.rmSync(env.SIT_CACHE_DIR!, { recursive: true, force: true });
    const engine = new Engine(repo, { env, poolThreshold });
    try {
      const states = await engine.reduceItems();
      assert.is.not(states.get(id)!.summary, 'Arrived late');
      assert.equal(engine.lastIncomplete, [id]);
      assert.is.not((await engine.deriveItems('summary', derive)).get(id), 'Arrived late');
    } finally {
      await engine.close();
    }
  }
  const index = await ItemIndex.open(repo, { env });
  try {
    assert.equal(index.incomplete(), [id]);
    fs.renameSync(away, recordDir);
    const later = new Engine(repo, { env });
    try {
      assert.is((await later.reduceItems()).get(id)!.summary, 'Arrived late');
      assert.is(later.lastReduced, 1, 'only the waiting item is reduced again');
      assert.equal(later.lastIncomplete, []);
      assert.is((await later.deriveItems('summary', derive)).get(id), 'Arrived late');
    } finally {
      await later.close();
    }
    // A long-running index reduces the waiting item again at any refresh.
    assert.ok((await index.refresh([])).includes(id));
    assert.is(index.get(id)!.summary, 'Arrived late');
    assert.equal(index.incomplete(), []);
  } finally {
    await index.close();
  }
});

test.run();
