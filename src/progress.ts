/**
 * Progress bars for long work on a terminal: drawn on standard error, only when it is a terminal,
 * and only once the work has run for a while (a second by default), so that quick commands and
 * pipes see nothing at all. The bar is cleared as soon as a step is complete (`done` reaches
 * `total`) and when the work ends; standard output is never touched.
 *
 * The work itself knows nothing of bars: it reports `onProgress(done, total)` to whoever asked
 * (an option of the engine or the store), and the command line passes {@linkcode ProgressBar.update}.
 *
 *   const bar = new ProgressBar('Reducing items');
 *   try {
 *     await engine.reduceItems(ids, { onProgress: bar.update });
 *   } finally {
 *     bar.end();
 *   }
 * @module
 */

/** The part of a stream a bar uses (`process.stderr` by default). */
export interface ProgressStream {
  /** Whether the stream is a terminal: without one, nothing is drawn. */
  isTTY?: boolean;
  /** The terminal's width in characters (80 when unknown). */
  columns?: number;
  write(text: string): unknown;
}

/** Options of a {@linkcode ProgressBar}. */
export interface ProgressOptions {
  /** Where the bar is drawn (default `process.stderr`). */
  stream?: ProgressStream;
  /**
   * How long the work runs before the bar shows, in milliseconds (default: the environment's
   * `SIT_PROGRESS_DELAY_MS`, else 1000).
   */
  delayMs?: number;
  /** The environment read for `SIT_PROGRESS_DELAY_MS` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The default wait before a bar shows: work under a second shows none. */
export const PROGRESS_DELAY_MS = 1000;

/** The least time between two drawings of a bar, in milliseconds. */
const REDRAW_MS = 100;

/** Erases the current line of a terminal and returns to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/** The wait before a bar shows: `delayMs`, else `SIT_PROGRESS_DELAY_MS`, else one second. */
function delayOf(options: ProgressOptions): number {
  if (options.delayMs !== undefined) return options.delayMs;
  const text = (options.env ?? process.env)['SIT_PROGRESS_DELAY_MS'];
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isFinite(value) && value >= 0 ? value : PROGRESS_DELAY_MS;
}

/**
 * The text of a bar for `done` of `total` in `columns` characters:
 * `Reducing items [=========>          ] 412/1000`.
 */
export function renderBar(label: string, done: number, total: number, columns: number): string {
  const count = total > 0 ? `${Math.min(done, total)}/${total}` : `${done}`;
  // One column is left free: a terminal that wraps at the last column would start a new line.
  const room = Math.max(0, columns - 1 - label.length - count.length - 4);
  if (room < 10) return `${label} ${count}`.slice(0, Math.max(0, columns - 1));
  const filled = total > 0 ? Math.round((room * Math.min(done, total)) / total) : 0;
  const bar =
    filled >= room
      ? '='.repeat(room)
      : `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(room - Math.max(filled, 0))}`;
  return `${label} [${bar}] ${count}`;
}

/** A progress bar for one piece of work (see the module's header). */
export class ProgressBar {
  readonly #label: string;
  readonly #stream: ProgressStream;
  readonly #on: boolean;
  readonly #started = performance.now();
  readonly #delay: number;
  #done = 0;
  #total = 0;
  #known = false;
  #drawn = false;
  #lastDrawn = 0;
  #ended = false;
  #timer: NodeJS.Timeout | undefined;

  /** A bar labelled `label`; it shows once the work has run for the delay and reported progress. */
  constructor(label: string, options: ProgressOptions = {}) {
    this.#label = label;
    this.#stream = options.stream ?? process.stderr;
    this.#on = this.#stream.isTTY === true;
    this.#delay = delayOf(options);
    if (this.#on && this.#delay > 0) {
      // Work that reports nothing for a while still gets its bar drawn when the delay is over.
      this.#timer = setTimeout(() => this.#draw(), this.#delay);
      this.#timer.unref();
    }
  }

  /** Reports `done` of `total` steps; a bound function, to be passed on as a callback. */
  readonly update = (done: number, total: number): void => {
    if (!this.#on || this.#ended) return;
    this.#done = done;
    this.#total = total;
    this.#known = true;
    // A step that is complete is cleared at once: what the command prints next starts on a clean line.
    if (done >= total) {
      this.#clear();
      return;
    }
    const now = performance.now();
    if (now - this.#started < this.#delay) return;
    if (this.#drawn && now - this.#lastDrawn < REDRAW_MS) return;
    this.#draw();
  };

  #draw(): void {
    if (!this.#on || this.#ended || !this.#known || this.#done >= this.#total) return;
    const columns = this.#stream.columns !== undefined && this.#stream.columns > 0 ? this.#stream.columns : 80;
    this.#stream.write(`${CLEAR_LINE}${renderBar(this.#label, this.#done, this.#total, columns)}`);
    this.#drawn = true;
    this.#lastDrawn = performance.now();
  }

  /** Ends the work: the bar, if it was drawn, is cleared. Later updates are ignored. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#clear();
  }

  #clear(): void {
    if (!this.#drawn) return;
    this.#stream.write(CLEAR_LINE);
    this.#drawn = false;
  }
}

/**
 * Runs `work` with the `onProgress` callback of a bar labelled `label`, and clears the bar when
 * the work ends, however it ends.
 */
export async function withProgress<T>(
  label: string,
  work: (onProgress: (done: number, total: number) => void) => T | Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  const bar = new ProgressBar(label, options);
  try {
    return await work(bar.update);
  } finally {
    bar.end();
  }
}
