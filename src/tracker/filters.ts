/**
 * Named issue filters, shared by the web UI's Filters menu and `sit issue list --filter NAME`:
 * built-in ones, then the repository's (`.sit/config.json`, `"issue-tracking": {"filters":
 * {NAME: QUERY}}`, shared with everyone who syncs the repository), then the user's
 * (`issues.filters` in the user configuration). A later definition of a name replaces an earlier one.
 * @module
 */

/** Where a named filter comes from. */
export type FilterSource = 'built-in' | 'repository' | 'user';

/** A named filter: a query under a name. */
export interface NamedFilter {
  /** What `--filter` takes (`open`, `mine`). */
  name: string;
  /** What the web menu shows. */
  label: string;
  /** The query. */
  query: string;
  source: FilterSource;
}

/** The query language's quoting of a qualifier value. */
function quoted(value: string): string {
  return /^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The built-in filters. With `me` (the configured author's name), `mine` lists the open issues
 * assigned to you and `created` the open ones you opened.
 */
export function builtinFilters(me?: string): NamedFilter[] {
  const out: NamedFilter[] = [
    { name: 'open', label: 'Open issues', query: 'is:open', source: 'built-in' },
    { name: 'closed', label: 'Closed issues', query: 'is:closed sort:updated-desc', source: 'built-in' },
    { name: 'all', label: 'All issues', query: 'is:all', source: 'built-in' },
    { name: 'updated', label: 'Recently updated', query: 'is:open sort:updated-desc', source: 'built-in' },
    { name: 'unassigned', label: 'Unassigned', query: 'is:open no:assignee', source: 'built-in' },
    { name: 'unlabelled', label: 'Unlabelled', query: 'is:open no:label', source: 'built-in' },
  ];
  if (me !== undefined && me.trim() !== '') {
    out.push({
      name: 'mine',
      label: 'Assigned to me',
      query: `is:open assignee:${quoted(me.trim())}`,
      source: 'built-in',
    });
    out.push({
      name: 'created',
      label: 'Created by me',
      query: `is:open author:${quoted(me.trim())}`,
      source: 'built-in',
    });
  }
  return out;
}

function configured(value: unknown, source: FilterSource): NamedFilter[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const out: NamedFilter[] = [];
  for (const [name, query] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (typeof query !== 'string' || name.trim() === '' || /[\r\n]/.test(name)) continue;
    out.push({ name, label: name, query, source });
  }
  return out;
}

/** Every named filter: built-in, then the repository's, then the user's; later names win. */
export function namedFilters(options: {
  me?: string | undefined;
  repository?: unknown;
  user?: unknown;
}): NamedFilter[] {
  const all = [
    ...builtinFilters(options.me),
    ...configured(options.repository, 'repository'),
    ...configured(options.user, 'user'),
  ];
  const byName = new Map<string, NamedFilter>();
  for (const f of all) {
    byName.delete(f.name);
    byName.set(f.name, f);
  }
  return [...byName.values()];
}

/** The `issue-tracking.filters` object of a repository configuration (JSON). */
export function repositoryFilters(config: Record<string, unknown>): unknown {
  const module = config['issue-tracking'];
  return typeof module === 'object' && module !== null ? (module as Record<string, unknown>)['filters'] : undefined;
}
