// Runs `sit record` COUNT times in a row (one process each) into ITEM: one of two concurrent writers.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [sitJs, dir, item, count, tag] = process.argv.slice(2);
const work = join(dir, `writer-${tag}`);
mkdirSync(work, { recursive: true });
for (let i = 0; i < Number(count); i++) {
  writeFileSync(join(work, 'text'), `writer ${tag} record ${i}`);
  const result = spawnSync(
    process.execPath,
    [sitJs, '-r', join(dir, '.sit'), 'record', '-t', 'Commented', item, 'text'],
    { cwd: work, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    process.stderr.write(`writer ${tag} record ${i} failed: ${result.stderr}`);
    process.exit(1);
  }
}
