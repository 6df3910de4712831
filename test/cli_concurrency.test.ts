// Two `sit record` processes racing into one item, short; test/stress/ runs the same at full size.
import { test } from 'uvu';
import { twoSitWriters } from './helpers/concurrency.ts';

const COUNT = 20;

test(`two sit record processes writing ${COUNT} records each into one item end with ${2 * COUNT} intact records`, () =>
  twoSitWriters(COUNT));

test.run();
