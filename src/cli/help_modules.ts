/**
 * The commands a repository adds, for `sit --help`: module scripts (`<module>/cli/NAME.js`) and
 * programs (`.sit/cli/sit-NAME`, `<module>/cli/sit-NAME`). Found by reading directories only:
 * nothing from the repository runs (an external module manager is not asked), and no repository
 * is opened, so that `sit --help` stays quick.
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { resolveShippedLink } from '../store/module_link.ts';
import { resolveDirectory } from '../store/resolve.ts';

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** The repository `sit` would use from `workDir` (`-r`/`SIT_DIR` first), or undefined. */
export function findRepositoryQuickly(workDir: string, given: string | undefined): string | undefined {
  if (given !== undefined && given !== '') return isFile(join(given, 'config.json')) ? resolve(given) : undefined;
  let dir = resolve(workDir);
  for (;;) {
    if (isFile(join(dir, 'config.json')) && isDirectory(join(dir, 'records'))) return dir;
    const candidate = join(dir, '.sit');
    if (isDirectory(candidate)) return isFile(join(candidate, 'config.json')) ? candidate : undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** A command a repository adds, and where it comes from. */
export interface RepositoryCommand {
  name: string;
  what: string;
}

/** The commands of the repository at `repo` that are not built-ins, in `sit` lookup order. */
export function repositoryCommands(repo: string, builtins: ReadonlySet<string>): RepositoryCommand[] {
  const modules: Array<{ name: string; dir: string }> = [];
  for (const name of list(join(repo, 'modules'))) {
    let dir: string | undefined;
    try {
      dir = resolveShippedLink(join(repo, 'modules', name)) ?? resolveDirectory(join(repo, 'modules', name), '/');
    } catch {
      dir = undefined;
    }
    if (dir !== undefined) modules.push({ name, dir });
  }
  const found = new Map<string, string>();
  const add = (name: string, what: string) => {
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !builtins.has(name) && !found.has(name)) found.set(name, what);
  };
  for (const { name, dir } of modules) {
    for (const file of list(join(dir, 'cli'))) {
      if (file.endsWith('.js') && isFile(join(dir, 'cli', file)))
        add(file.slice(0, -3), `a script of the ${name} module`);
    }
  }
  const repoCli = join(repo, 'cli');
  const shown = relative(process.cwd(), repoCli);
  const programDirs = [{ dir: repoCli, from: `in ${shown !== '' && !shown.startsWith('..') ? shown : repoCli}` }];
  for (const { name, dir } of modules) programDirs.push({ dir: join(dir, 'cli'), from: `of the ${name} module` });
  for (const { dir, from } of programDirs) {
    for (const file of list(dir)) {
      // As the lookup does: an executable `sit-NAME`, or a `sit-NAME.sh` run with sh.
      const m = /^sit-(.+?)(\.sh)?$/.exec(file);
      if (m === null) continue;
      const stats = statSync(join(dir, file), { throwIfNoEntry: false });
      if (stats?.isFile() && (m[2] !== undefined || (stats.mode & 0o111) !== 0))
        add(m[1]!, `a program ${from} (runs after \`sit trust\`)`);
    }
  }
  return [...found].map(([name, what]) => ({ name, what }));
}

/** The `sit --help` section for the repository at or above `workDir`, or '' when there is none. */
export function repositoryCommandsHelp(
  workDir: string,
  given: string | undefined,
  builtins: ReadonlySet<string>,
): string {
  const repo = findRepositoryQuickly(workDir, given);
  if (repo === undefined) return '';
  const commands = repositoryCommands(repo, builtins);
  if (commands.length === 0) {
    return `\nThis repository (${repo}) adds no commands: \`sit module add issue-tracking\` adds \`sit issue\`.\n`;
  }
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `\nCommands of this repository (${repo}):\n${commands.map((c) => `  ${c.name.padEnd(width)} ${c.what}`).join('\n')}\n`;
}
