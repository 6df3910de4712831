/**
 * The HTML pages and the form posts behind them: the issue list, an issue, the new-issue and edit
 * forms, documentation. Every write answers with a redirect to the page that shows its result
 * (303, so that reloading does not post again); htmx follows it and swaps `#main`.
 * @module
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SitError } from '../errors.ts';
import { docPage } from '../../templates/doc.ts';
import { errorPage } from '../../templates/error.ts';
import { issueForm, type IssueFormValues } from '../../templates/forms.ts';
import { issuePage } from '../../templates/issue.ts';
import { layout } from '../../templates/layout.ts';
import { listPage } from '../../templates/list.ts';
import type { Html } from '../../templates/parts.ts';
import type { ChangeFeed } from './changes.ts';
import type { Docs } from './docs.ts';
import { buildIssuePage, buildListPage, DEFAULT_QUERY } from './issues.ts';
import { issueView, type ItemSource, type RecordStore } from './source.ts';
import { utf8, type Writer } from './writer.ts';

/** What the pages need. */
export interface PagesOptions {
  repo: RecordStore;
  index: ItemSource;
  feed: ChangeFeed;
  writer: Writer;
  docs: Docs;
  readonly: boolean;
  /** Named filters (label → query). */
  filters: () => Array<[string, string]>;
  /** A line shown at the top of every page (e.g. that the repository's web app is not served). */
  notice?: string | undefined;
}

/** Longest summary accepted, in characters. */
const MAX_SUMMARY = 500;

type Status = 200 | 400 | 403 | 404 | 422;

async function page(c: Context, title: string, body: Html, o: PagesOptions, status: Status = 200, current?: 'issues' | 'new' | 'docs') {
  const frame = layout({
    title,
    readonly: o.readonly,
    body,
    ...(current === undefined ? {} : { current }),
    ...(o.notice === undefined ? {} : { notice: o.notice }),
  });
  c.header('cache-control', 'no-store');
  return c.html(await frame, status);
}

function notFound(c: Context, o: PagesOptions, what = 'There is nothing at this address.') {
  return page(c, 'Not found', errorPage('Not found', what), o, 404);
}

/** Splits a comma- or newline-separated list, trimmed, without blanks or repeats, sorted. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s !== ''))].sort();
}

function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : '';
}

function diffLists(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  return {
    added: after.filter((x) => !before.includes(x)),
    removed: before.filter((x) => !after.includes(x)),
  };
}

/** Files of a LabelsChanged/AssigneesChanged record, or undefined when nothing changes. */
function listChange(type: string, before: readonly string[], after: readonly string[], w: Writer) {
  const { added, removed } = diffLists(before, after);
  if (added.length === 0 && removed.length === 0) return undefined;
  const extra = [];
  if (added.length > 0) extra.push({ name: 'added', data: utf8(added.join('\n') + '\n') });
  if (removed.length > 0) extra.push({ name: 'removed', data: utf8(removed.join('\n') + '\n') });
  return w.files([type], undefined, extra);
}

function formValues(form: Record<string, unknown>): IssueFormValues {
  return {
    summary: field(form, 'summary'),
    details: field(form, 'details'),
    labels: field(form, 'labels'),
    assignees: field(form, 'assignees'),
    milestone: field(form, 'milestone'),
  };
}

function checkSummary(summary: string): string | undefined {
  if (summary.trim() === '') return 'The summary cannot be empty.';
  if (summary.length > MAX_SUMMARY) return `The summary is too long (${summary.length} characters; at most ${MAX_SUMMARY}).`;
  if (/\n/.test(summary)) return 'The summary must be one line.';
  return undefined;
}

