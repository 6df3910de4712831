/**
 * Named filters and queries (`-F NAME`, `-Q NAME`): a file in the repository first, then the user
 * configuration. A name defined nowhere is an error, not a silent no-op.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SitError } from '../errors.ts';
import type { Context } from './context.ts';

/** A named filter or query that is defined nowhere. */
export class UndefinedNameError extends SitError {}

/** Where a command looks for its named expressions. */
export interface NamedPlace {
  /** The folder inside the repository, e.g. `.items/filters`. */
  folder: string;
  /** The user-configuration section, e.g. `items` (then `.filters` or `.queries`). */
  section: 'items' | 'records';
  /** `filters` or `queries`. */
  kind: 'filters' | 'queries';
}

/** Reads the expression called `name` from the repository, else from the user configuration. */
export function namedExpression(context: Context, place: NamedPlace, name: string): string {
  if (name === '' || /[\\/\0]/.test(name) || name === '.' || name === '..') {
    throw new UndefinedNameError(`invalid ${singular(place.kind)} name ${JSON.stringify(name)}: use a plain file name`);
  }
  const file = join(context.repository().path, place.folder, name);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = context.userConfig()[place.section][place.kind][name.toLowerCase()];
  if (typeof value === 'string') return value;
  throw new UndefinedNameError(
    `${singular(place.kind)} ${JSON.stringify(name)} is not defined: create ${file} ` +
      `or set "${place.section}": {"${place.kind}": {"${name.toLowerCase()}": "<JMESPath>"}} in the user configuration`,
  );
}

function singular(kind: 'filters' | 'queries'): string {
  return kind === 'filters' ? 'filter' : 'query';
}
