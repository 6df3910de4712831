/**
 * Issue templates: Markdown files in `.sit/templates/` (`bug.md`, `feature.md`), offered on the
 * new-issue page and by `sit issue new --template NAME`. A template may start with a front matter
 * block of `key: value` lines between `---` lines:
 *
 * ```markdown
 * ---
 * name: Bug report
 * about: Something does not work
 * title: "Crash: "
 * labels: bug, needs-triage
 * ---
 * **What happened**
 * ```
 *
 * The repository is untrusted: only plain names ending in `.md` are read, never through a link
 * that leaves the directory, at most {@linkcode MAX_TEMPLATE_BYTES} each and
 * {@linkcode MAX_TEMPLATES} in all, as UTF-8 text.
 * @module
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** An issue template. */
export interface IssueTemplate {
  /** The file name without `.md`: what `--template` takes. */
  name: string;
  /** The title shown in a chooser (front matter `name`, else the file name). */
  title: string;
  /** One line describing when to use it (`about`). */
  about: string;
  /** The summary to start from (`title`). */
  summary: string;
  /** Labels to add (`labels`, comma-separated). */
  labels: string[];
  /** Assignees to add (`assignees`, comma-separated). */
  assignees: string[];
  /** The milestone to set, or ''. */
  milestone: string;
  /** The details to start from: the Markdown after the front matter. */
  body: string;
}

/** Largest template file read, in bytes. */
export const MAX_TEMPLATE_BYTES = 256 * 1024;
/** Most templates read. */
export const MAX_TEMPLATES = 50;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.md$/;

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))))
    return v.slice(1, -1);
  return v;
}

function list(value: string): string[] {
  const v = value.trim().replace(/^\[(.*)\]$/, '$1');
  return [
    ...new Set(
      v
        .split(',')
        .map(unquote)
        .filter((s) => s !== '' && !/[\r\n]/.test(s)),
    ),
  ];
}

/** Parses a template's text (front matter optional). */
export function parseTemplate(name: string, text: string): IssueTemplate {
  const fields = new Map<string, string>();
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const m = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(body);
  if (m !== null) {
    for (const line of m[1]!.split('\n')) {
      const kv = /^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*)$/.exec(line);
      if (kv !== null && !fields.has(kv[1]!.toLowerCase())) fields.set(kv[1]!.toLowerCase(), kv[2]!);
    }
    body = body.slice(m[0].length);
  }
  const one = (key: string): string => unquote(fields.get(key) ?? '').replace(/[\r\n]+/g, ' ');
  return {
    name,
    title: one('name') || name,
    about: one('about'),
    summary: one('title'),
    labels: list(fields.get('labels') ?? ''),
    assignees: list(fields.get('assignees') ?? ''),
    milestone: one('milestone'),
    body: body.replace(/^\n+/, '').replace(/\s+$/, ''),
  };
}

/** The templates of repository `root` (its `.sit` directory), sorted by name; [] when none. */
export function readTemplates(root: string): IssueTemplate[] {
  const dir = join(root, 'templates');
  let realDir: string;
  let names: string[];
  try {
    realDir = realpathSync.native(dir);
    const realRoot = realpathSync.native(root);
    if (realDir !== join(realRoot, 'templates') && !realDir.startsWith(realRoot + sep)) return [];
    names = readdirSync(dir)
      .filter((n) => NAME.test(n))
      .sort();
  } catch {
    return [];
  }
  const out: IssueTemplate[] = [];
  for (const file of names.slice(0, MAX_TEMPLATES)) {
    try {
      const real = realpathSync.native(join(dir, file));
      if (!real.startsWith(realDir + sep)) continue;
      const stat = statSync(real);
      if (!stat.isFile() || stat.size > MAX_TEMPLATE_BYTES) continue;
      const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(real));
      if (text.includes('\0')) continue;
      out.push(parseTemplate(file.slice(0, -3), text));
    } catch {}
  }
  return out;
}
