/**
 * Errors of the issue query language.
 * @module
 */
import { SitError } from '../errors.ts';

/** A query that does not parse: an unterminated quote, a qualifier without a value, a bad value. */
export class QuerySyntaxError extends SitError {}

/** A `name:value` term whose name is not a known qualifier. */
export class UnknownQualifierError extends SitError {}

/** A bad `offset` or `limit`. */
export class QueryOptionError extends SitError {}
