/**
 * The labels page and the milestones page: every defined label or milestone (and any that issues
 * carry without a definition) with its open and closed issues, milestones with their progress and
 * due date, and forms to define, change and delete them.
 * @module
 */
import { html, raw } from 'hono/html';
import type { Definitions } from '../src/tracker/definitions.ts';
import { icon, labelChip, type Html } from './parts.ts';

/** One label of the labels page. */
export interface LabelRow {
  name: string;
  color: string | null;
  description: string;
  /** Whether a definition exists (else issues merely carry it). */
  defined: boolean;
  open: number;
  closed: number;
  openHref: string;
  closedHref: string;
}

/** The labels page. */
export interface LabelsPage {
  readonly: boolean;
  rows: LabelRow[];
  definitions: Definitions;
  /** The colour offered for a new label: one no label uses yet. */
  suggestedColor: string;
  error?: string;
  /** The values of a form that was refused. */
  values?: { name: string; color: string; description: string };
}

/** One milestone of the milestones page. */
export interface MilestoneRow {
  title: string;
  /** Sanitised HTML of the description. */
  descriptionHtml: string;
  description: string;
  due: string | null;
  overdue: boolean;
  state: 'open' | 'closed';
  defined: boolean;
  open: number;
  closed: number;
  /** Closed issues in percent of all, rounded down. */
  percent: number;
  openHref: string;
  closedHref: string;
}

/** The milestones page. */
export interface MilestonesPage {
  readonly: boolean;
  rows: MilestoneRow[];
  error?: string;
  values?: { title: string; due: string; description: string };
}

function labelFields(
  values: { name: string; color: string; description: string },
  prefix: string,
  nameEditable: boolean,
): Html {
  return html`<div class="field">
      <label for="${prefix}-name">Name</label>
      ${
        nameEditable
          ? html`<input id="${prefix}-name" name="name" type="text" required maxlength="200" value="${values.name}" autocomplete="off">`
          : html`<input id="${prefix}-name" type="text" value="${values.name}" disabled><input type="hidden" name="name" value="${values.name}">`
      }
    </div>
    <div class="field field-color">
      <label for="${prefix}-color">Colour</label>
      <input id="${prefix}-color" name="color" type="color" value="${values.color}">
    </div>
    <div class="field field-grow">
      <label for="${prefix}-description">Description</label>
      <input id="${prefix}-description" name="description" type="text" maxlength="200" value="${values.description}" autocomplete="off">
    </div>`;
}

function labelRow(row: LabelRow, page: LabelsPage): Html {
  const anchor = `label-${encodeURIComponent(row.name)}`;
  return html`<li class="def-row" id="${anchor}">
  <div class="def-main">
    ${labelChip(row.name, page.definitions)}
    ${
      row.defined
        ? row.description === ''
          ? html`<span class="none">No description</span>`
          : html`<span class="def-description">${row.description}</span>`
        : html`<span class="none">Not defined: it shows without a colour</span>`
    }
  </div>
  <div class="def-counts"><a href="${row.openHref}">${icon('open')} ${row.open} open</a> <a href="${row.closedHref}">${icon('closed')} ${row.closed} closed</a></div>
  ${
    page.readonly
      ? ''
      : html`<details class="def-edit">
    <summary class="button">${row.defined ? 'Edit' : 'Define'}</summary>
    <form class="def-form" method="post" action="/labels">
      ${labelFields({ name: row.name, color: row.color ?? page.suggestedColor, description: row.description }, `edit-${anchor}`, false)}
      <div class="form-actions"><button class="button button-primary" type="submit">${row.defined ? 'Save' : 'Define label'}</button></div>
    </form>
    ${
      row.defined
        ? html`<form method="post" action="/labels/delete" class="def-delete"><input type="hidden" name="name" value="${row.name}">
      <button class="button button-danger" type="submit">${icon('trash')} Delete definition</button>
      <span class="help">Issues keep the label.</span></form>`
        : ''
    }
  </details>`
  }
</li>`;
}

/** The body of the labels page. */
export function labelsPage(page: LabelsPage): Html {
  const defined = page.rows.filter((r) => r.defined).length;
  return html`<div class="defs-page">
  <div class="defs-head">
    <h1>${icon('tag')} Labels <span class="count">${page.rows.length}</span></h1>
    <a class="button" href="/milestones">${icon('milestone')} Milestones</a>
  </div>
  ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${icon('warning')} ${page.error}</p>` : ''}
  ${
    page.readonly
      ? ''
      : html`<form class="card def-form new-def" method="post" action="/labels">
    <h2>New label</h2>
    <div class="def-fields">${labelFields(page.values ?? { name: '', color: page.suggestedColor, description: '' }, 'new-label', true)}</div>
    <div class="form-actions"><button class="button button-primary" type="submit">${icon('plus')} Create label</button></div>
  </form>`
  }
  ${
    page.rows.length === 0
      ? html`<div class="empty card"><p class="empty-title">No labels yet</p><p>Labels sort issues into kinds: <em>bug</em>, <em>enhancement</em>, <em>question</em>.</p></div>`
      : html`<ul class="def-list card" aria-label="Labels">${page.rows.map((r) => labelRow(r, page))}</ul>
  <p class="help">${defined} defined. Definitions are records of the item <code>issue-tracking-definitions</code>, shared like any other records; <code>sit issue labels</code> lists them too.</p>`
  }
