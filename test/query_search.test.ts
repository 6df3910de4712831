import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compareInstants,
  countStates,
  indexStates,
  JmesPathError,
  parseQuery,
  parseTimestamp,
  QueryOptionError,
  searchIssues,
  type IssueState,
} from '../src/query/mod.ts';

function issue(id: string, fields: Partial<IssueState> = {}): IssueState {
  return { id, state: 'open', labels: [], assignees: [], milestone: null, ...fields };
}

const states: IssueState[] = [
  issue('a', {
    summary: 'Crash on Windows',
    details: 'The app crashes\n  on   startup.',
    authors: 'Alice Smith <alice@example.com>',
    timestamp: '2018-02-01T10:00:00.000000001Z',
    last_updated_timestamp: '2018-03-01T00:00:00Z',
    labels: ['bug', 'good first issue'],
    assignees: ['Carol <carol@example.com>'],
    milestone: '1.0',
    comments: [
      {
        text: 'Reproduced with a Stack Overflow sample',
        authors: 'Bob',
        timestamp: '2018-02-02T00:00:00Z',
        merge_request: null,
        merge_request_report: null,
      },
    ],
  }),
  issue('b', {
    summary: 'Slow reduce',
    details: 'Reducing 10 000 items takes minutes',
    authors: 'Bob Jones <bob@example.com>',
    timestamp: '2018-02-01T10:00:00Z',
    last_updated_timestamp: '2018-02-01T11:00:00+02:00',
    state: 'closed',
    labels: ['performance'],
    comments: [
      { text: 'Merged ABC', authors: 'Bob', timestamp: '2018-02-03T00:00:00Z' },
      {
        text: 'fixed on windows too',
        authors: 'Alice',
        timestamp: '2018-02-04T00:00:00Z',
        merge_request: null,
        merge_request_report: null,
      },
    ],
  }),
  issue('c', {
    summary: 'Document the query language',
    details: '',
    authors: 'alice <a@example.org>',
    timestamp: '2018-01-15T08:00:00.5+01:00',
    milestone: '1.0.1',
  }),
  issue('d', { summary: 'No timestamp at all', authors: 'Dave' }),
];

function ids(query: string, options: Parameters<typeof searchIssues>[2] = {}): string[] {
  return searchIssues(states, parseQuery(query), options).items.map((s) => s.id);
}

/** Like {@linkcode ids}, over open and closed issues (`is:all`). */
function any(query: string, options: Parameters<typeof searchIssues>[2] = {}): string[] {
  return ids(`is:all ${query}`, options);
}

test('timestamps parse as instants with nanoseconds and offsets', () => {
  assert.equal(parseTimestamp('2018-12-20T19:36:21.344727532Z'), { seconds: 1545334581, nanos: 344727532 });
  assert.equal(parseTimestamp('2018-12-20T19:36:21Z'), { seconds: 1545334581, nanos: 0 });
  assert.equal(parseTimestamp('2018-12-20T19:36:21.344Z'), { seconds: 1545334581, nanos: 344000000 });
  assert.equal(parseTimestamp('2018-12-20T21:36:21.1+02:00'), { seconds: 1545334581, nanos: 100000000 });
  assert.is(parseTimestamp('yesterday'), undefined);
  assert.is(parseTimestamp('2018-13-01T00:00:00Z'), undefined);
  const a = parseTimestamp('2018-12-20T19:36:21.344Z');
  const b = parseTimestamp('2018-12-20T19:36:21.344000001Z');
  assert.ok(compareInstants(a, b) < 0);
  assert.ok(compareInstants(undefined, a) < 0);
  assert.is(compareInstants(a, parseTimestamp('2018-12-20T20:36:21.344+01:00')), 0);
});

test('default order is created-desc with unparsable/missing timestamps last, ties by id', () => {
  // a is 1 ns after b; c is 07:00Z, before both; d has none.
  assert.equal(any(''), ['a', 'b', 'c', 'd']);
  const tie = [
    issue('z', { timestamp: '2018-01-01T00:00:00Z' }),
    issue('y', { timestamp: '2018-01-01T01:00:00+01:00' }),
  ];
  assert.equal(
    searchIssues(tie, parseQuery('is:all')).items.map((s) => s.id),
    ['y', 'z'],
  );
  assert.equal(
    searchIssues(tie, parseQuery('is:all sort:created-asc')).items.map((s) => s.id),
    ['y', 'z'],
  );
  const nanos = [
    issue('p', { timestamp: '2018-01-01T00:00:00.000000001Z' }),
    issue('q', { timestamp: '2018-01-01T00:00:00.000000002Z' }),
  ];
  assert.equal(
    searchIssues(nanos, parseQuery('is:all')).items.map((s) => s.id),
    ['q', 'p'],
    'one nanosecond apart',
  );
});

