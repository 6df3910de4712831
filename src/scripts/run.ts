/**
 * Runs a module script (`<module>/cli/<name>.js`) in the QuickJS sandbox.
 * @module
 */
import { readFileSync } from 'node:fs';
import { SitError } from '../errors.ts';
import { runScript } from '../sandbox/mod.ts';
import type { Context } from '../cli/context.ts';

/** What `sit NAME ARGS…` passes to a module script. */
export interface ScriptInvocation {
  /** The command name (`issue` for `sit issue`). */
  name: string;
  /** The raw arguments after the command name, uninterpreted. */
  args: string[];
}

/** Runs the module script `file` for `sit NAME ARGS…`; resolves to its exit status. */
export async function runModuleScript(_context: Context, file: string, invocation: ScriptInvocation): Promise<number> {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SitError(`cannot read module script ${file}: ${(error as Error).message}`);
  }
  const out: string[] = [];
  const result = await runScript(source, {
    file,
    args: { name: invocation.name, argv: invocation.args },
    api: { print: (text: string) => void out.push(String(text)) },
  });
  process.stdout.write(out.join(''));
  if (result.exitCode !== 0) throw new SitError(`${file}: ${result.error ?? 'failed'}`);
  return typeof result.output === 'number' ? result.output : 0;
}
