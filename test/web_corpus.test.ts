// SIT's own tracker (the corpus) through the web UI: every page renders, merge requests show
// their patches, and the JSON API sees every item. Skips when the corpus is absent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ItemIndex } from '../src/reduce/mod.ts';
import { createApp } from '../src/server.ts';
import { Repository } from '../src/store/mod.ts';
import { tempDirs } from './helpers/store_fixtures.ts';
import { PROJECT_ROOT } from './helpers/web_fixtures.ts';

const dirs = tempDirs();
const copy = dirs.copyCorpus();
if (copy === undefined) process.stderr.write('web_corpus.test.ts: skipped, ../shared/corpus is absent\n');
const run = copy === undefined ? test.skip : test;

run('the corpus: list, every issue page, merge request patches, JSON API', async () => {
  process.env['SIT_CACHE_DIR'] = join(copy!, '..', 'cache');
  mkdirSync(join(copy!, 'modules'), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'modules', 'issue-tracking'), join(copy!, 'modules', 'issue-tracking'));
  const repo = Repository.open(copy!);
  const index = await ItemIndex.open(repo);
  try {
    const app = createApp({ repo, index, author: { name: 'Corpus Reader' }, readonly: true });
    const list = await app.request('/?q=' + encodeURIComponent('is:all sort:updated-desc'));
    assert.is(list.status, 200);
    const text = await list.text();
    assert.match(text, /<span class="tab-count">22<\/span> Open/);
    assert.match(text, /<span class="tab-count">169<\/span> Closed/);
    assert.match(text, /Page 1 of 8/);
    let withPatches = 0;
    for (const state of index.states()) {
      const res = await app.request(`/issue/${state['id'] as string}`);
      assert.is(res.status, 200, `issue ${state['id'] as string}`);
      const page = await res.text();
      if (page.includes('<span class="hljs-addition">')) withPatches++;
      assert.not.match(page, /at an unknown time/, `issue ${state['id'] as string}: every timestamp parses`);
    }
    assert.ok(withPatches > 50, `merge requests with highlighted patches: ${withPatches}`);
    const ids = JSON.parse(await (await app.request('/api/items//id')).text()) as string[];
    assert.is(ids.length, 191);
    const mr = JSON.parse(
      await (await app.request('/api/item/c27ffb7e-5b3d-40f7-a13c-e14ab2d5cbb6/state')).text(),
    ) as string;
    assert.is(mr, 'closed');
  } finally {
    await index.close();
    dirs.cleanup();
  }
});

test.run();
