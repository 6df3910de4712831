/**
 * Server-side syntax highlighting with highlight.js (core plus a few languages), producing
 * `<span class="hljs-…">` markup that the Markdown sanitiser lets through.
 * @module
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('css', css);
hljs.registerLanguage('diff', diff);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('markdown', markdown);
hljs.registerLanguage('rust', rust);
hljs.registerLanguage('shell', shell);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('yaml', yaml);

/** Escapes the five HTML-significant characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** The language name highlight.js knows for `lang` (aliases such as `sh` or `js` included), if any. */
export function knownLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const name = lang.trim().toLowerCase().split(/\s+/)[0] ?? '';
  return name !== '' && hljs.getLanguage(name) ? name : undefined;
}

/**
 * Highlights `code` as `lang` and returns HTML (spans only, text escaped). Unknown or missing
 * languages give the escaped text unchanged.
 */
export function highlightCode(code: string, lang: string | undefined): string {
  const language = knownLanguage(lang);
  if (language === undefined) return escapeHtml(code);
  return hljs.highlight(code, { language, ignoreIllegals: true }).value;
}

/** Highlights a unified diff or a `git format-patch` file. */
export function highlightDiff(patch: string): string {
  return highlightCode(patch, 'diff');
}
