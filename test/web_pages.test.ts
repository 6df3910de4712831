// The HTML pages of `sit web` and the records their forms write: the list (tabs, counts, search,
// named filters, sorting, paging), the issue page (Markdown, merge request diffs), new issue,
// edit, comment / close / reopen / comment-and-close, documentation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createApp } from '../src/server.ts';
import { emptyUserConfig } from '../src/store/mod.ts';
import { PAGE_SIZE } from '../src/web/issues.ts';
import { formHeaders, recordFiles, webFixture, type WebFixture } from './helpers/web_fixtures.ts';

let f: WebFixture;
const ids: Record<string, string> = {};
const dec = new TextDecoder();

test.before(async () => {
  f = await webFixture();
  const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString();
  ids['oldest'] = await f.issue('Oldest open issue', { at: day(0), comments: ['one', 'two', 'three'] });
  ids['closed'] = await f.issue('A closed quokka issue', { at: day(1), closed: true });
  ids['newest'] = await f.issue('Newest open issue', { at: day(2), details: '```diff\n+added\n-removed\n```' });
  // A merge request with a patch file.
  const mr = f.repo.newItem();
  f.repo.newRecord(recordFiles(['SummaryChanged'], 'Highlight patches', day(3)), { itemId: mr });
  f.repo.newRecord(
    [
      ...recordFiles(['DetailsChanged', 'MergeRequested'], 'Solution: highlight them', day(3)),
      {
        name: 'git/0001-Highlight.patch',
        data: new TextEncoder().encode(
          'Subject: x\n---\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old <b>line</b>\n+new line\n',
        ),
      },
    ],
    { itemId: mr },
  );
  await f.index.refresh([mr]);
  ids['mr'] = mr;
});

test.after(async () => {
  await f.close();
});

async function html(path: string): Promise<{ status: number; text: string }> {
  const res = await f.app.request(path);
  return { status: res.status, text: await res.text() };
}

async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return f.app.request(path, { method: 'POST', headers: formHeaders(), body: new URLSearchParams(fields) });
}

function titles(text: string): string[] {
  return [...text.matchAll(/class="issue-title"[^>]*>(.*?)<\/a>/g)].map((m) => m[1]!.replace(/<[^>]*>/g, ''));
}

test('list: default query shows open issues, newest first, with tab counts', async () => {
  const { status, text } = await html('/');
  assert.is(status, 200);
  assert.equal(titles(text), ['Highlight patches', 'Newest open issue', 'Oldest open issue']);
  assert.match(text, /<span class="tab-count">3<\/span> Open/);
  assert.match(text, /<span class="tab-count">1<\/span> Closed/);
  assert.match(text, /value="is:open"/);
  assert.match(text, /<a class="tab" href="[^"]*is%3Aopen[^"]*" aria-current="page">/);
  assert.match(text, /hx-sse:connect="\/events\?since=\d+"/);
});

test('list: search, closed tab, sort, labels and comment counts', async () => {
  const closed = await html('/?q=' + encodeURIComponent('is:closed quokka'));
  assert.equal(titles(closed.text), ['A closed quokka issue']);
  assert.match(closed.text, /class="issue-row closed"/);
  assert.match(closed.text, /<a class="tab" href="[^"]*is%3Aclosed[^"]*" aria-current="page">/);
  const oldest = await html('/?q=' + encodeURIComponent('is:open sort:created-asc'));
  assert.equal(titles(oldest.text), ['Oldest open issue', 'Newest open issue', 'Highlight patches']);
  assert.match(oldest.text, /title="3 comments"/);
  assert.match(oldest.text, /title="Merge request"/);
  const none = await html('/?q=' + encodeURIComponent('nothing-matches-this'));
  assert.match(none.text, /No matches/);
});

test('list: a bad query answers 400 with its message', async () => {
  const { status, text } = await html('/?q=' + encodeURIComponent('is:maybe'));
  assert.is(status, 400);
  assert.match(text, /is not a state/);
});

