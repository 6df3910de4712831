/**
 * Documentation pages rendered from the project's Markdown files, with a table of contents.
 * @module
 */
import { html, raw } from 'hono/html';
import { inlineCode, type Html } from './parts.ts';

/** One entry of the table of contents. */
export interface DocEntry {
  slug: string;
  title: string;
}

/** What a documentation page shows. */
export interface DocPage {
  entries: DocEntry[];
  current?: string;
  /** Sanitised HTML of the page, or undefined for the index. */
  bodyHtml?: string;
}

/** The body of a documentation page. */
export function docPage(page: DocPage): Html {
  return html`<div class="doc-layout">
  <nav class="doc-toc" aria-label="Documentation">
    <h2>Documentation</h2>
    <ul>${page.entries.map(
      (e) =>
        html`<li><a href="/doc/${e.slug}"${e.slug === page.current ? html` aria-current="page"` : ''}>${inlineCode(e.title)}</a></li>`,
    )}</ul>
  </nav>
  <article class="doc-body markdown" hx-ignore>
    ${page.bodyHtml !== undefined ? raw(page.bodyHtml) : html`<h1>Documentation</h1><p>Pick a page from the list.</p>`}
  </article>
</div>`;
}
