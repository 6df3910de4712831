// The YAML subset that clap specifications use: block and flow collections, compact sequences,
// quoted and block scalars, comments, yaml-rust's scalar resolution, and clear errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseYaml, YamlError, type YamlValue } from '../src/clap/yaml.ts';

function plain(v: YamlValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

test('a clap application: settings as a flow list, subcommands as one-key entries', () => {
  const doc = parseYaml(
    [
      '# comment',
      'name: Tracker  # trailing comment',
      'version: 0.5.0-dev',
      'settings: [ColoredHelp, ColorAuto, DisableHelpSubcommand]',
      'subcommands:',
      '  - list:',
      '  - show:',
      '      about: Show issue',
      '      args:',
      '        - ID:',
      '            required: true',
      '            takes_value: true',
      '            index: 1 ',
      '  - help:',
      '',
    ].join('\n'),
  );
  assert.equal(plain(doc), {
    name: 'Tracker',
    version: '0.5.0-dev',
    settings: ['ColoredHelp', 'ColorAuto', 'DisableHelpSubcommand'],
    subcommands: [
      { list: null },
      { show: { about: 'Show issue', args: [{ ID: { required: true, takes_value: true, index: 1 } }] } },
      { help: null },
    ],
  });
});

test('sequences at their key indentation, quoted strings, escapes, flow mappings', () => {
  const doc = parseYaml(
    [
      '---',
      'args:',
      '- a: {short: a, long: "all"}',
      "- 'b': { help: 'it''s # not a comment' }",
      'text: "tab\\there \\"q\\" \\u00e9 # kept"',
      'nums: [1, -2, 0x10, 1.5, ~, null, true, false, "true"]',
    ].join('\n'),
  );
  assert.equal(plain(doc), {
    args: [{ a: { short: 'a', long: 'all' } }, { b: { help: "it's # not a comment" } }],
    text: 'tab\there "q" é # kept',
    nums: [1, -2, 16, 1.5, null, null, true, false, 'true'],
  });
});

test('block scalars (literal, folded, chomping) and folded plain scalars', () => {
  const doc = parseYaml(
    [
      'a: |',
      '  one',
      '    two',
      '',
      'b: >-',
      '  folded',
      '  line',
      '',
      '  next',
      'c: |+',
      '  keep',
      '',
      'd: plain',
      '  continued',
      'e: last',
    ].join('\n'),
  );
  assert.equal(plain(doc), {
    a: 'one\n  two\n',
    b: 'folded line\nnext',
    c: 'keep\n\n',
    d: 'plain continued',
    e: 'last',
  });
});

test('only the first document is read; an empty document is null', () => {
  assert.equal(plain(parseYaml('a: 1\n---\nb: 2\n')), { a: 1 });
  assert.is(parseYaml('# nothing\n'), null);
});

test('a mapping key named __proto__ is an ordinary key', () => {
  const doc = parseYaml('__proto__: x\nconstructor: y\n') as Map<string, YamlValue>;
  assert.is(doc.get('__proto__'), 'x');
  assert.is(({} as Record<string, unknown>)['x'], undefined);
});

test('errors name the line and say what is wrong', () => {
  const cases: Array<[string, RegExp]> = [
    ['a: [1,', /line 1: "\[" is not closed/],
    ['a:\n\tb: 1', /line 2: tabs cannot indent/],
    ['a: &anchor 1', /anchors, aliases and tags/],
    ['a: 1\na: 2', /line 2: the key "a" appears twice/],
    ['a: "open', /quoted string is not closed/],
    ['a:\n  b: 1\n c: 2', /line 3: unexpected indentation/],
    ['- a\nb: c', /line 2: unexpected "b: c"/],
  ];
  for (const [source, message] of cases) {
    try {
      parseYaml(source);
      assert.unreachable(`${JSON.stringify(source)} should fail`);
    } catch (error) {
      assert.instance(error, YamlError, JSON.stringify(source));
      assert.match((error as Error).message, message);
    }
  }
});

test.run();
