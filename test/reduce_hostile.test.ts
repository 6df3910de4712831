// Hostile reducers against the reduction engine, in temporary repositories: every reduction can
// be stopped (in this thread and in the web's worker), an item's state does not depend on the items
// reduced before it, long items are reduced whole, states cut short by a limit are not cached, and
// deep or huge states are an error of their item only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, type EngineOptions, type State } from '../src/reduce/mod.ts';
import { Repository } from '../src/store/mod.ts';
import { makeSandbox, sit } from './helpers/cli.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = path.join(ROOT, 'modules', 'issue-tracking');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sit-reduce-hostile-'));
const enc = new TextEncoder();
let counter = 0;

/** A repository with `reducers` (file name → source) in `.sit/reducers/`, and the module when asked. */
function repository(reducers: Record<string, string>, options: { module?: boolean } = {}): Repository {
  const dir = path.join(tmp, `repo${counter++}`);
  fs.mkdirSync(dir);
  const { path: sitDir } = Repository.init(dir);
  fs.mkdirSync(path.join(sitDir, 'reducers', 'lib'), { recursive: true });
  for (const [name, source] of Object.entries(reducers)) fs.writeFileSync(path.join(sitDir, 'reducers', name), source);
  if (options.module === true) {
    fs.mkdirSync(path.join(sitDir, 'modules'));
    fs.symlinkSync(MODULE, path.join(sitDir, 'modules', 'issue-tracking'));
  }
  return Repository.open(sitDir);
}

/** Adds an item with one record per entry of `types` (`Attack` records trigger the fixtures). */
function item(repo: Repository, id: string, types: string[], text = ''): string {
  repo.newItem(id);
  types.forEach((type, i) => {
    repo.newRecord(
      [
        { name: `.type/${type}`, data: new Uint8Array(0) },
        { name: 'text', data: enc.encode(`${text}${i}`) },
        { name: '.timestamp', data: enc.encode(new Date(Date.UTC(2020, 0, 1, 0, 0, i)).toISOString()) },
      ],
      // one generation, ordered by .timestamp: no parent links (finding the heads reads every record)
      { itemId: id, linkParents: false },
    );
  });
  return id;
}

function env(name: string): NodeJS.ProcessEnv {
  return { SIT_CACHE_DIR: path.join(tmp, `cache-${name}`) };
}

async function reduce(
  repo: Repository,
  ids: string[] | undefined,
  options: EngineOptions,
): Promise<{ states: Map<string, State>; engine: Engine }> {
  const engine = new Engine(repo, options);
  try {
    return { states: await engine.reduceItems(ids), engine };
  } finally {
    await engine.close();
  }
}

type Errors = Array<{ file: string; error: string }>;

const COUNT = 'module.exports = function (s) { s.count = (s.count || 0) + 1; return s; };';
const FAST = { itemDeadlineMs: 200, watchdogGraceMs: 200 };

const NATIVE: Array<[string, string]> = [
  ['indexOf over a huge array-like', 'Array.prototype.indexOf.call({ length: 1e15 }, 1)'],
  ['an array of a billion holes joined', "(new Array(1e9) + '').length"],
];
for (const [name, source] of NATIVE) {
  for (const smallJobs of ['thread', 'worker'] as const) {
    test(`one long native operation (${name}) is stopped in a ${smallJobs}: an error naming the reducer, the other items reduced`, async () => {
      const repo = repository({
        'Attack.js': `module.exports = function (s, r) { if (r.files['.type/Attack'] !== undefined) s.big = ${source}; return s; };`,
        'Count.js': COUNT,
      });
      const a = item(repo, 'aaaa', ['Plain', 'Plain']);
      const b = item(repo, 'bbbb', ['Plain', 'Attack', 'Plain']);
      const c = item(repo, 'cccc', ['Plain']);
      const started = performance.now();
      const { states } = await reduce(repo, [a, b, c], {
        limits: FAST,
        smallJobs,
        env: env(`native-${smallJobs}-${name.length}`),
      });
      const ms = performance.now() - started;
      assert.equal(states.get(a), { count: 2, id: a });
      assert.equal(states.get(c), { count: 1, id: c });
      const errors = states.get(b)!.errors as Errors;
      assert.is(errors.length, 1, JSON.stringify(states.get(b)));
      assert.is(errors[0]!.file, path.join(repo.root, 'reducers', 'Attack.js'));
      assert.match(
        errors[0]!.error,
        /^watchdog: (stopped a long operation|worker terminated) after \d+ ms in record [A-Z2-7]+$/,
      );
      assert.is(states.get(b)!.count, 1, 'the state before the attacking record');
      process.stderr.write(`  ${name} (${smallJobs}): ${ms.toFixed(0)} ms\n`);
      // reduceItem (sit reduce) is stopped too
      const engine = new Engine(repo, { limits: FAST, smallJobs, cache: false });
      try {
        const one = await engine.reduceItem(b);
        assert.match((one.errors as Errors)[0]!.error, /^watchdog: /);
      } finally {
        await engine.close();
      }
    });
  }
}

