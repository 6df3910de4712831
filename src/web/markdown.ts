/**
 * Markdown for user content (issue details, comments) and documentation pages: `marked` with GitHub
 * flavour, code blocks highlighted on the server, then `sanitize-html` with a strict allowlist so
 * that no script, event handler, `style`, `id`, `data-*` or `hx-*` attribute, or `javascript:` link
 * survives. Rendered HTML is cached by text, since records never change.
 * @module
 */
import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { escapeHtml, highlightCode, knownLanguage } from './highlight.ts';

/** Options for {@linkcode renderMarkdown}. */
export interface MarkdownOptions {
  /**
   * Issue text: `#<id prefix>` becomes a link to that issue (`<a class="issue-ref">`, resolved by
   * the caller with {@linkcode ISSUE_REF}) and `@name` a link to that person's issues (default
   * true; documentation pages turn it off).
   */
  references?: boolean;
  /**
   * Rewrites the target of every link and image before sanitising (documentation pages turn
   * relative `.md` links into `/doc/…` routes). The result is sanitised like any other URL.
   */
  rewriteUrl?: (url: string, kind: 'link' | 'image') => string;
}

const BLOCKED_TAGS = new Set(['main', 'nav', 'header', 'footer', 'aside', 'article', 'section']);

/** What an issue reference becomes before the caller resolves it: group 1 is the prefix. */
export const ISSUE_REF = /<a class="issue-ref" href="\/issue\/([0-9a-fA-F-]{4,80})"[^>]*>#\1<\/a>/g;

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((tag) => !BLOCKED_TAGS.has(tag)),
    'img',
    'del',
    'input',
    'details',
    'summary',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'class'],
    img: ['src', 'alt', 'title'],
    code: ['class'],
    span: ['class'],
    input: ['type', 'checked', 'disabled'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    details: ['open'],
  },
  allowedClasses: {
    a: ['issue-ref', 'mention'],
    code: ['hljs', 'language-*'],
    span: ['hljs-*'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
    input: (tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag => ({
      tagName,
      attribs: attribs['type'] === 'checkbox' ? { ...attribs, disabled: '' } : { type: 'hidden' },
    }),
  },
};

/** Where a `#ref` or `@name` may start: not inside a word, a URL, an e-mail address or an entity. */
const REF_START = /(^|[^\w#/&;:.@-])[#@](?=[\w\p{L}])/u;
const REF_TOKEN = /^#([0-9a-fA-F]{4,}(?:-[0-9a-fA-F]+)*)(?![\w-])/;
const MENTION_TOKEN = /^@([\p{L}\p{N}][\p{L}\p{N}._-]*[\p{L}\p{N}]|[\p{L}\p{N}])(?![\p{L}\p{N}@])/u;

function referenceExtensions(): NonNullable<Parameters<Marked['use']>[0]['extensions']> {
  return [
    {
      name: 'issueRef',
      level: 'inline',
      start(src: string) {
        const m = REF_START.exec(src);
        return m === null ? undefined : m.index + m[1]!.length;
      },
      tokenizer(src: string) {
        const ref = REF_TOKEN.exec(src);
        if (ref !== null) return { type: 'issueRef', raw: ref[0], prefix: ref[1]!.toLowerCase() };
        const who = MENTION_TOKEN.exec(src);
        if (who !== null) return { type: 'issueRef', raw: who[0], person: who[1]! };
        return undefined;
      },
      renderer(token) {
        if (typeof token['prefix'] === 'string')
          return `<a class="issue-ref" href="/issue/${token['prefix']}">#${token['prefix']}</a>`;
        const person = String(token['person']);
        const href = `/?q=${encodeURIComponent(`is:all author:${person}`)}`;
        return `<a class="mention" href="${escapeHtml(href)}">@${escapeHtml(person)}</a>`;
      },
    },
  ];
}

function makeMarked(options: MarkdownOptions): Marked {
  const marked = new Marked({ gfm: true, breaks: false });
  if (options.references ?? true) marked.use({ extensions: referenceExtensions() });
  marked.use({
    renderer: {
      code(token: Tokens.Code): string {
        const lang = knownLanguage(token.lang);
        const body = highlightCode(token.text, lang);
        const cls = lang === undefined ? 'hljs' : `hljs language-${lang}`;
        return `<pre><code class="${cls}">${body}</code></pre>\n`;
      },
    },
  });
  const rewrite = options.rewriteUrl;
  if (rewrite !== undefined) {
    marked.use({
      walkTokens(token) {
        if (token.type === 'link') token.href = rewrite(token.href, 'link');
        if (token.type === 'image') token.href = rewrite(token.href, 'image');
      },
    });
  }
  return marked;
}

const plainMarked = makeMarked({});
const cache = new Map<string, string>();
let cachedChars = 0;
const CACHE_CHARS = 32 * 1024 * 1024;

/**
 * Renders Markdown `text` to sanitised HTML. Safe to place into a page as is; callers still wrap
 * it in an element carrying `hx-ignore` so that htmx never processes user markup.
 */
export function renderMarkdown(text: string, options: MarkdownOptions = {}): string {
  if (options.rewriteUrl !== undefined || options.references === false) return sanitize(makeMarked(options), text);
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const html = sanitize(plainMarked, text);
  if (cachedChars > CACHE_CHARS) {
    cache.clear();
    cachedChars = 0;
  }
  cache.set(text, html);
  cachedChars += text.length + html.length;
  return html;
}

function sanitize(marked: Marked, text: string): string {
  let html: string;
  try {
    html = marked.parse(text, { async: false });
  } catch {
    return `<pre>${escapeHtml(text)}</pre>`;
  }
  return sanitizeHtml(html, SANITIZE);
}
