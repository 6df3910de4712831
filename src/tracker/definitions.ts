/**
 * Label and milestone definitions: records of the repository's definitions item (a fixed item id,
 * so that everybody's definitions land in the same item and synchronise like any other records).
 * The issue-tracking reducers fold them into `label_definitions` and `milestone_definitions`;
 * this module reads those fields defensively (states are untrusted) and picks readable colours.
 * @module
 */

/** The id of the item that holds label and milestone definitions. */
export const DEFINITIONS_ID = 'issue-tracking-definitions';

/** A defined label. */
export interface LabelDefinition {
  name: string;
  /** `#rrggbb` (lower case), or null when none was given. */
  color: string | null;
  description: string;
}

/** A defined milestone. */
export interface MilestoneDefinition {
  title: string;
  description: string;
  /** `YYYY-MM-DD`, or null. */
  due: string | null;
  state: 'open' | 'closed';
}

/** Everything defined. */
export interface Definitions {
  labels: LabelDefinition[];
  milestones: MilestoneDefinition[];
}

const COLOR = /^#[0-9a-f]{6}$/;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A colour given by a user: `#rgb` or `#rrggbb` (with or without `#`), lower-cased; undefined otherwise. */
export function parseColor(text: string): string | undefined {
  const t = text.trim().toLowerCase().replace(/^#?/, '#');
  if (/^#[0-9a-f]{3}$/.test(t)) return `#${t[1]}${t[1]}${t[2]}${t[2]}${t[3]}${t[3]}`;
  return COLOR.test(t) ? t : undefined;
}

/** The definitions in the definitions item's state (empty lists when there is none). */
export function readDefinitions(state: Record<string, unknown> | undefined): Definitions {
  const labels: LabelDefinition[] = [];
  const milestones: MilestoneDefinition[] = [];
  const rawLabels =
    state !== undefined && Array.isArray(state['label_definitions']) ? (state['label_definitions'] as unknown[]) : [];
  for (const l of rawLabels) {
    if (typeof l !== 'object' || l === null) continue;
    const o = l as Record<string, unknown>;
    const name = str(o['name']).trim();
    if (name === '' || /[\r\n]/.test(name) || labels.some((x) => x.name === name)) continue;
    const color = str(o['color']).toLowerCase();
    labels.push({ name, color: COLOR.test(color) ? color : null, description: str(o['description']) });
  }
  const rawMilestones =
    state !== undefined && Array.isArray(state['milestone_definitions'])
      ? (state['milestone_definitions'] as unknown[])
      : [];
  for (const m of rawMilestones) {
    if (typeof m !== 'object' || m === null) continue;
    const o = m as Record<string, unknown>;
    const title = str(o['title']).trim();
    if (title === '' || /[\r\n]/.test(title) || milestones.some((x) => x.title === title)) continue;
    const due = str(o['due']);
    milestones.push({
      title,
      description: str(o['description']),
      due: /^\d{4}-\d\d-\d\d$/.test(due) ? due : null,
      state: o['state'] === 'closed' ? 'closed' : 'open',
    });
  }
  labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  milestones.sort(compareMilestones);
  return { labels, milestones };
}

/** Open milestones first, then by due date (none last), then by title. */
export function compareMilestones(a: MilestoneDefinition, b: MilestoneDefinition): number {
  if (a.state !== b.state) return a.state === 'open' ? -1 : 1;
  if (a.due !== b.due) {
    if (a.due === null) return 1;
    if (b.due === null) return -1;
    return a.due < b.due ? -1 : 1;
  }
  return a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
}

/** The definition of `name`: exactly, else ignoring case; undefined when there is none. */
export function findLabel(definitions: Definitions, name: string): LabelDefinition | undefined {
  return (
    definitions.labels.find((l) => l.name === name) ??
    definitions.labels.find((l) => l.name.toLowerCase() === name.toLowerCase())
  );
}

/** The definition of milestone `title`, exactly or ignoring case. */
export function findMilestone(definitions: Definitions, title: string): MilestoneDefinition | undefined {
  return (
    definitions.milestones.find((m) => m.title === title) ??
    definitions.milestones.find((m) => m.title.toLowerCase() === title.toLowerCase())
  );
}

function channel(c: number): number {
  const v = c / 255;
  return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

/** The WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** The WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

/** Black or white, whichever reads better on background `hex`. */
export function inkFor(hex: string): '#000000' | '#ffffff' {
  return contrastRatio(hex, '#000000') >= contrastRatio(hex, '#ffffff') ? '#000000' : '#ffffff';
}

/** A stable CSS class name for colour `hex` (`lc-d73a4a`). */
export function colorClass(hex: string): string {
  return `lc-${hex.slice(1)}`;
}

/** A style sheet giving every defined colour its class: background, readable ink and a border. */
export function labelStyleSheet(definitions: Definitions): string {
  const colors = [
    ...new Set(definitions.labels.map((l) => l.color).filter((c): c is string => c !== null && COLOR.test(c))),
  ].sort();
  return colors
    .map((c) => `.label.${colorClass(c)}{background:${c};color:${inkFor(c)};border-color:rgba(0,0,0,.15)}`)
    .join('\n')
    .concat(colors.length > 0 ? '\n' : '');
}

/** A suggested colour for a new label, from a palette with dark ink contrast ≥ 4.5. */
export const LABEL_PALETTE: readonly string[] = [
  '#d73a4a',
  '#0075ca',
  '#cfd3d7',
  '#a2eeef',
  '#7057ff',
  '#008672',
  '#e4e669',
  '#d876e3',
  '#fbca04',
  '#0e8a16',
  '#1d76db',
  '#b60205',
];

/** The palette colour for `name` (stable), used when a label is defined without one. */
export function suggestedColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return LABEL_PALETTE[(h >>> 0) % LABEL_PALETTE.length]!;
}
