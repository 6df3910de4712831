import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createReducerRuntime } from '../src/sandbox/mod.ts';
import { readItemRecords, Repository } from '../src/store/mod.ts';

// The issue-tracking module's reducers, run through the store (generation order, integrity on)
// and the sandbox, must reproduce the original module's states of SIT's own tracker, except
// `merge_requests` (the original kept only the latest), the fields the module adds, and the array
// fields the original leaves out until their first entry, which are empty arrays here. The
// corpus is only read, so it is read where it is (copying its 13 000 directories is most of the
// cost of a copy).

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.join(root, '..', 'shared', 'corpus', 'sit');
const reducerDir = path.join(root, 'modules/issue-tracking/reducers');
const ADDED_FIELDS = ['labels', 'assignees', 'milestone', 'timeline'];
const ARRAY_FIELDS = ['comments', 'merges', 'merge_requests'];
const DAMAGED = ['JSA44LYWSNAO4F3P4GJ6U4V73D5QE3MQ', 'M6AZNGMHVHID53OLWIUT7EE543PIVBHY'];

if (!fs.existsSync(path.join(corpus, '.sit', 'config.json'))) {
  console.error(`module_corpus: skipped, the corpus is not at ${corpus}`);
  test.skip('issue-tracking reducers reproduce the corpus states', () => {});
} else {
  test('issue-tracking reducers reproduce the corpus states', async () => {
    const runtime = await createReducerRuntime({
      reducers: fs
        .readdirSync(reducerDir)
        .filter((f) => f.endsWith('.js'))
        .sort()
        .map((f) => ({
          file: path.join(reducerDir, f),
          source: fs.readFileSync(path.join(reducerDir, f), 'utf8'),
          dir: reducerDir,
        })),
      requireFiles: {},
    });
    try {
      const expected = JSON.parse(fs.readFileSync(path.join(corpus, 'expected-states.json'), 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      const repo = Repository.open(path.join(corpus, '.sit'), { integrity: true });
      const ids = repo.listItems();
      assert.is(ids.length, 191);
      assert.equal(ids, Object.keys(expected).sort());

      let open = 0;
      let closed = 0;
      let comments = 0;
      let severalMergeRequests = 0;
      const mismatches: string[] = [];
      for (const id of ids) {
        const records = readItemRecords(repo, id, { integrity: true });
        for (const r of records) assert.not.ok(DAMAGED.includes(r.hash), `damaged record ${r.hash} was applied`);
        const state = (await runtime.reduce({
          id,
          state: { id },
          records: records.map((r) => ({
            hash: r.hash,
            files: r.files.map((f): [string, Uint8Array] => [f.name, f.data]),
          })),
        })) as Record<string, unknown>;
        const want = expected[id]!;

        for (const key of new Set([...Object.keys(want), ...Object.keys(state)])) {
          if (key === 'merge_requests' || ADDED_FIELDS.includes(key)) continue;
          if (
            ARRAY_FIELDS.includes(key) &&
            want[key] === undefined &&
            Array.isArray(state[key]) &&
            (state[key] as unknown[]).length === 0
          )
            continue;
          try {
            assert.equal(state[key], want[key]);
          } catch {
            mismatches.push(`${id} ${key}`);
          }
        }

        // Ours lists every MergeRequested record in processing order; the original kept the last.
        const requested = records
          .filter((r) => r.files.some((f) => f.name === '.type/MergeRequested'))
          .map((r) => r.hash);
        if (requested.length === 0) {
          assert.equal(state['merge_requests'], [], id);
          assert.is(want['merge_requests'], undefined, id);
        } else {
          assert.equal(state['merge_requests'], requested, id);
          assert.equal(want['merge_requests'], [requested[requested.length - 1]], id);
        }
        if (requested.length > 1) severalMergeRequests++;

        assert.equal(state['labels'], [], id);
        assert.equal(state['assignees'], [], id);
        assert.is(state['milestone'], null, id);
        assert.is(state['errors'], undefined, id);
        for (const key of ARRAY_FIELDS) assert.ok(Array.isArray(state[key]), `${id} ${key}`);
        assert.ok(Array.isArray(state['timeline']), id);

        if (state['state'] === 'open') open++;
        if (state['state'] === 'closed') closed++;
        comments += (state['comments'] as unknown[] | undefined)?.length ?? 0;
      }
      assert.equal(mismatches, [], `fields that differ from expected-states.json: ${mismatches.join(', ')}`);
      assert.is(open, 22);
      assert.is(closed, 169);
      assert.is(comments, 312);
      assert.is(severalMergeRequests, 12);
    } finally {
      runtime.dispose();
    }
  });
}

test.run();
