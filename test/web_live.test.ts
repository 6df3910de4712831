// Live updates: the change feed, the item watcher, and the SSE stream that tells open pages to
// refresh when records arrive on disk from another process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, parseListen } from '../src/server.ts';
import { ChangeFeed } from '../src/web/changes.ts';
import { watchItems } from '../src/web/watch.ts';
import { recordFiles, webFixture } from './helpers/web_fixtures.ts';

test('ChangeFeed: sequence, listeners, changedSince with and without an item', () => {
  const feed = new ChangeFeed(3);
  const heard: string[][] = [];
  const stop = feed.subscribe((c) => heard.push([...c.ids]));
  feed.publish([]);
  assert.is(feed.seq, 0, 'empty batches are ignored');
  feed.publish(['a']);
  feed.publish(['b', 'c']);
  assert.is(feed.seq, 2);
  assert.equal(heard, [['a'], ['b', 'c']]);
  assert.ok(feed.changedSince(0));
  assert.ok(feed.changedSince(1, 'b'));
  assert.not.ok(feed.changedSince(1, 'a'));
  assert.not.ok(feed.changedSince(2));
  stop();
  feed.publish(['d']);
  feed.publish(['e']);
  feed.publish(['f']);
  assert.is(heard.length, 2, 'unsubscribed');
  assert.ok(feed.changedSince(1, 'zzz'), 'history too short: assume a change');
});

