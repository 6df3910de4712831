/**
 * Worker thread entry of the parallel integrity check: runs the tasks it is sent (walk and
 * examine a share of `records/`, list items, examine entries), one answer per task.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareHashing } from './hash.ts';
import { runTask } from './integrity_examine.ts';
import type { FromWorker, ToWorker, WorkerInit } from './integrity_examine.ts';
import { Repository } from './repository.ts';

const port = parentPort;
if (port === null) throw new Error('integrity_worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
await prepareHashing();
const repo = Repository.open(init.root);

port.on('message', (task: ToWorker) => {
  let answer: FromWorker;
  try {
    answer = runTask(repo, init.realRoot, task);
  } catch (error) {
    answer = { type: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer);
});
