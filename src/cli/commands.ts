/**
 * The built-in subcommands: their one-line summaries (for `sit --help`, without loading them) and
 * where their code lives (loaded only when the command runs, so that `sit --help` stays quick).
 * @module
 */
import type { CommandName } from './command_names.ts';
import type { Context } from './context.ts';

/** Runs one subcommand with its arguments; resolves to the exit status. */
export type CommandRunner = (context: Context, argv: string[]) => Promise<number>;

/** A built-in subcommand. */
export interface CommandEntry {
  /** What it does, in one line. */
  summary: string;
  /** Loads the command's code. */
  load: () => Promise<CommandRunner>;
  /** Whether it reads the repository at a revision with `sit --at REV` (others refuse `--at`). */
  at?: boolean;
  /** What to do instead when it is given `--at` and refuses it (`REV` stands for the revision). */
  atInstead?: string;
}

/** Every built-in subcommand by name (those of command_names.ts, in that order). */
export const COMMANDS: Record<CommandName, CommandEntry> = {
  init: { summary: 'Create a new repository in .sit', load: async () => (await import('./init.ts')).runInit },
  item: { summary: 'Create a new item', load: async () => (await import('./item.ts')).runItem },
  items: {
    summary: 'List items, reduced, filtered and queried',
    load: async () => (await import('./reduce.ts')).runItems,
    at: true,
  },
  record: {
    summary: 'Create a record (in an item or in the repository)',
    load: async () => (await import('./record.ts')).runRecord,
  },
  records: {
    summary: 'List records in generation order',
    load: async () => (await import('./records.ts')).runRecords,
    at: true,
  },
  reduce: {
    summary: 'Reduce an item or the repository and print the state',
    load: async () => (await import('./reduce.ts')).runReduce,
    at: true,
  },
  integrity: {
    summary: 'Check that every record matches its hash',
    load: async () => (await import('./maintenance.ts')).runIntegrity,
    at: true,
  },
  config: {
    summary: 'Print the user or repository configuration',
    load: async () => (await import('./config.ts')).runConfig,
    at: true,
  },
  modules: {
    summary: 'List the modules of the repository',
    load: async () => (await import('./modules.ts')).runModules,
  },
  module: {
    summary: 'Add a module shipped with sit (issue-tracking) to the repository',
    load: async () => (await import('./modules.ts')).runModule,
  },
  path: {
    summary: 'Print the path of the repository or of a record',
    load: async () => (await import('./path.ts')).runPath,
  },
  jmespath: {
    summary: 'Evaluate a JMESPath expression over JSON read from stdin',
    load: async () => (await import('./config.ts')).runJmespath,
  },
  upgrade: {
    summary: 'Upgrade a repository made by an older SIT',
    load: async () => (await import('./maintenance.ts')).runUpgrade,
  },
  rebuild: {
    summary: 'Re-hash every record of a repository into a new one',
    load: async () => (await import('./maintenance.ts')).runRebuild,
  },
  trust: {
    summary:
      'Trust what this repository ships: executables (.sit/cli, modules/*/cli) and web overlays (.sit/web, modules/*/web)',
    load: async () => (await import('./external.ts')).runTrust,
  },
  daemon: {
    summary: "Answer other commands' reads of this repository from memory while it runs (optional)",
    load: async () => (await import('./daemon.ts')).runDaemon,
  },
  web: {
    summary: 'Serve the web interface',
    load: async () => (await import('./web.ts')).runWeb,
    atInstead: 'run sit web without --at and open /?at=REV: every page of it reads a revision that way',
  },
  args: {
    summary: "Parse a shell script's arguments against a clap YAML specification on stdin",
    load: async () => (await import('./args.ts')).runArgs,
  },
  mr: {
    summary: 'Create a merge request from a branch, or list merge requests',
    load: async () => (await import('./mr.ts')).runMr,
  },
  'mr-merge': {
    summary: 'Merge a merge request (git am -3 on a merge branch) and close it',
    load: async () => (await import('./mr.ts')).runMrMerge,
  },
  inbox: {
    summary: 'Accept only new records: check a range, print a pre-receive hook, apply a patch series',
    load: async () => (await import('./inbox.ts')).runInbox,
  },
};