test('list: named filters from the user configuration', async () => {
  const config = emptyUserConfig();
  config.extra.push(['issues', { filters: { quokkas: 'is:closed quokka' } }]);
  const app = createApp({ repo: f.repo, index: f.index, author: { name: 'N' }, userConfig: config });
  const text = await (await app.request('/')).text();
  assert.match(text, /href="\/\?q=is%3Aclosed%20quokka">quokkas<\/a>/);
  assert.match(text, /href="\/\?q=is%3Aopen" aria-current="page">Open issues/);
});

test('list: paging', async () => {
  const many = createApp({
    repo: f.repo,
    author: { name: 'P' },
    index: {
      states: () =>
        Array.from({ length: PAGE_SIZE * 2 + 3 }, (_, i) => ({
          id: `item-${String(i).padStart(3, '0')}`,
          summary: `Issue ${i}`,
          state: 'open',
          timestamp: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
        })),
      get: () => undefined,
      refresh: async () => [],
    },
  });
  const p1 = await (await many.request('/?q=' + encodeURIComponent('sort:created-asc'))).text();
  assert.is(titles(p1).length, PAGE_SIZE);
  assert.is(titles(p1)[0], 'Issue 0');
  assert.match(p1, /Page 1 of 3/);
  assert.match(p1, /rel="next"/);
  const p3 = await (await many.request('/?q=' + encodeURIComponent('sort:created-asc') + '&page=3')).text();
  assert.equal(titles(p3), ['Issue 50', 'Issue 51', 'Issue 52']);
  assert.match(p3, /rel="prev"/);
  assert.not.match(p3, /rel="next"/);
  const p99 = await (await many.request('/?q=' + encodeURIComponent('sort:created-asc') + '&page=99')).text();
  assert.match(p99, /Page 3 of 3/, 'a page beyond the last shows the last');
  assert.equal(titles(p99), ['Issue 50', 'Issue 51', 'Issue 52']);
});

test('issue page: Markdown with highlighted code, merge request with highlighted, escaped diff', async () => {
  const newest = await html(`/issue/${ids['newest']}`);
  assert.match(newest.text, /<span class="hljs-addition">\+added<\/span>/);
  const mr = await html(`/issue/${ids['mr']}`);
  assert.match(mr.text, /Merge request <code/);
  assert.match(mr.text, /git\/0001-Highlight\.patch/);
  assert.match(mr.text, /<span class="hljs-deletion">-old &lt;b&gt;line&lt;\/b&gt;<\/span>/);
  assert.match(mr.text, /class="plus">\+1<\/span> <span class="minus">−1</);
  assert.match(mr.text, /href="\/repo\/items\/[^"]+\/[A-Z2-7]{32}\/git\/0001-Highlight\.patch"/);
  assert.is((await html('/issue/does-not-exist')).status, 404);
});

function lastRecordFiles(id: string): Map<string, string> {
  const records = f.repo.readItemRecords(id);
  records.sort((a, b) => {
    const t = (r: typeof a) => dec.decode(r.files.find((x) => x.name === '.timestamp')?.data ?? new Uint8Array());
    return t(a) < t(b) ? -1 : t(a) > t(b) ? 1 : 0;
  });
  const last = records[records.length - 1]!;
  return new Map(last.files.map((x) => [x.name, dec.decode(x.data)]));
}

test('new issue: writes summary, details, labels, assignees, milestone records with authorship', async () => {
  const res = await post('/new', {
    summary: '  A new issue  ',
    details: 'Some *details*',
    labels: 'bug, web,bug',
    assignees: 'Ada',
    milestone: '1.0',
  });
  assert.is(res.status, 303);
  const id = decodeURIComponent(res.headers.get('location')!.replace('/issue/', ''));
  const state = f.index.get(id)!;
  assert.is(state['summary'], 'A new issue');
  assert.is(state['details'], 'Some *details*');
  assert.equal(state['labels'], ['bug', 'web']);
  assert.equal(state['assignees'], ['Ada']);
  assert.is(state['milestone'], '1.0');
  assert.is(state['authors'], 'Web Tester <web@example.com>');
  const records = f.repo.readItemRecords(id);
  assert.is(records.length, 5);
  for (const r of records) {
    const names = r.files.map((x) => x.name);
    assert.ok(names.some((n) => n.startsWith('.type/')));
    assert.is(dec.decode(r.files.find((x) => x.name === '.authors')!.data), 'Web Tester <web@example.com>');
    // The form the command line writes (and the original `sit record`): chrono's, nanoseconds and all.
    assert.match(
      dec.decode(r.files.find((x) => x.name === '.timestamp')!.data),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/,
    );
  }
  // Not toISOString()'s milliseconds: nanoseconds (a fraction of 3 or 6 digits only when it ends in zeros).
  const stamps = records.map((r) => dec.decode(r.files.find((x) => x.name === '.timestamp')!.data));
  assert.ok(
    stamps.some((stamp) => /\.\d{9}Z$/.test(stamp)),
    stamps.join(' '),
  );
  const page = await html(`/issue/${id}`);
  assert.match(page.text, /<em>details<\/em>/);
});

