// Module scripts: one script, a fresh context, only the host functions the caller passes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScript } from '../src/sandbox/mod.ts';
import { SitError } from '../src/errors.ts';

test('the script function gets sit.<fn> host functions and args; its return value is the output', async () => {
  const calls: unknown[] = [];
  const result = await runScript(
    `module.exports = function (sit, args) {
       var items = sit.items(args.filter);
       sit.log('found ' + items.length);
       return { count: items.length, first: items[0], missing: sit.nothing(), z: 1, a: 2 };
     };`,
    {
      file: '/m/scripts/list.js',
      args: { filter: 'open' },
      api: {
        items: (filter: string) => [{ id: 'A', state: filter }, { id: 'B' }],
        log: (line: string) => void calls.push(line),
        nothing: () => undefined,
      },
    },
  );
  assert.equal(result, { exitCode: 0, output: { a: 2, count: 2, first: { id: 'A', state: 'open' }, z: 1 } });
  assert.equal(calls, ['found 2']);
});

test('a script that returns nothing has undefined output', async () => {
  assert.equal(await runScript('module.exports = function () {}', { file: 's.js' }), {
    exitCode: 0,
    output: undefined,
  });
});

test('a throw, a syntax error or a missing function gives exit code 1 and the error', async () => {
  const thrown = await runScript("module.exports = function () { throw new RangeError('bad input'); }", {
    file: 's.js',
  });
  assert.is(thrown.exitCode, 1);
  assert.is(thrown.output, undefined);
  assert.match(thrown.error!, /^RangeError: bad input \(at .*s\.js:1:\d+\)?\)$/);
  const syntax = await runScript('module.exports = function ( {', { file: 's.js' });
  assert.is(syntax.exitCode, 1);
  assert.match(syntax.error!, /^SyntaxError/);
  const none = await runScript('module.exports = 3', { file: 's.js' });
  assert.match(none.error!, 'module.exports should export a function');
});

test('a host function error the script catches is an ordinary Error; one it lets escape is rethrown as is', async () => {
  const api = {
    fail: () => {
      throw new SitError('item X not found');
    },
  };
  const caught = await runScript(
    'module.exports = function (sit) { try { sit.fail(); } catch (e) { return e.message; } }',
    { file: 's.js', api },
  );
  assert.equal(caught, { exitCode: 0, output: 'item X not found' });
  try {
    await runScript('module.exports = function (sit) { sit.fail(); }', { file: 's.js', api });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, SitError);
    assert.is((err as Error).message, 'item X not found');
  }
});

test('unknown and asynchronous host functions are refused', async () => {
  const result = await runScript(
    'module.exports = function (sit) { try { sit.later(); } catch (e) { return String(e); } }',
    {
      file: 's.js',
      api: { later: async () => 1 },
    },
  );
  assert.match(String(result.output), 'asynchronous');
});

test('limits apply to scripts: deadline (not counting host time), memory, stack; nothing of the host is there', async () => {
  const slowHost = {
    wait: () => {
      const end = Date.now() + 150;
      while (Date.now() < end);
      return true;
    },
  };
  const waited = await runScript('module.exports = function (sit) { return sit.wait() && sit.wait(); }', {
    file: 's.js',
    api: slowHost,
    limits: { itemDeadlineMs: 100 },
  });
  assert.equal(waited, { exitCode: 0, output: true });
  const loop = await runScript('module.exports = function () { for (;;) {} }', {
    file: 's.js',
    limits: { itemDeadlineMs: 100 },
  });
  assert.equal(loop, { exitCode: 1, output: undefined, error: 'deadline exceeded (100 ms)' });
  const memory = await runScript(
    'module.exports = function () { var a = []; for (;;) a.push(new Uint8Array(1 << 20)); }',
    { file: 's.js', limits: { memoryBytes: 32 << 20 } },
  );
  assert.is(memory.error, 'out of memory (32 MiB limit)');
  const stack = await runScript('function f() { return f() + 1; } module.exports = function () { return f(); }', {
    file: 's.js',
  });
  assert.is(stack.error, 'stack overflow (256 KiB limit)');
  const probe = await runScript(
    "module.exports = function () { var r; try { require('fs'); } catch (e) { r = String(e); } return [r, typeof process, typeof fetch, typeof std, Date.now()]; }",
    { file: 's.js' },
  );
  assert.equal(probe.output, ['Error: module not found: "fs"', 'undefined', 'undefined', 'undefined', 0]);
});

