/**
 * `GET /events`: server-sent events for live pages. On every batch of changed items the stream
 * sends a named `situpdate` event (htmx's SSE extension turns it into a DOM event that the page's
 * live regions listen for) followed by a short status line for screen readers. `?item=ID` limits
 * the stream to one item; `since` (or `Last-Event-ID` on reconnection) makes the server send an
 * update at once when something changed while the page was not connected.
 * @module
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Change, ChangeFeed } from './changes.ts';

/** Options for {@linkcode eventsHandler}. */
export interface EventsOptions {
  feed: ChangeFeed;
  /** Most streams open at once (default 200); more are refused with 503. */
  maxStreams?: number;
  /** Seconds between keep-alive comments (default 25). */
  keepAliveSeconds?: number;
}

/** Creates the handler of `GET /events`. */
export function eventsHandler(options: EventsOptions): (c: Context) => Response | Promise<Response> {
  const { feed } = options;
  const maxStreams = options.maxStreams ?? 200;
  const keepAlive = (options.keepAliveSeconds ?? 25) * 1000;
  let open = 0;
  return (c) => {
    if (open >= maxStreams) return c.text('Too many live connections', 503);
    const item = c.req.query('item');
    const sinceText = c.req.header('last-event-id') ?? c.req.query('since');
    const since = sinceText !== undefined && /^\d+$/.test(sinceText) ? Number(sinceText) : feed.seq;
    c.header('cache-control', 'no-store');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      open++;
      const queue: Change[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = feed.subscribe((change) => {
        if (item !== undefined && !change.ids.includes(item)) return;
        queue.push(change);
        wake?.();
      });
      stream.onAbort(() => {
        wake?.();
      });
      try {
        await stream.write(`retry: 1000\nid: ${feed.seq}\n\n`);
        if (feed.changedSince(since, item)) await send(feed.seq, item === undefined ? 0 : 1);
        while (!stream.aborted && !stream.closed) {
          if (queue.length === 0) {
            const timer = new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, keepAlive).unref?.();
            });
            await timer;
            wake = undefined;
            if (stream.aborted || stream.closed) break;
            if (queue.length === 0) {
              await stream.write(': keep-alive\n\n');
              continue;
            }
          }
          const batch = queue.splice(0, queue.length);
          const last = batch[batch.length - 1]!;
          const ids = new Set(batch.flatMap((b) => b.ids));
          await send(last.seq, ids.size);
        }
      } finally {
        unsubscribe();
        open--;
      }

      async function send(seq: number, count: number): Promise<void> {
        await stream.writeSSE({ event: 'situpdate', data: String(count), id: String(seq) });
        const text =
          item !== undefined
            ? 'This issue was updated.'
            : count === 1
              ? '1 issue was updated.'
              : 'Issues were updated.';
        await stream.writeSSE({ data: text, id: String(seq) });
      }
    });
  };
}
