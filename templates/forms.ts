/**
 * The new-issue form (with the repository's issue templates to start from) and the edit form
 * (summary, details with a preview, labels, assignees, milestone), and the pages that edit or
 * delete a comment.
 * @module
 */
import { html, raw } from 'hono/html';
import type { Definitions } from '../src/tracker/definitions.ts';
import type { IssueTemplate } from '../src/tracker/templates.ts';
import { markdownEditor } from './issue.ts';
import { icon, labelChip, shortId, type Html } from './parts.ts';

/** The values of the issue form. */
export interface IssueFormValues {
  summary: string;
  details: string;
  labels: string;
  assignees: string;
  milestone: string;
}

/** What the form page shows. */
export interface IssueFormPage {
  /** `new` creates an issue; `edit` changes the issue `id`. */
  mode: 'new' | 'edit';
  id?: string;
  values: IssueFormValues;
  /** A one-line problem with the submitted values. */
  error?: string;
  /** Sanitised HTML of a preview of the details. */
  preview?: string;
  /** Defined labels and milestones, offered as suggestions. */
  definitions?: Definitions;
  /** The template the form started from. */
  template?: string;
}

/** The body of the new-issue and edit pages. */
export function issueForm(page: IssueFormPage): Html {
  const editing = page.mode === 'edit' && page.id !== undefined;
  const action = editing ? `/issue/${encodeURIComponent(page.id!)}/edit` : '/new';
  const v = page.values;
  const defs = page.definitions ?? { labels: [], milestones: [] };
  return html`<div class="form-page">
  ${
    editing
      ? html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <a href="/issue/${encodeURIComponent(page.id!)}">#${shortId(page.id!)}</a> <span aria-hidden="true">/</span> <span>Edit</span></nav>`
      : html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <span>New</span></nav>`
  }
  <h1>${editing ? 'Edit issue' : 'New issue'}</h1>
  <form class="issue-form card" method="post" action="${action}"
    hx-post="${action}" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" hx-disable="findAll button">
    ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${icon('warning')} ${page.error}</p>` : ''}
    ${page.template !== undefined ? html`<input type="hidden" name="template" value="${page.template}">` : ''}
    <div class="field">
      <label for="summary">Summary <span class="required" aria-hidden="true">*</span></label>
      <input id="summary" name="summary" type="text" required maxlength="500" value="${v.summary}" autocomplete="off"${editing ? '' : html` autofocus`}>
    </div>
    <div class="field">
      ${markdownEditor({ id: 'details', name: 'details', label: 'Details', value: v.details, rows: 10, describedBy: 'details-help', preview: page.preview })}
      <p id="details-help" class="help">Markdown: <code>**bold**</code>, <code>\`code\`</code>, fenced code blocks with a language, lists, links, tables; <code>#id</code> links an issue, <code>@name</code> a person.</p>
    </div>
    <div class="field-row">
      <div class="field">
        <label for="labels">Labels</label>
        <input id="labels" name="labels" type="text" value="${v.labels}" aria-describedby="labels-help" autocomplete="off">
        <p id="labels-help" class="help">Comma-separated${
          defs.labels.length > 0
            ? html`; defined: <span class="labels">${defs.labels.map((l) => labelChip(l.name, defs))}</span>`
            : html`, e.g. <code>bug, web</code>`
        }</p>
      </div>
      <div class="field">
        <label for="assignees">Assignees</label>
        <input id="assignees" name="assignees" type="text" value="${v.assignees}" aria-describedby="assignees-help" autocomplete="off">
        <p id="assignees-help" class="help">Comma-separated names</p>
      </div>
      <div class="field">
        <label for="milestone">Milestone</label>
        <input id="milestone" name="milestone" type="text" value="${v.milestone}" autocomplete="off" list="milestone-list">
        <datalist id="milestone-list">${defs.milestones.filter((m) => m.state === 'open').map((m) => html`<option value="${m.title}">`)}</datalist>
      </div>
    </div>
    <div class="form-actions">
      <a class="button" href="${editing ? `/issue/${encodeURIComponent(page.id!)}` : '/'}">Cancel</a>
      <button class="button button-primary" type="submit">${editing ? 'Save changes' : 'Create issue'}</button>
    </div>
  </form>
</div>`;
}

/** The new-issue page when the repository has templates: pick one, or start blank. */
export function templateChooser(templates: readonly IssueTemplate[]): Html {
  return html`<div class="form-page">
  <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <span>New</span></nav>
  <h1>New issue</h1>
  <p class="help">Start from one of this repository's templates (<code>.sit/templates/</code>).</p>
  <ul class="template-list">
    ${templates.map(
      (t) => html`<li class="card template-card">
      <div><strong>${t.title}</strong>${t.about !== '' ? html`<p class="help">${t.about}</p>` : ''}</div>
      <a class="button button-primary" href="/new?template=${encodeURIComponent(t.name)}">Get started</a>
    </li>`,
    )}
    <li class="card template-card"><div><strong>Blank issue</strong><p class="help">Start from nothing.</p></div>
      <a class="button" href="/new?template=">Open a blank issue</a></li>
  </ul>
</div>`;
}

/** What the comment edit and delete pages show. */
export interface CommentPage {
  issueId: string;
  summary: string;
  /** The comment's 1-based number and record hash. */
  number: number;
  hash: string;
  text: string;
  /** `edit` shows the text to change; `delete` asks to confirm. */
  mode: 'edit' | 'delete';
  error?: string;
  preview?: string;
  /** Sanitised HTML of the comment (shown when deleting). */
  html?: string;
}

/** The body of the comment edit page, or of the page that confirms a deletion. */
export function commentPage(page: CommentPage): Html {
  const issue = `/issue/${encodeURIComponent(page.issueId)}`;
  const action = `${issue}/comment/${page.hash}/${page.mode}`;
  return html`<div class="form-page">
  <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <a href="${issue}">#${shortId(page.issueId)}</a> <span aria-hidden="true">/</span> <span>Comment ${page.number}</span></nav>
  <h1>${page.mode === 'edit' ? 'Edit comment' : 'Delete comment'} ${page.number}</h1>
  <form class="card" method="post" action="${action}">
    ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${icon('warning')} ${page.error}</p>` : ''}
    ${
      page.mode === 'edit'
        ? html`${markdownEditor({ id: 'comment-text', name: 'text', label: 'Comment', value: page.text, rows: 8, preview: page.preview })}
    <p class="help">The earlier text stays in the issue's history (its records); the comment is marked as edited.</p>`
        : html`<p>Delete this comment from <strong>${page.summary}</strong>? The timeline will say that you deleted a comment; its text stays in the issue's records.</p>
    <blockquote class="markdown deleted-preview" hx-ignore>${page.html === undefined ? page.text : raw(page.html)}</blockquote>`
    }
    <div class="form-actions">
      <a class="button" href="${issue}">Cancel</a>
      ${
        page.mode === 'edit'
          ? html`<button class="button button-primary" type="submit">Save comment</button>`
          : html`<button class="button button-danger" type="submit">${icon('trash')} Delete comment</button>`
      }
    </div>
  </form>
</div>`;
}
