/**
 * The issue page: summary and state, the opening post and comments as sanitised Markdown, merge
 * requests with their patches as highlighted diffs, a side panel (labels, assignees, milestone),
 * and the comment form with close/reopen. `#issue` reloads itself (morphing, so a comment being
 * typed survives) when the server announces a change to this item.
 * @module
 */
import { html, raw } from 'hono/html';
import type { IssueComment, IssueView } from '../src/web/source.ts';
import { avatar, icon, inlineCode, labelChip, personName, shortId, timeTag, type Html } from './parts.ts';
import { refsPanelHook } from './refs.ts';

/** A patch file of a merge request, already highlighted. */
export interface PatchFile {
  name: string;
  /** `/repo/…` address of the raw file. */
  href: string;
  /** Highlighted, escaped HTML. */
  html: string;
  added: number;
  removed: number;
  /** Lines in the file; long patches start folded. */
  lines: number;
}

/** A merge request record with its patch files. */
export interface MergeRequestView {
  hash: string;
  patches: PatchFile[];
  /** Set when the record's files could not be read. */
  missing: boolean;
  /** Set when the record is there but damaged (its files do not match its hash): nothing of it is shown. */
  damaged?: boolean;
}

/** Everything the issue page shows. */
export interface IssuePage {
  readonly: boolean;
  issue: IssueView;
  /** Sanitised HTML of the details. */
  detailsHtml: string;
  /** Sanitised HTML of each comment, in order. */
  commentsHtml: string[];
  /** Merge requests by record hash. */
  mergeRequests: Map<string, MergeRequestView>;
  /** The change sequence the page was rendered at. */
  seq: number;
  /** A one-line problem with the last submitted form. */
  error?: string;
  /** The comment text to put back into the form after an error. */
  draft?: string;
  /** Records of this issue left out because they do not hash to their names (damaged). */
  damaged?: readonly string[];
}

/** The notice that records were left out as damaged (none when there are none). */
function damagedNotice(damaged: readonly string[] | undefined): Html | string {
  if (damaged === undefined || damaged.length === 0) return '';
  const n = damaged.length;
  return html`<p class="flash error damaged-notice" role="alert">${n} record${n === 1 ? '' : 's'} of this issue ${n === 1 ? 'was' : 'were'} left out because ${n === 1 ? 'its files do' : 'their files do'} not match ${n === 1 ? 'its hash' : 'their hashes'} (damaged, or still being copied): ${damaged.map((h, i) => html`${i > 0 ? ', ' : ''}<code>${h}</code>`)}. Run <code>sit integrity</code> for details.</p>`;
}

function mergeRequestCard(mr: MergeRequestView, issueId: string): Html {
  return html`<section class="mr-card" aria-label="Merge request ${shortId(mr.hash)}">
  <header class="mr-head">${icon('code')}<span>Merge request <code title="${mr.hash}">${mr.hash.slice(0, 12)}</code></span>
    <span class="mr-tip">merge with <code>sit mr-merge ${issueId} ${mr.hash}</code></span></header>
  ${mr.damaged === true
    ? html`<p class="mr-missing">This record is damaged: its files do not match its hash, so nothing of it is shown (see <code>sit integrity</code>).</p>`
    : mr.missing
    ? html`<p class="mr-missing">The record's files are not in this repository.</p>`
    : mr.patches.length === 0
      ? html`<p class="mr-missing">This merge request has no patch files.</p>`
      : mr.patches.map(
          (p) => html`<details class="patch"${p.lines <= 400 ? html` open` : ''}>
    <summary><span class="patch-name">${p.name}</span> <span class="diffstat"><span class="plus">+${p.added}</span> <span class="minus">−${p.removed}</span></span>
      <a class="patch-raw" href="${p.href}">raw</a></summary>
    <pre class="diff" hx-ignore><code class="hljs language-diff">${raw(p.html)}</code></pre>
  </details>`,
        )}
</section>`;
}

function reportClass(report: string | null): string {
  return report === 'success' ? ' report-success' : report === 'failure' ? ' report-failure' : '';
}

function commentCard(comment: IssueComment, body: string, index: number, page: IssuePage): Html {
  const mr = comment.mergeRequest === null ? undefined : page.mergeRequests.get(comment.mergeRequest);
  return html`<article class="comment${reportClass(comment.report)}" id="comment-${index + 1}" aria-label="Comment by ${personName(comment.authors)}">
  ${avatar(comment.authors)}
  <div class="comment-box">
    <header class="comment-head"><strong title="${comment.authors}">${personName(comment.authors)}</strong>
      ${comment.report === 'success' ? html`<span class="pill pill-success">verification succeeded</span>` : ''}
      ${comment.report === 'failure' ? html`<span class="pill pill-failure">verification failed</span>` : ''}
      commented <a href="#comment-${index + 1}">${timeTag(comment.timestamp)}</a></header>
    <div class="markdown" hx-ignore>${raw(body)}</div>
    ${mr !== undefined ? mergeRequestCard(mr, page.issue.id) : ''}
  </div>