</div>`;
}

function milestoneFields(
  values: { title: string; due: string; description: string },
  prefix: string,
  titleEditable: boolean,
): Html {
  return html`<div class="field">
      <label for="${prefix}-title">Title</label>
      ${
        titleEditable
          ? html`<input id="${prefix}-title" name="title" type="text" required maxlength="200" value="${values.title}" autocomplete="off">`
          : html`<input id="${prefix}-title" type="text" value="${values.title}" disabled><input type="hidden" name="title" value="${values.title}">`
      }
    </div>
    <div class="field field-date">
      <label for="${prefix}-due">Due date</label>
      <input id="${prefix}-due" name="due" type="date" value="${values.due}">
    </div>
    <div class="field field-grow">
      <label for="${prefix}-description">Description</label>
      <input id="${prefix}-description" name="description" type="text" value="${values.description}" autocomplete="off">
    </div>`;
}

function milestoneRow(row: MilestoneRow, page: MilestonesPage): Html {
  const anchor = `milestone-${encodeURIComponent(row.title)}`;
  const total = row.open + row.closed;
  return html`<li class="def-row milestone-row ${row.state}" id="${anchor}">
  <div class="def-main">
    <h2><a href="${row.openHref}">${row.title}</a>
      ${row.state === 'closed' ? html`<span class="state-badge closed">Closed</span>` : ''}
      ${!row.defined ? html`<span class="none">not defined</span>` : ''}</h2>
    <p class="milestone-due">${icon('milestone')}
      ${row.due === null ? html`No due date` : row.overdue ? html`<span class="overdue">Overdue: was due ${row.due}</span>` : html`Due by ${row.due}`}</p>
    ${row.descriptionHtml !== '' ? html`<div class="markdown def-description" hx-ignore>${raw(row.descriptionHtml)}</div>` : ''}
  </div>
  <div class="milestone-progress">
    <progress max="${Math.max(1, total)}" value="${row.closed}" aria-label="${row.percent}% complete">${row.percent}%</progress>
    <p><strong>${row.percent}%</strong> complete · <a href="${row.openHref}">${row.open} open</a> · <a href="${row.closedHref}">${row.closed} closed</a></p>
  </div>
  ${
    page.readonly
      ? ''
      : html`<details class="def-edit">
    <summary class="button">${row.defined ? 'Edit' : 'Define'}</summary>
    <form class="def-form" method="post" action="/milestones">
      ${milestoneFields({ title: row.title, due: row.due ?? '', description: row.description }, `edit-${anchor}`, false)}
      <div class="form-actions">
        ${
          row.defined
            ? row.state === 'open'
              ? html`<button class="button" type="submit" name="state" value="closed">${icon('closed')} Close milestone</button>`
              : html`<button class="button" type="submit" name="state" value="open">${icon('open')} Reopen milestone</button>`
            : ''
        }
        <button class="button button-primary" type="submit">${row.defined ? 'Save' : 'Define milestone'}</button>
      </div>
    </form>
    ${
      row.defined
        ? html`<form method="post" action="/milestones/delete" class="def-delete"><input type="hidden" name="title" value="${row.title}">
      <button class="button button-danger" type="submit">${icon('trash')} Delete definition</button>
      <span class="help">Issues keep the milestone.</span></form>`
        : ''
    }
  </details>`
  }
</li>`;
}

/** The body of the milestones page. */
export function milestonesPage(page: MilestonesPage): Html {
  const open = page.rows.filter((r) => r.state === 'open');
  const closed = page.rows.filter((r) => r.state === 'closed');
  return html`<div class="defs-page">
  <div class="defs-head">
    <h1>${icon('milestone')} Milestones <span class="count">${page.rows.length}</span></h1>
    <a class="button" href="/labels">${icon('tag')} Labels</a>
  </div>
  ${page.error !== undefined ? html`<p class="notice notice-error" role="alert">${icon('warning')} ${page.error}</p>` : ''}
  ${
    page.readonly
      ? ''
      : html`<form class="card def-form new-def" method="post" action="/milestones">
    <h2>New milestone</h2>
    <div class="def-fields">${milestoneFields(page.values ?? { title: '', due: '', description: '' }, 'new-milestone', true)}</div>
    <div class="form-actions"><button class="button button-primary" type="submit">${icon('plus')} Create milestone</button></div>
  </form>`
  }
  ${
    page.rows.length === 0
      ? html`<div class="empty card"><p class="empty-title">No milestones yet</p><p>Milestones group issues towards a release or a date.</p></div>`
      : html`${open.length > 0 ? html`<h2 class="defs-section">Open</h2><ul class="def-list card" aria-label="Open milestones">${open.map((r) => milestoneRow(r, page))}</ul>` : ''}
  ${closed.length > 0 ? html`<h2 class="defs-section">Closed</h2><ul class="def-list card" aria-label="Closed milestones">${closed.map((r) => milestoneRow(r, page))}</ul>` : ''}`
  }
</div>`;
}

/** A commit that names an issue, as the commits panel shows it. */
export interface CommitRow {
  hash: string;
  subject: string;
  author: string;
  date: string;
  fixes: boolean;
}

/** The issue page's commits panel (empty when the repository is not in a git work tree). */
export function commitsPanel(
  commits: readonly CommitRow[],
  options: { git: boolean; time: (date: string) => Html },
): Html {
  if (!options.git || commits.length === 0) return html`<section id="commits" class="commits" hidden></section>`;
  return html`<section id="commits" class="commits" aria-labelledby="commits-title">
  <h2 id="commits-title">${icon('commit')} Commits that mention this issue</h2>
  <ul>${commits.map(
    (
      c,
    ) => html`<li><code class="commit-hash" title="${c.hash}">${c.hash.slice(0, 10)}</code> <span class="commit-subject">${c.subject}</span>
      ${c.fixes ? html`<span class="pill pill-success">fixes</span>` : ''}
      <span class="help">${c.author.replace(/\s*<[^>]*>$/, '')}, ${options.time(c.date)}</span></li>`,
  )}</ul>
</section>`;
}