test('sort: created, updated and comments in both directions', () => {
  assert.equal(any('sort:created-asc'), ['d', 'c', 'b', 'a']);
  // b updated at 09:00Z (offset +02:00) on Feb 1, a on Mar 1; c and d fall back to created.
  assert.equal(any('sort:updated-desc'), ['a', 'b', 'c', 'd']);
  assert.equal(any('sort:updated-asc'), ['d', 'c', 'b', 'a']);
  assert.equal(any('sort:comments'), ['b', 'a', 'c', 'd']);
  assert.equal(any('sort:comments-asc'), ['c', 'd', 'a', 'b']);
});

test('is:open / is:closed (anything not closed is open)', () => {
  assert.equal(ids('is:open'), ['a', 'c', 'd']);
  assert.equal(ids('is:closed'), ['b']);
  const odd = [issue('x', { state: undefined as unknown as string }), issue('y', { state: 'weird' })];
  assert.is(searchIssues(odd, parseQuery('is:open')).total, 2);
});

test('label: matches whole labels case-insensitively; -label: and no:label', () => {
  assert.equal(any('label:bug'), ['a']);
  assert.equal(any('label:BUG'), ['a']);
  assert.equal(any('label:bu'), []);
  assert.equal(any('label:"good first issue"'), ['a']);
  assert.equal(any('label:bug label:performance'), [], 'all labels must be present');
  assert.equal(any('-label:bug'), ['b', 'c', 'd']);
  assert.equal(any('no:label'), ['c', 'd']);
  assert.equal(any('-no:label'), ['a', 'b']);
});

test('author: is a case-insensitive substring of authors; -author:', () => {
  assert.equal(any('author:alice'), ['a', 'c']);
  assert.equal(any('author:"ALICE SMITH"'), ['a']);
  assert.equal(any('author:example.com'), ['a', 'b']);
  assert.equal(any('-author:alice'), ['b', 'd']);
});

test('assignee:, no:assignee, milestone:, no:milestone', () => {
  assert.equal(any('assignee:carol'), ['a']);
  assert.equal(any('assignee:CAROL@'), ['a']);
  assert.equal(any('-assignee:carol'), ['b', 'c', 'd']);
  assert.equal(any('no:assignee'), ['b', 'c', 'd']);
  assert.equal(any('milestone:1.0'), ['a'], 'exact, not a prefix of 1.0.1');
  assert.equal(any('milestone:1.0.1'), ['c']);
  assert.equal(any('-milestone:1.0'), ['b', 'c', 'd']);
  assert.equal(any('no:milestone'), ['b', 'd']);
});

test('full text: every word must match summary, details or a comment, case-insensitively', () => {
  assert.equal(any('windows'), ['a', 'b'], 'summary of a, comment of b');
  assert.equal(any('WINDOWS crash'), ['a']);
  assert.equal(any('minutes'), ['b'], 'details');
  assert.equal(any('stack overflow'), ['a'], 'comment text');
  assert.equal(any('windows -crash'), ['b']);
  assert.equal(any('alice'), [], 'authors are not full text');
  assert.equal(any('nothing-matches-this'), []);
});

test('full text: phrases match in order with white space normalised, never across fields', () => {
  assert.equal(any('"crashes on startup"'), ['a'], 'newline and runs of spaces count as one space');
  assert.equal(any('"on startup crashes"'), []);
  assert.equal(any('"windows the app"'), [], 'summary and details are separate fields');
  assert.equal(any('-"stack overflow"'), ['b', 'c', 'd']);
});

test('qualifiers combine with AND', () => {
  assert.equal(ids('is:open author:alice windows'), ['a']);
  assert.equal(ids('is:closed author:alice'), []);
});

test('limit and offset page the sorted result; total counts every match', () => {
  const all = any('sort:created-asc');
  assert.equal(searchIssues(states, parseQuery('is:all sort:created-asc'), { limit: 2 }), {
    total: 4,
    items: [states[3]!, states[2]!],
  });
  assert.equal(any('sort:created-asc', { offset: 1, limit: 2 }), all.slice(1, 3));
  assert.equal(any('sort:created-asc', { offset: 3 }), all.slice(3));
  assert.equal(searchIssues(states, parseQuery('is:all'), { offset: 10, limit: 5 }), { total: 4, items: [] });
  assert.equal(any('', { limit: 0 }), []);
  for (const bad of [{ limit: -1 }, { offset: 1.5 }, { offset: Number.NaN }]) {
    assert.throws(
      () => searchIssues(states, parseQuery('is:all'), bad),
      (e: unknown) => e instanceof QueryOptionError,
    );
  }
});

test('indexStates prepares states ahead of a search without changing results', () => {
  const copies = states.map((s) => structuredClone(s));
  const before = searchIssues(states, parseQuery('is:all windows sort:comments')).items.map((s) => s.id);
  indexStates(copies);
  assert.equal(
    searchIssues(copies, parseQuery('is:all windows sort:comments')).items.map((s) => s.id),
    before,
  );
});