test('the wall time of a run counts host calls, except the untimed ones (waits for the user)', async () => {
  const busy = (ms: number) => () => {
    const end = performance.now() + ms;
    while (performance.now() < end);
    return 1;
  };
  const looping = await runScript('module.exports = function (sit) { for (;;) sit.work(); }', {
    file: 's.js',
    api: { work: busy(5) },
    limits: { itemDeadlineMs: 10_000 },
    wallTimeMs: 300,
  });
  assert.equal(looping, { exitCode: 1, output: undefined, error: 'wall time exceeded (300 ms, host calls included)' });
  const asking = await runScript('module.exports = function (sit) { return sit.ask() + sit.ask(); }', {
    file: 's.js',
    api: { ask: busy(200) },
    untimed: ['ask'],
    wallTimeMs: 300,
  });
  assert.equal(asking, { exitCode: 0, output: 2 });
});

test('every script gets a fresh context', async () => {
  await runScript('globalThis.leak = 1; module.exports = function () {}', { file: 'a.js' });
  const result = await runScript('module.exports = function () { return typeof leak; }', { file: 'b.js' });
  assert.is(result.output, 'undefined');
});

test('require(): the files given, relative to the requiring file, each loaded once; .js and /index.js found', async () => {
  const files = {
    'issue.js': { source: 'module.exports = "entry";' },
    'parse.js': {
      source:
        'var count = 0; exports.parse = function (a) { count++; return a.split(","); }; exports.count = function () { return count; };',
    },
    'sub/index.js': {
      source: 'var p = require("../parse"); module.exports = { list: function (a) { return p.parse(a).length; } };',
    },
    'sub/deep/x.js': { source: 'module.exports = require("../../parse.js").count;' },
  };
  const result = await runScript(
    `var parse = require('./parse');
     var sub = require('./sub');
     module.exports = function () { return [parse.parse('a,b'), sub.list('a,b,c'), require('sub/deep/x')(), require('./parse') === parse]; };`,
    { file: '/m/cli/issue.js', files },
  );
  assert.equal(result, { exitCode: 0, output: [['a', 'b'], 3, 2, true] });
});

test('require(): a path leading outside, a refused file or directory, an unknown file and a bad file fail clearly', async () => {
  const files = {
    'evil.js': { refused: 'cannot require evil.js: it is a link that leads outside /m/cli' },
    outside: { refused: 'cannot require outside: it is a link that leads outside /m/cli' },
    'broken.js': { source: 'module.exports = function ( {' },
    'sub/a.js': { source: 'module.exports = require("../../secret");' },
  };
  const attempt = (id: string) =>
    runScript(
      `module.exports = function () { try { require(${JSON.stringify(id)}); return 'loaded'; } catch (e) { return String(e); } };`,
      { file: '/m/cli/s.js', files },
    );
  assert.match(
    (await attempt('../secret')).output as string,
    /^Error: require\("\.\.\/secret"\) leads outside the directory of the module script/,
  );
  assert.match((await attempt('./sub/a')).output as string, /^Error: require\("\.\.\/\.\.\/secret"\) leads outside/);
  assert.match((await attempt('/etc/passwd')).output as string, /^TypeError: cannot resolve module id/);
  assert.is((await attempt('./evil')).output, 'Error: cannot require evil.js: it is a link that leads outside /m/cli');
  assert.is(
    (await attempt('./outside/x.js')).output,
    'Error: cannot require outside: it is a link that leads outside /m/cli',
  );
  assert.is((await attempt('./nothing')).output, 'Error: module not found: "./nothing"');
  assert.match((await attempt('./broken')).output as string, /^SyntaxError/);
  const none = await runScript(
    `module.exports = function () { try { require('./parse'); } catch (e) { return String(e); } };`,
    { file: '/m/cli/s.js' },
  );
  assert.is(none.output, 'Error: module not found: "./parse"');
});

test.run();
