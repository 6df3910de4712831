/** `sit record`: create a record from files (original-sit.md §4.10). */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SitError } from '../errors.ts';
import { composeRecord, recordSigner, type RecordFile } from '../store/mod.ts';
import { requireAuthor } from './author.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { parseCommand, stringOption } from './parse.ts';

/** Collects the regular files at `path` (a file, or every regular file below a directory). */
function collect(path: string, into: string[]): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (stat?.isFile()) {
    into.push(path);
  } else if (stat?.isDirectory()) {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = join(path, entry.name);
      if (entry.isDirectory() || entry.isFile()) collect(child, into);
    }
  } else if (stat?.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile()) {
    into.push(path);
  } else {
    throw new SitError(`${path} does not exist or is not a regular file; give files or directories to record`);
  }
}

/** Runs `sit record`. */
export async function runRecord(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'record',
      usage: 'record [item] [...files]',
      description:
        'Create a record from files (named by their path relative to the current directory) and print its hash',
      options: [
        ['-t, --type <types>', 'record types, comma-separated (adds empty .type/<T> files)'],
        ['--no-timestamp', 'do not add .timestamp'],
        ['--no-author', 'do not add .authors'],
        ['--no-aux', 'add neither .authors nor .timestamp'],
        ['-n', 'same as --no-aux'],
        ['-s, --sign', 'sign the record with GnuPG'],
        ['--signing-key <key>', 'the GnuPG key to sign with (needs --sign)'],
        ['--gnupg <command>', 'the GnuPG program (needs --sign)'],
      ],
      examples: ['sit record -t Commented ITEM text', 'sit record -t Closed ITEM'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const options = parsed.options;
  const aux = options.aux !== false && options.n !== true;
  const withAuthor = aux && options.author !== false;
  const withTimestamp = aux && options.timestamp !== false;
  const sign = options.sign === true || context.userConfig().signing.enabled;
  const signingKey = stringOption(options, 'signingKey');
  const gnupg = stringOption(options, 'gnupg');
  if ((signingKey !== undefined || gnupg !== undefined) && options.sign !== true) {
    throw new UsageError('--signing-key and --gnupg need --sign');
  }
  const author = withAuthor ? await requireAuthor(context) : undefined;
  const repo = context.repository();
  const positionals = [...parsed.args];
  let itemId: string | undefined;
  const first = positionals[0];
  if (first !== undefined && !existsSync(first)) {
    if (!repo.hasItem(first)) throw new SitError(`Item or file ${first} not found`);
    itemId = first;
    positionals.shift();
  }
  const cwd = realpathSync(process.cwd());
  const paths: string[] = [];
  for (const path of positionals) collect(path, paths);
  const files: RecordFile[] = [];
  for (const path of paths) {
    const real = realpathSync(path);
    const name = relative(cwd, real);
    if (name.startsWith('..') || name === '' || name.split(sep)[0] === '..') {
      throw new SitError(
        `Path "${path}" is not relative to ${cwd} current directory; run sit record from a directory that contains the files`,
      );
    }
    files.push({ name: name.split(sep).join('/'), data: readFileSync(real) });
  }
  const typeOption = stringOption(options, 'type');
  const composed = composeRecord(files, { types: typeOption?.split(','), author, timestamp: withTimestamp });
  const key = signingKey ?? context.userConfig().signing.key;
  const program = gnupg ?? context.userConfig().signing.gnupg;
  const signer = recordSigner({ enabled: sign, key, gnupg: program });
  const hash = repo.newRecord(composed, {
    ...(itemId === undefined ? {} : { itemId }),
    ...(signer === undefined ? {} : { sign: signer }),
  });
  context.print(hash);
  return 0;
}
