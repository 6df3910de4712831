/**
 * `sit web` (and `sit-web`): serve the web interface (SPEC §4). Overlays: `-o DIR` directories
 * are the user's own choice and always served; the repository's (`.sit/web`, each module's
 * `web/`) only when `sit trust` covers them as they are now. When an overlay has an `index.html`,
 * that web app is served (`--ui builtin` keeps the built-in interface); otherwise, or when the
 * repository's app is not trusted, the built-in interface, with a notice saying what `sit trust`
 * would enable.
 * @module
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { deriveAuthor } from '../store/mod.ts';
import { requireAuthor } from './author.ts';
import type { Context } from './context.ts';
import { UsageError } from './globals.ts';
import { hasNoModules, warnModuleProblems } from './modules.ts';
import { listOption, parseCommand, stringOption } from './parse.ts';
import { isWebTrusted, repositoryKey, trustedWebDigests, webManifest, type WebDir } from './trust.ts';

/** Which interface `sit web` serves. */
export type UiChoice = 'auto' | 'builtin' | 'overlay';

/** What `sit web` and `sit-web` were asked for. */
export interface WebRequest {
  readonly: boolean;
  listen: string;
  /** `-o` directories, as given (relative to the working directory of the process). */
  overlays: string[];
  ui: UiChoice;
}

/** Parses a `--ui` value. */
export function parseUi(value: string | undefined): UiChoice {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'builtin' || value === 'overlay') return value;
  throw new UsageError(
    `unknown --ui ${JSON.stringify(value)}: use auto (an overlay web app when there is one), builtin or overlay`,
  );
}

/** Runs `sit web`; resolves when the server stops (on SIGINT or SIGTERM). */
export async function runWeb(context: Context, argv: string[]): Promise<number> {
  const parsed = parseCommand(
    {
      name: 'web',
      usage: 'web [listen]',
      description:
        'Serve the web interface (default 127.0.0.1:8080; a token is required beyond loopback): the built-in one, or an overlay web app',
      options: [
        ['--readonly', 'refuse every write and hide the controls'],
        ['--listen <host:port>', 'address to listen on (also accepted as the positional argument)'],
        [
          '-o, --overlay <dir>',
          'a web overlay directory of your own, served first (repeatable); with an index.html it is a whole web app',
        ],
        [
          '--ui <mode>',
          'auto (default: an overlay web app when one has an index.html), builtin, or overlay (fail without one)',
        ],
      ],
      examples: ['sit web', 'sit web --readonly --listen 0.0.0.0:8080', 'sit web -o ./my-ui', 'sit web --ui builtin'],
    },
    argv,
  );
  if (parsed === undefined) return 0;
  const positional = parsed.args[0];
  const option = stringOption(parsed.options, 'listen');
  if (positional !== undefined && option !== undefined)
    throw new UsageError('give the address either as an argument or with --listen, not both');
  return await serveWeb(context, {
    readonly: parsed.options.readonly === true,
    listen: positional ?? option ?? '127.0.0.1:8080',
    overlays: listOption(parsed.options, 'overlay', { split: false }),
    ui: parseUi(stringOption(parsed.options, 'ui')),
  });
}

function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir;
}

function hasIndex(dir: WebDir): boolean {
  return dir.files !== undefined
    ? dir.files.has('index.html')
    : statSync(resolve(dir.dir, 'index.html'), { throwIfNoEntry: false })?.isFile() === true;
}

/** The notice for repository overlays that are not served, or undefined when all are. */
function untrustedNotice(untrusted: WebDir[], changed: boolean): string | undefined {
  if (untrusted.length === 0) return undefined;
  const where = untrusted.map((d) => shown(d.dir)).join(', ');
  const since = changed ? ' changed since you trusted it and' : '';
  if (untrusted.some(hasIndex)) {
    return (
      `This repository ships a web app (${where}) that${since} is not served: it would run in your browser with write access. ` +
      'Review it, then run `sit trust` to serve it instead of this interface (`sit web --ui builtin` keeps this one).'
    );
  }
  return `This repository ships web files (${where}) that${since} are not used until you review them and run \`sit trust\`.`;
}

