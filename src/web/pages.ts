/**
 * The HTML pages and the form posts behind them: the issue list, an issue (with its timeline and
 * the commits that mention it), the new-issue form (with templates) and the edit form, comment
 * edits and deletions, Markdown previews, labels and milestones, documentation. Every write
 * answers with a redirect to the page that shows its result (303, so that reloading does not post
 * again); htmx follows it and swaps `#main`. Every form works without JavaScript too.
 * @module
 */
import { Hono, type Context, type ErrorHandler, type NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { SitError } from '../errors.ts';
import { docPage } from '../../templates/doc.ts';
import { errorPage } from '../../templates/error.ts';
import { commentPage, issueForm, templateChooser } from '../../templates/forms.ts';
import { commentAnchor, issuePage } from '../../templates/issue.ts';
import { commitsPanel, labelsPage, milestonesPage, type LabelRow, type MilestoneRow } from '../../templates/labels.ts';
import { layout } from '../../templates/layout.ts';
import { listPage } from '../../templates/list.ts';
import { quoteValue, timeTag, type Html } from '../../templates/parts.ts';
import { html } from 'hono/html';
import {
  commitsMentioning,
  DEFINITIONS_ID,
  IdIndex,
  LABEL_PALETTE,
  labelStyleSheet,
  parseColor,
  readTemplates,
  suggestedColor,
  type CommitSearch,
  type IssueTemplate,
} from '../tracker/mod.ts';
import { etagMatches, etagOf } from './assets.ts';
import type { ChangeFeed } from './changes.ts';
import type { Docs } from './docs.ts';
import { buildIssuePage, buildListPage, DEFAULT_QUERY } from './issues.ts';
import { renderMarkdown } from './markdown.ts';
import { issueView, type ItemSource, type ItemState, type RecordStore } from './source.ts';
import { TrackerView } from './tracker.ts';
import {
  commentDeletedRecord,
  commentEditedRecord,
  commentTypes,
  definitionRecord,
  definitionsItemRecords,
  editRecords,
  field,
  formValues,
  newIssueRecords,
} from './form_records.ts';
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
/** How long the commits of an issue are remembered before `git log` runs again. */
const COMMITS_TTL_MS = 30_000;

type Status = 200 | 400 | 403 | 404 | 422;
type Current = 'issues' | 'new' | 'docs' | 'labels' | 'milestones';

/** A page to show: its title, its body, the status (default 200) and the tab it belongs to. */
interface PageView {
  title: string;
  body: Html;
  status?: Status;
  current?: Current;
}

async function page(c: Context, o: PagesOptions, view: PageView) {
  const frame = layout({
    title: view.title,
    readonly: o.readonly,
    body: view.body,
    ...(view.current === undefined ? {} : { current: view.current }),
    ...(o.notice === undefined ? {} : { notice: o.notice }),
  });
  c.header('cache-control', 'no-store');
  return c.html(await frame, view.status ?? 200);
}

function notFound(c: Context, o: PagesOptions, what = 'There is nothing at this address.') {
  return page(c, o, { title: 'Not found', body: errorPage('Not found', what), status: 404 });
}

function checkSummary(summary: string): string | undefined {
  if (summary.trim() === '') return 'The summary cannot be empty.';
  if (summary.length > MAX_SUMMARY)
    return `The summary is too long (${summary.length} characters; at most ${MAX_SUMMARY}).`;
  if (/\n/.test(summary)) return 'The summary must be one line.';
  return undefined;
}

/** A name or title of a definition: one line, 1 to 200 characters. */
function checkName(what: string, value: string): string | undefined {
  const v = value.trim();
  if (v === '') return `The ${what} cannot be empty.`;
  if (/\n/.test(v)) return `The ${what} must be one line.`;
  if (v.length > 200) return `The ${what} is too long (at most 200 characters).`;
  return undefined;
}

/** The sanitised HTML of a preview of `text`, with its references linked. */
function previewHtml(text: string, tracker: TrackerView): string {
  return text.trim() === '' ? '<p class="none">Nothing to preview.</p>' : tracker.linkReferences(renderMarkdown(text));
}

function countBy(
  states: readonly ItemState[],
  key: 'labels' | 'milestone',
): Map<string, { open: number; closed: number }> {
  const out = new Map<string, { open: number; closed: number }>();
  for (const state of states) {
    if (state['id'] === DEFINITIONS_ID) continue;
    const v = issueView(state);
    const values = key === 'labels' ? v.labels : v.milestone === '' ? [] : [v.milestone];
    for (const value of values) {
      let c = out.get(value);
      if (c === undefined) out.set(value, (c = { open: 0, closed: 0 }));
      if (v.open) c.open++;
      else c.closed++;
    }
  }
  return out;
}

function listHref(q: string): string {
  return `/?q=${encodeURIComponent(q)}`;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The pages and their form posts, as an application to mount at `/` (after the git pages). */
export function pageRoutes(o: PagesOptions): Hono {
  const app = new Hono();
  const tracker = new TrackerView(o.index);
  const commitsCache = new Map<string, { at: number; result: CommitSearch }>();
  const refuseReadonly = (c: Context) =>
    page(c, o, {
      title: 'Read only',
      body: errorPage('Read only', 'This server is read-only: it refuses every change.'),
      status: 403,
    });

  /**
   * The full id for the `:id` of the address: the id itself, or the one issue it is a unique
   * prefix of (`#` allowed). A GET with a prefix is redirected to the full address.
   */
  const issueId = (c: Context): { id: string } | { response: Promise<Response> | Response } => {
    const given = c.req.param('id') ?? '';
    if (o.index.get(given) !== undefined) return { id: given };
    const id = tracker.resolve(given);
    if (id === undefined) {
      const n = given.replace(/^#/, '') === '' ? 0 : tracker.matching(given);
      const what =
        n > 1
          ? `${n} issues start with ${JSON.stringify(given)}; give more characters of the id.`
          : `There is no issue ${JSON.stringify(given)}.`;
      return { response: notFound(c, o, what) };
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      const url = new URL(c.req.url);
      const after = url.pathname.slice('/issue/'.length);
      const slash = after.indexOf('/');
      const rest = slash < 0 ? '' : after.slice(slash);
      return { response: c.redirect(`/issue/${encodeURIComponent(id)}${rest}${url.search}`, 302) };
    }
    return { id };
  };

  const issueData = (id: string, extra: { error?: string; draft?: string; preview?: string } = {}) =>
    buildIssuePage(o.index, o.repo, id, {
      readonly: o.readonly,
      seq: o.feed.seq,
      tracker,
      me: o.writer.authors,
      ...extra,
    });

  // ---- the list --------------------------------------------------------------------------------

  app.get('/', async (c) => {
    const q = c.req.query('q') ?? DEFAULT_QUERY;
    const pageNo = Number.parseInt(c.req.query('page') ?? '1', 10);
    const data = buildListPage(o.index.states(), {
      q,
      page: Number.isSafeInteger(pageNo) && pageNo > 0 ? pageNo : 1,
      filters: o.filters(),
      readonly: o.readonly,
      seq: o.feed.seq,
      tracker,
    });
    return page(c, o, {
      title: 'Issues',
      body: listPage(data),
      status: data.error === undefined ? 200 : 400,
      current: 'issues',
    });
  });

  // ---- label colours, labels and milestones ----------------------------------------------------

  app.get('/labels.css', (c) => {
    const body = utf8(labelStyleSheet(tracker.definitions()));
    const etag = etagOf(body);
    const headers = { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache', etag };
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
  });

  const writeDefinition = async (types: string[], files: Record<string, string>): Promise<void> => {
    const w = o.writer;
    const record = definitionRecord(w, types, files);
    if (o.repo.hasItem(DEFINITIONS_ID)) w.write(DEFINITIONS_ID, record);
    else w.newItemWith(definitionsItemRecords(w, record), DEFINITIONS_ID);
    await w.settle([DEFINITIONS_ID]);
  };

  const labelsData = (
    extra: { error?: string; values?: { name: string; color: string; description: string } } = {},
  ) => {
    const defs = tracker.definitions();
    const counts = countBy(o.index.states(), 'labels');
    const names = [...new Set([...defs.labels.map((l) => l.name), ...counts.keys()])].sort();
    const rows: LabelRow[] = names.map((name) => {
      const def = defs.labels.find((l) => l.name === name);
      const c = counts.get(name) ?? { open: 0, closed: 0 };
      return {
        name,
        color: def?.color ?? null,
        description: def?.description ?? '',
        defined: def !== undefined,
        open: c.open,
        closed: c.closed,
        openHref: listHref(`is:open label:${quoteValue(name)}`),
        closedHref: listHref(`is:closed label:${quoteValue(name)}`),
      };
    });
    const used = new Set(defs.labels.map((l) => l.color));
    const free = LABEL_PALETTE.find((c) => !used.has(c)) ?? suggestedColor(String(defs.labels.length));
    return { readonly: o.readonly, rows, definitions: defs, suggestedColor: free, ...extra };
  };

  app.get('/labels', (c) => page(c, o, { title: 'Labels', body: labelsPage(labelsData()), current: 'labels' }));

  app.post('/labels', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const form = await c.req.parseBody();
    const values = {
      name: field(form, 'name').trim(),
      color: field(form, 'color').trim(),
      description: field(form, 'description').trim(),
    };
    const color = parseColor(values.color);
    const problem =
      checkName('label name', values.name) ??
      (color === undefined ? `The colour ${JSON.stringify(values.color)} is not a colour; use #rrggbb.` : undefined) ??
      (/\n/.test(values.description) || values.description.length > 200
        ? 'The description must be one line of at most 200 characters.'
        : undefined);
    if (problem !== undefined)
      return page(c, o, {
        title: 'Labels',
        body: labelsPage(labelsData({ error: problem, values })),
        status: 422,
        current: 'labels',
      });
    const existing = tracker.definitions().labels.find((l) => l.name === values.name);
    if (existing === undefined || existing.color !== color || existing.description !== values.description) {
      await writeDefinition(['LabelDefined'], { name: values.name, color: color!, description: values.description });
    }
    return c.redirect(`/labels#label-${encodeURIComponent(values.name)}`, 303);
  });

  app.post('/labels/delete', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const name = field(await c.req.parseBody(), 'name').trim();
    if (!tracker.definitions().labels.some((l) => l.name === name)) {
      return page(c, o, {
        title: 'Labels',
        body: labelsPage(labelsData({ error: `The label ${JSON.stringify(name)} is not defined.` })),
        status: 422,
        current: 'labels',
      });
    }
    await writeDefinition(['LabelDeleted'], { name });
    return c.redirect('/labels', 303);
  });

  const milestonesData = (
    extra: { error?: string; values?: { title: string; due: string; description: string } } = {},
  ) => {
    const defs = tracker.definitions();
    const counts = countBy(o.index.states(), 'milestone');
    const day = today();
    const row = (title: string, def: (typeof defs.milestones)[number] | undefined): MilestoneRow => {
      const c = counts.get(title) ?? { open: 0, closed: 0 };
      const total = c.open + c.closed;
      const q = `milestone:${quoteValue(title)}`;
      const description = def?.description ?? '';
      return {
        title,
        description,
        descriptionHtml: description.trim() === '' ? '' : tracker.linkReferences(renderMarkdown(description)),
        due: def?.due ?? null,
        overdue: def !== undefined && def.state === 'open' && def.due !== null && def.due < day,
        state: def?.state ?? 'open',
        defined: def !== undefined,
        open: c.open,
        closed: c.closed,
        percent: total === 0 ? 0 : Math.floor((c.closed * 100) / total),
        openHref: listHref(`is:open ${q}`),
        closedHref: listHref(`is:closed ${q}`),
      };
    };
    const rows = defs.milestones.map((m) => row(m.title, m));
    for (const title of [...counts.keys()].sort())
      if (!defs.milestones.some((m) => m.title === title)) rows.push(row(title, undefined));
    return { readonly: o.readonly, rows, ...extra };
  };

  app.get('/milestones', (c) =>
    page(c, o, { title: 'Milestones', body: milestonesPage(milestonesData()), current: 'milestones' }),
  );

  app.post('/milestones', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const form = await c.req.parseBody();
    const values = {
      title: field(form, 'title').trim(),
      due: field(form, 'due').trim(),
      description: field(form, 'description').trim(),
    };
    const state = field(form, 'state');
    const problem =
      checkName('milestone title', values.title) ??
      (values.due !== '' && !/^\d{4}-\d\d-\d\d$/.test(values.due)
        ? `The due date ${JSON.stringify(values.due)} is not a date; use YYYY-MM-DD.`
        : undefined) ??
      (state !== '' && state !== 'open' && state !== 'closed' ? 'The state is open or closed.' : undefined);
    if (problem !== undefined)
      return page(c, o, {
        title: 'Milestones',
        body: milestonesPage(milestonesData({ error: problem, values })),
        status: 422,
        current: 'milestones',
      });
    const existing = tracker.definitions().milestones.find((m) => m.title === values.title);
    const files: Record<string, string> = { title: values.title, due: values.due, description: values.description };
    if (state !== '') files['state'] = state;
    const same =
      existing !== undefined &&
      (existing.due ?? '') === values.due &&
      existing.description === values.description &&
      (state === '' || state === existing.state);
    if (!same) await writeDefinition(['MilestoneDefined'], files);
    return c.redirect(`/milestones#milestone-${encodeURIComponent(values.title)}`, 303);
  });

  app.post('/milestones/delete', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const title = field(await c.req.parseBody(), 'title').trim();
    if (!tracker.definitions().milestones.some((m) => m.title === title)) {
      return page(c, o, {
        title: 'Milestones',
        body: milestonesPage(milestonesData({ error: `The milestone ${JSON.stringify(title)} is not defined.` })),
        status: 422,
        current: 'milestones',
      });
    }
    await writeDefinition(['MilestoneDeleted'], { title });
    return c.redirect('/milestones', 303);
  });

  // ---- Markdown preview ------------------------------------------------------------------------

  app.post('/preview', async (c) => {
    const form = await c.req.parseBody();
    const name = field(form, 'preview');
    const text = field(
      form,
      name === 'details' || name === 'text' || name === 'description'
        ? name
        : typeof form['text'] === 'string'
          ? 'text'
          : 'details',
    );
    c.header('cache-control', 'no-store');
    return c.html(`<div class="markdown" hx-ignore>${previewHtml(text, tracker)}</div>`);
  });

  // ---- an issue --------------------------------------------------------------------------------

  app.get('/issue/:id', async (c) => {
    const r = issueId(c);
    if ('response' in r) return r.response;
    const data = issueData(r.id);
    if (data === undefined) return notFound(c, o, `There is no issue ${JSON.stringify(r.id)}.`);
    return page(c, o, { title: data.issue.summary || r.id, body: issuePage(data) });
  });

  app.get('/issue/:id/commits', async (c) => {
    const r = issueId(c);
    if ('response' in r) return r.response;
    const now = Date.now();
    let hit = commitsCache.get(r.id);
    if (hit === undefined || now - hit.at > COMMITS_TTL_MS) {
      const ids = new IdIndex(
        o.index
          .states()
          .map((s) => String(s['id']))
          .filter((id) => id !== DEFINITIONS_ID),
      );
      hit = { at: now, result: commitsMentioning(o.repo.root, r.id, ids) };
      if (commitsCache.size > 500) commitsCache.clear();
      commitsCache.set(r.id, hit);
    }
    const panel = commitsPanel(hit.result.commits, { git: hit.result.git, time: (d) => timeTag(d) });
    if (c.req.header('hx-request') !== undefined) {
      c.header('cache-control', 'no-store');
      return c.html(await panel);
    }
    const body = html`<div class="form-page"><nav class="crumbs" aria-label="Breadcrumb"><a href="/">Issues</a> <span aria-hidden="true">/</span> <a href="/issue/${encodeURIComponent(r.id)}">#${r.id.slice(0, 8)}</a></nav>
  ${hit.result.commits.length === 0 ? html`<p>${hit.result.git ? 'No commit message mentions this issue.' : 'This repository is not inside a git work tree.'}</p>` : panel}</div>`;
    return page(c, o, { title: 'Commits', body });
  });

  app.get('/new', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const templates = readTemplates(o.repo.root);
    const wanted = c.req.query('template');
    const values = { summary: '', details: '', labels: '', assignees: '', milestone: '' };
    if (wanted === undefined && templates.length > 0)
      return page(c, o, { title: 'New issue', body: templateChooser(templates), current: 'new' });
    let template: IssueTemplate | undefined;
    let error: string | undefined;
    if (wanted !== undefined && wanted !== '') {
      template = templates.find((t) => t.name === wanted);
      if (template === undefined)
        error = `There is no template ${JSON.stringify(wanted)}; starting from a blank issue.`;
    }
    if (template !== undefined) {
      values.summary = template.summary;
      values.details = template.body;
      values.labels = template.labels.join(', ');
      values.assignees = template.assignees.join(', ');
      values.milestone = template.milestone;
    }
    return page(c, o, {
      title: 'New issue',
      body: issueForm({
        mode: 'new',
        values,
        definitions: tracker.definitions(),
        ...(error === undefined ? {} : { error }),
        ...(template === undefined ? {} : { template: template.name }),
      }),
      current: 'new',
    });
  });

  app.get('/issue/:id/edit', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const r = issueId(c);
    if ('response' in r) return r.response;
    const state = o.index.get(r.id)!;
    const v = issueView(state);
    const values = {
      summary: v.summary,
      details: v.details,
      labels: v.labels.join(', '),
      assignees: v.assignees.join(', '),
      milestone: v.milestone,
    };
    return page(c, o, {
      title: `Edit ${v.summary || r.id}`,
      body: issueForm({ mode: 'edit', id: r.id, values, definitions: tracker.definitions() }),
    });
  });

  app.get('/doc', (c) => c.redirect('/doc/readme', 302));
  app.get('/doc/:slug', async (c) => {
    const slug = c.req.param('slug');
    const doc = o.docs.page(slug);
    const entries = o.docs.entries();
    if (doc === undefined) {
      return page(c, o, {
        title: 'Documentation',
        body: docPage({ entries }),
        status: entries.length === 0 || slug !== 'readme' ? 404 : 200,
        current: 'docs',
      });
    }
    return page(c, o, {
      title: doc.title,
      body: docPage({ entries, current: slug, bodyHtml: doc.html }),
      current: 'docs',
    });
  });

  app.post('/new', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const form = await c.req.parseBody();
    const values = formValues(form);
    const template = field(form, 'template') || undefined;
    const definitions = tracker.definitions();
    if (field(form, 'preview') !== '') {
      const preview = previewHtml(values.details, tracker);
      return page(c, o, {
        title: 'New issue',
        body: issueForm({ mode: 'new', values, preview, definitions, ...(template === undefined ? {} : { template }) }),
        current: 'new',
      });
    }
    const problem = checkSummary(values.summary);
    if (problem !== undefined) {
      return page(c, o, {
        title: 'New issue',
        body: issueForm({ mode: 'new', values, error: problem, definitions }),
        status: 422,
        current: 'new',
      });
    }
    const w = o.writer;
    // The whole issue, or nothing: the records are written first, then the item.
    const id = w.newItemWith(newIssueRecords(w, values));
    await w.settle([id]);
    return c.redirect(`/issue/${encodeURIComponent(id)}`, 303);
  });

  app.post('/issue/:id/edit', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const r = issueId(c);
    if ('response' in r) return r.response;
    const id = r.id;
    const state = o.index.get(id);
    if (state === undefined || !o.repo.hasItem(id)) return notFound(c, o, `There is no issue ${JSON.stringify(id)}.`);
    const form = await c.req.parseBody();
    const values = formValues(form);
    const definitions = tracker.definitions();
    if (field(form, 'preview') !== '') {
      return page(c, o, {
        title: 'Edit issue',
        body: issueForm({ mode: 'edit', id, values, preview: previewHtml(values.details, tracker), definitions }),
      });
    }
    const problem = checkSummary(values.summary);
    if (problem !== undefined) {
      return page(c, o, {
        title: 'Edit issue',
        body: issueForm({ mode: 'edit', id, values, error: problem, definitions }),
        status: 422,
      });
    }
    const w = o.writer;
    for (const record of editRecords(w, issueView(state), values)) w.write(id, record);
    await w.settle([id]);
    return c.redirect(`/issue/${encodeURIComponent(id)}`, 303);
  });

  app.post('/issue/:id/comment', async (c) => {
    if (o.readonly) return refuseReadonly(c);
    const r = issueId(c);
    if ('response' in r) return r.response;
    const id = r.id;
    const state = o.index.get(id);
    if (state === undefined || !o.repo.hasItem(id)) return notFound(c, o, `There is no issue ${JSON.stringify(id)}.`);
    const form = await c.req.parseBody();
    const text = field(form, 'text');
    if (field(form, 'preview') !== '') {
      const data = issueData(id, { draft: text, preview: previewHtml(text, tracker) })!;
      return page(c, o, { title: data.issue.summary || id, body: issuePage(data) });
    }
    const action = field(form, 'action') || 'comment';
    const hasText = text.trim() !== '';
    const types = commentTypes(action, hasText);
    if (types === undefined) {
      return page(c, o, {
        title: 'Bad request',
        body: errorPage('Bad request', `Unknown action ${JSON.stringify(action)}.`),
        status: 400,
      });
    }
    if (!hasText && (action === 'comment' || action === 'comment-close')) {
      const data = issueData(id, { error: 'Write a comment first.', draft: text })!;
      return page(c, o, { title: data.issue.summary || id, body: issuePage(data), status: 422 });
    }
    const w = o.writer;
    const hash = w.write(id, w.files(types, hasText ? text : undefined));
    await w.settle([id]);
    return c.redirect(
      `/issue/${encodeURIComponent(id)}${hasText ? `#${commentAnchor({ number: 0, hash })}` : ''}`,
      303,
    );
  });

  // ---- editing and deleting one's own comments -------------------------------------------------

  /** The comment `:hash` of issue `id` if the server's author wrote it; else a response saying why not. */
  const ownComment = (c: Context, id: string) => {
    const data = issueData(id);
    const hash = (c.req.param('hash') ?? '').toUpperCase();
    const item = data?.timeline.find((t) => t.kind === 'comment' && t.hash === hash);
    if (data === undefined || item === undefined || item.kind !== 'comment') {
      return { response: notFound(c, o, `Issue ${JSON.stringify(id)} has no comment ${JSON.stringify(hash)}.`) };
    }
    if (!item.mine) {
      return {
        response: page(c, o, {
          title: 'Not yours',
          body: errorPage(
            'Not your comment',
            `Comment ${item.number} was written by ${item.comment.authors || 'someone unknown'}; only its author can change it.`,
          ),
          status: 403,
        }),
      };
    }
    return { data, item };
  };

  for (const mode of ['edit', 'delete'] as const) {
    app.get(`/issue/:id/comment/:hash/${mode}`, async (c) => {
      if (o.readonly) return refuseReadonly(c);
      const r = issueId(c);
      if ('response' in r) return r.response;
      const found = ownComment(c, r.id);
      if ('response' in found) return found.response;
      const { data, item } = found;
      return page(c, o, {
        title: `${mode === 'edit' ? 'Edit' : 'Delete'} comment ${item.number}`,
        body: commentPage({
          issueId: r.id,
          summary: data.issue.summary,
          number: item.number,
          hash: item.hash!,
          text: item.comment.text,
          mode,
          html: item.html,
        }),
      });
    });

    app.post(`/issue/:id/comment/:hash/${mode}`, async (c) => {
      if (o.readonly) return refuseReadonly(c);
      const r = issueId(c);
      if ('response' in r) return r.response;
      const found = ownComment(c, r.id);
      if ('response' in found) return found.response;
      const { data, item } = found;
      const w = o.writer;
      const back = `/issue/${encodeURIComponent(r.id)}`;
      if (mode === 'delete') {
        w.write(r.id, commentDeletedRecord(w, item.hash!));
        await w.settle([r.id]);
        return c.redirect(`${back}#comments`, 303);
      }
      const form = await c.req.parseBody();
      const text = field(form, 'text');
      const base = {
        issueId: r.id,
        summary: data.issue.summary,
        number: item.number,
        hash: item.hash!,
        text,
        mode,
      } as const;
      if (field(form, 'preview') !== '') {
        return page(c, o, {
          title: `Edit comment ${item.number}`,
          body: commentPage({ ...base, preview: previewHtml(text, tracker) }),
        });
      }
      if (text.trim() === '') {
        return page(c, o, {
          title: `Edit comment ${item.number}`,
          body: commentPage({ ...base, error: 'A comment cannot be empty; delete it instead.' }),
          status: 422,
        });
      }
      if (text !== item.comment.text) {
        w.write(r.id, commentEditedRecord(w, item.hash!, text));
        await w.settle([r.id]);
      }
      return c.redirect(`${back}#${commentAnchor(item)}`, 303);
    });
  }

  return app;
}

/**
 * The server's answers to an address nothing serves (the not-found page) and to an error no
 * handler caught: the error page for a {@link SitError} (400), an HTTP exception's own response,
 * else `Internal error` (500).
 */
export function pageErrors(o: PagesOptions): { onError: ErrorHandler; notFound: NotFoundHandler } {
  return {
    onError: async (error, c) => {
      if (error instanceof HTTPException) return error.getResponse();
      if (error instanceof SitError) {
        return page(c, o, { title: 'Error', body: errorPage('That did not work', error.message), status: 400 });
      }
      console.error(error);
      return c.text('Internal error', 500);
    },
    notFound: (c) => notFound(c, o),
  };
}
