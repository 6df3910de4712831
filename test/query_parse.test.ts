import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SitError } from '../src/errors.ts';
import { formatQuery, parseQuery, QuerySyntaxError, UnknownQualifierError, type IssueQuery } from '../src/query/mod.ts';

function throwsWith(fn: () => unknown, type: new (...args: never[]) => Error, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.instance(error, type);
    assert.instance(error, SitError);
    assert.match((error as Error).message, pattern);
    assert.not.match((error as Error).message, /\n/, 'one-line message');
    return;
  }
  assert.unreachable(`expected ${type.name} matching ${pattern}`);
}

test('empty and blank queries select everything in the default order', () => {
  assert.equal(parseQuery(''), { state: null, terms: [], sort: null });
  assert.equal(parseQuery('   \t '), { state: null, terms: [], sort: null });
});

test('is:open and is:closed, negated, case-insensitive', () => {
  assert.is(parseQuery('is:open').state, 'open');
  assert.is(parseQuery('is:closed').state, 'closed');
  assert.is(parseQuery('-is:open').state, 'closed');
  assert.is(parseQuery('-is:closed').state, 'open');
  assert.is(parseQuery('IS:Closed').state, 'closed');
  assert.is(parseQuery('is:open is:open').state, 'open');
  assert.is(parseQuery('is:ALL').state, 'all');
  assert.is(formatQuery(parseQuery('is:all x')), 'is:all x');
});

test('is: with a bad value or contradicting itself is an error', () => {
  throwsWith(
    () => parseQuery('is:pending'),
    QuerySyntaxError,
    /"is:pending" at column 1 is not a state; use is:open, is:closed or is:all/,
  );
  throwsWith(() => parseQuery('is:open is:closed'), QuerySyntaxError, /both is:open and is:closed/);
  throwsWith(() => parseQuery('is:all is:closed'), QuerySyntaxError, /both is:all and is:closed/);
  throwsWith(() => parseQuery('-is:all'), QuerySyntaxError, /selects nothing/);
});

test('field qualifiers, negation and quoted values', () => {
  const q = parseQuery(
    'label:bug -label:wontfix author:alice -author:"Bob B" assignee:carol milestone:"1.0 beta" label:"good first issue"',
  );
  assert.equal(q.terms, [
    { kind: 'field', field: 'label', value: 'bug', negated: false },
    { kind: 'field', field: 'label', value: 'wontfix', negated: true },
    { kind: 'field', field: 'author', value: 'alice', negated: false },
    { kind: 'field', field: 'author', value: 'Bob B', negated: true },
    { kind: 'field', field: 'assignee', value: 'carol', negated: false },
    { kind: 'field', field: 'milestone', value: '1.0 beta', negated: false },
    { kind: 'field', field: 'label', value: 'good first issue', negated: false },
  ]);
});

test('values may contain colons and escaped quotes', () => {
  assert.equal(parseQuery('milestone:v1:rc').terms, [
    { kind: 'field', field: 'milestone', value: 'v1:rc', negated: false },
  ]);
  assert.equal(parseQuery('label:"say \\"hi\\" \\\\ now"').terms, [
    { kind: 'field', field: 'label', value: 'say "hi" \\ now', negated: false },
  ]);
});

test('no: qualifiers and their negation', () => {
  assert.equal(parseQuery('no:label no:assignee -no:milestone no:labels').terms, [
    { kind: 'missing', field: 'label', negated: false },
    { kind: 'missing', field: 'assignee', negated: false },
    { kind: 'missing', field: 'milestone', negated: true },
    { kind: 'missing', field: 'label', negated: false },
  ]);
  throwsWith(
    () => parseQuery('no:author'),
    QuerySyntaxError,
    /"no:author" .*use no:label, no:assignee or no:milestone/,
  );
});

test('sort: keys, directions and default direction', () => {
  assert.equal(parseQuery('sort:created').sort, { key: 'created', direction: 'desc' });
  assert.equal(parseQuery('sort:created-asc').sort, { key: 'created', direction: 'asc' });
  assert.equal(parseQuery('sort:updated-desc').sort, { key: 'updated', direction: 'desc' });
  assert.equal(parseQuery('sort:Comments-ASC').sort, { key: 'comments', direction: 'asc' });
  throwsWith(() => parseQuery('sort:votes'), QuerySyntaxError, /"sort:votes" at column 1 is not a sort order/);
  throwsWith(() => parseQuery('sort:created-up'), QuerySyntaxError, /not a sort order/);
  throwsWith(() => parseQuery('sort:created sort:updated'), QuerySyntaxError, /more than one sort:/);
  throwsWith(() => parseQuery('-sort:created'), QuerySyntaxError, /cannot be negated/);
});

