import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { PRELUDE, SCRIPT_PRELUDE, preludeText } from '../src/sandbox/prelude.ts';
import { runScript } from '../src/sandbox/mod.ts';
import { ROOT } from './helpers/cli.ts';
// @ts-expect-error a plain JavaScript module of the build, without types
import { preludeDefine } from '../scripts/prelude_text.mjs';

const START = '(function (global) {';

test('preludeText: the text from the start line on, the regions asked for, no markers and no type-checking directives', () => {
  const source = [
    '// @ts-check',
    "// the file's own header",
    START,
    'a();',
    '//#region one',
    'one();',
    '//#endregion',
    '//#region two',
    '  // @ts-expect-error why',
    'two();',
    '//#endregion',
    '})(globalThis)',
    '',
  ].join('\n');
  assert.is(preludeText(source, ['one']), `${START}\na();\none();\n})(globalThis)\n`);
  assert.is(preludeText(source, ['two']), `${START}\na();\ntwo();\n})(globalThis)\n`);
  assert.is(preludeText(source, []), `${START}\na();\n})(globalThis)\n`);
});

test('preludeText: a malformed file is refused', () => {
  assert.throws(() => preludeText('a();\n', []), /no line \(function \(global\) \{/);
  assert.throws(
    () => preludeText(`${START}\n//#region a\n//#region b\n//#endregion\n`, []),
    /region b inside region a/,
  );
  assert.throws(() => preludeText(`${START}\n//#endregion\n`, []), /without \/\/#region/);
  assert.throws(() => preludeText(`${START}\n//#region a\n`, []), /region a is not closed/);
});

test("the two preludes: the reducers' has the reducing machinery and its driver, the scripts' only theirs", () => {
  for (const text of [PRELUDE, SCRIPT_PRELUDE]) {
    assert.ok(text.startsWith(`${START}\n'use strict';\n`));
    assert.ok(text.endsWith('})(globalThis)\n'));
    assert.not.match(text, /^\/\/#(end)?region/m);
    assert.not.match(text, /@ts-/);
    assert.match(text, /function runScript\(/);
  }
  assert.match(PRELUDE, /function reduceItem\(/);
  assert.match(PRELUDE, /^ {2}reduceItem: reduceItem, progress: progress, abandon: abandon, runScript: runScript$/m);
  assert.not.match(SCRIPT_PRELUDE, /function reduceItem\(|function lockdown\(/);
  assert.ok(SCRIPT_PRELUDE.endsWith('return { runScript: runScript };\n})(globalThis)\n'));
  assert.ok(SCRIPT_PRELUDE.length * 2 < PRELUDE.length, "the scripts' prelude is much smaller");
});

test('bundled as the build bundles it, the preludes are the same text as read from prelude.js', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sit-prelude-'));
  try {
    const out = join(dir, 'prelude.mjs');
    await build({
      absWorkingDir: ROOT,
      entryPoints: ['src/sandbox/prelude.ts'],
      outfile: out,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      define: preludeDefine(ROOT),
      logLevel: 'warning',
    });
    assert.ok(
      readFileSync(out, 'utf8').includes("'use strict';\\nvar JSONparse = JSON.parse"),
      'the text is in the bundle',
    );
    // No prelude.js lies beside the bundle: importing it proves that it does not read one.
    const loaded = (await import(pathToFileURL(out).href)) as { PRELUDE: string; SCRIPT_PRELUDE: string };
    assert.is(loaded.PRELUDE, PRELUDE);
    assert.is(loaded.SCRIPT_PRELUDE, SCRIPT_PRELUDE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a script runs on the scripts' prelude", async () => {
  const result = await runScript(
    'module.exports = function () { return [typeof TextEncoder, new Date().getTime()]; };',
    { file: 's.js' },
  );
  assert.equal(result, { exitCode: 0, output: ['function', 0] });
});

test.run();