</article>`;
}

function sidePanel(issue: IssueView, readonly: boolean): Html {
  const editLink = readonly ? '' : html`<a class="side-edit" href="/issue/${encodeURIComponent(issue.id)}/edit">Edit</a>`;
  return html`<aside class="sidebar" aria-label="Issue properties">
  <section><h2>${icon('tag')} Labels ${editLink}</h2>
    ${issue.labels.length > 0 ? html`<p class="labels">${issue.labels.map(labelChip)}</p>` : html`<p class="none">None yet</p>`}</section>
  <section><h2>${icon('person')} Assignees</h2>
    ${issue.assignees.length > 0
      ? html`<ul class="people">${issue.assignees.map((a) => html`<li>${avatar(a, 'small')}<span>${personName(a)}</span></li>`)}</ul>`
      : html`<p class="none">No one assigned</p>`}</section>
  <section><h2>${icon('milestone')} Milestone</h2>
    ${issue.milestone !== '' ? html`<p>${issue.milestone}</p>` : html`<p class="none">No milestone</p>`}</section>
  ${refsPanelHook(issue.id)}
  <section class="side-id"><h2>Identifier</h2><p><code class="full-id">${issue.id}</code></p></section>
  ${issue.errors > 0
    ? html`<section class="side-errors"><h2>${icon('warning')} Reducer errors</h2><p>${issue.errors} record${issue.errors === 1 ? '' : 's'} could not be applied; see <code>sit reduce ${shortId(issue.id)}</code>.</p></section>`
    : ''}
</aside>`;
}

function commentForm(page: IssuePage): Html {
  const id = encodeURIComponent(page.issue.id);
  const open = page.issue.open;
  return html`<section class="comment-form-wrap" aria-labelledby="new-comment-title">
  <h2 id="new-comment-title" class="visually-hidden">Add a comment</h2>
  <form class="comment-form" method="post" action="/issue/${id}/comment"
    hx-post="/issue/${id}/comment" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" hx-disable="findAll button">
    ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${page.error}</p>` : ''}
    <label for="comment-text">Comment</label>
    <textarea id="comment-text" name="text" rows="5" placeholder="Write a comment (Markdown)">${page.draft ?? ''}</textarea>
    <div class="form-actions">
      ${open
        ? html`<button class="button" type="submit" name="action" value="close">${icon('closed')} Close issue</button>`
        : html`<button class="button" type="submit" name="action" value="reopen">${icon('open')} Reopen issue</button>`}
      ${open ? html`<button class="button" type="submit" name="action" value="comment-close">Comment and close</button>` : ''}
      <button class="button button-primary" type="submit" name="action" value="comment">Comment</button>
    </div>
    <p class="help">${open ? 'Close issue' : 'Reopen issue'} also posts the text above as a comment, when there is any.</p>
  </form>
</section>`;
}

/** The body of the issue page. */
export function issuePage(page: IssuePage): Html {
  const issue = page.issue;
  const state = issue.open ? 'open' : 'closed';
  const self = `/issue/${encodeURIComponent(issue.id)}`;
  const firstMr = issue.mergeRequests[0] ?? issue.mergeRequest;
  const commentMrs = new Set(issue.comments.map((c) => c.mergeRequest).filter((h) => h !== null));
  const ownMrs = [...new Set([firstMr, ...issue.mergeRequests])].filter(
    (h): h is string => typeof h === 'string' && !commentMrs.has(h),
  );
  return html`<div hx-sse:connect="/events?item=${encodeURIComponent(issue.id)}&amp;since=${page.seq}" class="live-status visually-hidden" role="status" aria-live="polite"></div>
<div id="issue" class="issue-page ${state}" hx-get="${self}" hx-trigger="situpdate from:body" hx-select="#issue" hx-swap="outerMorph">
  <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <span>#${shortId(issue.id)}</span></nav>
  <div class="issue-header">
    <h1><span class="summary">${issue.summary === '' ? '(no summary)' : inlineCode(issue.summary)}</span> <span class="issue-id">#${shortId(issue.id)}</span></h1>
    ${page.readonly ? '' : html`<a class="button" href="${self}/edit">${icon('pencil')} Edit</a>`}
  </div>
  ${damagedNotice(page.damaged)}
  <p class="issue-status"><span class="state-pill ${state}">${icon(state)} ${issue.open ? 'Open' : 'Closed'}</span>
    <span><strong title="${issue.authors}">${personName(issue.authors)}</strong> opened this issue ${timeTag(issue.timestamp)}
    · ${issue.comments.length} comment${issue.comments.length === 1 ? '' : 's'}</span></p>
  <div class="issue-layout">
    <div class="timeline">
      <article class="comment opening" aria-label="Description">
        ${avatar(issue.authors)}
        <div class="comment-box">
          <header class="comment-head"><strong title="${issue.authors}">${personName(issue.authors)}</strong> opened ${timeTag(issue.timestamp)}</header>
          ${issue.details.trim() === ''
            ? html`<p class="none markdown">No description provided.</p>`
            : html`<div class="markdown" hx-ignore>${raw(page.detailsHtml)}</div>`}
          ${ownMrs.map((h) => {
            const mr = page.mergeRequests.get(h);
            return mr === undefined ? '' : mergeRequestCard(mr, issue.id);
          })}
        </div>
      </article>
      <h2 id="comments" class="visually-hidden">Comments</h2>
      ${issue.comments.map((c, i) => commentCard(c, page.commentsHtml[i] ?? '', i, page))}
      ${issue.open ? '' : html`<p class="closed-note">${icon('closed')} This issue is closed.</p>`}
      ${page.readonly ? '' : commentForm(page)}
    </div>
    ${sidePanel(issue, page.readonly)}
  </div>
</div>`;
}
