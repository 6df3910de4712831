/**
 * The guest side of the sandbox, evaluated once in every QuickJS context before any reducer or
 * module script: `prelude.js` (a JavaScript file of its own, type-checked with `// @ts-check`),
 * made into two preludes. What the prelude does is described at the top of that file.
 *
 * The build bundles the file as text (`scripts/build.mjs` defines `SIT_PRELUDE_SOURCE`); run from
 * the sources (tests under tsx), it is read from beside this module.
 * @module
 */
import { readFileSync } from 'node:fs';

declare const SIT_PRELUDE_SOURCE: string | undefined;

/** The text of `prelude.js`. */
function preludeSource(): string {
  return typeof SIT_PRELUDE_SOURCE === 'string'
    ? SIT_PRELUDE_SOURCE
    : readFileSync(new URL('./prelude.js', import.meta.url), 'utf8');
}

/** The line where the evaluated text starts; what is above it is the file's own header. */
const START = '(function (global) {';

/**
 * The prelude made of `source` for one kind of context: from the line {@link START} on, without
 * the `//#region NAME` … `//#endregion` blocks whose NAME is not in `regions`, without the
 * marker lines themselves, and without type-checking directives (lines `// @ts-…`).
 */
export function preludeText(source: string, regions: readonly string[]): string {
  const lines = source.split('\n');
  const start = lines.indexOf(START);
  if (start < 0) throw new Error(`prelude.js: no line ${START}`);
  const out: string[] = [];
  let region: string | undefined;
  for (const line of lines.slice(start)) {
    const opened = /^\/\/#region (\S+)$/.exec(line);
    if (opened !== null) {
      if (region !== undefined) throw new Error(`prelude.js: region ${opened[1]} inside region ${region}`);
      region = opened[1];
    } else if (line === '//#endregion') {
      if (region === undefined) throw new Error('prelude.js: //#endregion without //#region');
      region = undefined;
    } else if (line.trimStart().startsWith('// @ts-')) {
      // type-checking directives are not sent to QuickJS
    } else if (region === undefined || regions.includes(region)) {
      out.push(line);
    }
  }
  if (region !== undefined) throw new Error(`prelude.js: region ${region} is not closed`);
  return out.join('\n');
}

const SOURCE = preludeSource();

/** The prelude of reducer contexts: `require()`, the fresh environment of every item, reducing, and the reducers' driver. */
export const PRELUDE = preludeText(SOURCE, ['reducers', 'reducer-driver']);

/**
 * The prelude of module script contexts: the same environment (determinism, TextDecoder and
 * TextEncoder) without the reducing machinery, which a script never uses: a third of the text,
 * so that a script starts sooner.
 */
export const SCRIPT_PRELUDE = preludeText(SOURCE, ['script-driver']);
