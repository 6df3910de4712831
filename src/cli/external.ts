/**
 * External subcommands (original-sit.md §4.18, SPEC §3): `sit NAME` runs a module script
 * (`<module>/cli/NAME.js`, in the sandbox), else the program `sit-NAME` from `.sit/cli`, a
 * module's `cli/` (only after `sit trust`), or `PATH`.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SitError } from '../errors.ts';
import { findExecutable, isConfined, saveUserConfig, type Repository } from '../store/mod.ts';
import type { Context } from './context.ts';
import { childEnvironment } from './program.ts';
import {
  isTrusted as isTrustedBy,
  isWebTrusted,
  recordTrust,
  repositoryCliDirs,
  trustedFiles,
  webManifest,
} from './trust.ts';

/** An executable shipped in the repository that the user has not trusted (or that changed since). */
export class UntrustedExecutableError extends SitError {}

/** Whether the repository's executables are trusted as they are now. */
export function isTrusted(context: Context, repo: Repository): boolean {
  return isTrustedBy(context.userConfig(), repo);
}

/** Runs `sit trust`. */
export async function runTrust(context: Context, argv: string[]): Promise<number> {
  // Loaded here: module scripts, which this file also starts, do not need it.
  const { parseCommand } = await import('./parse.ts');
  const parsed = parseCommand(
    {
      name: 'trust',
      usage: 'trust',
      description:
        'Trust what this repository ships as it is now: its executables (.sit/cli/sit-*, modules/*/cli/sit-*) and its web overlays (.sit/web, modules/*/web), which sit web then serves',
      options: [['--list', 'only list what trusting covers and whether it is trusted (runs nothing)']],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const repo = context.repository();
  // Reviewing runs nothing from the repository: directory modules only, the manager is only looked up.
  const files = trustedFiles(repo);
  const dirs = repositoryCliDirs(repo).filter(existsSync);
  if (parsed.options.list === true) {
    const state = isTrusted(context, repo) ? 'trusted' : 'not trusted';
    for (const file of files) context.print(`${file} (${state})`);
    const web = webManifest(repo);
    const webState = isWebTrusted(context.userConfig(), repo, web) ? 'trusted' : 'not trusted';
    for (const dir of web.dirs) {
      if (dir.files !== undefined) context.print(`${dir.dir}/ (web overlay, ${dir.files.size} file(s), ${webState})`);
    }
    return 0;
  }
  const config = context.userConfig();
  const { web } = recordTrust(config, repo);
  saveUserConfig(config);
  context.print(`Trusted ${files.length} file(s) in ${dirs.join(', ') || 'no cli directories'}`);
  const webDirs = web.dirs.filter((d) => d.files !== undefined);
  if (webDirs.length > 0) {
    const count = webDirs.reduce((n, d) => n + d.files!.size, 0);
    context.print(`Trusted ${count} web file(s) in ${webDirs.map((d) => d.dir).join(', ')} (served by sit web)`);
  }
  return 0;
}

/**
 * The module script `<module>/cli/NAME.js` of the first module that has one. A script reached
 * through a symbolic link that leads out of its module is never read.
 */
export function findModuleScript(repo: Repository, name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return undefined;
  for (const module of repo.modules()) {
    const file = join(resolve(module), 'cli', `${name}.js`);
    if (statSync(file, { throwIfNoEntry: false })?.isFile() && isConfined(file, module)) return file;
  }
  return undefined;
}

/** Runs an external subcommand; resolves to its exit status. */
export async function runExternal(context: Context, name: string, args: string[]): Promise<number> {
  const repo = context.repository();
  const script = findModuleScript(repo, name);
  if (script !== undefined) {
    const [{ runModuleScript }, { scriptEnvironment }] = await Promise.all([
      import('../scripts/mod.ts'),
      import('./script_environment.ts'),
    ]);
    return await runModuleScript(scriptEnvironment(context), script, { name, args });
  }
  const program = `sit-${name}`;
  const cliDirs = [join(repo.root, 'cli'), ...repo.modules().map((module) => join(resolve(module), 'cli'))];
  const inRepository = findExecutable(program, cliDirs);
  const onPath = findExecutable(
    program,
    (process.env.PATH ?? '').split(delimiter).filter((p) => p !== '' && isAbsolute(p)),
  );
  let command: string[] | undefined;
  if (inRepository !== undefined) command = [inRepository];
  else if (onPath !== undefined) command = [onPath];
  else {
    for (const dir of cliDirs) {
      const sh = join(dir, `${program}.sh`);
      if (statSync(sh, { throwIfNoEntry: false })?.isFile()) {
        command = ['sh', sh];
        break;
      }
    }
  }
  if (command === undefined) {
    const { emptyModuleHints, hasNoModules, NO_MODULE_HINT } = await import('./modules.ts');
    const hints = hasNoModules(repo) ? [NO_MODULE_HINT] : emptyModuleHints(repo).map((h) => h.replace(/^hint: /, ''));
    const why = hints.length > 0 ? `; ${hints.join('; ')}` : '; see `sit --help`';
    throw new SitError(
      `unknown command ${JSON.stringify(name)}: not a built-in, a module script or a ${program} program${why}`,
    );
  }
  const fromRepository = command[0] === inRepository || command[0] === 'sh';
  if (fromRepository && !isTrusted(context, repo)) {
    throw new UntrustedExecutableError(
      `refusing to run ${command[command.length - 1]}: the executables shipped in this repository are not trusted ` +
        `(new, or changed since \`sit trust\`); review them (e.g. \`git log -p -- .sit/cli .sit/modules\`) and run \`sit trust\``,
    );
  }
  const [file, ...prefix] = command as [string, ...string[]];
  const child = spawn(file, [...prefix, ...args], {
    stdio: 'inherit',
    env: childEnvironment(repo.path),
  });
  return await new Promise<number>((resolveExit, reject) => {
    child.on('error', (error) => reject(new SitError(`cannot run ${file}: ${error.message}`)));
    child.on('exit', (code, signal) => resolveExit(code ?? (signal === null ? 1 : 128)));
  });
}
