/**
 * The new-issue form and the edit form (summary, details, labels, assignees, milestone).
 * @module
 */
import { html } from 'hono/html';
import { icon, shortId, type Html } from './parts.ts';

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
}

/** The body of the new-issue and edit pages. */
export function issueForm(page: IssueFormPage): Html {
  const editing = page.mode === 'edit' && page.id !== undefined;
  const action = editing ? `/issue/${encodeURIComponent(page.id!)}/edit` : '/new';
  const v = page.values;
  return html`<div class="form-page">
  ${editing
    ? html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <a href="/issue/${encodeURIComponent(page.id!)}">#${shortId(page.id!)}</a> <span aria-hidden="true">/</span> <span>Edit</span></nav>`
    : html`<nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <span>New</span></nav>`}
  <h1>${editing ? 'Edit issue' : 'New issue'}</h1>
  <form class="issue-form card" method="post" action="${action}"
    hx-post="${action}" hx-target="#main" hx-select="#main" hx-swap="outerHTML" hx-push-url="true" hx-disable="findAll button">
    ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${icon('warning')} ${page.error}</p>` : ''}
    <div class="field">
      <label for="summary">Summary <span class="required" aria-hidden="true">*</span></label>
      <input id="summary" name="summary" type="text" required maxlength="500" value="${v.summary}" autocomplete="off"${editing ? '' : html` autofocus`}>
    </div>
    <div class="field">
      <label for="details">Details</label>
      <textarea id="details" name="details" rows="10" aria-describedby="details-help">${v.details}</textarea>
      <p id="details-help" class="help">Markdown: <code>**bold**</code>, <code>\`code\`</code>, fenced code blocks with a language, lists, links, tables.</p>
    </div>
    <div class="field-row">
      <div class="field">
        <label for="labels">Labels</label>
        <input id="labels" name="labels" type="text" value="${v.labels}" aria-describedby="labels-help" autocomplete="off">
        <p id="labels-help" class="help">Comma-separated, e.g. <code>bug, web</code></p>
      </div>
      <div class="field">
        <label for="assignees">Assignees</label>
        <input id="assignees" name="assignees" type="text" value="${v.assignees}" aria-describedby="assignees-help" autocomplete="off">
        <p id="assignees-help" class="help">Comma-separated names</p>
      </div>
      <div class="field">
        <label for="milestone">Milestone</label>
        <input id="milestone" name="milestone" type="text" value="${v.milestone}" autocomplete="off">
      </div>
    </div>
    <div class="form-actions">
      <a class="button" href="${editing ? `/issue/${encodeURIComponent(page.id!)}` : '/'}">Cancel</a>
      <button class="button button-primary" type="submit">${editing ? 'Save changes' : 'Create issue'}</button>
    </div>
  </form>
</div>`;
}