test('a state cut short by a limit is not cached: the next run reduces the item again', async () => {
  const repo = repository({
    'Spin.js': "module.exports = function (s, r) { if (r.files['.type/Attack'] !== undefined) for (;;) {} return s; };",
    'Count.js': COUNT,
  });
  const slow = item(repo, 'slow', ['Plain', 'Attack']);
  const fine = item(repo, 'fine', ['Plain']);
  const options = { limits: FAST, env: env('limited') };
  const first = await reduce(repo, undefined, options);
  assert.match((first.states.get(slow)!.errors as Errors)[0]!.error, /^deadline exceeded \(200 ms\) in record /);
  assert.is(first.engine.lastReduced, 2);
  assert.equal(first.engine.lastLimited, [slow]);
  assert.equal(first.engine.lastIncomplete, []);
  const second = await reduce(repo, undefined, options);
  assert.is(second.engine.lastReduced, 1, 'only the item that hit the deadline is reduced again');
  assert.equal(second.states.get(fine), { count: 1, id: fine });
  assert.equal(second.states.get(slow), first.states.get(slow));
});

test('every item starts from a fresh environment: its state does not depend on the items reduced before it', async () => {
  const leaky = `
    var seen = 0;                                    // a top-level variable of the reducer file
    var helper = require('./lib/counter.js');         // a required file (its own top-level state)
    module.exports = function (s, r) {
      seen++;
      globalThis.viaGlobal = (globalThis.viaGlobal || 0) + 1;
      implicitGlobal = (typeof implicitGlobal === 'number' ? implicitGlobal : 0) + 1;   // sloppy mode
      try { Array.prototype.polluted = (Array.prototype.polluted || 0) + 1; } catch (e) { s.protoError = e.name; }
      try { Object.prototype.everywhere = 1; } catch (e) { s.objectError = e.name; }
      try { (0, eval)('let lexical = (typeof lexical === "number" ? lexical : 0) + 1;'); } catch (e) { s.evalError = e.name; }
      s.counts = [seen, helper.next(), globalThis.viaGlobal, implicitGlobal, [].polluted === undefined, ({}).everywhere === undefined, typeof lexical];
      return s;
    };`;
  // lib/ is not a reducer of its own: only the direct .js files of reducers/ are
  const repo = repository({
    'Leaky.js': leaky,
    'lib/counter.js': 'var n = 0; exports.next = function () { return ++n; };',
  });
  const ids = ['i1', 'i2', 'i3', 'i4'].map((id) => item(repo, id, ['Plain', 'Plain']));
  for (const smallJobs of ['thread', 'worker'] as const) {
    const forward = (await reduce(repo, ids, { smallJobs, cache: false })).states;
    const backward = (await reduce(repo, [...ids].reverse(), { smallJobs, cache: false })).states;
    for (const id of ids) {
      assert.equal(
        forward.get(id)!.counts,
        [2, 2, 2, 2, true, true, 'undefined'],
        `${smallJobs} ${id} ${JSON.stringify(forward.get(id))}`,
      );
      assert.equal(forward.get(id), backward.get(id));
    }
  }
  // the same through the pool of many workers
  const pooled = (await reduce(repo, ids, { poolThreshold: 0, poolSize: 2, cache: false })).states;
  for (const id of ids) assert.equal(pooled.get(id)!.counts, [2, 2, 2, 2, true, true, 'undefined']);
});

test('a global that cannot be deleted makes the sandbox start over, without leaking into the next item', async () => {
  const repo = repository({
    'Stuck.js': `module.exports = function (s, r) {
      s.before = typeof stuck;
      if (r.files['.type/Attack'] !== undefined) {
        Object.defineProperty(globalThis, 'stuck', { value: 1, configurable: false });
        Object.preventExtensions(globalThis);
      }
      return s;
    };`,
  });
  const first = item(repo, 'first', ['Attack']);
  const second = item(repo, 'second', ['Plain']);
  const { states } = await reduce(repo, [first, second], { cache: false });
  assert.equal(states.get(first), { before: 'undefined', id: first });
  assert.equal(states.get(second), { before: 'undefined', id: second });
});

