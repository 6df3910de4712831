import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from './helpers/cli.ts';

/** The rooms below the command line and the web: they may import each other, never what is above. */
const LOWER = ['src/store', 'src/sandbox', 'src/reduce', 'src/query', 'src/scripts'];
/** What is above them. */
const UPPER = ['src/cli', 'src/web', 'src/server.ts', 'src/cli.ts'];

/** One import of a source file: the file (relative to the project) and the specifier as written. */
interface Import {
  file: string;
  specifier: string;
}

/** Every static import, re-export and dynamic `import('…')` with a literal specifier in `source`. */
function importsOf(source: string): string[] {
  // Comments could mention an import; strings and templates that look like one are rare enough
  // that a match there only makes the check stricter.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** The project-relative path an import names, or `undefined` for a package (`node:fs`, `hono`). */
function target(imp: Import): string | undefined {
  if (!imp.specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(ROOT, dirname(imp.file), imp.specifier))
    .split(sep)
    .join('/');
}

function within(path: string, room: string): boolean {
  return path === room || path.startsWith(`${room}/`);
}

/** The imports that point up: from a file of a lower room to the command line, the web or the server. */
function upwardImports(imports: readonly Import[]): string[] {
  const wrong: string[] = [];
  for (const imp of imports) {
    if (!LOWER.some((room) => within(imp.file, room))) continue;
    const to = target(imp);
    if (to !== undefined && UPPER.some((room) => within(to, room))) wrong.push(`${imp.file} imports ${imp.specifier}`);
  }
  return wrong;
}

/** Every `.ts`, `.js` and `.mjs` file below `dir` (project-relative). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

test('the checker finds the imports of every form', () => {
  const source = [
    "import { a } from '../cli/a.ts';",
    'import type { B } from "../web/b.ts";',
    "export { c } from '../server.ts';",
    "export * from './d.ts';",
    "import './side_effect.ts';",
    "const e = await import('../cli/e.ts');",
    'import {\n  f,\n  g,\n} from "../store/mod.ts";',
    "// import { no } from '../cli/commented.ts';",
    "/* import { no } from '../web/commented.ts'; */",
  ].join('\n');
  assert.equal(
    importsOf(source).sort(),
    [
      '../cli/a.ts',
      '../cli/e.ts',
      '../server.ts',
      '../store/mod.ts',
      '../web/b.ts',
      './d.ts',
      './side_effect.ts',
    ].sort(),
  );
});

test('the checker reports an upward import and accepts downward and sideways ones', () => {
  const imports: Import[] = [
    { file: 'src/scripts/host.ts', specifier: '../cli/author.ts' },
    { file: 'src/store/deep/x.ts', specifier: '../../web/api.ts' },
    { file: 'src/reduce/engine.ts', specifier: '../server.ts' },
    { file: 'src/query/parse.ts', specifier: '../store/mod.ts' },
    { file: 'src/scripts/run.ts', specifier: './host.ts' },
    { file: 'src/scripts/run.ts', specifier: '../cli_like/x.ts' },
    { file: 'src/sandbox/mod.ts', specifier: 'node:fs' },
    { file: 'src/cli/record.ts', specifier: '../web/writer.ts' },
  ];
  assert.equal(upwardImports(imports), [
    'src/scripts/host.ts imports ../cli/author.ts',
    'src/store/deep/x.ts imports ../../web/api.ts',
    'src/reduce/engine.ts imports ../server.ts',
  ]);
});

test('nothing in the store, the sandbox, the engine, queries or module scripts imports the command line, the web or the server', () => {
  const files = LOWER.flatMap((room) => sourceFiles(room));
  assert.ok(files.length > 40, `found only ${files.length} files`);
  const imports = files.flatMap((file) =>
    importsOf(readFileSync(join(ROOT, file), 'utf8')).map((specifier) => ({ file, specifier })),
  );
  assert.ok(
    imports.some((imp) => imp.file === 'src/scripts/host.ts' && imp.specifier === '../store/mod.ts'),
    'imports are read',
  );
  assert.equal(upwardImports(imports), []);
});

test.run();
