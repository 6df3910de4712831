/**
 * The issue page: summary and state, the opening post and comments as sanitised Markdown, merge
 * requests with their patches as highlighted diffs, a side panel (labels, assignees, milestone),
 * the timeline (comments, and every change with who and when, and the issues that mention this
 * one), and the comment form with close/reopen and a preview. `#issue` reloads itself (morphing, so a comment being
 * typed survives) when the server announces a change to this item.
 * @module
 */
import { html, raw } from 'hono/html';
import type { Definitions } from '../src/tracker/definitions.ts';
import { findMilestone } from '../src/tracker/definitions.ts';
import type { IssueView } from '../src/web/source.ts';
import type { TimelineAction, TimelineItem } from '../src/web/timeline.ts';
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
  /** Comments and changes in order. */
  timeline: TimelineItem[];
  /** Label colours, milestone due dates. */
  definitions: Definitions;
  /** Sanitised HTML of a preview of the draft comment. */
  preview?: string;
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
  ${
    mr.damaged === true
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
            )
  }
</section>`;
}

function reportClass(report: string | null): string {
  return report === 'success' ? ' report-success' : report === 'failure' ? ' report-failure' : '';
}

/** The anchor of a comment: its record hash when known (stable), else its number. */
export function commentAnchor(item: { number: number; hash: string | null }): string {
  return item.hash === null ? `comment-${item.number}` : `comment-${item.hash.slice(0, 12).toLowerCase()}`;
}

function commentActions(item: Extract<TimelineItem, { kind: 'comment' }>, issueId: string): Html {
  if (!item.mine || item.hash === null) return html``;
  const base = `/issue/${encodeURIComponent(issueId)}/comment/${item.hash}`;
  return html`<details class="menu comment-menu">
      <summary aria-label="Actions for comment ${item.number}">${icon('dots')}</summary>
      <ul class="menu-list">
        <li><a href="${base}/edit">${icon('pencil')} Edit</a></li>
        <li><a class="danger" href="${base}/delete">${icon('trash')} Delete</a></li>
      </ul>
    </details>`;
}

function commentCard(item: Extract<TimelineItem, { kind: 'comment' }>, page: IssuePage): Html {
  const comment = item.comment;
  const mr = comment.mergeRequest === null ? undefined : page.mergeRequests.get(comment.mergeRequest);
  const anchor = commentAnchor(item);
  return html`<article class="comment${reportClass(comment.report)}" id="${anchor}" aria-label="Comment ${item.number} by ${personName(comment.authors)}">
  ${avatar(comment.authors)}
  <div class="comment-box">
    <header class="comment-head"><span class="comment-who"><strong title="${comment.authors}">${personName(comment.authors)}</strong>
      ${comment.report === 'success' ? html`<span class="pill pill-success">verification succeeded</span>` : ''}
      ${comment.report === 'failure' ? html`<span class="pill pill-failure">verification failed</span>` : ''}
      commented <a href="#${anchor}">${timeTag(comment.timestamp)}</a>
      ${item.edited !== null ? html`<span class="edited">· edited ${timeTag(item.edited)}</span>` : ''}</span>
      ${item.mine && !page.readonly ? commentActions(item, page.issue.id) : ''}</header>
    <div class="markdown" hx-ignore>${raw(item.html)}</div>
    ${mr !== undefined ? mergeRequestCard(mr, page.issue.id) : ''}
  </div>
