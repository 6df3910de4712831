/**
 * The issue list: search box, named filters, open/closed tabs with counts, sort menu, rows (with
 * the searched words marked) and paging. The `#results` region reloads itself when the server
 * announces changed items.
 * @module
 */
import { html } from 'hono/html';
import type { Definitions } from '../src/tracker/definitions.ts';
import type { IssueView } from '../src/web/source.ts';
import { avatar, highlighted, icon, inlineCode, labelChip, personName, shortId, timeTag, type Html } from './parts.ts';

/** A link in a menu or tab bar. */
export interface NavLink {
  label: string;
  href: string;
  current: boolean;
}

/** One row of the list: an issue, and where the searched words were found when not in its summary. */
export interface ListRow extends IssueView {
  /** A piece of the details or a comment around the first match. */
  excerpt?: string;
}

/** Everything the list page shows. */
export interface ListPage {
  readonly: boolean;
  /** The query as the user typed it. */
  queryText: string;
  /** A one-line message when the query is invalid. */
  error?: string;
  open: NavLink & { count: number };
  closed: NavLink & { count: number };
  sorts: NavLink[];
  filters: NavLink[];
  rows: ListRow[];
  total: number;
  /** 1-based. */
  page: number;
  pages: number;
  prevHref?: string;
  nextHref?: string;
  /** The address of this very page, fetched again on live updates. */
  selfHref: string;
  /** The change sequence the page was rendered at. */
  seq: number;
  /** The words and phrases searched for, marked in the results. */
  highlight: string[];
  /** The tracker has no issue at all. */
  emptyTracker: boolean;
  /** The query lists open issues only because it has no is: (the empty result says so). */
  openByDefault: boolean;
  /** Label colours and descriptions. */
  definitions: Definitions;
}

