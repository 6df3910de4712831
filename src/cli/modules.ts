/** `sit modules` (original-sit.md §4.15) and `sit module add`: list and install modules. */
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { SitError } from '../errors.ts';
import { shippedModule, packageRoot } from '../paths.ts';
import { shippedLinkText, type Repository } from '../store/mod.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { parseCommand } from './parse.ts';

/** Runs `sit modules`. */
export async function runModules(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    { name: 'modules', usage: 'modules', description: 'Print the path of every module, one per line' },
    argv,
  );
  if (parsed === undefined) return 0;
  const repo = context.repository();
  for (const path of repo.modules()) {
    let shown = path;
    try {
      shown = realpathSync(path);
    } catch {
      // printed as given when it cannot be canonicalised
    }
    context.print(shown);
  }
  warnModuleProblems(repo);
  return 0;
}

function isEmptyDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

/**
 * One line for each entry of `.sit/modules/` that is an empty directory (typically a git submodule
 * that a clone did not check out), saying how to fill it.
 */
export function emptyModuleHints(repo: Repository): string[] {
  const dir = join(repo.root, 'modules');
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names
    .filter((name) => isEmptyDirectory(join(dir, name)))
    .map(
      (name) =>
        `hint: module directory ${join(dir, name)} is empty (a git submodule that is not checked out?): run \`git submodule update --init\`, or \`sit module add ${name}\``,
    );
}

/** What to tell the user of a repository with no module at all. */
export const NO_MODULE_HINT =
  'this repository has no modules: add the issue tracker with `sit module add issue-tracking` (see `sit module --help`)';

/** Whether `.sit/modules/` has no entry at all. */
export function hasNoModules(repo: Repository): boolean {
  try {
    return readdirSync(join(repo.root, 'modules')).length === 0;
  } catch {
    return true;
  }
}

/** Prints the hints about empty module directories on stderr (never fails). */
export function warnModuleProblems(repo: Repository): void {
  for (const line of emptyModuleHints(repo)) process.stderr.write(`${line}\n`);
}

/**
 * Installs the shipped module `name` into `repo`. With `copy`, a copy; otherwise a text link:
 * relative when the module lies inside the project that holds the repository (so the link works
 * in every clone, for the original SIT too), else `sit:<name>`, which names the module shipped
 * with whatever `sit` runs, on any machine. An existing empty directory (a submodule not checked
 * out) is filled with a copy. Returns what was done, as a line.
 */
export function addModule(repo: Repository, name: string, options: { copy: boolean }): string {
  const source = shippedModule(name);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !existsSync(source) || !statSync(source).isDirectory()) {
    const known = readdirSync(join(packageRoot(), 'modules')).join(', ');
    throw new SitError(`no module named ${JSON.stringify(name)} ships with sit; known modules: ${known}`);
  }
  const modulesDir = join(repo.root, 'modules');
  const target = join(modulesDir, name);
  if (isEmptyDirectory(target)) {
    cpSync(source, target, { recursive: true });
    return `Module ${name} copied into the empty directory ${target}`;
  }
  if (existsSync(target))
    throw new SitError(`module ${name} is already installed at ${target}; remove it first to replace it`);
  mkdirSync(modulesDir, { recursive: true });
  if (options.copy) {
    cpSync(source, target, { recursive: true });
    return `Module ${name} copied into ${target}`;
  }
  const project = dirname(repo.root);
  const fromProject = relative(project, source);
  const inProject = !fromProject.startsWith('..') && !isAbsolute(fromProject);
  const link = inProject ? relative(modulesDir, source) : shippedLinkText(name);
  writeFileSync(target, link);
  return `Module ${name} linked at ${target} (-> ${link})`;
}

/** Runs `sit module add NAME [--copy]`. */
export async function runModule(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'module',
      usage: 'module <action> <name>',
      description:
        'Add a module shipped with sit to the repository (action: add): a link that works wherever sit is installed (sit:NAME), or a copy with --copy (for repositories the original SIT also reads)',
      options: [['--copy', 'copy the module into .sit/modules instead of linking it']],
      examples: ['sit module add issue-tracking', 'sit module add issue-tracking --copy'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const [action, name] = parsed.args as [string, string];
  if (action !== 'add')
    throw new UsageError(`unknown module action ${JSON.stringify(action)}: use \`sit module add NAME\``);
  context.print(addModule(context.repository(), name, { copy: parsed.options.copy === true }));
  return 0;
}
