// The light and the dark theme of static/style.css: every colour pair used for text reads with a
// WCAG contrast of at least 4.5:1 (3:1 for large or non-text marks), and label colours get the
// ink that reads best on them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contrastRatio, inkFor, LABEL_PALETTE, labelStyleSheet } from '../src/tracker/mod.ts';
import { PROJECT_ROOT } from './helpers/web_fixtures.ts';

const css = readFileSync(join(PROJECT_ROOT, 'static', 'style.css'), 'utf8');

function variables(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of block.matchAll(/--([a-z0-9-]+):\s*([^;]+);/g)) out.set(m[1]!, m[2]!.trim());
  return out;
}

const lightBlock = /:root\s*\{([^}]*)\}/.exec(css)![1]!;
const darkBlock = /@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{([^}]*)\}/.exec(css)?.[1];

// [text, background, minimum]: text colours on the surfaces they are used on.
const PAIRS: Array<[string, string, number]> = [
  ['ink', 'bg', 4.5],
  ['ink', 'card', 4.5],
  ['ink', 'surface', 4.5],
  ['ink', 'input', 4.5],
  ['ink', 'hover', 4.5],
  ['muted', 'bg', 4.5],
  ['muted', 'card', 4.5],
  ['muted', 'surface', 4.5],
  ['faint', 'bg', 4.5],
  ['faint', 'card', 4.5],
  ['focus', 'bg', 4.5],
  ['focus', 'card', 4.5],
  ['accent-ink', 'accent', 4.5],
  ['primary-ink', 'primary-bg', 4.5],
  ['primary-ink', 'primary-hover', 4.5],
  ['on-state', 'open', 4.5],
  ['on-state', 'closed', 4.5],
  ['on-state', 'danger', 4.5],
  ['danger', 'card', 4.5],
  ['danger', 'surface', 4.5],
  ['closed', 'card', 4.5],
  ['open', 'card', 3],
  ['open', 'bg', 3],
  ['error-ink', 'error-bg', 4.5],
  ['mark-ink', 'mark', 4.5],
  ['ink', 'banner-bg', 4.5],
  ['badge-ink', 'badge-bg', 4.5],
  ['plain-label-ink', 'plain-label-bg', 4.5],
  ['ink', 'opening-head', 4.5],
  ['muted', 'opening-head', 4.5],
  ['ink', 'mr-head', 4.5],
  ['muted', 'success-head', 4.5],
  ['muted', 'failure-head', 4.5],
  ['diff-add', 'diff-add-bg', 4.5],
  ['diff-del', 'diff-del-bg', 4.5],
  ['hl-comment', 'surface', 4.5],
  ['hl-keyword', 'surface', 4.5],
  ['hl-string', 'surface', 4.5],
  ['hl-number', 'surface', 4.5],
  ['hl-title', 'surface', 4.5],
  ['hl-meta', 'surface', 4.5],
];

function check(name: string, vars: Map<string, string>): void {
  const failures: string[] = [];
  for (const [fg, bg, min] of PAIRS) {
    const a = vars.get(fg);
    const b = vars.get(bg);
    assert.ok(a !== undefined && /^#[0-9a-f]{6}$/i.test(a), `${name}: --${fg} is a #rrggbb colour`);
    assert.ok(b !== undefined && /^#[0-9a-f]{6}$/i.test(b), `${name}: --${bg} is a #rrggbb colour`);
    const ratio = contrastRatio(a!.toLowerCase(), b!.toLowerCase());
    if (ratio < min) failures.push(`--${fg} on --${bg}: ${ratio.toFixed(2)} < ${min}`);
  }
  assert.equal(failures, [], `${name} theme contrast`);
}

test('the light theme: text colours have a contrast of at least 4.5:1 on their backgrounds', () => {
  check('light', variables(lightBlock));
});

test('the dark theme follows prefers-color-scheme, defines every colour the light one does, with the same contrast', () => {
  assert.ok(darkBlock !== undefined, 'a prefers-color-scheme: dark block');
  const light = variables(lightBlock);
  const dark = variables(darkBlock!);
  const missing = [...light.keys()].filter((k) => !dark.has(k) && !['radius', 'mono', 'sans'].includes(k));
  assert.equal(missing, [], 'every colour variable has a dark value');
  check('dark', dark);
  assert.match(css, /color-scheme: dark/);
});

test('no colour is written into a rule outside the two themes (every colour comes from a variable)', () => {
  const rules = css
    .replace(/:root\s*\{[^}]*\}/g, '')
    .replace(/@media \(prefers-color-scheme: dark\)[\s\S]*?\n\}\n/, '');
  const stray = [...rules.matchAll(/#[0-9a-fA-F]{3,6}\b/g)].map((m) => m[0]);
  // The avatar palette (.c0-.c7) is the only fixed one, with its own dark variant.
  const allowed = new Set(
    [...css.matchAll(/\.c[0-7] \{[^}]*\}/g)].flatMap((m) => [...m[0].matchAll(/#[0-9a-fA-F]{6}/g)].map((x) => x[0])),
  );
  assert.equal(
    stray.filter((c) => !allowed.has(c)),
    [],
  );
});

test('label colours: the ink chosen for each palette colour reads at 4.5:1, and the style sheet only holds #rrggbb', () => {
  for (const color of LABEL_PALETTE)
    assert.ok(contrastRatio(color, inkFor(color)) >= 4.5, `${color} with ${inkFor(color)}`);
  for (const color of ['#000000', '#ffffff', '#777777', '#0000ff', '#ffff00'])
    assert.ok(contrastRatio(color, inkFor(color)) >= 4.5, color);
  const sheet = labelStyleSheet({
    labels: [
      { name: 'x', color: '#d73a4a', description: '' },
      { name: 'y', color: 'red;}body{x' as string, description: '' },
    ],
    milestones: [],
  });
  assert.is(sheet, '.label.lc-d73a4a{background:#d73a4a;color:#000000;border-color:rgba(0,0,0,.15)}\n');
});

test.run();
