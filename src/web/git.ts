/**
 * The web UI's git pages: the "Branches and tags" panel of an issue (`/issue/{id}/refs`, loaded
 * lazily by htmx) and the whole tracker as committed at a revision (`/?at=REV`,
 * `/issue/{id}?at=REV`): read-only, under a banner, every link of those pages kept at that
 * revision. Git runs here, through one long-lived git side of the server (src/git/).
 * @module
 */
import { Hono, type Context } from 'hono';
import { SitError } from '../errors.ts';
import { indexStates, type IssueState } from '../query/mod.ts';
import { isValidItemId, type Repository } from '../store/mod.ts';
import { GitRecordSource } from '../git/source.ts';
import { issueState, itemAtRefs, listRefs } from '../git/refs.ts';
import { Revision } from '../git/revision.ts';
import { openGitSide, type GitSide } from '../git/view.ts';
import type { State } from '../git/reduce.ts';
import { errorPage } from '../../templates/error.ts';
import { issuePage } from '../../templates/issue.ts';
import { layout } from '../../templates/layout.ts';
import { listPage } from '../../templates/list.ts';
import type { Html } from '../../templates/parts.ts';
import { refsPanel, revisionBanner } from '../../templates/refs.ts';
import { buildIssuePage, buildListPage, DEFAULT_QUERY } from './issues.ts';
import type { ItemSource, ItemState, RecordStore } from './source.ts';

/** What the git pages need. */
export interface GitPagesOptions {
  repo: Repository;
  /** Named filters of the list page (label → query). */
  filters: () => Array<[string, string]>;
  /** Leave out records that do not match their hash (default true). */
  integrity?: boolean;
}

/** Revisions whose states are kept in memory at most. */
const KEEP_REVISIONS = 4;

/** The states of every item at one revision, as the pages read them. */
class RevisionIndex implements ItemSource {
  readonly #states: State[];
  readonly #byId: Map<string, State>;

