// The tracker's host side (src/tracker): references and mentions, templates, named filters,
// definitions and colours, items created in one step, times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository } from '../src/store/mod.ts';
import {
  builtinFilters,
  createItem,
  extractReferences,
  IdIndex,
  mentionIndex,
  namedFilters,
  parseColor,
  parseTemplate,
  readDefinitions,
  readTemplates,
  referencesIn,
  resolvePrefix,
  shortAge,
  suggestedColor,
  withoutCode,
} from '../src/tracker/mod.ts';

const base = mkdtempSync(join(tmpdir(), 'sit-tracker-'));
test.after(() => rmSync(base, { recursive: true, force: true }));

test('references: #prefix outside words, URLs, entities and code; lower-cased, each once', () => {
  assert.equal(referencesIn('See #EC4A71BF, (#ec4a71bf) and #1234-abcd.'), ['ec4a71bf', '1234-abcd']);
  assert.equal(referencesIn('foo#abcd http://x/#abcd &#1234; #abc #ghij `#abcd` a.#beef'), []);
  assert.equal(referencesIn('```\n#abcd in a block\n```\nafter #dcba'), ['dcba']);
  assert.is(withoutCode('a `b` c'), 'a   c');
});

test('references of a state: summary, details and comments with who and when; never the issue itself', () => {
  const refs = extractReferences({
    id: 'aaaa1111',
    summary: 'Like #bbbb',
    authors: 'Ada',
    timestamp: 't0',
    details: 'Also #aaaa and #cccc2222',
    comments: [{ text: 'Again #bbbb, and #dddd', authors: 'Bob', timestamp: 't1' }, null, { text: 7 }],
  });
  assert.equal(refs, [
    { prefix: 'bbbb', place: 'summary', authors: 'Ada', timestamp: 't0' },
    { prefix: 'cccc2222', place: 'details', authors: 'Ada', timestamp: 't0' },
    { prefix: 'dddd', place: 'comment', authors: 'Bob', timestamp: 't1' },
  ]);
  assert.equal(extractReferences({ id: 'x', summary: 42, comments: 'nope' }), []);
});

test('prefixes resolve only when unique; mentions point at the issue named', () => {
  const ids = ['aaaa1111', 'aaaa2222', 'bbbb0000', 'BBBC0000'];
  const index = new IdIndex(ids);
  assert.is(index.resolve('aaaa'), undefined, 'ambiguous');
  assert.is(index.resolve('aaaa1'), 'aaaa1111');
  assert.is(index.resolve('bbbc'), 'BBBC0000');
  assert.is(index.resolve('cccc'), undefined);
  assert.is(index.count('aaaa'), 2);
  assert.is(resolvePrefix(ids, 'BBBB'), 'bbbb0000');
  const mentions = mentionIndex(
    [
      [
        'bbbb0000',
        [
          { prefix: 'aaaa1', place: 'details', authors: 'A', timestamp: 't' },
          { prefix: 'aaaa', place: 'details', authors: 'A', timestamp: 't' },
        ],
      ],
      ['aaaa1111', [{ prefix: 'aaaa1', place: 'comment', authors: 'B', timestamp: 't' }]],
    ],
    index,
  );
  assert.equal([...mentions.keys()], ['aaaa1111']);
  assert.equal(mentions.get('aaaa1111'), [{ id: 'bbbb0000', place: 'details', authors: 'A', timestamp: 't' }]);
});

test('templates: front matter parsed, bad files skipped, nothing outside the directory read', () => {
  const t = parseTemplate(
    'bug',
    '\uFEFF---\r\nname: Bug report\r\nabout: "When it breaks"\r\ntitle: \'Bug: \'\r\nlabels: [bug, "needs triage", bug]\r\nassignees: ada\r\nmilestone: 1.0\r\nunknown: x\r\n---\r\n\r\n**What happened**\r\n\r\n',
  );
  assert.equal(t, {
    name: 'bug',
    title: 'Bug report',
    about: 'When it breaks',
    summary: 'Bug: ',
    labels: ['bug', 'needs triage'],
    assignees: ['ada'],
    milestone: '1.0',
    body: '**What happened**',
  });
  assert.equal(parseTemplate('plain', 'Just a body'), {
    name: 'plain',
    title: 'plain',
    about: '',
    summary: '',
    labels: [],
    assignees: [],
    milestone: '',
    body: 'Just a body',
  });
  const repo = join(base, 'repo', '.sit');
  mkdirSync(join(repo, 'templates'), { recursive: true });
  writeFileSync(join(repo, 'templates', 'a.md'), '---\nname: A\n---\nbody');
  writeFileSync(join(repo, 'templates', 'binary.md'), Buffer.from([0xff, 0xfe, 0]));
  writeFileSync(join(repo, 'templates', '.hidden.md'), 'x');
  writeFileSync(join(repo, 'templates', 'big.md'), 'x'.repeat(300 * 1024));
  mkdirSync(join(repo, 'templates', 'dir.md'));
  assert.equal(
    readTemplates(repo).map((x) => x.name),
    ['a'],
  );
  assert.equal(readTemplates(join(base, 'none')), []);
});

