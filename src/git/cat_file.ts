/**
 * One long-lived `git cat-file --batch` process: objects are asked for by id, many at a time, and
 * read back from one stream in order. Only what a request asks for is kept; the stream is parsed
 * as it arrives (a header line, then exactly the object's bytes).
 * @module
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Socket } from 'node:net';
import { GitError } from './errors.ts';
import { firstLine, spawnGit } from './run.ts';

/** An object read from git. */
export interface GitObject {
  oid: string;
  type: string;
  data: Buffer;
}

interface Pending {
  oid: string;
  resolve: (object: GitObject | undefined) => void;
  reject: (error: Error) => void;
}

/** Requests written to git but not answered yet, at most. */
const IN_FLIGHT = 512;

const NEWLINE = 0x0a;

/** Reads objects through one `git cat-file --batch` process. */
export class CatFile {
  readonly #child: ChildProcessWithoutNullStreams;
  /** Written, waiting for their answer, in order. */
  readonly #inFlight: Pending[] = [];
  /** Not written yet (more than {@link IN_FLIGHT} were asked for). */
  readonly #waiting: Pending[] = [];
  #header: Buffer[] = [];
  #body: Buffer | undefined;
  #bodyFilled = 0;
  /** The newline after an object's bytes is still to come. */
  #trailer = false;
  #stderr = '';
  #failure: Error | undefined;
  #closed = false;
  #exited: Promise<void>;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    child.stdout.on('data', (chunk: Buffer) => this.#receive(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 4096) this.#stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => {
      // reported through the exit below
    });
    this.#exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.#fail(new GitError(`cannot run git cat-file: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
        resolve();
      });
      child.on('close', (code) => {
        if (!this.#closed || this.#inFlight.length > 0) {
          this.#fail(new GitError(`git cat-file stopped (${firstLine(this.#stderr) || `exit status ${code}`})`));
        }
        resolve();
      });
    });
    this.#idle();
  }

  /** Starts `git cat-file --batch` in `cwd`. */
  static start(cwd: string, env?: NodeJS.ProcessEnv): CatFile {
    return new CatFile(spawnGit(['cat-file', '--batch'], env === undefined ? { cwd } : { cwd, env }));
  }

  /** The object `oid` (a full object id), or undefined when the repository does not have it. */
  read(oid: string): Promise<GitObject | undefined> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new GitError('git cat-file was closed'));
    if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(oid))
      return Promise.reject(new GitError(`not an object id: ${JSON.stringify(oid)}`));
    return new Promise((resolve, reject) => {
      const pending = { oid, resolve, reject };
      if (this.#inFlight.length >= IN_FLIGHT) {
        this.#waiting.push(pending);
        return;
      }
      this.#send(pending);
    });
  }

  /** Ends the process (objects asked for before are still answered). */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      // Waiting for the exit needs the process (and its output) referenced again.
      this.#busy();
      this.#child.stdin.end();
    }
    await this.#exited;
  }

  #send(pending: Pending): void {
    if (this.#inFlight.length === 0 && this.#waiting.length === 0) this.#busy();
    this.#inFlight.push(pending);
    this.#child.stdin.write(`${pending.oid}\n`);
  }

  /** Keeps the process alive while answers are awaited, and not otherwise. */
  #busy(): void {
    this.#child.ref();
    (this.#child.stdout as unknown as Socket).ref();
  }

  #idle(): void {
    this.#child.unref();
    (this.#child.stdout as unknown as Socket).unref();
    (this.#child.stderr as unknown as Socket).unref();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#inFlight.splice(0).concat(this.#waiting.splice(0))) pending.reject(this.#failure);
  }

  #receive(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#trailer) {
        if (chunk[at] !== NEWLINE) {
          this.#fail(new GitError('git cat-file sent an object without its final newline'));
          return;
        }
        at++;
        this.#trailer = false;
        this.#answer(this.#finishBody());
        continue;
      }
      if (this.#body !== undefined) {
        const count = Math.min(this.#body.length - this.#bodyFilled, chunk.length - at);
        chunk.copy(this.#body, this.#bodyFilled, at, at + count);
        this.#bodyFilled += count;
        at += count;
        if (this.#bodyFilled === this.#body.length) this.#trailer = true;
        continue;
      }
      const end = chunk.indexOf(NEWLINE, at);
      if (end < 0) {
        this.#header.push(chunk.subarray(at));
        return;
      }
      this.#header.push(chunk.subarray(at, end));
      at = end + 1;
      const line = Buffer.concat(this.#header).toString('latin1');
      this.#header = [];
      this.#startObject(line);
    }
  }

  #type = '';
  #oid = '';

  #startObject(line: string): void {
    const parts = line.split(' ');
    if (parts.length === 2 && (parts[1] === 'missing' || parts[1] === 'ambiguous')) {
      this.#answer(undefined);
      return;
    }
    const size = Number(parts[2]);
    if (parts.length !== 3 || !Number.isSafeInteger(size) || size < 0) {
      this.#fail(new GitError(`git cat-file sent an unexpected line: ${JSON.stringify(line.slice(0, 200))}`));
      return;
    }
    this.#oid = parts[0]!;
    this.#type = parts[1]!;
    this.#body = Buffer.allocUnsafe(size);
    this.#bodyFilled = 0;
    if (size === 0) this.#trailer = true;
  }

  #finishBody(): GitObject {
    const object = { oid: this.#oid, type: this.#type, data: this.#body! };
    this.#body = undefined;
    return object;
  }

  #answer(object: GitObject | undefined): void {
    const pending = this.#inFlight.shift();
    if (pending === undefined) {
      this.#fail(new GitError('git cat-file answered a request that was not made'));
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) {
      this.#inFlight.push(next);
      this.#child.stdin.write(`${next.oid}\n`);
    }
    if (this.#inFlight.length === 0) this.#idle();
    pending.resolve(object);
  }
}