/** Registers the pages and their form posts on `app`. */
export function registerPages(app: Hono, o: PagesOptions): void {
  const refuseReadonly = (c: Context) =>
    page(c, 'Read only', errorPage('Read only', 'This server is read-only: it refuses every change.'), o, 403);

  app.get('/', async (c) => {
    const q = c.req.query('q') ?? DEFAULT_QUERY;
    const pageNo = Number.parseInt(c.req.query('page') ?? '1', 10);
    const data = buildListPage(o.index.states(), {
      q,
      page: Number.isSafeInteger(pageNo) && pageNo > 0 ? pageNo : 1,
      filters: o.filters(),
      readonly: o.readonly,
      seq: o.feed.seq,
    });
    return page(c, 'Issues', listPage(data), o, data.error === undefined ? 200 : 400, 'issues');
  });

  app.get('/issue/:id', async (c) => {
    const id = c.req.param('id');
    const data = buildIssuePage(o.index, o.repo, id, { readonly: o.readonly, seq: o.feed.seq });
    if (data === undefined) return notFound(c, o, `There is no issue ${JSON.stringify(id)}.`);
    return page(c, data.issue.summary || id, issuePage(data), o);
  });

  app.get('/new', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const values = { summary: '', details: '', labels: '', assignees: '', milestone: '' };
    return page(c, 'New issue', issueForm({ mode: 'new', values }), o, 200, 'new');
  });

  app.get('/issue/:id/edit', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const id = c.req.param('id');
    const state = o.index.get(id);
    if (state === undefined) return notFound(c, o, `There is no issue ${JSON.stringify(id)}.`);
    const v = issueView(state);
    const values = {
      summary: v.summary,
      details: v.details,
      labels: v.labels.join(', '),
      assignees: v.assignees.join(', '),
      milestone: v.milestone,
    };
    return page(c, `Edit ${v.summary || id}`, issueForm({ mode: 'edit', id, values }), o);
  });

  app.get('/doc', (c) => c.redirect('/doc/readme', 302));
  app.get('/doc/:slug', async (c) => {
    const slug = c.req.param('slug');
    const doc = o.docs.page(slug);
    const entries = o.docs.entries();
    if (doc === undefined) {
      return page(c, 'Documentation', docPage({ entries }), o, entries.length === 0 || slug !== 'readme' ? 404 : 200, 'docs');
    }
    return page(c, doc.title, docPage({ entries, current: slug, bodyHtml: doc.html }), o, 200, 'docs');
  });

  app.post('/new', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const values = formValues(await c.req.parseBody());
    const problem = checkSummary(values.summary);
    if (problem !== undefined) {
      return page(c, 'New issue', issueForm({ mode: 'new', values, error: problem }), o, 422, 'new');
    }
    const w = o.writer;
    const id = w.newItem();
    w.write(id, w.files(['SummaryChanged'], values.summary.trim()));
    if (values.details.trim() !== '') w.write(id, w.files(['DetailsChanged'], values.details));
    const labels = listChange('LabelsChanged', [], splitList(values.labels), w);
    if (labels !== undefined) w.write(id, labels);
    const assignees = listChange('AssigneesChanged', [], splitList(values.assignees), w);
    if (assignees !== undefined) w.write(id, assignees);
    if (values.milestone.trim() !== '') {
      w.write(id, w.files(['MilestoneChanged'], undefined, [{ name: 'milestone', data: utf8(values.milestone.trim()) }]));
    }
    await w.settle([id]);
    return c.redirect(`/issue/${encodeURIComponent(id)}`, 303);
  });

  app.post('/issue/:id/edit', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const id = c.req.param('id');
    const state = o.index.get(id);
    if (state === undefined || !o.repo.hasItem(id)) return notFound(c, o, `There is no issue ${JSON.stringify(id)}.`);
    const values = formValues(await c.req.parseBody());
    const problem = checkSummary(values.summary);
    if (problem !== undefined) {
      return page(c, 'Edit issue', issueForm({ mode: 'edit', id, values, error: problem }), o, 422);
    }
    const before = issueView(state);
    const w = o.writer;
    if (values.summary.trim() !== before.summary.trim()) w.write(id, w.files(['SummaryChanged'], values.summary.trim()));
    if (values.details !== before.details && values.details.trim() !== before.details.trim()) {
      w.write(id, w.files(['DetailsChanged'], values.details));
    }
    const labels = listChange('LabelsChanged', before.labels, splitList(values.labels), w);
    if (labels !== undefined) w.write(id, labels);
    const assignees = listChange('AssigneesChanged', before.assignees, splitList(values.assignees), w);
    if (assignees !== undefined) w.write(id, assignees);
    if (values.milestone.trim() !== before.milestone) {
      w.write(id, w.files(['MilestoneChanged'], undefined, [{ name: 'milestone', data: utf8(values.milestone.trim()) }]));
    }
    await w.settle([id]);
    return c.redirect(`/issue/${encodeURIComponent(id)}`, 303);
  });

  app.post('/issue/:id/comment', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const id = c.req.param('id');
    const state = o.index.get(id);
    if (state === undefined || !o.repo.hasItem(id)) return notFound(c, o, `There is no issue ${JSON.stringify(id)}.`);
    const form = await c.req.parseBody();
    const text = field(form, 'text');
    const action = field(form, 'action') || 'comment';
    const hasText = text.trim() !== '';
    const types: string[] = [];
    if (hasText) types.push('Commented');
    if (action === 'close' || action === 'comment-close') types.push('Closed');
    else if (action === 'reopen') types.push('Reopened');
    else if (action !== 'comment') {
      return page(c, 'Bad request', errorPage('Bad request', `Unknown action ${JSON.stringify(action)}.`), o, 400);
    }
    if (!hasText && (action === 'comment' || action === 'comment-close')) {
      const data = buildIssuePage(o.index, o.repo, id, {
        readonly: o.readonly,
        seq: o.feed.seq,
        error: 'Write a comment first.',
        draft: text,
      })!;
      return page(c, data.issue.summary || id, issuePage(data), o, 422);
    }
    const w = o.writer;
    w.write(id, w.files(types, hasText ? text : undefined));
    await w.settle([id]);
    return c.redirect(`/issue/${encodeURIComponent(id)}${hasText ? `#comment-${issueView(o.index.get(id) ?? state).comments.length}` : ''}`, 303);
  });

  app.onError(async (error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (error instanceof SitError) {
      return page(c, 'Error', errorPage('That did not work', error.message), o, 400);
    }
    console.error(error);
    return c.text('Internal error', 500);
  });

  app.notFound((c) => notFound(c, o));
}
