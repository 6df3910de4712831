/**
 * The author of new records (original-sit.md §4.17): the user configuration, then git's
 * configuration, then a question on the terminal whose answer is saved; else a clear error.
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { SitError } from '../errors.ts';
import { deriveAuthor, formatAuthor, saveUserConfig, type Author } from '../store/mod.ts';
import type { Context } from './context.ts';

/** No author could be found and there is no terminal to ask on. */
export class AuthorshipError extends SitError {}

async function ask(): Promise<Author> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    process.stdout.write('SIT needs your authorship identity to be configured\n\n');
    let name = '';
    while (name.trim() === '') name = await rl.question('What is your name? ');
    const email = (await rl.question('What is your e-mail address? (optional) ')).trim();
    return email === '' ? { name: name.trim() } : { name: name.trim(), email };
  } finally {
    rl.close();
  }
}

/** The author, asking on the terminal (and saving the answer) when nothing configures one. */
export async function requireAuthor(context: Context): Promise<Author> {
  const config = context.userConfig();
  const derived = deriveAuthor(config, { workDir: context.workDir });
  if (derived !== undefined) return derived;
  if (!process.stdin.isTTY) {
    throw new AuthorshipError(
      'SIT needs your authorship identity to be configured (supported sources: sit, git), or re-run this command in a terminal; ' +
        'e.g. git config --global user.name "Your Name"',
    );
  }
  const author = await ask();
  config.author = author;
  saveUserConfig(config);
  return author;
}

/** The `.authors` text of `author`. */
export function authorsText(author: Author): string {
  return formatAuthor(author);
}
