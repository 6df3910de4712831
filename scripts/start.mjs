// `npm start`: builds the project (under a second), creates the example tracker (`example/.sit`)
// when missing, and serves it with `sit web` on 127.0.0.1:8080 (`PORT`/`HOST` override;
// `npm start -- --readonly` for a read-only server).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'src');

{
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const exampleDir = join(root, 'example');
if (!existsSync(join(exampleDir, '.sit', 'config.json'))) {
  const { makeExample } = await import('./make_example.mjs');
  const path = await makeExample(exampleDir);
  console.log(`Example tracker created in ${path}`);
}

const listen = `${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`;
// The example tracker has its own user configuration, so that comments written in the browser
// have an author even on a machine where neither sit nor git knows the user.
const userConfig = join(exampleDir, 'user-config.json');
if (!existsSync(userConfig)) {
  writeFileSync(userConfig, JSON.stringify({ author: { name: 'Example User', email: 'user@example.org' } }, null, 2));
}
const args = [join(dist, 'sit.cjs'), '-c', userConfig, '-r', join(exampleDir, '.sit'), 'web', '--listen', listen];
if (process.argv.includes('--readonly')) args.push('--readonly');
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
