// Stress (npm run test:all): two `sit record` processes racing into one item, 400 processes in all.
import { test } from 'uvu';
import { twoSitWriters } from '../helpers/concurrency.ts';

const COUNT = 200;

test(`two sit record processes writing ${COUNT} records each into one item end with ${2 * COUNT} intact records`, () =>
  twoSitWriters(COUNT));

test.run();
