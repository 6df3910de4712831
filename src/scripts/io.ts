/**
 * The terminal side of module scripts: standard streams, the text editor and files the user named
 * on the command line. Injected into the host so that tests can replace the process's streams.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { SitError } from '../errors.ts';
import { forTerminal } from '../terminal.ts';

/** The editor could not be run, or failed. */
export class EditorError extends SitError {}

/** A file given on the command line that cannot be read as text. */
export class ScriptFileError extends SitError {}

/** The largest file (or standard input) a script may read, in bytes. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Where a module script's input and output go. */
export interface ScriptIo {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads all of standard input (called at most once per run). */
  readStdin(): string;
  /** Whether standard input is a terminal (then `edit` opens the editor). */
  stdinIsTTY: boolean;
  /** The environment: `VISUAL`, `EDITOR`. */
  env: NodeJS.ProcessEnv;
  /** The directory relative file names are resolved against. */
  cwd: string;
  /** Whether standard output is a terminal (default false). */
  stdoutIsTTY?: boolean;
  /** The terminal's size, when standard output is one. */
  columns?: number;
  rows?: number;
  /** Writes to standard output exactly as given (text the host already escaped and coloured). */
  rawStdout?(text: string): void;
  /** Shows `text` (already escaped) through the pager; false when there is none to run. */
  page?(text: string): boolean;
  /** Writes `prompt` and reads one line from the terminal (without its newline); none when it cannot ask. */
  question?(prompt: string): Promise<string>;
}

/** Asks `prompt` on the process's terminal and returns the line answered. */
async function askProcess(prompt: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(prompt);
  } finally {
    rl.close();
  }
}

/** The pager command: `$SIT_PAGER`, else `$PAGER`, else `less`, split on white space (no shell); none for `cat` or empty. */
export function pagerCommand(env: NodeJS.ProcessEnv): string[] | undefined {
  const chosen = env.SIT_PAGER ?? env.PAGER ?? 'less';
  const words = chosen
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0 || (words.length === 1 && words[0] === 'cat')) return undefined;
  return words;
}

/**
 * Runs the pager on `text` and waits for it: standard output stays the terminal, the text goes to
 * the pager's standard input. `less` gets `LESS=FRX` unless `LESS` is set (quit when the text
 * fits the screen, keep colours, leave the text on the screen), as git does. False when the pager
 * cannot be started, so that the caller prints the text itself.
 */
export function runPager(env: NodeJS.ProcessEnv, text: string): boolean {
  const command = pagerCommand(env);
  if (command === undefined) return false;
  const [program, ...args] = command as [string, ...string[]];
  const result = spawnSync(program, args, {
    input: text,
    stdio: ['pipe', 'inherit', 'inherit'],
    env: { ...env, LESS: env.LESS ?? 'FRX', LV: env.LV ?? '-c' },
  });
  return result.error === undefined;
}

/** The process's own streams and environment. */
export function processIo(): ScriptIo {
  return {
    // Scripts print record text: on a terminal its control characters are shown escaped.
    stdout: (text) => void process.stdout.write(forTerminal(text, process.stdout.isTTY)),
    stderr: (text) => void process.stderr.write(forTerminal(text, process.stderr.isTTY)),
    readStdin: () => decodeText(readFileSync(0), 'standard input'),
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(process.stdout.isTTY === true
      ? { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 }
      : {}),
    rawStdout: (text) => void process.stdout.write(text),
    page: (text) => runPager(process.env, text),
    question: askProcess,
  };
}

/** Decodes UTF-8 text, refusing binary data and oversized input with a clear error. */
export function decodeText(data: Uint8Array, what: string): string {
  if (data.byteLength > MAX_INPUT_BYTES) {
    throw new ScriptFileError(`${what} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; give a smaller text`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ScriptFileError(`${what} is not UTF-8 text; give a text file`);
  }
  if (text.includes('\0')) throw new ScriptFileError(`${what} contains NUL bytes, so it is not text; give a text file`);
  return text;
}

/** Reads the text file `path` (relative to `cwd`). */
export function readTextFile(cwd: string, path: string): string {
  const full = resolve(cwd, path);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (stat === undefined) throw new ScriptFileError(`cannot read ${path}: no such file`);
  if (!stat.isFile()) throw new ScriptFileError(`cannot read ${path}: not a regular file`);
  if (stat.size > MAX_INPUT_BYTES) {
    throw new ScriptFileError(`${path} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; give a smaller text`);
  }
  let data: Buffer;
  try {
    data = readFileSync(full);
  } catch (error) {
    throw new ScriptFileError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return decodeText(data, path);
}

/** What `edit` shows and how. */
export interface EditRequest {
  /** The text to start from. */
  initial?: string;
  /** Help shown below the text, each line prefixed with `# ` and removed again afterwards. */
  help?: string;
  /** The temporary file's name (e.g. `ISSUE_EDITMSG.md`, so the editor picks Markdown). */
  fileName?: string;
}

/** The editor command: `$VISUAL`, else `$EDITOR`, else `vi`, split on white space (no shell). */
export function editorCommand(env: NodeJS.ProcessEnv): string[] {
  for (const value of [env.VISUAL, env.EDITOR]) {
    const words = (value ?? '')
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length > 0) return words;
  }
  return ['vi'];
}

/**
 * Opens the editor on a temporary file holding `initial` and the help lines, waits for it, and
 * returns the text without the help lines. Other lines starting with `#` (Markdown headings) stay.
 */
export function editText(io: ScriptIo, request: EditRequest): string {
  const helpLines = (request.help ?? '')
    .split('\n')
    .filter((line, i, all) => line !== '' || i < all.length - 1)
    .map((line) => (line === '' ? '#' : `# ${line}`));
  const initial = request.initial ?? '';
  const body =
    helpLines.length === 0
      ? initial
      : `${initial}${initial.endsWith('\n') || initial === '' ? '' : '\n'}\n${helpLines.join('\n')}\n`;
  const fileName =
    request.fileName !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(request.fileName)
      ? request.fileName
      : 'SIT_EDITMSG.md';
  const dir = mkdtempSync(join(tmpdir(), 'sit-edit-'));
  try {
    const file = join(dir, fileName);
    writeFileSync(file, body);
    const [program, ...args] = editorCommand(io.env) as [string, ...string[]];
    const result = spawnSync(program, [...args, file], { stdio: 'inherit' });
    if (result.error !== undefined) {
      throw new EditorError(
        `cannot run the editor ${JSON.stringify(program)}: ${result.error.message}; set $VISUAL or $EDITOR, or give the text with an option`,
      );
    }
    if (result.status !== 0) {
      const how = result.status === null ? `was killed by ${result.signal}` : `exited with status ${result.status}`;
      throw new EditorError(`the editor ${JSON.stringify(program)} ${how}; nothing was recorded`);
    }
    const help = new Set(helpLines.map((line) => line.replace(/\s+$/, '')));
    const text = readFileSync(file, 'utf8');
    return text
      .split('\n')
      .filter((line) => !help.has(line.replace(/\s+$/, '')))
      .join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