test('a long issue is reduced whole, in time linear in its records, a failing record in it discarded', async () => {
  const repo = repository(
    {
      'Fail.js':
        "module.exports = function (s, r) { if (r.files['.type/Attack'] !== undefined) { s.comments.push('lost'); throw new Error('bad record'); } };",
    },
    { module: true },
  );
  const types = ['SummaryChanged'];
  for (let i = 1; i < 1000; i++) types.push(i === 750 ? 'Attack' : 'Commented');
  // about 2 KiB per comment: the state ends near 2 MiB, so a copy of it per record would be ~1 GiB of JSON
  const id = item(repo, 'long', types, 'x'.repeat(2000));
  const started = performance.now();
  const { states } = await reduce(repo, [id], { limits: { itemDeadlineMs: 500 }, cache: false });
  const ms = performance.now() - started;
  const state = states.get(id)!;
  assert.is((state.comments as unknown[]).length, 998);
  assert.equal(state.errors, [{ file: path.join(repo.root, 'reducers', 'Fail.js'), error: 'Error: bad record' }]);
  process.stderr.write(`  1000 records, ${JSON.stringify(state).length} characters of state: ${ms.toFixed(0)} ms\n`);
});

test('a state nested too deep or too large is an error of that item only', async () => {
  const repo = repository({
    'Deep.js': `module.exports = function (s, r) {
      if (r.files['.type/Deep'] !== undefined) { var a = []; for (var i = 0; i < 5000; i++) a = [a]; s.deep = a; }
      if (r.files['.type/Huge'] !== undefined) s.huge = new Array(1100).join('x'.repeat(8000));
      s.count = (s.count || 0) + 1;
      return s;
    };`,
  });
  const deep = item(repo, 'deep', ['Plain', 'Deep', 'Plain']);
  const huge = item(repo, 'huge', ['Plain', 'Huge', 'Plain']);
  const fine = item(repo, 'fine', ['Plain']);
  const { states } = await reduce(repo, undefined, { cache: false });
  assert.equal(states.get(fine), { count: 1, id: fine });
  const file = path.join(repo.root, 'reducers', 'Deep.js');
  assert.equal(states.get(deep), {
    count: 2,
    errors: [{ file, error: 'RangeError: the state is nested more than 100 levels deep (the limit of a state)' }],
    id: deep,
  });
  assert.equal(states.get(huge), {
    count: 2,
    errors: [{ file, error: 'RangeError: the state is larger than 8388608 characters of JSON (the limit of a state)' }],
    id: huge,
  });
});

test('sit items: a 5000-deep state fails only its item; a config.json nested 20000 deep is a one-line error', () => {
  const sandbox = makeSandbox();
  const repo = repository({
    'Deep.js':
      "module.exports = function (s, r) { if (r.files['.type/Deep'] !== undefined) { var a = []; for (var i = 0; i < 5000; i++) a = [a]; s.deep = a; } s.ok = true; return s; };",
  });
  item(repo, 'deep', ['Plain', 'Deep']);
  item(repo, 'fine', ['Plain']);
  const items = sit(sandbox, [
    '-r',
    repo.root,
    'items',
    '-q',
    "join(' ', [id, to_string(ok), to_string(length(errors || `[]`))])",
  ]);
  assert.is(items.status, 0, items.stderr);
  assert.equal(items.stdout.trim().split('\n').sort(), ['deep true 1', 'fine true 0']);
  const config = JSON.parse(fs.readFileSync(path.join(repo.root, 'config.json'), 'utf8')) as Record<string, unknown>;
  const text = JSON.stringify(config).slice(0, -1) + `,"deep":${'['.repeat(20000)}${']'.repeat(20000)}}`;
  fs.writeFileSync(path.join(repo.root, 'config.json'), text);
  for (const args of [['items'], ['config', 'repository'], ['reduce', 'fine']]) {
    const result = sit(sandbox, ['-r', repo.root, ...args]);
    assert.is(result.status, 1, `${args.join(' ')}: ${result.stdout}`);
    assert.match(result.stderr, /config\.json: nested more than 100 levels deep/);
    assert.not.match(result.stderr, /internal error/);
    assert.is(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});

test.after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

test.run();
