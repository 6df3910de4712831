/** A child process for the concurrency test: writes N records into one item of a repository. */
import { Repository } from '../../src/store/mod.ts';

const [path, item, count, tag] = process.argv.slice(2);
const repo = Repository.open(path!);
const encoder = new TextEncoder();
for (let i = 0; i < Number(count); i++) {
  repo.newRecord([{ name: 'text', data: encoder.encode(`${tag} ${i}`) }], { itemId: item! });
  // Every fifth record is also written at repository level, racing with the other writer's.
  if (i % 5 === 0) repo.newRecord([{ name: 'shared', data: encoder.encode(`same ${i}`) }], { linkParents: false });
}
