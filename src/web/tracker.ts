/**
 * What the pages know about the tracker as a whole, computed from the in-memory states and kept
 * until they change: label and milestone definitions, every issue id (to resolve `#prefix`
 * references), which issues mention which, and the named filters. Also links the references in
 * rendered Markdown to the issues they name.
 * @module
 */
import {
  DEFINITIONS_ID,
  extractReferences,
  IdIndex,
  mentionIndex,
  readDefinitions,
  type Definitions,
  type Mention,
  type Reference,
} from '../tracker/mod.ts';
import { escapeHtml } from './highlight.ts';
import { ISSUE_REF } from './markdown.ts';
import type { ItemSource, ItemState } from './source.ts';

interface Derived {
  ids: IdIndex;
  mentions: Map<string, Mention[]>;
}

const referencesOf = new WeakMap<object, Reference[]>();
const derivedOf = new WeakMap<readonly ItemState[], Derived>();
const definitionsOf = new WeakMap<object, Definitions>();
const NO_DEFINITIONS: Definitions = Object.freeze({ labels: [], milestones: [] }) as Definitions;

function references(state: ItemState): Reference[] {
  let refs = referencesOf.get(state);
  if (refs === undefined) {
    refs = extractReferences(state);
    referencesOf.set(state, refs);
  }
  return refs;
}

/** The tracker-wide views over an item source. */
export class TrackerView {
  readonly #index: ItemSource;

  /** Views `index`. */
  constructor(index: ItemSource) {
    this.#index = index;
  }

  #derived(): Derived {
    const states = this.#index.states();
    let d = derivedOf.get(states);
    if (d === undefined) {
      const ids = new IdIndex(states.map((s) => String(s['id'])).filter((id) => id !== DEFINITIONS_ID));
      const refs: Array<[string, Reference[]]> = [];
      for (const state of states) {
        const list = references(state);
        if (list.length > 0) refs.push([String(state['id']), list]);
      }
      d = { ids, mentions: mentionIndex(refs, ids) };
      derivedOf.set(states, d);
    }
    return d;
  }

  /** Label and milestone definitions (none when the definitions item does not exist). */
  definitions(): Definitions {
    const state = this.#index.get(DEFINITIONS_ID);
    if (state === undefined) return NO_DEFINITIONS;
    let defs = definitionsOf.get(state);
    if (defs === undefined) {
      defs = readDefinitions(state);
      definitionsOf.set(state, defs);
    }
    return defs;
  }

  /** The one issue id that starts with `prefix` (any case, `#` allowed), or undefined. */
  resolve(prefix: string): string | undefined {
    const p = prefix.replace(/^#/, '');
    if (p === '') return undefined;
    return this.#derived().ids.resolve(p);
  }

  /** How many issue ids start with `prefix`. */
  matching(prefix: string): number {
    return this.#derived().ids.count(prefix.replace(/^#/, ''));
  }

  /** The issues whose text mentions issue `id`, in id order. */
  mentions(id: string): Mention[] {
    return this.#derived().mentions.get(id) ?? [];
  }

  /**
   * Rendered Markdown with every `#prefix` link pointing at the full id of the one issue it names
   * (titled with its summary, struck through when closed), or left as plain text when it names
   * none or several.
   */
  linkReferences(html: string): string {
    if (!html.includes('class="issue-ref"')) return html;
    return html.replace(ISSUE_REF, (_all, prefix: string) => {
      const id = this.resolve(prefix);
      const state = id === undefined ? undefined : this.#index.get(id);
      if (id === undefined || state === undefined) return `#${prefix}`;
      const summary = typeof state['summary'] === 'string' ? state['summary'] : '';
      const closed = state['state'] === 'closed';
      return `<a class="issue-ref${closed ? ' closed' : ''}" href="/issue/${encodeURIComponent(id)}" title="${escapeHtml(summary)}${closed ? ' (closed)' : ''}">#${prefix}</a>`;
    });
  }
}
