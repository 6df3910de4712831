// The daemon service in this process, with an index whose refresh the test holds back: a request
// that arrives while an earlier one is taking in a change waits for it, so that no answer is older
// than a change made before its request.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askDaemon } from '../src/daemon/client.ts';
import { DaemonService, type ServedIndex } from '../src/daemon/service.ts';
import { Repository } from '../src/store/mod.ts';

const dir = mkdtempSync(join(tmpdir(), 'sit-service-'));
const env = { ...process.env, SIT_CACHE_DIR: join(dir, 'cache') };
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** An index of the item directories it was told about, whose refresh waits for `release()`. */
class HeldIndex implements ServedIndex {
  ids = ['a'];
  refreshing = 0;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;

  hold(): void {
    this.#gate = new Promise((done) => (this.#open = done));
  }

  release(): void {
    this.#open();
  }

  states(): readonly Record<string, unknown>[] {
    return this.ids.map((id) => ({ id }));
  }

  get(id: string): Record<string, unknown> | undefined {
    return this.ids.includes(id) ? { id } : undefined;
  }

  async refresh(ids?: string[]): Promise<string[]> {
    if (ids === undefined || ids.length === 0) return [];
    this.refreshing += 1;
    await this.#gate;
    const added = ids.filter((id) => !this.ids.includes(id));
    this.ids = [...this.ids, ...added].sort();
    return added;
  }
}

test('a request that arrives while another one takes in a change waits for it', async () => {
  const { path } = Repository.init(join(dir, 'project'));
  mkdirSync(join(path, 'items', 'a'), { recursive: true });
  const repo = Repository.open(path);
  const index = new HeldIndex();
  const service = await DaemonService.start(repo, { index, env });
  try {
    const ask = () => askDaemon(repo.root, 'ids', [], { integrity: true, env, timeoutMs: 30_000 });
    const before = await ask();
    assert.equal(before?.ok === true ? before.value : before, ['a']);
    index.hold();
    // The watch's event is queued before the request is sent (see the service's header).
    mkdirSync(join(path, 'items', 'b'));
    const first = ask();
    for (let i = 0; i < 200 && index.refreshing === 0; i++) {
      await new Promise((done) => setTimeout(done, 10));
    }
    assert.is(index.refreshing, 1, 'the first request is taking in the new item');
    let secondAnswered = false;
    const second = ask().then((answer) => {
      secondAnswered = true;
      return answer;
    });
    await new Promise((done) => setTimeout(done, 300));
    assert.is(secondAnswered, false, 'the second request waits for the refresh in progress');
    index.release();
    const answers = await Promise.all([first, second]);
    for (const answer of answers) assert.equal(answer?.ok === true ? answer.value : answer, ['a', 'b']);
  } finally {
    index.release();
    await service.close();
  }
});

test.run();