test('new issue: an empty summary is refused with 422 and writes nothing', async () => {
  const before = f.repo.items().length;
  const res = await post('/new', { summary: '   ', details: 'kept' });
  assert.is(res.status, 422);
  const text = await res.text();
  assert.match(text, /summary cannot be empty/);
  assert.match(text, />kept<\/textarea>/, 'the details are kept');
  assert.is(f.repo.items().length, before);
});

test('comment, comment-and-close, reopen, close without text', async () => {
  const id = ids['oldest']!;
  let res = await post(`/issue/${id}/comment`, { text: 'Plain comment', action: 'comment' });
  assert.is(res.status, 303);
  let files = lastRecordFiles(id);
  assert.ok(files.has('.type/Commented') && !files.has('.type/Closed'));
  assert.is(files.get('text'), 'Plain comment');

  res = await post(`/issue/${id}/comment`, { text: 'Closing remark', action: 'comment-close' });
  files = lastRecordFiles(id);
  assert.ok(files.has('.type/Commented') && files.has('.type/Closed'), 'one record with both types');
  assert.is(f.index.get(id)!['state'], 'closed');

  res = await post(`/issue/${id}/comment`, { text: '', action: 'reopen' });
  files = lastRecordFiles(id);
  assert.ok(files.has('.type/Reopened') && !files.has('.type/Commented') && !files.has('text'));
  assert.is(f.index.get(id)!['state'], 'open');

  res = await post(`/issue/${id}/comment`, { action: 'close' });
  assert.is(f.index.get(id)!['state'], 'closed');

  res = await post(`/issue/${id}/comment`, { text: '  ', action: 'comment' });
  assert.is(res.status, 422, 'an empty comment is refused');
  res = await post(`/issue/${id}/comment`, { text: 'x', action: 'explode' });
  assert.is(res.status, 400);
});

test('edit: writes only what changed; labels as added/removed lines', async () => {
  const id = ids['newest']!;
  f.repo.newRecord(
    [...recordFiles(['LabelsChanged']), { name: 'added', data: new TextEncoder().encode('old\nkeep\n') }],
    { itemId: id },
  );
  await f.index.refresh([id]);
  const before = f.repo.listItemRecords(id).length;
  const state = f.index.get(id)!;
  const res = await post(`/issue/${id}/edit`, {
    summary: state['summary'] as string,
    details: state['details'] as string,
    labels: 'keep, new',
    assignees: '',
    milestone: '',
  });
  assert.is(res.status, 303);
  assert.is(f.repo.listItemRecords(id).length, before + 1, 'one record: the label change');
  const files = lastRecordFiles(id);
  assert.ok(files.has('.type/LabelsChanged'));
  assert.is(files.get('added'), 'new\n');
  assert.is(files.get('removed'), 'old\n');
  assert.equal(f.index.get(id)!['labels'], ['keep', 'new']);
  await post(`/issue/${id}/edit`, {
    summary: 'Renamed',
    details: state['details'] as string,
    labels: 'keep, new',
    assignees: '',
    milestone: '',
  });
  assert.is(f.index.get(id)!['summary'], 'Renamed');
  const form = await html(`/issue/${id}/edit`);
  assert.match(form.text, /value="keep, new"/);
});

