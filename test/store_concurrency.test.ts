// Two processes writing through the store into one item at once, short; test/stress/ runs the
// same at full size.
import { test } from 'uvu';
import { twoStoreWriters } from './helpers/concurrency.ts';
import { tempDirs } from './helpers/store_fixtures.ts';

const temp = tempDirs();
const COUNT = 50;

test(`two processes writing ${COUNT} records each into one item end with ${2 * COUNT} intact records`, () =>
  twoStoreWriters(temp, COUNT));

test.after(temp.cleanup);
test.run();
