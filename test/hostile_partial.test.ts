// A record that arrives file by file (Syncthing, Dropbox and `cp -r` create its directory first)
// does not hash to its name until its last file is there: the item's state leaves it out for now,
// says so, and takes it in as soon as it is whole, in the command line and in `sit web`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ItemIndex } from '../src/reduce/mod.ts';
import { Repository, splitPath } from '../src/store/mod.ts';
import { makeSandbox, ROOT, sit } from './helpers/cli.ts';
import { recordFiles } from './helpers/web_fixtures.ts';

/** A project with the issue-tracking module and an issue whose latest comment is still being copied. */
function project() {
  const sandbox = makeSandbox();
  const dir = join(sandbox.dir, 'work', 'project');
  mkdirSync(dir, { recursive: true });
  assert.is(sit(sandbox, ['init'], { cwd: dir }).status, 0);
  const repo = Repository.open(join(dir, '.sit'));
  mkdirSync(join(repo.root, 'modules'));
  symlinkSync(join(ROOT, 'modules', 'issue-tracking'), join(repo.root, 'modules', 'issue-tracking'));
  const id = repo.newItem();
  repo.newRecord(recordFiles(['SummaryChanged'], 'Partly copied', '2024-01-01T00:00:00Z'), { itemId: id });
  const hash = repo.newRecord(
    recordFiles(['Commented'], 'the comment that is still on its way', '2024-01-02T00:00:00Z'),
    { itemId: id },
  );
  const text = join(repo.root, 'records', splitPath(hash), 'text');
  const content = readFileSync(text);
  return { sandbox, dir, repo, id, hash, text, content };
}

test('the command line leaves out a record still being copied, says so, and takes it in once it is whole', () => {
  const { sandbox, dir, id, hash, text, content } = project();
  const comments = () => sit(sandbox, ['items', '-q', "join('|', comments[].text || `[]`)"], { cwd: dir }).stdout;
  rmSync(text);
  // Both runs: the first fills the caches, the second reads them.
  for (let i = 0; i < 2; i++) {
    assert.is(comments(), '\n');
    const show = sit(sandbox, ['issue', 'show', id], { cwd: dir });
    assert.is(show.status, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`Damaged: +1 record left out .*${hash}`));
  }
  writeFileSync(text, content);
  assert.is(
    comments(),
    'the comment that is still on its way\n',
    'the cached state did not hide the record once whole',
  );
  assert.not.match(sit(sandbox, ['issue', 'show', id], { cwd: dir }).stdout, /Damaged/);
});

test('sit web leaves out a record still being copied, shows it on the page, and takes it in once it is whole', async () => {
  const { sandbox, repo, id, hash, text, content } = project();
  rmSync(text);
  process.env['SIT_CACHE_DIR'] = sandbox.env['SIT_CACHE_DIR'];
  const index = await ItemIndex.open(repo, { env: sandbox.env });
  try {
    assert.equal(index.get(id)?.['comments'] ?? [], []);
    assert.equal(index.incomplete(), [id], 'the server will look at it again');
    assert.equal(index.damagedRecords(id), [hash]);
    const { createApp } = await import('../src/server.ts');
    const app = createApp({ repo, index, author: { name: 'T' } });
    const page = await (await app.request(`/issue/${id}`)).text();
    assert.match(page, new RegExp(`1 record of this issue was left out .*${hash}`));
    writeFileSync(text, content);
    // What the server's two-second poll does for such items: nothing in the item's directory changed.
    const changed = await index.refresh(index.incomplete());
    assert.equal(changed, [id]);
    assert.is(
      (index.get(id)?.['comments'] as Array<{ text: string }> | undefined)?.[0]?.text,
      'the comment that is still on its way',
    );
    assert.equal(index.incomplete(), []);
    assert.not.match(await (await app.request(`/issue/${id}`)).text(), /left out/);
  } finally {
    await index.close();
  }
});

test.run();