test('watchItems: new links in existing and new item directories are reported, debounced', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sit-watch-'));
  mkdirSync(join(root, 'items', 'one'), { recursive: true });
  const batches: string[][] = [];
  const watcher = watchItems(root, (ids) => batches.push(ids), { debounceMs: 50 });
  try {
    writeFileSync(join(root, 'items', 'one', 'AAAA'), 'link');
    writeFileSync(join(root, 'items', 'one', 'BBBB'), 'link');
    mkdirSync(join(root, 'items', 'two'));
    await new Promise((r) => setTimeout(r, 60));
    writeFileSync(join(root, 'items', 'two', 'CCCC'), 'link');
    await new Promise((r) => setTimeout(r, 400));
    const seen = new Set(batches.flat());
    assert.ok(seen.has('one') && seen.has('two'), `saw ${[...seen]}`);
    assert.ok(batches.length <= 3, `debounced into few batches: ${JSON.stringify(batches)}`);
    const count = batches.length;
    writeFileSync(join(root, 'items', 'two', 'DDDD'), 'link');
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(batches.length > count && batches[batches.length - 1]!.includes('two'), 'the new directory is watched');
  } finally {
    watcher.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('parseListen: host and port, IPv6, errors', () => {
  assert.equal(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.equal(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListen('localhost'), /HOST:PORT/);
  assert.throws(() => parseListen('a:99999'), /HOST:PORT/);
});

/** Reads SSE events from a stream until `until` says stop or the time runs out. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  until: (events: Array<Record<string, string>>) => boolean,
  ms = 5000,
): Promise<Array<Record<string, string>>> {
  const reader = body.getReader();
  const events: Array<Record<string, string>> = [];
  let buffer = '';
  const deadline = Date.now() + ms;
  const dec = new TextDecoder();
  try {
    while (Date.now() < deadline && !until(events)) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((r) =>
          setTimeout(() => r({ done: true, value: undefined }), deadline - Date.now()),
        ),
      ]);
      if (chunk.done) break;
      buffer += dec.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: Record<string, string> = {};
        for (const line of block.split('\n')) {
          const i = line.indexOf(':');
          if (i <= 0) continue;
          event[line.slice(0, i)] = line.slice(i + 1).trimStart();
        }
        if (Object.keys(event).length > 0) events.push(event);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

test('a record written by another process reaches /events of the item and of the list', async () => {
  const f = await webFixture();
  const server = await startServer({
    repo: f.repo,
    index: f.index,
    author: { name: 'Live' },
    listen: '127.0.0.1:0',
    print: () => undefined,
  });
  try {
    const id = await f.issue('Watched issue');
    const other = await f.issue('Other issue');
    const base = `http://127.0.0.1:${server.port}`;
    const itemStream = await fetch(`${base}/events?item=${id}&since=${server.feed.seq}`);
    const listStream = await fetch(`${base}/events?since=${server.feed.seq}`);
    assert.match(itemStream.headers.get('content-type') ?? '', /text\/event-stream/);
    // Another writer: straight into the store, as `sit issue comment` or a git pull would.
    setTimeout(() => {
      f.repo.newRecord(recordFiles(['Commented'], 'from elsewhere'), { itemId: other });
      setTimeout(() => f.repo.newRecord(recordFiles(['Commented'], 'from elsewhere'), { itemId: id }), 300);
    }, 100);
    const [itemEvents, listEvents] = await Promise.all([
      readEvents(itemStream.body!, (e) => e.some((x) => x['event'] === 'situpdate')),
      readEvents(listStream.body!, (e) => e.filter((x) => x['event'] === 'situpdate').length >= 2),
    ]);
    const itemUpdates = itemEvents.filter((e) => e['event'] === 'situpdate');
    assert.is(itemUpdates.length, 1, 'the item stream hears about its own item only');
    assert.ok(listEvents.filter((e) => e['event'] === 'situpdate').length >= 2, 'the list hears about both');
    assert.ok(
      itemEvents.some((e) => e['data'] === 'This issue was updated.'),
      'a status line for screen readers',
    );
    const comments = f.index.get(id)!['comments'] as Array<{ text: string }>;
    assert.is(comments[0]!.text, 'from elsewhere', 'the index was refreshed from disk');

    // A page that connects late (or reconnects) with an older sequence is told at once.
    const late = await fetch(`${base}/events?item=${id}&since=0`);
    const lateEvents = await readEvents(late.body!, (e) => e.some((x) => x['event'] === 'situpdate'), 2000);
    assert.ok(lateEvents.some((e) => e['event'] === 'situpdate'));
    const reconnect = await fetch(`${base}/events?item=${id}`, {
      headers: { 'last-event-id': String(server.feed.seq) },
    });
    const quiet = await readEvents(reconnect.body!, (e) => e.some((x) => x['event'] === 'situpdate'), 500);
    assert.not.ok(
      quiet.some((e) => e['event'] === 'situpdate'),
      'nothing new since Last-Event-ID',
    );
  } finally {
    await server.close();
    await f.close();
  }
});

test('a record that arrives after its item link still reaches the index and /events', async () => {
  const f = await webFixture();
  const id = await f.issue('Waiting issue');
  // A synchronisation that copies items/ before records/: the link is there, the record is not.
  const hash = f.repo.newRecord(recordFiles(['Commented'], 'late record'), { itemId: id });
  const recordDir = f.repo.recordPath(hash)!;
  const away = join(mkdtempSync(join(tmpdir(), 'sit-late-')), 'record');
  renameSync(recordDir, away);
  await f.index.refresh([id]);
  assert.equal(f.index.incomplete(), [id]);
  const server = await startServer({
    repo: f.repo,
    index: f.index,
    author: { name: 'Live' },
    listen: '127.0.0.1:0',
    print: () => undefined,
  });
  try {
    const stream = await fetch(`http://127.0.0.1:${server.port}/events?item=${id}&since=${server.feed.seq}`);
    setTimeout(() => renameSync(away, recordDir), 200);
    const events = await readEvents(stream.body!, (e) => e.some((x) => x['event'] === 'situpdate'), 8000);
    assert.ok(
      events.some((e) => e['event'] === 'situpdate'),
      'the page hears about the late record',
    );
    const comments = f.index.get(id)!['comments'] as Array<{ text: string }>;
    assert.is(comments.at(-1)!.text, 'late record');
  } finally {
    await server.close();
    await f.close();
  }
});

test('non-loopback listening needs a token, printed with the address', async () => {
  const f = await webFixture();
  const lines: string[] = [];
  // 0.0.0.0 is not loopback; bind it on a random port.
  const server = await startServer({
    repo: f.repo,
    index: f.index,
    author: { name: 'T' },
    listen: '0.0.0.0:0',
    print: (l) => lines.push(l),
    watch: false,
  });
  try {
    assert.ok(server.token !== undefined && server.token.length >= 20);
    assert.match(lines[0]!, new RegExp(`^Serving on http://0\\.0\\.0\\.0:${server.port}/\\?token=${server.token}$`));
    assert.is((await fetch(`http://127.0.0.1:${server.port}/`)).status, 401);
    assert.is(
      (await fetch(`http://127.0.0.1:${server.port}/`, { headers: { authorization: `Bearer ${server.token}` } }))
        .status,
      200,
    );
  } finally {
    await server.close();
    await f.close();
  }
  const g = await webFixture();
  const local = await startServer({
    repo: g.repo,
    index: g.index,
    author: { name: 'T' },
    listen: '127.0.0.1:0',
    print: (l) => lines.push(l),
    watch: false,
  });
  try {
    assert.is(local.token, undefined);
    assert.is(lines[1], `Serving on http://127.0.0.1:${local.port}`);
    assert.is((await fetch(`http://127.0.0.1:${local.port}/`)).status, 200);
  } finally {
    await local.close();
    await g.close();
  }
});

test.run();
