/**
 * The issue tracker's host side, shared by the web UI and the `sit issue` module script's host
 * functions: references between issues, commits that mention an issue, label and milestone
 * definitions, issue templates, named filters, creating an issue in one step, and human times.
 * @module
 */
export * from './commits.ts';
export * from './definitions.ts';
export * from './filters.ts';
export * from './new_item.ts';
export * from './references.ts';
export * from './templates.ts';
export * from './time.ts';
