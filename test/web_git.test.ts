// The web UI's git pages: the lazily loaded "Branches and tags" panel, and the tracker at a
// revision (`?at=REV`): read-only, under a banner, with every link kept at that revision.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { ItemIndex } from '../src/reduce/mod.ts';
import { createApp } from '../src/server.ts';
import { commitAll, git, issue, makeGitSandbox, newProject, record } from './helpers/git.ts';
import { webFixture } from './helpers/web_fixtures.ts';

const sandbox = makeGitSandbox();
process.env['SIT_CACHE_DIR'] = join(sandbox.dir, 'web-cache');
const { top, repo } = newProject(sandbox, 'web');
const id = issue(repo, 'Seen from <b>history</b>');
commitAll(sandbox, top, 'Issue');
git(sandbox, top, ['tag', 'v1']);
git(sandbox, top, ['checkout', '-q', '-b', 'patches']);
const mr = repo.newItem();
record(repo, mr, ['SummaryChanged'], { text: 'Only on a branch' });
const mrRecord = record(repo, mr, ['DetailsChanged', 'MergeRequested'], {
  text: 'A patch',
  'git/0001-x.patch': 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n',
});
commitAll(sandbox, top, 'A merge request');
git(sandbox, top, ['checkout', '-q', 'main']);
record(repo, id, ['Closed']);
commitAll(sandbox, top, 'Closed');
const index = await ItemIndex.open(repo, { poolThreshold: 1_000_000 });
const app = createApp({ repo, index, author: { name: 'Web Tester', email: 'web@example.com' } });

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await app.request(path);
  return { status: res.status, text: await res.text() };
}

test('the issue page loads the Branches and tags panel lazily; the panel shows the state on each ref', async () => {
  const page = await get(`/issue/${id}`);
  assert.match(page.text, new RegExp(`hx-get="/issue/${id}/refs" hx-trigger="load"`));
  const panel = await get(`/issue/${id}/refs`);
  assert.is(panel.status, 200);
  const states = [...panel.text.matchAll(/<li class="ref-(\w+)"><a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [
    m[3],
    m[1],
    m[2],
  ]);
  assert.equal(states, [
    ['main', 'closed', `/issue/${id}?at=main`],
    ['patches', 'open', `/issue/${id}?at=patches`],
    ['v1', 'open', `/issue/${id}?at=v1`],
  ]);
  assert.is((await get('/issue/..%2F..%2Fetc/refs')).status, 404);
});

test('?at=REV shows the tracker at that revision: read-only, a banner, links kept at the revision', async () => {
  const list = await get('/?at=v1');
  assert.is(list.status, 200);
  assert.match(
    list.text,
    /class="revision-banner"[\s\S]*<code>v1<\/code>[\s\S]*read-only[\s\S]*<a href="\/">Back to the working tree<\/a>/,
  );
  assert.match(list.text, /Seen from &lt;b&gt;history&lt;\/b&gt;/);
  assert.not.match(list.text, /href="\/new"/);
  assert.match(list.text, new RegExp(`class="issue-title" href="/issue/${id}\\?at=v1"`));
  assert.match(list.text, /<input type="hidden" name="at" value="v1">/);
  assert.match(list.text, /href="\/\?q=is%3Aclosed[^"]*&amp;at=v1"/);
  assert.match(list.text, /href="\/static\/style\.css"/);
  const open = await get(`/issue/${id}?at=v1`);
  assert.match(open.text, /state-pill open/);
  assert.not.match(open.text, /class="comment-form"/);
  assert.match((await get(`/issue/${id}?at=main`)).text, /state-pill closed/);
  assert.match((await get(`/issue/${id}`)).text, /state-pill closed/);
});

test('?at=REV shows an issue that only a branch has, with its merge request patch read from the revision', async () => {
  assert.is((await get(`/issue/${mr}`)).status, 404);
  const page = await get(`/issue/${mr}?at=patches`);
  assert.is(page.status, 200);
  assert.match(page.text, new RegExp(`Merge request <code title="${mrRecord}">`));
  assert.match(page.text, /git\/0001-x\.patch/);
  assert.not.match(page.text, /The record's files are not in this repository/);
  assert.match(page.text, new RegExp(`sit mr-merge ${mr} ${mrRecord}`));
});

test('an unknown or hostile revision is a page that says so, escaped', async () => {
  const unknown = await get('/?at=no-such-tag');
  assert.is(unknown.status, 404);
  assert.match(unknown.text, /unknown revision &quot;no-such-tag&quot;/);
  const hostile = await get(`/?at=${encodeURIComponent('--upload-pack=<script>x</script>')}`);
  assert.is(hostile.status, 404);
  assert.match(hostile.text, /invalid revision/);
  assert.not.match(hostile.text, /<script>x/);
});

test('outside git, the panel says so and the pages work as before', async () => {
  const f = await webFixture();
  try {
    const plain = await f.issue('Not in git');
    const panel = await f.app.request(`/issue/${plain}/refs`);
    assert.match(await panel.text(), /not inside a git work tree/);
    assert.is((await f.app.request(`/issue/${plain}`)).status, 200);
  } finally {
    await f.close();
  }
});

test.after(async () => {
  await index.close();
});

test.run();
