/**
 * The environment module scripts run in, built from the command line's context: the scripts see
 * the repository, the `--at` revision, signing and authorship through it, never the context.
 * @module
 */
import type { ScriptEnvironment } from '../scripts/environment.ts';
import type { ScriptIo } from '../scripts/io.ts';
import { knownAuthor, requireAuthor, type AuthorPrompt } from './author.ts';
import type { Context } from './context.ts';

/** The author prompt of a script run: its own terminal, when it has one and can ask on it. */
function promptOf(io: ScriptIo): AuthorPrompt {
  const question = io.question;
  return {
    interactive: io.stdinIsTTY && question !== undefined,
    write: (text) => io.stdout(text),
    question: (prompt) =>
      question === undefined ? Promise.reject(new Error('no terminal to ask on')) : question(prompt),
  };
}

/** The environment of module scripts run by this `sit` command. */
export function scriptEnvironment(context: Context): ScriptEnvironment {
  return {
    repository: () => context.repository(),
    get integrity() {
      return context.integrity;
    },
    get at() {
      return context.at;
    },
    onProgress: context.onProgress,
    revision: () => context.revision(),
    closeRevision: () => context.closeRevision(),
    refuseAt: (what) => context.refuseAt(what),
    signing: () => context.userConfig().signing,
    userSetting: (name) => context.userConfig().extra.find(([key]) => key === name)?.[1],
    authors: {
      known: () => knownAuthor(context),
      ask: (io) => requireAuthor(context, promptOf(io)),
    },
  };
}
