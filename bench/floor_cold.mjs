// The cold floor: a plain Node script that reads every record file of every item once.
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';

const repo = process.argv[2];
const items = join(repo, 'items');
let files = 0;
let bytes = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else {
      bytes += readFileSync(path).length;
      files++;
    }
  }
}
for (const id of readdirSync(items)) {
  const dir = join(items, id);
  for (const hash of readdirSync(dir)) {
    const link = join(dir, hash);
    walk(resolve(dirname(link), readFileSync(link, 'utf8').trim()));
  }
}
console.log(`${files} files, ${bytes} bytes`);
