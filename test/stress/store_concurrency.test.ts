// Stress (npm run test:all): two processes writing 200 records each through the store into one
// item at once (every write reads the item's heads, so the work grows with the square).
import { test } from 'uvu';
import { twoStoreWriters } from '../helpers/concurrency.ts';
import { tempDirs } from '../helpers/store_fixtures.ts';

const temp = tempDirs();
const COUNT = 200;

test(`two processes writing ${COUNT} records each into one item end with ${2 * COUNT} intact records`, () =>
  twoStoreWriters(temp, COUNT));

test.after(temp.cleanup);
test.run();