test('items are the given state objects, unchanged', () => {
  const before = JSON.stringify(states);
  const result = searchIssues(states, parseQuery('windows'));
  assert.ok(result.items[0] === states[0]);
  assert.is(JSON.stringify(states), before);
});

test('jmespath filter keeps states for which it is exactly true', () => {
  assert.equal(any('', { jmespath: "state == 'closed'" }), ['b']);
  assert.equal(ids('is:open', { jmespath: 'length(labels) > `0`' }), ['a']);
  assert.equal(any('', { jmespath: 'summary' }), [], 'a string is not true');
  assert.equal(any('', { jmespath: "contains(labels, 'bug') || milestone == '1.0.1'" }), ['a', 'c']);
});

test('a jmespath compile error names the expression and the column', () => {
  try {
    searchIssues(states, parseQuery('is:all'), { jmespath: 'state == ' });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, JmesPathError);
    assert.match((error as Error).message, /"state == "/);
    assert.match((error as Error).message, /column \d+/);
  }
  try {
    searchIssues(states, parseQuery('is:all'), { jmespath: "labels[?@ == 'bug'] ]" });
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, JmesPathError);
    assert.match((error as Error).message, /column 21/);
  }
});

test('countStates ignores is: but applies every other term', () => {
  assert.equal(countStates(states, parseQuery('is:all')), { open: 3, closed: 1 });
  assert.equal(countStates(states, parseQuery('')), { open: 3, closed: 1 });
  assert.equal(countStates(states, parseQuery('is:closed windows')), { open: 1, closed: 1 });
  assert.equal(countStates(states, parseQuery('is:open author:bob')), { open: 0, closed: 1 });
  assert.equal(countStates(states, parseQuery('is:open'), { jmespath: 'milestone != null' }), { open: 2, closed: 0 });
});

test('a query without is: lists open issues; is:all lists both', () => {
  assert.equal(ids(''), ['a', 'c', 'd']);
  assert.equal(ids('windows'), ['a']);
  assert.equal(ids('is:all windows'), ['a', 'b']);
  assert.equal(ids('-is:open windows'), ['b']);
  assert.is(searchIssues(states, parseQuery('')).total, 3);
});

test('a word of 8 characters or more, or # and 4 or more, also matches issues whose id starts with it', () => {
  const uuids = [
    issue('ec4a71bf-0000-4000-8000-000000000001', { summary: 'First' }),
    issue('ec4a0000-0000-4000-8000-000000000002', { summary: 'Second mentions #ec4a71bf' }),
    issue('0badcafe-0000-4000-8000-000000000003', { summary: 'Third', state: 'closed' }),
  ];
  const found = (q: string) => searchIssues(uuids, parseQuery(q)).items.map((s) => s.summary);
  assert.equal(found('ec4a71bf'), ['Second mentions #ec4a71bf', 'First'], 'by id, and by its text');
  assert.equal(found('EC4A71BF-0000'), ['First']);
  assert.equal(found('ec4a0000'), ['Second mentions #ec4a71bf']);
  assert.equal(found('#ec4a71bf'), ['Second mentions #ec4a71bf', 'First'], 'the issue and the text that mentions it');
  assert.equal(found('#ec4a'), ['Second mentions #ec4a71bf', 'First']);
  assert.equal(found('ec4a'), ['Second mentions #ec4a71bf'], 'too short without #: only full text');
  assert.equal(found('#ec4'), ['Second mentions #ec4a71bf'], 'too short for an id: only full text');
  assert.equal(found('is:all 0badcafe'), ['Third']);
  assert.equal(found('-ec4a0000'), ['First']);
});

test('a jmespath filter that fails on one state is a miss for that state only', () => {
  const mixed = [
    issue('p', { comments: [] }),
    issue('q', { comments: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] }),
    issue('r'),
  ];
  const result = searchIssues(mixed, parseQuery(''), { jmespath: 'length(comments) > `2`' });
  assert.equal(
    result.items.map((s) => s.id),
    ['q'],
  );
});

test('states of unexpected shape never make a search throw', () => {
  const odd = [
    { id: 'x', summary: 42, labels: 'bug', comments: [null, 'text', { text: 7 }], authors: null },
    { id: 'y', labels: [1, 'Bug'], assignees: {}, milestone: 3, timestamp: 5 },
  ] as unknown as IssueState[];
  assert.is(searchIssues(odd, parseQuery('label:bug no:assignee no:milestone')).total, 1);
  assert.is(searchIssues(odd, parseQuery('42 sort:comments')).total, 0);
  assert.equal(
    searchIssues(odd, parseQuery('sort:comments')).items.map((s) => s.id),
    ['x', 'y'],
  );
});

test.run();
