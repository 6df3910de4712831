// Builds the `sit` command into dist/: the TypeScript sources bundled by esbuild into a few
// ES modules, so that a command loads a handful of files rather than about fifty (Node 20 pays
// for resolving, reading and compiling each one). Type checking is `npm run typecheck`.
//
// Entry points keep their place under dist/src/ (cli.js is the command line as an ES module,
// cli/main.js its body, sit_web.js `sit-web`; the workers are started by path; store/mod.js is the
// store as a library for scripts); code they share, and what the command line loads lazily (one
// command's code, the web server), goes to dist/src/chunks/. The `sit` bin, sit.cjs, is built
// apart as one CommonJS file (Node starts that sooner): the quick path to a running daemon,
// which loads cli/main.js for everything else.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preludeDefine } from './prelude_text.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages loaded from node_modules at run time: those that find files of their own (WebAssembly,
 * assets), and the large ones only the web server needs. Small pure modules (cac, the JMESPath
 * implementation, @noble/hashes) are bundled.
 */
const EXTERNAL = [
  '@hono/node-server',
  '@jitl/quickjs-wasmfile-release-sync',
  'hash-wasm',
  'highlight.js',
  'hono',
  'htmx.org',
  'marked',
  'quickjs-emscripten-core',
  'sanitize-html',
  'tsx',
];

/** Entry points, by their path below dist/src/ without `.js`. */
const ENTRIES = [
  'cli',
  'cli/main',
  'sit_web',
  'sandbox/worker',
  'reduce/load_item',
  'store/integrity_worker',
  'scripts/worker',
  'store/mod',
];

/**
 * The identity of this build (`sit daemon` and the commands that ask it must be the same build):
 * a digest of the sources, the shipped modules and the package description.
 */
function buildDigest() {
  const hash = createHash('sha256');
  const add = (path) => {
    for (const entry of readdirSync(`${root}${path}`, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory()) add(child);
      else if (entry.isFile())
        hash
          .update(`${child}\0`)
          .update(readFileSync(`${root}${child}`))
          .update('\0');
    }
  };
  for (const dir of ['src', 'modules', 'templates']) add(dir);
  hash.update(readFileSync(`${root}package.json`));
  return hash.digest('hex').slice(0, 16);
}

const buildId = JSON.stringify(buildDigest());
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, `src/${name}.ts`])),
  outdir: 'dist/src',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // The sandbox's prelude, a JavaScript file evaluated in QuickJS, bundled as text; the build's identity.
  define: { ...preludeDefine(root), SIT_BUILD_ID: buildId },
  logLevel: 'warning',
});
await build({
  absWorkingDir: root,
  entryPoints: ['src/sit.ts'],
  outfile: 'dist/src/sit.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The same identity: the daemon answers only a client of its own build.
  define: { SIT_BUILD_ID: buildId },
  logLevel: 'warning',
});
chmodSync(`${root}dist/src/cli.js`, 0o755);
chmodSync(`${root}dist/src/sit.cjs`, 0o755);
chmodSync(`${root}dist/src/sit_web.js`, 0o755);
