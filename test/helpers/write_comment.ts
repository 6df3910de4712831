// Run as a separate process by the browser test: writes a Commented record to an item, the way
// `sit issue comment` in another terminal would. Usage: write_comment.ts REPO ITEM TEXT
import { Repository } from '../../src/store/mod.ts';
import { recordFiles } from './web_fixtures.ts';

const [repoPath, itemId, text] = process.argv.slice(2);
if (repoPath === undefined || itemId === undefined || text === undefined) {
  console.error('usage: write_comment.ts REPO ITEM TEXT');
  process.exit(2);
}
const repo = Repository.open(repoPath);
const hash = repo.newRecord(
  recordFiles(['Commented'], text, new Date().toISOString(), 'Other Terminal <other@example.com>'),
  { itemId },
);
console.log(hash);