function row(issue: ListRow, page: ListPage): Html {
  const state = issue.open ? 'open' : 'closed';
  const comments = issue.comments.length;
  const href = `/issue/${encodeURIComponent(issue.id)}`;
  return html`<li class="issue-row ${state}">
  <span class="state-icon ${state}" title="${issue.open ? 'Open' : 'Closed'}">${icon(state)}<span class="visually-hidden">${issue.open ? 'Open' : 'Closed'}:</span></span>
  <div class="issue-row-main">
    <a class="issue-title" href="${href}">${issue.summary === '' ? '(no summary)' : inlineCode(issue.summary, page.highlight)}</a>
    ${issue.open ? '' : html`<span class="state-badge closed">Closed</span>`}
    ${issue.labels.length > 0 ? html`<span class="labels">${issue.labels.map((l) => labelChip(l, page.definitions))}</span>` : ''}
    ${issue.excerpt !== undefined ? html`<p class="excerpt">${highlighted(issue.excerpt, page.highlight)}</p>` : ''}
    <div class="issue-meta">
      <span class="issue-id">#${shortId(issue.id)}</span>
      opened ${timeTag(issue.timestamp)} by ${personName(issue.authors)}
      · updated ${timeTag(issue.updated)}
      ${issue.milestone !== '' ? html`· <a class="milestone" href="/?q=${encodeURIComponent(`milestone:"${issue.milestone.replace(/["\\]/g, '\\$&')}"`)}">${icon('milestone')}${issue.milestone}</a>` : ''}
    </div>
  </div>
  <div class="issue-row-side">
    ${
      issue.mergeRequest !== null || issue.mergeRequests.length > 0
        ? html`<span class="mr-flag" title="Merge request">${icon('code')}<span class="visually-hidden">Merge request</span></span>`
        : ''
    }
    ${
      issue.assignees.length > 0
        ? html`<span class="assignees" title="Assigned to ${issue.assignees.map(personName).join(', ')}">${issue.assignees.slice(0, 3).map((a) => avatar(a, 'small'))}${issue.assignees.length > 3 ? html`<span class="more">+${issue.assignees.length - 3}</span>` : ''}<span class="visually-hidden">Assigned to ${issue.assignees.join(', ')}</span></span>`
        : ''
    }
    ${
      comments > 0
        ? html`<a class="comment-count" href="${href}#comments" title="${comments} comment${comments === 1 ? '' : 's'}">${icon('comment')}<span>${comments}</span><span class="visually-hidden"> comment${comments === 1 ? '' : 's'}</span></a>`
        : ''
    }
  </div>
</li>`;
}

function current(link: NavLink): Html {
  return link.current ? html` aria-current="page"` : html``;
}

function empty(page: ListPage): Html {
  if (page.emptyTracker) {
    return html`<div class="empty"><p class="empty-title">Welcome to your issue tracker</p>
  <p>There are no issues yet.${page.readonly ? '' : ' Write down the first bug, idea or task.'}</p>
  ${page.readonly ? '' : html`<p><a class="button button-primary" href="/new">${icon('plus')} Create the first issue</a></p>`}
  <p class="help">Or from a terminal: <code>sit issue new</code></p></div>`;
  }
  return html`<div class="empty"><p class="empty-title">No matches</p>
  <p>No issues match <code>${page.queryText || 'is:open'}</code>.</p>
  ${page.openByDefault ? html`<p class="help">Only open issues are listed without <code>is:</code>. <a href="${page.closed.href}">Search closed issues</a> too.</p>` : ''}</div>`;
}

/** The part of the list page that live updates replace. */
export function listResults(page: ListPage): Html {
  const sortLabel = page.sorts.find((s) => s.current)?.label ?? 'Newest';
  return html`<section id="results" class="results" aria-label="Issues"
  hx-get="${page.selfHref}" hx-trigger="situpdate from:body" hx-select="#results" hx-swap="outerMorph">
  <div class="results-head">
    <nav class="state-tabs" aria-label="Issue state">
      <a class="tab" href="${page.open.href}"${current(page.open)}>${icon('open')} <span class="tab-count">${page.open.count}</span> Open</a>
      <a class="tab" href="${page.closed.href}"${current(page.closed)}>${icon('closed')} <span class="tab-count">${page.closed.count}</span> Closed</a>
    </nav>
    <details class="menu sort-menu">
      <summary>Sort: <strong>${sortLabel}</strong></summary>
      <ul class="menu-list">${page.sorts.map((s) => html`<li><a href="${s.href}"${current(s)}>${s.label}</a></li>`)}</ul>
    </details>
  </div>
  ${
    page.error !== undefined
      ? html`<div class="notice notice-error" role="alert">${icon('warning')}<div><strong>That query did not work.</strong><p>${page.error}</p><p><a href="/doc/issue-tracking#searching-issues">How to write queries</a></p></div></div>`
      : page.rows.length === 0
        ? empty(page)
        : html`<ul class="issue-list">${page.rows.map((r) => row(r, page))}</ul>`
  }
  ${
    page.pages > 1
      ? html`<nav class="pager" aria-label="Pages">
    ${page.prevHref !== undefined ? html`<a class="button" href="${page.prevHref}" rel="prev">← Previous</a>` : html`<span class="button" aria-disabled="true">← Previous</span>`}
    <span class="pager-info">Page ${page.page} of ${page.pages} · ${page.total} issues</span>
    ${page.nextHref !== undefined ? html`<a class="button" href="${page.nextHref}" rel="next">Next →</a>` : html`<span class="button" aria-disabled="true">Next →</span>`}
  </nav>`
      : ''
  }
</section>`;
}

/** The body of the list page. */
export function listPage(page: ListPage): Html {
  return html`<h1 class="visually-hidden">Issues</h1>
<div hx-sse:connect="/events?since=${page.seq}" class="live-status visually-hidden" role="status" aria-live="polite"></div>
<div class="list-toolbar">
  <form class="search" role="search" action="/" method="get"
    hx-get="/" hx-target="#results" hx-select="#results" hx-swap="outerHTML" hx-push-url="true">
    <label class="visually-hidden" for="q">Search issues</label>
    <span class="search-field">${icon('search')}<input id="q" name="q" type="search" value="${page.queryText}"
      placeholder="is:open label:bug sort:updated-desc" autocomplete="off" spellcheck="false" aria-describedby="q-help" aria-keyshortcuts="/"></span>
    <button class="button" type="submit">Search</button>
  </form>
  ${
    page.filters.length > 0
      ? html`<details class="menu filter-menu">
    <summary>Filters</summary>
    <ul class="menu-list">${page.filters.map((f) => html`<li><a href="${f.href}"${current(f)}>${f.label}</a></li>`)}</ul>
  </details>`
      : ''
  }
</div>
<p id="q-help" class="help">Qualifiers: <code>is:open</code> <code>is:closed</code> <code>is:all</code> <code>label:NAME</code> <code>author:NAME</code> <code>assignee:NAME</code> <code>no:label</code> <code>sort:updated-desc</code>; other words search the text, <code>#id</code> finds an issue. <a href="/doc/issue-tracking#searching-issues">More</a> · press <kbd>?</kbd> for keyboard shortcuts</p>
${listResults(page)}`;
}
