/**
 * References between issues: `#<id prefix>` in a summary, details or comment names another issue
 * (`#ec4a71bf`, at least 4 hexadecimal characters, as many as it takes to be unique), and the
 * issue named shows "mentioned in". `@name` names a person. Text inside Markdown code is not
 * scanned. States are untrusted: every field is checked before use.
 * @module
 */

/** `#` and a hexadecimal id prefix, not inside a word, a URL fragment or an HTML entity. */
export const REFERENCE = /(^|[^\w#/&;:.-])#([0-9a-fA-F]{4,}(?:-[0-9a-fA-F]+)*)(?![\w-])/g;

/** `@` and a name (letters, digits, `.`, `_`, `-`), not inside a word or an e-mail address. */
export const PERSON = /(^|[^\w@.])@([\p{L}\p{N}][\p{L}\p{N}._-]*[\p{L}\p{N}]|[\p{L}\p{N}])/gu;

/** Where a reference was written. */
export type ReferencePlace = 'summary' | 'details' | 'comment';

/** One `#prefix` found in an issue's text. */
export interface Reference {
  /** The prefix as written (without `#`), lower-cased. */
  prefix: string;
  /** The field it was written in. */
  place: ReferencePlace;
  /** Who wrote it: the comment's author, else the issue's. */
  authors: string;
  /** When: the comment's time, else the issue's. */
  timestamp: string;
}

/** An issue that mentions another one. */
export interface Mention {
  /** The id of the issue whose text holds the reference. */
  id: string;
  place: ReferencePlace;
  authors: string;
  timestamp: string;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `text` without fenced code blocks and inline code spans, where references do not count. */
export function withoutCode(text: string): string {
  return text
    .replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[^\n]*$|(?![\s\S]))/gm, ' ')
    .replace(/(`+)[\s\S]*?\1/g, ' ');
}

/** The `#prefix` references in `text` (outside code), lower-cased, each once, in order. */
export function referencesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of withoutCode(text).matchAll(REFERENCE)) {
    const prefix = m[2]!.toLowerCase();
    if (!out.includes(prefix)) out.push(prefix);
  }
  return out;
}

/** Every reference an issue's summary, details and comments make, in that order. */
export function extractReferences(state: Record<string, unknown>): Reference[] {
  const out: Reference[] = [];
  const id = str(state['id']).toLowerCase();
  const authors = str(state['authors']);
  const timestamp = str(state['timestamp']);
  const add = (text: string, place: ReferencePlace, who: string, when: string): void => {
    for (const prefix of referencesIn(text)) {
      if (id.startsWith(prefix)) continue;
      if (out.some((r) => r.prefix === prefix)) continue;
      out.push({ prefix, place, authors: who, timestamp: when });
    }
  };
  add(str(state['summary']), 'summary', authors, timestamp);
  add(str(state['details']), 'details', authors, timestamp);
  const comments = Array.isArray(state['comments']) ? (state['comments'] as unknown[]) : [];
  for (const c of comments) {
    if (typeof c !== 'object' || c === null) continue;
    const o = c as Record<string, unknown>;
    add(str(o['text']), 'comment', str(o['authors']), str(o['timestamp']));
  }
  return out;
}

/**
 * The one id of sorted `ids` that starts with `prefix` (any case), or undefined when none or
 * several do.
 */
export function resolvePrefix(ids: readonly string[], prefix: string): string | undefined {
  const p = prefix.toLowerCase();
  if (p === '') return undefined;
  let found: string | undefined;
  for (const id of ids) {
    if (id.toLowerCase().startsWith(p)) {
      if (found !== undefined) return undefined;
      found = id;
    }
  }
  return found;
}

/** Ids of issues, lower-cased and sorted, for fast prefix resolution. */
export class IdIndex {
  readonly #ids: string[];
  readonly #lower: string[];

  /** Indexes `ids`. */
  constructor(ids: readonly string[]) {
    const pairs = ids.map((id) => [id.toLowerCase(), id] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#lower = pairs.map(([l]) => l);
    this.#ids = pairs.map(([, id]) => id);
  }

  /** The one id starting with `prefix` (any case); undefined when none or several do. */
  resolve(prefix: string): string | undefined {
    const p = prefix.toLowerCase();
    if (p === '') return undefined;
    let lo = 0;
    let hi = this.#lower.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#lower[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= this.#lower.length || !this.#lower[lo]!.startsWith(p)) return undefined;
    if (lo + 1 < this.#lower.length && this.#lower[lo + 1]!.startsWith(p)) return undefined;
    return this.#ids[lo];
  }

  /** How many ids start with `prefix`. */
  count(prefix: string): number {
    const p = prefix.toLowerCase();
    return this.#lower.filter((id) => id.startsWith(p)).length;
  }
}

/**
 * Which issues mention which: for each referenced id, the issues whose text names it by a unique
 * prefix (each once, where it first does), in the order given. `references` maps an issue id to
 * its references.
 */
export function mentionIndex(
  references: Iterable<[string, readonly Reference[]]>,
  ids: IdIndex,
): Map<string, Mention[]> {
  const out = new Map<string, Mention[]>();
  for (const [from, refs] of references) {
    for (const ref of refs) {
      const target = ids.resolve(ref.prefix);
      if (target === undefined || target === from) continue;
      let list = out.get(target);
      if (list === undefined) out.set(target, (list = []));
      // One mention per issue: the first place that names the target.
      if (list.some((m) => m.id === from)) continue;
      list.push({ id: from, place: ref.place, authors: ref.authors, timestamp: ref.timestamp });
    }
  }
  return out;
}