test('summaries show `code` spans, escaped', async () => {
  const id = await f.issue('Run `sit <b>integrity</b>` and `x');
  const list = await html('/?q=' + encodeURIComponent('integrity'));
  assert.match(list.text, />Run <code>sit &lt;b&gt;<mark>integrity<\/mark>&lt;\/b&gt;<\/code> and `x<\/a>/);
  const page = await html(`/issue/${id}`);
  assert.match(page.text, /<span class="summary">Run <code>sit &lt;b&gt;integrity&lt;\/b&gt;<\/code> and `x<\/span>/);
});

test('documentation pages', async () => {
  const index = await f.app.request('/doc');
  assert.is(index.status, 302);
  const readme = await html('/doc/readme');
  if (readme.status === 200) {
    assert.match(readme.text, /class="doc-body markdown" hx-ignore/);
  }
  if (readme.status === 200) {
    assert.match(readme.text, /href="\/doc\/architecture"/, "README's link to ARCHITECTURE.md leads to its page");
    assert.is((await html('/doc/architecture')).status, 200);
  }
  const module = await html('/doc/issue-tracking');
  assert.is(module.status, 200);
  assert.match(module.text, /Record types|record types/i);
  assert.is((await html('/doc/..%2F..%2Fpackage')).status, 404);
});