test('bare words and quoted phrases are full-text terms; - negates them', () => {
  assert.equal(parseQuery('crash  "on windows" -linux -"stack overflow" 12:30').terms, [
    { kind: 'text', value: 'crash', negated: false },
    { kind: 'text', value: 'on windows', negated: false },
    { kind: 'text', value: 'linux', negated: true },
    { kind: 'text', value: 'stack overflow', negated: true },
    { kind: 'text', value: '12:30', negated: false },
  ]);
  assert.equal(parseQuery('"" x').terms, [{ kind: 'text', value: 'x', negated: false }], 'empty phrase ignored');
  assert.equal(parseQuery('"foo:bar"').terms, [{ kind: 'text', value: 'foo:bar', negated: false }]);
});

test('unknown qualifiers are errors that list the known ones', () => {
  throwsWith(
    () => parseQuery('is:open type:bug'),
    UnknownQualifierError,
    /^unknown qualifier "type:" in query "is:open type:bug"; known qualifiers: is:, label:, no:, author:, assignee:, milestone:, sort: \(to search for the text, quote it: "type:bug"\)$/,
  );
  throwsWith(() => parseQuery('-Labels:x'), UnknownQualifierError, /unknown qualifier "Labels:"/);
});

test('syntax errors: unterminated quote, missing value, stray quotes, lone minus', () => {
  throwsWith(
    () => parseQuery('label:bug "crash on'),
    QuerySyntaxError,
    /^bad query "label:bug \\"crash on": unterminated quote at column 11; close it with "$/,
  );
  throwsWith(() => parseQuery('label:"good first'), QuerySyntaxError, /unterminated quote at column 7/);
  throwsWith(() => parseQuery('label:'), QuerySyntaxError, /qualifier "label:" at column 1 needs a value/);
  throwsWith(() => parseQuery('x author: y'), QuerySyntaxError, /qualifier "author:" at column 3 needs a value/);
  throwsWith(() => parseQuery('label:""'), QuerySyntaxError, /needs a value/);
  throwsWith(() => parseQuery('foo"bar'), QuerySyntaxError, /unexpected quote at column 4/);
  throwsWith(() => parseQuery('"foo"bar'), QuerySyntaxError, /unexpected "b" after the closing quote at column 5/);
  throwsWith(
    () => parseQuery('crash - x'),
    QuerySyntaxError,
    /"-" at column 7 must be followed by a word or a qualifier/,
  );
  throwsWith(() => parseQuery('crash -'), QuerySyntaxError, /"-" at column 7/);
});

test('formatQuery writes canonical text', () => {
  assert.is(
    formatQuery(parseQuery('  crash sort:updated is:open  label:bug ')),
    'is:open crash label:bug sort:updated-desc',
  );
  assert.is(formatQuery(parseQuery('-is:open')), 'is:closed');
  assert.is(
    formatQuery(parseQuery('label:"good first issue" -"on windows" no:labels')),
    'label:"good first issue" -"on windows" no:label',
  );
  assert.is(formatQuery(parseQuery('"foo:bar" "-x" 12:30')), '"foo:bar" "-x" "12:30"');
  assert.is(
    formatQuery({ state: 'closed', terms: [], sort: { key: 'comments', direction: 'asc' } }),
    'is:closed sort:comments-asc',
  );
});

test('formatQuery output parses back to the same query', () => {
  const queries: IssueQuery[] = [
    parseQuery(
      'is:open label:"a \\"quoted\\" label" -author:x milestone:v1:rc "phrase here" -neg no:assignee sort:created-asc',
    ),
    {
      state: null,
      terms: [
        { kind: 'text', value: '-starts with minus', negated: false },
        { kind: 'text', value: 'back\\slash', negated: true },
        { kind: 'field', field: 'label', value: '"', negated: false },
        { kind: 'field', field: 'assignee', value: 'tab\there', negated: false },
      ],
      sort: null,
    },
  ];
  for (const q of queries) assert.equal(parseQuery(formatQuery(q)), q, formatQuery(q));
});

test.run();
