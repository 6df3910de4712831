/**
 * The errors of module scripts.
 * @module
 */
import { SitError } from '../errors.ts';

/** A module script failed: it threw, did not load, or hit a limit. */
export class ModuleScriptError extends SitError {}
