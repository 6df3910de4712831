/**
 * What programs started by `sit` (external subcommands, `.sit/cli/sit-*`) get to call `sit` back:
 * `SIT`, the path of an executable `sit` (the package's `dist/src/sit.cjs`, executable with a
 * `#!/usr/bin/env node` line), and a `PATH` on which that line finds the very Node.js running
 * now, so that `"$SIT" args …` works from a shell script however `sit` was started.
 * @module
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../paths.ts';

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The executable `sit` of this installation. */
export function sitProgram(): string {
  const packaged = join(packageRoot(), 'dist', 'src', 'sit.cjs');
  if (executable(packaged)) return real(packaged);
  return resolve(process.argv[1] ?? 'sit');
}

/** `PATH` with the directory of the running `node` first, unless `node` on `PATH` already is it. */
export function pathWithThisNode(path: string | undefined): string {
  const entries = (path ?? '').split(delimiter).filter((p) => p !== '');
  const here = real(process.execPath);
  for (const dir of entries) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, 'node');
    if (executable(candidate)) {
      if (real(candidate) === here) return entries.join(delimiter);
      break;
    }
  }
  return [dirname(process.execPath), ...entries].join(delimiter);
}

/** The environment of a program started for repository `repoPath`: ours plus `SIT_DIR`, `SIT` and `PATH`. */
export function childEnvironment(repoPath: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, SIT_DIR: repoPath, SIT: sitProgram(), PATH: pathWithThisNode(env['PATH']) };
}
