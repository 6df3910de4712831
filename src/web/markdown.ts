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
   * Rewrites the target of every link and image before sanitising (documentation pages turn
   * relative `.md` links into `/doc/…` routes). The result is sanitised like any other URL.
   */
  rewriteUrl?: (url: string, kind: 'link' | 'image') => string;
}

const BLOCKED_TAGS = new Set(['main', 'nav', 'header', 'footer', 'aside', 'article', 'section']);

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
    a: ['href', 'title', 'rel'],
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

function makeMarked(options: MarkdownOptions): Marked {
  const marked = new Marked({ gfm: true, breaks: false });
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
  if (options.rewriteUrl !== undefined) return sanitize(makeMarked(options), text);
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
