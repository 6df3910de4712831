// `npm start`: builds the project (about a second), creates the example tracker (`example/.sit`)
// when missing, and serves it with `sit web` on 127.0.0.1:8080 (`PORT`/`HOST` override;
// `npm start -- --readonly` for a read-only server).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'src');

{
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

const exampleDir = join(root, 'example');
if (!existsSync(join(exampleDir, '.sit', 'config.json'))) {
  const { makeExample } = await import('./make_example.mjs');
  const path = await makeExample(exampleDir);
  console.log(`Example tracker created in ${path}`);
}

const listen = `${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`;
const { Repository } = await import(join(dist, 'store', 'mod.js'));
const { ItemIndex } = await import(join(dist, 'reduce', 'mod.js'));
const { startServer } = await import(join(dist, 'server.js'));
const repo = Repository.open(join(exampleDir, '.sit'));
const index = await ItemIndex.open(repo);
try {
  const server = await startServer({
    repo,
    index,
    author: { name: 'Example User', email: 'user@example.org' },
    listen,
    readonly: process.argv.includes('--readonly'),
  });
  const stop = async () => {
    await server.close();
    await index.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`sit web: ${error.message}`);
  await index.close();
  process.exit(1);
}
