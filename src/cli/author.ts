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

/** Where the author is asked for when nothing configures one. */
export interface AuthorPrompt {
  /** Whether there is a terminal to ask on. */
  interactive: boolean;
  /** Writes text to the user. */
  write(text: string): void;
  /** Writes `prompt` and reads one answered line. */
  question(prompt: string): Promise<string>;
}

/** The process's terminal. */
function processPrompt(): AuthorPrompt {
  return {
    interactive: process.stdin.isTTY === true,
    write: (text) => void process.stdout.write(text),
    question: async (prompt) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(prompt);
      } finally {
        rl.close();
      }
    },
  };
}

async function ask(prompt: AuthorPrompt): Promise<Author> {
  prompt.write('SIT needs your authorship identity to be configured\n\n');
  let name = '';
  while (name.trim() === '') name = await prompt.question('What is your name? ');
  const email = (await prompt.question('What is your e-mail address? (optional) ')).trim();
  return email === '' ? { name: name.trim() } : { name: name.trim(), email };
}

/** The configured author (user configuration, then git's), if any. */
export function knownAuthor(context: Context): Author | undefined {
  return deriveAuthor(context.userConfig(), { workDir: context.workDir });
}

/**
 * The author, asking through `prompt` (default: the process's terminal) and saving the answer
 * when nothing configures one.
 */
export async function requireAuthor(context: Context, prompt: AuthorPrompt = processPrompt()): Promise<Author> {
  const derived = knownAuthor(context);
  if (derived !== undefined) return derived;
  if (!prompt.interactive) {
    throw new AuthorshipError(
      'SIT needs your authorship identity to be configured (supported sources: sit, git), or re-run this command in a terminal; ' +
        'e.g. git config --global user.name "Your Name"',
    );
  }
  const author = await ask(prompt);
  const config = context.userConfig();
  config.author = author;
  saveUserConfig(config);
  return author;
}

/** The `.authors` text of `author`. */
export function authorsText(author: Author): string {
  return formatAuthor(author);
}