  constructor(states: Map<string, State>) {
    this.#byId = states;
    this.#states = [...states.keys()].sort().map((id) => states.get(id)!);
    indexStates(this.#states as unknown as readonly IssueState[]);
  }

  states(): readonly ItemState[] {
    return this.#states;
  }

  get(id: string): ItemState | undefined {
    return this.#byId.get(id);
  }

  refresh(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

/** A revision with its item states. */
interface RevisionPages {
  name: string;
  revision: Revision;
  index: RevisionIndex;
}

/** Why a revision page cannot be shown: status and message. */
class RevisionPageError extends SitError {}

/** The server's git side and the revisions it has read. */
class GitViews {
  readonly #repo: Repository;
  readonly #integrity: boolean;
  #side: Promise<GitSide> | undefined;
  readonly #revisions = new Map<string, Promise<RevisionPages>>();

  constructor(repo: Repository, integrity: boolean) {
    this.#repo = repo;
    this.#integrity = integrity;
  }

  side(): Promise<GitSide> {
    this.#side ??= openGitSide(this.#repo, { integrity: this.#integrity });
    this.#side.catch(() => {
      this.#side = undefined;
    });
    return this.#side;
  }

  /** Every item's state at `at`, read once per commit (a few commits are kept). */
  async revision(at: string): Promise<RevisionPages> {
    const side = await this.side();
    const commit = await side.git.resolveCommit(at);
    let found = this.#revisions.get(commit);
    if (found === undefined) {
      found = (async () => {
        const revision = await Revision.open(side.git, commit, at);
        if (!revision.exists)
          throw new RevisionPageError(`${at} has no SIT repository at ${side.git.sitPath || 'the top of the tree'}.`);
        const states = new Map<string, State>();
        await side.reducer.reduce(revision, await revision.listItems(), (id, state) => states.set(id, state));
        return { name: at, revision, index: new RevisionIndex(states) };
      })();
      found.catch(() => this.#revisions.delete(commit));
      this.#revisions.set(commit, found);
      while (this.#revisions.size > KEEP_REVISIONS) this.#revisions.delete(this.#revisions.keys().next().value!);
    }
    const pages = await found;
    return pages.name === at ? pages : { ...pages, name: at };
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/**
 * Keeps the links of a page at revision `at`: `?at=` is added to every link and htmx request to
 * the list and issue pages, and to forms that search; documentation, static files and the
 * revision banner's way back are left alone.
 */
export function pinRevision(page: string, at: string): string {
  const param = `at=${encodeURIComponent(at)}`;
  const linked = page.replace(
    /\b(href|hx-get)="(\/(?!static\/|doc\b|events\b|repo\/|favicon)[^"#]*)(#[^"]*)?"/g,
    (_, attribute: string, path: string, hash?: string) =>
      `${attribute}="${path}${path.includes('?') ? '&amp;' : '?'}${param}${hash ?? ''}"`,
  );
  return linked.replace(
    /<form\b[^>]*\bmethod="get"[^>]*>/g,
    (tag) => `${tag}<input type="hidden" name="at" value="${escapeAttribute(at)}">`,
  );
}

/**
 * The git pages, as an application to mount at `/` before the other pages: `?at=` requests are
 * answered here, the others passed on.
 */
export function gitPages(o: GitPagesOptions): Hono {
  const app = new Hono();
  const views = new GitViews(o.repo, o.integrity ?? true);

  const render = async (c: Context, title: string, body: Html, at: RevisionPages, status: 200 | 404 = 200) => {
    const text = pinRevision(await layout({ title: `${title} at ${at.name}`, readonly: true, body }), at.name);
    const banner = await revisionBanner(at.name, at.revision.commit);
    c.header('cache-control', 'no-store');
    return c.html(text.replace('<main id="main" tabindex="-1">', `<main id="main" tabindex="-1">\n${banner}`), status);
  };
  const failure = async (c: Context, error: unknown) => {
    if (!(error instanceof SitError)) throw error;
    c.header('cache-control', 'no-store');
    return c.html(
      await layout({ title: 'Revision', readonly: true, body: errorPage('Cannot show that revision', error.message) }),
      404,
    );
  };

  app.get('/issue/:id/refs', async (c) => {
    const id = c.req.param('id');
    c.header('cache-control', 'no-store');
    if (!isValidItemId(id)) return c.html(await refsPanel({ id, rows: [], problem: 'Not an issue id' }), 404);
    try {
      const side = await views.side();
      const refs = await listRefs(side.git);
      const rows = (await itemAtRefs(side.git, side.reducer, id, refs)).map(({ ref, state }) => ({
        ref: ref.ref,
        commit: ref.commit,
        state: issueState(state),
      }));
      return c.html(await refsPanel({ id, rows }));
    } catch (error) {
      if (!(error instanceof SitError)) throw error;
      return c.html(await refsPanel({ id, rows: [], problem: error.message }));
    }
  });

  app.get('/', async (c, next) => {
    const at = c.req.query('at');
    if (at === undefined || at === '') return next();
    let pages: RevisionPages;
    try {
      pages = await views.revision(at);
    } catch (error) {
      return failure(c, error);
    }
    const pageNo = Number.parseInt(c.req.query('page') ?? '1', 10);
    const data = buildListPage(pages.index.states(), {
      q: c.req.query('q') ?? DEFAULT_QUERY,
      page: Number.isSafeInteger(pageNo) && pageNo > 0 ? pageNo : 1,
      filters: o.filters(),
      readonly: true,
      seq: 0,
    });
    return render(c, 'Issues', listPage(data), pages, data.error === undefined ? 200 : 404);
  });

  app.get('/issue/:id', async (c, next) => {
    const at = c.req.query('at');
    if (at === undefined || at === '') return next();
    const id = c.req.param('id');
    let pages: RevisionPages;
    let source: GitRecordSource;
    try {
      pages = await views.revision(at);
      // The merge request cards read their patches from the revision.
      source = await GitRecordSource.load(pages.revision, {
        items: pages.index.get(id) === undefined ? [] : [id],
        integrity: o.integrity ?? true,
      });
    } catch (error) {
      return failure(c, error);
    }
    const data = buildIssuePage(pages.index, source as unknown as RecordStore, id, { readonly: true, seq: 0 });
    if (data === undefined)
      return render(
        c,
        'Not found',
        errorPage('Not found', `There is no issue ${JSON.stringify(id)} at ${at}.`),
        pages,
        404,
      );
    return render(c, data.issue.summary || id, issuePage(data), pages);
  });
  return app;
}