test('static assets: htmx 4 and the SSE extension come from node_modules, no CDN', async () => {
  const htmx = await f.app.request('/static/htmx.js');
  assert.is(htmx.status, 200);
  assert.match(await htmx.text(), /4\.0\.1/);
  const sse = await f.app.request('/static/hx-sse.js');
  assert.match(await sse.text(), /registerExtension\("sse"/);
  const page = (await html('/')).text;
  for (const m of page.matchAll(/(?:src|href)="([^"]+)"/g)) {
    assert.not.match(m[1]!, /^(https?:)?\/\//, `external reference ${m[1]}`);
  }
  const etag = htmx.headers.get('etag')!;
  assert.is((await f.app.request('/static/htmx.js', { headers: { 'if-none-match': etag } })).status, 304);
});

test('an issue by a unique prefix of its id (with or without #) redirects to its full address; ambiguous or unknown ones do not', async () => {
  const id = ids['newest']!;
  const res = await f.app.request(`/issue/${id.slice(0, 8)}`);
  assert.is(res.status, 302);
  assert.is(res.headers.get('location'), `/issue/${id}`);
  const edit = await f.app.request(`/issue/${encodeURIComponent('#' + id.slice(0, 8))}/edit?x=1`);
  assert.is(edit.headers.get('location'), `/issue/${id}/edit?x=1`);
  assert.is((await f.app.request('/issue/zzzzzzzz')).status, 404);
  const searched = await html('/?q=' + encodeURIComponent(`is:all ${id.slice(0, 8)}`));
  assert.equal(titles(searched.text), [f.index.get(id)!['summary'] as string]);
});

test('labels and milestones: defining writes records of the definitions item; the pages count issues', async () => {
  const before = f.repo.hasItem('issue-tracking-definitions');
  let res = await post('/labels', { name: 'quokka', color: '#0e8a16', description: 'Small marsupials' });
  assert.is(res.status, 303);
  assert.ok(f.repo.hasItem('issue-tracking-definitions'));
  if (!before) {
    const state = f.index.get('issue-tracking-definitions')!;
    assert.is(state['state'], 'closed');
    assert.is(state['summary'], 'Labels and milestones of this tracker');
  }
  const records = f.repo.listItemRecords('issue-tracking-definitions').length;
  res = await post('/labels', { name: 'quokka', color: '#0e8a16', description: 'Small marsupials' });
  assert.is(
    f.repo.listItemRecords('issue-tracking-definitions').length,
    records,
    'an unchanged definition writes nothing',
  );
  assert.is((await post('/labels', { name: 'bad', color: 'red' })).status, 422);
  assert.is((await post('/labels', { name: '', color: '#000000' })).status, 422);
  f.repo.newRecord([...recordFiles(['LabelsChanged']), { name: 'added', data: new TextEncoder().encode('quokka\n') }], {
    itemId: ids['closed']!,
  });
  await f.index.refresh([ids['closed']!]);
  const labels = await html('/labels');
  assert.match(labels.text, /class="label lc-0e8a16" href="[^"]*" title="Small marsupials">quokka<\/a>/);
  assert.match(labels.text, /0 open<\/a> <a href="[^"]*">[\s\S]{0,400}1 closed/);
  assert.match(
    await (await f.app.request('/labels.css')).text(),
    /\.label\.lc-0e8a16\{background:#0e8a16;color:#000000/,
  );
  res = await post('/milestones', { title: '2.0', due: '2000-01-01', description: 'Long ago' });
  assert.is(res.status, 303);
  assert.is((await post('/milestones', { title: '2.0', due: 'tomorrow' })).status, 422);
  const milestones = await html('/milestones');
  assert.match(milestones.text, /Overdue: was due 2000-01-01/);
  await post('/milestones', { title: '2.0', due: '2000-01-01', description: 'Long ago', state: 'closed' });
  assert.match((await html('/milestones')).text, /<h2 class="defs-section">Closed<\/h2>/);
  await post('/labels/delete', { name: 'quokka' });
  assert.match((await html('/labels')).text, /Not defined: it shows without a colour/);
});

test('new issue: templates offered, one used to fill the form; previews without writing', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  mkdirSync(join(f.repo.root, 'templates'), { recursive: true });
  writeFileSync(
    join(f.repo.root, 'templates', 'bug.md'),
    '---\nname: Bug report\nabout: It broke\ntitle: "Bug: "\nlabels: bug\n---\n**What happened**\n',
  );
  const chooser = await html('/new');
  assert.match(chooser.text, /Bug report[\s\S]*It broke[\s\S]*href="\/new\?template=bug"/);
  assert.match(chooser.text, /href="\/new\?template="/);
  const form = await html('/new?template=bug');
  assert.match(form.text, /id="summary" name="summary" type="text" required maxlength="500" value="Bug: "/);
  assert.match(form.text, />\*\*What happened\*\*<\/textarea>/);
  assert.match(form.text, /id="labels" name="labels" type="text" value="bug"/);
  const items = f.repo.items().length;
  const preview = await post('/new', {
    summary: 'x',
    details: '**strong** #' + ids['oldest']!.slice(0, 8),
    preview: 'details',
  });
  assert.is(preview.status, 200);
  const text = await preview.text();
  assert.match(text, /<strong>strong<\/strong>/);
  assert.match(
    text,
    new RegExp(
      `<a class="issue-ref( closed)?" href="/issue/${ids['oldest']}" title="Oldest open issue( \\(closed\\))?">`,
    ),
  );
  assert.is(f.repo.items().length, items, 'a preview writes nothing');
  const fragment = await post('/preview', { text: '*em*' });
  assert.is(await fragment.text(), '<div class="markdown" hx-ignore><p><em>em</em></p>\n</div>');
});

test('the issue page: the timeline between the comments, and the commits panel outside a git work tree', async () => {
  const id = await f.issue('Timeline on the page', { comments: ['first'] });
  f.repo.newRecord(recordFiles(['Commented', 'Closed'], 'done'), { itemId: id });
  await f.index.refresh([id]);
  const page = (await html(`/issue/${id}`)).text;
  const order = [...page.matchAll(/class="(comment|tl-event tl-[a-z]+)"/g)].map((m) => m[1]);
  assert.equal(order, ['comment', 'comment', 'tl-event tl-closed']);
  assert.match(page, /hx-get="\/issue\/[^"]+\/commits" hx-trigger="load"/);
  const panel = await f.app.request(`/issue/${id}/commits`, { headers: { 'hx-request': 'true' } });
  assert.is(await panel.text(), '<section id="commits" class="commits" hidden></section>');
});

test('an empty tracker invites the first issue', async () => {
  const empty = createApp({
    repo: f.repo,
    author: { name: 'E' },
    index: { states: () => [], get: () => undefined, refresh: async () => [] },
  });
  const text = await (await empty.request('/')).text();
  assert.match(text, /Welcome to your issue tracker/);
  assert.match(text, /Create the first issue/);
  assert.not.match(text, /No issues match/);
});

test.run();
