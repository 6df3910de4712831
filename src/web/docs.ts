/**
 * Documentation pages: the project's `README.md`, `modules/issue-tracking/README.md`,
 * `ARCHITECTURE.md`, `src/store/README.md` and every `docs/*.md`, rendered as sanitised Markdown with relative `.md` links pointing at `/doc/…`.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import type { DocEntry } from '../../templates/doc.ts';
import { renderMarkdown } from './markdown.ts';

interface DocFile extends DocEntry {
  /** Path relative to the project root, with `/`. */
  file: string;
}

function title(text: string, fallback: string): string {
  const m = /^#\s+(.+)$/m.exec(text);
  return m?.[1]?.trim() ?? fallback;
}

/** The documentation of one installation, read from its project root. */
export class Docs {
  readonly #root: string;
  #cache = new Map<string, { mtime: number; html: string; title: string }>();

  /** Serves the documentation found under `root`. */
  constructor(root: string) {
    this.#root = root;
  }

  #files(): DocFile[] {
    const out: DocFile[] = [];
    const add = (file: string, slug: string, fallback: string): void => {
      try {
        if (!statSync(join(this.#root, file)).isFile()) return;
      } catch {
        return;
      }
      out.push({ file, slug, title: this.#entryTitle(file, fallback) });
    };
    add('README.md', 'readme', 'SIT');
    add('modules/issue-tracking/README.md', 'issue-tracking', 'Issue tracking');
    add('ARCHITECTURE.md', 'architecture', 'Architecture');
    add('src/store/README.md', 'store', 'The store');
    let names: string[] = [];
    try {
      names = readdirSync(join(this.#root, 'docs'))
        .filter((n) => n.endsWith('.md'))
        .sort();
    } catch {
      names = [];
    }
    for (const name of names) {
      const slug = basename(name, '.md');
      if (/^[A-Za-z0-9._-]+$/.test(slug) && !['readme', 'issue-tracking', 'architecture', 'store'].includes(slug)) {
        add(`docs/${name}`, slug, slug);
      }
    }
    return out;
  }

  #entryTitle(file: string, fallback: string): string {
    try {
      return title(readFileSync(join(this.#root, file), 'utf8'), fallback);
    } catch {
      return fallback;
    }
  }

  #load(file: string): { html: string; title: string } | undefined {
    const path = join(this.#root, file);
    let mtime: number;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      return undefined;
    }
    const hit = this.#cache.get(file);
    if (hit !== undefined && hit.mtime === mtime) return hit;
    const text = readFileSync(path, 'utf8');
    const html = renderMarkdown(text, { references: false, rewriteUrl: (url) => this.#rewrite(file, url) });
    const entry = { mtime, html, title: title(text, file) };
    this.#cache.set(file, entry);
    return entry;
  }

  /** Turns a relative link to another documentation file into its `/doc/…` address. */
  #rewrite(from: string, url: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('/') || url.startsWith('#')) return url;
    const [pathPart, hash] = url.split('#', 2);
    const target = posix.normalize(posix.join(posix.dirname(from), pathPart ?? ''));
    const entry = this.#files().find((f) => f.file === target);
    if (entry !== undefined) return `/doc/${entry.slug}${hash === undefined ? '' : `#${hash}`}`;
    return url;
  }

  /** The table of contents. */
  entries(): DocEntry[] {
    return this.#files().map(({ slug, title }) => ({ slug, title }));
  }

  /** The rendered page `slug`, or undefined when there is none. */
  page(slug: string): { title: string; html: string } | undefined {
    const entry = this.#files().find((f) => f.slug === slug);
    if (entry === undefined) return undefined;
    const loaded = this.#load(entry.file);
    return loaded === undefined ? undefined : { title: loaded.title, html: loaded.html };
  }
}