</article>`;
}

function names(values: readonly string[], page: IssuePage, labels: boolean): Html {
  return html`${values.map((v, i) => html`${i > 0 ? (i === values.length - 1 ? ' and ' : ', ') : ''}${labels ? labelChip(v, page.definitions) : html`<strong>${personName(v)}</strong>`}`)}`;
}

function actionText(action: TimelineAction, page: IssuePage): Html {
  switch (action.type) {
    case 'closed':
      return html`closed this`;
    case 'reopened':
      return html`reopened this`;
    case 'summary':
      return html`changed the summary from <del>${action.from}</del> to <ins>${action.to}</ins>`;
    case 'details':
      return action.mergeRequest ? html`updated the merge request` : html`edited the description`;
    case 'labels':
    case 'assignees': {
      const labels = action.type === 'labels';
      const what = labels ? 'label' : 'assignee';
      const parts: Html[] = [];
      if (action.added.length > 0)
        parts.push(
          html`${labels ? 'added' : 'assigned'} ${names(action.added, page, labels)}${labels ? html` ${action.added.length === 1 ? what : `${what}s`}` : ''}`,
        );
      if (action.removed.length > 0)
        parts.push(
          html`${labels ? 'removed' : 'unassigned'} ${names(action.removed, page, labels)}${labels ? html` ${action.removed.length === 1 ? what : `${what}s`}` : ''}`,
        );
      return html`${parts.map((p, i) => html`${i > 0 ? ' and ' : ''}${p}`)}`;
    }
    case 'milestone':
      return action.to === null
        ? html`removed this from the <strong>${action.from ?? ''}</strong> milestone`
        : html`added this to the <a href="/milestones"><strong>${action.to}</strong></a> milestone`;
    case 'merged':
      return html`merged <code>${action.text.slice(0, 12)}</code>`;
    case 'deleted':
      return html`deleted a comment`;
    case 'mentioned':
      return html`mentioned this issue in <a class="issue-ref${action.open ? '' : ' closed'}" href="/issue/${encodeURIComponent(action.id)}"><span class="issue-id">#${shortId(action.id)}</span> ${action.summary === '' ? '(no summary)' : inlineCode(action.summary)}</a>${action.place === 'comment' ? '' : html` (in its ${action.place})`}`;
  }
}

const EVENT_ICONS: Record<TimelineAction['type'], string> = {
  closed: 'closed',
  reopened: 'open',
  summary: 'pencil',
  details: 'pencil',
  labels: 'tag',
  assignees: 'person',
  milestone: 'milestone',
  merged: 'code',
  deleted: 'trash',
  mentioned: 'link',
};

function eventLine(item: Extract<TimelineItem, { kind: 'event' }>, page: IssuePage): Html {
  const type = item.action.type;
  return html`<div class="tl-event tl-${type}">
  <span class="tl-icon" aria-hidden="true">${icon(EVENT_ICONS[type])}</span>
  <p><strong title="${item.authors}">${personName(item.authors)}</strong> ${actionText(item.action, page)} ${timeTag(item.timestamp)}</p>
</div>`;
}

