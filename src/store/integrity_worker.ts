/**
 * Worker thread entry of the parallel integrity check: for each list of tasks it is sent, claims
 * tasks one by one (walk and examine a share of `records/`, list items, examine entries) and
 * posts each answer, then says it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareHashing } from './hash.ts';
import { claimTask, runTask } from './integrity_examine.ts';
import type { FromWorker, ToWorker, WorkerInit } from './integrity_examine.ts';
import { Repository } from './repository.ts';

const port = parentPort;
if (port === null) throw new Error('integrity_worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
await prepareHashing();
const repo = Repository.open(init.root);

function send(message: FromWorker): void {
  port!.postMessage(message);
}

port.on('message', (tasks: ToWorker) => {
  try {
    for (let index = claimTask(tasks); index !== undefined; index = claimTask(tasks)) {
      send({ type: 'answer', index, answer: runTask(repo, init.realRoot, tasks.tasks[index]!) });
    }
    send({ type: 'done' });
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
