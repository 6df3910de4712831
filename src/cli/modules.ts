/** `sit modules` (original-sit.md §4.15) and `sit module add`: list and install modules. */
import { cpSync, existsSync, mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { SitError } from '../errors.ts';
import { shippedModule, packageRoot } from '../paths.ts';
import type { Repository } from '../store/mod.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { parseCommand } from './parse.ts';

/** Runs `sit modules`. */
export async function runModules(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand({ name: 'modules', usage: 'modules', description: 'Print the path of every module, one per line' }, argv);
  if (parsed === undefined) return 0;
  for (const path of context.repository().modules()) {
    let shown = path;
    try {
      shown = realpathSync(path);
    } catch {
      // printed as given when it cannot be canonicalised
    }
    context.print(shown);
  }
  return 0;
}

/**
 * Installs the shipped module `name` into `repo`: a text link holding its path (relative when the
 * module lies inside the same project) or, with `copy`, a copy. Returns what was done, as a line.
 */
export function addModule(repo: Repository, name: string, options: { copy: boolean }): string {
  const source = shippedModule(name);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !existsSync(source) || !statSync(source).isDirectory()) {
    const known = readdirSync(join(packageRoot(), 'modules')).join(', ');
    throw new SitError(`no module named ${JSON.stringify(name)} ships with sit; known modules: ${known}`);
  }
  const modulesDir = join(repo.root, 'modules');
  const target = join(modulesDir, name);
  if (existsSync(target)) throw new SitError(`module ${name} is already installed at ${target}; remove it first to replace it`);
  mkdirSync(modulesDir, { recursive: true });
  if (options.copy) {
    cpSync(source, target, { recursive: true });
    return `Module ${name} copied into ${target}`;
  }
  // Relative when the module lies inside the project that holds the repository, so that the link
  // keeps working in other clones; absolute otherwise.
  const project = dirname(repo.root);
  const inProject = !relative(project, source).startsWith('..') && !isAbsolute(relative(project, source));
  const link = inProject ? relative(modulesDir, source) : source;
  writeFileSync(target, link);
  return `Module ${name} linked at ${target} (-> ${link})`;
}

/** Runs `sit module add NAME [--copy]`. */
export async function runModule(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'module',
      usage: 'module <action> <name>',
      description: 'Add a module shipped with sit to the repository (action: add); linked unless --copy',
      options: [['--copy', 'copy the module into .sit/modules instead of linking it']],
      examples: ['sit module add issue-tracking', 'sit module add issue-tracking --copy'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const [action, name] = parsed.args as [string, string];
  if (action !== 'add') throw new UsageError(`unknown module action ${JSON.stringify(action)}: use \`sit module add NAME\``);
  context.print(addModule(context.repository(), name, { copy: parsed.options.copy === true }));
  return 0;
}
