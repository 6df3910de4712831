// The sandbox's prelude (src/sandbox/prelude.js, a JavaScript file evaluated in QuickJS) as text
// for the bundle: esbuild replaces SIT_PRELUDE_SOURCE with it (see src/sandbox/prelude.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** esbuild's `define` that bundles the prelude of the project at `root` as text. */
export function preludeDefine(root) {
  return { SIT_PRELUDE_SOURCE: JSON.stringify(readFileSync(join(root, 'src', 'sandbox', 'prelude.js'), 'utf8')) };
}