function sidePanel(issue: IssueView, page: IssuePage): Html {
  const readonly = page.readonly;
  const editLink = readonly
    ? ''
    : html`<a class="side-edit" href="/issue/${encodeURIComponent(issue.id)}/edit">Edit</a>`;
  const milestone = issue.milestone === '' ? undefined : findMilestone(page.definitions, issue.milestone);
  return html`<aside class="sidebar" aria-label="Issue properties">
  <section><h2>${icon('tag')} Labels ${editLink}</h2>
    ${issue.labels.length > 0 ? html`<p class="labels">${issue.labels.map((l) => labelChip(l, page.definitions))}</p>` : html`<p class="none">None yet</p>`}</section>
  <section><h2>${icon('person')} Assignees</h2>
    ${
      issue.assignees.length > 0
        ? html`<ul class="people">${issue.assignees.map((a) => html`<li>${avatar(a, 'small')}<span>${personName(a)}</span></li>`)}</ul>`
        : html`<p class="none">No one assigned</p>`
    }</section>
  <section><h2>${icon('milestone')} Milestone</h2>
    ${
      issue.milestone !== ''
        ? html`<p><a href="/?q=${encodeURIComponent(`is:all milestone:"${issue.milestone.replace(/["\\]/g, '\\$&')}"`)}">${issue.milestone}</a>${milestone?.due ? html`<br><span class="help">due ${milestone.due}</span>` : ''}</p>`
        : html`<p class="none">No milestone</p>`
    }</section>
  ${refsPanelHook(issue.id)}
  <section class="side-id"><h2>Identifier</h2><p><code class="full-id">${issue.id}</code></p></section>
  ${
    issue.errors > 0
      ? html`<section class="side-errors"><h2>${icon('warning')} Reducer errors</h2><p>${issue.errors} record${issue.errors === 1 ? '' : 's'} could not be applied; see <code>sit reduce ${shortId(issue.id)}</code>.</p></section>`
      : ''
  }
</aside>`;
}

/** A Markdown text area with Write and Preview tabs (the preview is rendered by the server). */
export function markdownEditor(options: {
  id: string;
  name: string;
  label: string;
  value: string;
  rows: number;
  placeholder?: string;
  preview?: string | undefined;
  describedBy?: string;
  required?: boolean;
}): Html {
  const target = `${options.id}-preview`;
  return html`<div class="editor${options.preview !== undefined ? ' has-preview' : ''}">
    <div class="editor-bar">
      <label for="${options.id}">${options.label}</label>
      <div class="editor-tabs" role="group" aria-label="Editor mode">
        <button type="button" class="editor-tab" data-editor-write hidden>Write</button>
        <button type="submit" class="editor-tab" name="preview" value="${options.name}" formnovalidate
          hx-post="/preview" hx-target="#${target}" hx-swap="innerHTML" data-editor-preview>Preview</button>
      </div>
    </div>
    <div id="${target}" class="editor-preview" aria-live="polite">${
      options.preview !== undefined ? html`<div class="markdown" hx-ignore>${raw(options.preview)}</div>` : ''
    }</div>
    <textarea id="${options.id}" name="${options.name}" rows="${options.rows}"${options.placeholder === undefined ? '' : html` placeholder="${options.placeholder}"`}${options.describedBy === undefined ? '' : html` aria-describedby="${options.describedBy}"`}${options.required ? html` required` : ''}>${options.value}</textarea>
  </div>`;
}

function commentForm(page: IssuePage): Html {
  const id = encodeURIComponent(page.issue.id);
  const open = page.issue.open;
  return html`<section class="comment-form-wrap" aria-labelledby="new-comment-title">
  <h2 id="new-comment-title" class="visually-hidden">Add a comment</h2>
  <form class="comment-form" method="post" action="/issue/${id}/comment"
    hx-post="/issue/${id}/comment" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" hx-disable="findAll button">
    ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${page.error}</p>` : ''}
    ${markdownEditor({ id: 'comment-text', name: 'text', label: 'Comment', value: page.draft ?? '', rows: 5, placeholder: 'Write a comment (Markdown; #id links an issue, @name a person)', preview: page.preview })}
    <div class="form-actions">
      ${
        open
          ? html`<button class="button" type="submit" name="action" value="close">${icon('closed')} Close issue</button>`
          : html`<button class="button" type="submit" name="action" value="reopen">${icon('open')} Reopen issue</button>`
      }
      ${open ? html`<button class="button" type="submit" name="action" value="comment-close">Comment and close</button>` : ''}
      <button class="button button-primary" type="submit" name="action" value="comment">Comment</button>
    </div>
    <p class="help">${open ? 'Close issue' : 'Reopen issue'} also posts the text above as a comment, when there is any. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> comments.</p>
  </form>
</section>`;
}

/** The lazily loaded list of commits whose messages name the issue (filled by `/issue/ID/commits`). */
function commitsPlaceholder(id: string): Html {
  const href = `/issue/${encodeURIComponent(id)}/commits`;
  return html`<section id="commits" class="commits-lazy" hx-get="${href}" hx-trigger="load" hx-swap="outerHTML">
  <a class="help" href="${href}">${icon('code')} Commits that mention this issue</a>
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
    ${page.readonly ? '' : html`<a class="button" href="${self}/edit" aria-keyshortcuts="e">${icon('pencil')} Edit</a>`}
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
          <header class="comment-head"><span class="comment-who"><strong title="${issue.authors}">${personName(issue.authors)}</strong> opened ${timeTag(issue.timestamp)}</span></header>
          ${
            issue.details.trim() === ''
              ? html`<p class="none markdown">No description provided.</p>`
              : html`<div class="markdown" hx-ignore>${raw(page.detailsHtml)}</div>`
          }
          ${ownMrs.map((h) => {
            const mr = page.mergeRequests.get(h);
            return mr === undefined ? '' : mergeRequestCard(mr, issue.id);
          })}
        </div>
      </article>
      <h2 id="comments" class="visually-hidden">Timeline</h2>
      ${page.timeline.map((item) => (item.kind === 'comment' ? commentCard(item, page) : eventLine(item, page)))}
      ${commitsPlaceholder(issue.id)}
      ${issue.open ? '' : html`<p class="closed-note">${icon('closed')} This issue is closed.</p>`}
      ${page.readonly ? '' : commentForm(page)}
    </div>
    ${sidePanel(issue, page)}
  </div>
</div>`;
}