test('named filters: built-in (with mine and created for a name), repository, user; later names win', () => {
  assert.equal(
    builtinFilters().map((f) => f.name),
    ['open', 'closed', 'all', 'updated', 'unassigned', 'unlabelled'],
  );
  const all = namedFilters({
    me: 'Ada "A" Lovelace',
    repository: { team: 'label:team', bad: 3 },
    user: { open: 'is:open label:bug', 'two\nlines': 'x' },
  });
  assert.equal(
    all.map((f) => [f.name, f.query, f.source]),
    [
      ['closed', 'is:closed sort:updated-desc', 'built-in'],
      ['all', 'is:all', 'built-in'],
      ['updated', 'is:open sort:updated-desc', 'built-in'],
      ['unassigned', 'is:open no:assignee', 'built-in'],
      ['unlabelled', 'is:open no:label', 'built-in'],
      ['mine', 'is:open assignee:"Ada \\"A\\" Lovelace"', 'built-in'],
      ['created', 'is:open author:"Ada \\"A\\" Lovelace"', 'built-in'],
      ['team', 'label:team', 'repository'],
      ['open', 'is:open label:bug', 'user'],
    ],
  );
});

test('definitions: read defensively from an untrusted state; colours parsed and suggested', () => {
  const defs = readDefinitions({
    label_definitions: [
      { name: 'b', color: '#ABCDEF', description: 'x' },
      { name: 'a', color: 'red' },
      { name: 'b', color: '#000000' },
      { name: '' },
      'junk',
      { name: 'two\nlines' },
    ],
    milestone_definitions: [
      { title: 'z', due: '2020-01-01', state: 'closed' },
      { title: 'y', due: 'soon' },
      { title: 'x', due: '2021-01-01' },
    ],
  });
  assert.equal(defs.labels, [
    { name: 'a', color: null, description: '' },
    { name: 'b', color: '#abcdef', description: 'x' },
  ]);
  assert.equal(
    defs.milestones.map((m) => m.title),
    ['x', 'y', 'z'],
    'open ones by due date (none last), then closed',
  );
  assert.equal(readDefinitions(undefined), { labels: [], milestones: [] });
  assert.is(parseColor('F00'), '#ff0000');
  assert.is(parseColor(' #0e8A16 '), '#0e8a16');
  assert.is(parseColor('red'), undefined);
  assert.is(parseColor('#12345'), undefined);
  assert.match(suggestedColor('bug'), /^#[0-9a-f]{6}$/);
  assert.is(suggestedColor('bug'), suggestedColor('bug'));
});

test('createItem: the records first, then the item; bad names write nothing; the records chain', () => {
  const { path } = Repository.init(join(base, 'create'));
  const repo = Repository.open(path);
  const enc = new TextEncoder();
  const rec = (type: string, text: string) => [
    { name: `.type/${type}`, data: new Uint8Array(0) },
    { name: '.timestamp', data: enc.encode('2025-01-01T00:00:00Z') },
    { name: 'text', data: enc.encode(text) },
  ];
  assert.throws(() => createItem(repo, [rec('SummaryChanged', 'ok'), [{ name: '../escape', data: enc.encode('x') }]]));
  assert.equal(repo.items(), [], 'no item after a refused record');
  const id = createItem(repo, [rec('SummaryChanged', 'S'), rec('DetailsChanged', 'D')], { id: 'fixed-id' });
  assert.is(id, 'fixed-id');
  const records = repo.readItemRecords(id);
  assert.is(records.length, 2);
  const details = records.find((r) => r.files.some((f) => f.name === '.type/DetailsChanged'))!;
  const summary = records.find((r) => r !== details)!;
  assert.ok(
    details.files.some((f) => f.name === `.prev/${summary.hash}`),
    'the second record names the first as its parent',
  );
  assert.throws(() => createItem(repo, [rec('SummaryChanged', 'again')], { id: 'fixed-id' }), /already exists/);
  assert.equal(readdirSync(join(path, 'items')), ['fixed-id']);
});

test('short ages', () => {
  const now = Date.UTC(2025, 5, 1);
  assert.equal(
    [0, 120, 7200, 3 * 86400, 20 * 86400, 100 * 86400, 800 * 86400].map((s) => shortAge(new Date(now - s * 1000), now)),
    ['now', '2m', '2h', '3d', '2w', '3mo', '2y'],
  );
});

test.run();
