// The warm floor: a plain Node process that lists items/ and stats every item directory.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const items = join(process.argv[2], 'items');
let latest = 0;
for (const id of readdirSync(items)) latest = Math.max(latest, statSync(join(items, id)).mtimeMs);
console.log(`latest change ${new Date(latest).toISOString()}`);
