/**
 * Worker thread entry of the parallel integrity check: walks and examines a share of `records/`,
 * lists items' record entries, examines entries it is given. Tasks arrive one at a time and each
 * gets one answer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareHashing } from './hash.ts';
import { examineRecord } from './integrity_examine.ts';
import type { FromWorker, ListedItem, ToWorker, WorkerInit } from './integrity_examine.ts';
import { Repository } from './repository.ts';

const port = parentPort;
if (port === null) throw new Error('integrity_worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
await prepareHashing();
const repo = Repository.open(init.root);
const algorithm = repo.hashingAlgorithm;

function run(task: ToWorker): FromWorker {
  switch (task.type) {
    case 'walk':
      return {
        type: 'walk',
        entries: repo.recordEntries({ top: task.top }).map((entry) => ({
          ...entry,
          intact: examineRecord(entry, init.realRoot, algorithm) ?? null,
        })),
      };
    case 'items':
      return {
        type: 'items',
        items: task.items.map((item): ListedItem => {
          const temporaries: string[] = [];
          const entries = repo.itemRecordEntries(item, { temporaries });
          return { item, entries, temporaries };
        }),
      };
    case 'examine':
      return { type: 'examine', intact: task.entries.map((entry) => examineRecord(entry, init.realRoot, algorithm) ?? null) };
  }
}

port.on('message', (task: ToWorker) => {
  let answer: FromWorker;
  try {
    answer = run(task);
  } catch (error) {
    answer = { type: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(answer);
});
