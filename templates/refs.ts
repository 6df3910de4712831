/**
 * Git on the issue page: the "Branches and tags" panel (where the issue is open, closed or
 * absent), loaded lazily by htmx from `/issue/{id}/refs`, and the banner of pages that show the
 * tracker as committed at a revision (`?at=REV`).
 * @module
 */
import { html } from 'hono/html';
import { icon, type Html } from './parts.ts';

/** One branch or tag in the panel. */
export interface RefRow {
  ref: string;
  commit: string;
  state: 'open' | 'closed' | 'absent';
}

/** What the panel shows: rows, or why there are none. */
export interface RefsPanel {
  id: string;
  rows: RefRow[];
  /** Set when git could not be asked (not a git repository, no git installed). */
  problem?: string;
}

/** Refs shown at most; the rest are counted. */
const SHOWN = 40;

/** The panel's placeholder in the issue page: htmx replaces it with {@linkcode refsPanel} once the page has loaded. */
export function refsPanelHook(id: string): Html {
  return html`<section class="refs-panel" hx-get="/issue/${encodeURIComponent(id)}/refs" hx-trigger="load" hx-swap="outerHTML">
  <h2>${icon('code')} Branches and tags</h2><p class="none">Looking…</p></section>`;
}

/** The "Branches and tags" panel: the issue's state on each ref, each linking to the issue as committed there. */
export function refsPanel(panel: RefsPanel): Html {
  const id = encodeURIComponent(panel.id);
  const rows = panel.rows.slice(0, SHOWN);
  return html`<section class="refs-panel" aria-label="Branches and tags">
  <h2>${icon('code')} Branches and tags</h2>
  ${
    panel.problem !== undefined
      ? html`<p class="none">${panel.problem}</p>`
      : rows.length === 0
        ? html`<p class="none">No branches or tags</p>`
        : html`<ul class="refs">${rows.map(
            (
              r,
            ) => html`<li class="ref-${r.state}"><a href="/issue/${id}?at=${encodeURIComponent(r.ref)}" title="${r.ref} at ${r.commit.slice(0, 12)}">${r.ref}</a>
        <span class="ref-state ${r.state}">${r.state}</span></li>`,
          )}</ul>${panel.rows.length > SHOWN ? html`<p class="none">and ${panel.rows.length - SHOWN} more (<code>sit issue where</code>)</p>` : ''}`
  }
</section>`;
}

/** The banner of a page showing the tracker at revision `at` (commit `commit`). */
export function revisionBanner(at: string, commit: string): Html {
  return html`<div class="revision-banner" role="status">${icon('code')}
  <p>You are looking at the tracker as committed at <code>${at}</code> (commit <code>${commit.slice(0, 12)}</code>): read-only.
  <a href="/">Back to the working tree</a></p></div>`;
}