/** Starts the server for `request`; resolves when it stops (on SIGINT or SIGTERM). */
export async function serveWeb(context: Context, request: WebRequest): Promise<number> {
  const userOverlays = request.overlays.map((dir) => resolve(dir));
  for (const dir of userOverlays) {
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`overlay ${dir} is not a directory`);
  }
  const repo = context.repository();
  // A reader writes nothing, so needs no identity: use the configured one if any, else a placeholder.
  const author = request.readonly
    ? (deriveAuthor(context.userConfig(), { workDir: context.workDir }) ?? { name: 'Read-only reader' })
    : await requireAuthor(context);
  if (hasNoModules(repo)) {
    process.stderr.write(
      'sit web: this repository has no modules, so items have no summary or state: add the issue tracker with `sit module add issue-tracking`\n',
    );
  }
  warnModuleProblems(repo);
  const modules = repo.modules();
  const manifest = webManifest(repo, { modules });
  const config = context.userConfig();
  const trusted = isWebTrusted(config, repo, manifest);
  const repositoryOverlays = manifest.dirs.filter((d) => d.files === undefined || trusted);
  const untrusted = trusted ? [] : manifest.dirs.filter((d) => d.files !== undefined && nonEmpty(d));
  const served = [...userOverlays.map((dir) => ({ dir })), ...repositoryOverlays];
  const app = served.find(hasIndex);
  const notice = untrustedNotice(untrusted, trustedWebDigests(config)[repositoryKey(repo)] !== undefined);
  if (request.ui === 'overlay' && app === undefined) {
    throw new UsageError(
      notice !== undefined && untrusted.some(hasIndex)
        ? `the repository's web app (${untrusted
            .filter(hasIndex)
            .map((d) => shown(d.dir))
            .join(', ')}) is not trusted: review it and run \`sit trust\``
        : 'no overlay has an index.html to serve: give a web app with -o DIR, or drop --ui overlay',
    );
  }
  const overlayApp = request.ui !== 'builtin' && app !== undefined;
  if (overlayApp)
    process.stderr.write(
      `sit web: serving the web app of ${shown(app.dir)} (\`--ui builtin\` for the built-in interface)\n`,
    );
  else if (notice !== undefined)
    process.stderr.write(
      `sit web: ${notice.replace(/ instead of this interface \(`sit web --ui builtin` keeps this one\)/, ' instead of the built-in interface')}\n`,
    );
  const [{ startServer }, { ItemIndex }] = await Promise.all([import('../server.ts'), import('../reduce/mod.ts')]);
  // The server answers at once; the index is built after it binds (pages say how far it got).
  const index = ItemIndex.start(repo, { integrity: context.integrity });
  void index.whenReady().then(() => {
    const { done, total, failed } = index.progress();
    if (failed !== undefined)
      process.stderr.write(`sit web: indexing stopped after ${done} of ${total} items: ${failed}\n`);
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      repo,
      index,
      author,
      userConfig: config,
      readonly: request.readonly,
      listen: request.listen,
      overlays: userOverlays,
      repositoryOverlays,
      ui: request.ui === 'builtin' ? 'builtin' : 'auto',
      daemon: { integrity: context.integrity },
      ...(overlayApp || notice === undefined ? {} : { notice }),
    });
  } catch (error) {
    // Not listening (the port is taken, say): the indexing begun must not keep the process alive.
    await index.close();
    throw error;
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  await index.close();
  return 0;
}

function nonEmpty(dir: WebDir): boolean {
  if (dir.files !== undefined) return dir.files.size > 0;
  try {
    return readdirSync(dir.dir).length > 0;
  } catch {
    return false;
  }
}
