// JMESPath expressions: compile errors name their column (found in O(n log n), not by compiling
// every prefix), and evaluation is bounded in time and in the values it builds, so that a hostile
// expression from a URL, a config.json or a module script gets a one-line error and the process
// survives. The heap-exhausting expressions below killed Node (out of memory) before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { search as librarySearch } from '@jmespath-community/jmespath';
import { compileExpression, EvaluationBudget, JmesPathError, JmesPathLimitError } from '../src/jmespath.ts';
import { FLATTEN_BOMB, PAD_BOMB, PROJECTION_BOMB, SHARING_BOMB } from './helpers/jmespath_bombs.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

const doc = {
  id: 'I',
  summary: 'A summary',
  comments: [
    { text: 'one', timestamp: '2' },
    { text: 'two', timestamp: '1' },
  ],
  labels: ['b', 'a'],
};

function limitError(expression: string, document: unknown = doc, budget?: EvaluationBudget): string {
  const started = performance.now();
  try {
    compileExpression(expression, { role: 'query' }).search(document, budget);
  } catch (error) {
    assert.instance(error, JmesPathLimitError);
    const message = (error as Error).message;
    assert.not.match(message, '\n');
    process.stderr.write(`  ${(performance.now() - started).toFixed(0)} ms: ${message.slice(0, 160)}\n`);
    return message;
  }
  assert.unreachable(`${expression} was evaluated`);
  return '';
}

test('ordinary expressions still evaluate as the library does', () => {
  const cases: Array<[string, unknown]> = [
    ['summary', 'A summary'],
    ['comments[*].text', ['one', 'two']],
    ['sort_by(comments, &timestamp)[0].text', 'two'],
    ['sort(labels)', ['a', 'b']],
    ["join(', ', labels)", 'b, a'],
    ['{n: length(comments), first: comments[0].text}', { first: 'one', n: 2 }],
    ["let $x = 'hi' in [$x, id]", ['hi', 'I']],
    ['length(@)', 4],
    ['items({a: `1`})', [['a', 1]]],
    ["trim_right('  ab  ')", '  ab'],
    ["trim_right('xxabxx', 'x')", 'xxab'],
    ["trim('xxabxx', 'x')", 'ab'],
    ['trim(`" \\n ab \\u0085 "`)', 'ab'],
    ["replace('aXbX', 'X', '-')", 'a-b-'],
    ["split('a,b,c', ',')", ['a', 'b', 'c']],
    ['to_string(labels)', '["b","a"]'],
    ["pad_left('7', `3`, '0')", '007'],
    ["'abc'[::-1]", 'cba'],
    ['comments[].text | [0]', 'one'],
    [
      'zip(labels, labels)',
      [
        ['b', 'b'],
        ['a', 'a'],
      ],
    ],
  ];
  for (const [expression, expected] of cases)
    assert.equal(compileExpression(expression).search(doc), expected, expression);
});

test('the heap-exhausting expressions get a one-line error at once', () => {
  assert.match(
    limitError(PAD_BOMB),
    /stopped: it would build more than 2000000 values \(the limit of an expression\)$/,
  );
  assert.match(limitError(FLATTEN_BOMB), /stopped: /);
  assert.match(limitError(PROJECTION_BOMB), /stopped: /);
  assert.match(limitError(SHARING_BOMB), /stopped: /);
  assert.match(
    limitError(
      "join('', [pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`), pad_left('x', `1000000`)])",
    ),
    /stopped: /,
  );
  assert.match(limitError("replace(pad_left('x', `100000`), '', pad_left('y', `1000`))"), /stopped: /);
  assert.match(limitError("split(pad_left('x', `20000000`), '')"), /stopped: /);
  assert.match(limitError("replace('x', 'x', 'y', `1000000000`)"), /stopped: /);
});

test('the process survives them with a small heap (a child process with 256 MiB)', () => {
  for (const expression of [PAD_BOMB, PROJECTION_BOMB, SHARING_BOMB]) {
    const script = `import { compileExpression } from ${JSON.stringify(path.join(ROOT, 'src', 'jmespath.ts'))};
      try { compileExpression(process.argv[1]).search({ a: 1 }); console.log('evaluated'); } catch (e) { console.log(e.name); }`;
    const result = spawnSync(
      process.execPath,
      ['--max-old-space-size=256', '--import', 'tsx', '--input-type=module', '-e', script, expression],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.is(result.status, 0, `${expression}: ${result.stderr.slice(-300)}`);
    assert.is(result.stdout.trim(), 'JmesPathLimitError', expression);
  }
});

test('time is bounded too, and one budget covers every document of a request', () => {
  const many = Array.from({ length: 2000 }, (_, i) => ({
    id: i,
    labels: Array.from({ length: 200 }, (_, j) => `l${j}`),
  }));
  // each document is cheap, but 2000 of them under a 50 ms budget are not
  const expression = compileExpression('labels[?@ != `"x"`] | length(@)');
  const budget = new EvaluationBudget({ timeMs: 50 });
  let stopped: unknown;
  try {
    for (const document of many) for (let k = 0; k < 20; k++) expression.search(document, budget);
  } catch (error) {
    stopped = error;
  }
  assert.instance(stopped, JmesPathLimitError);
  assert.match((stopped as Error).message, /took longer than 50 ms/);
});

test('only the evaluations count against a budget, not the time between them', () => {
  // A search derives each value as its state arrives from the reducers: the waits between the
  // evaluations are not the expression's time.
  const document = { labels: Array.from({ length: 500 }, (_, j) => `l${j}`) };
  const expression = compileExpression('labels[?@ != `"x"`] | length(@)');
  const budget = new EvaluationBudget({ timeMs: 50 });
  assert.is(expression.search(document, budget), 500);
  const until = performance.now() + 120;
  while (performance.now() < until) {
    // another part of the program at work
  }
  assert.is(expression.search(document, budget), 500, 'the same budget after a wait longer than its time');
});

test("the linear trim_right and trim give the library's results", () => {
  const alphabet = [' ', 'a', 'b', '\n', '\t', '\u0085', '\u00a0', 'x', '.', '\r'];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    const subject = Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join('');
    const chars =
      random(3) === 0
        ? undefined
        : Array.from({ length: 1 + random(3) }, () => alphabet[random(alphabet.length)]).join('');
    for (const fn of ['trim_right', 'trim']) {
      const text = chars === undefined ? `${fn}(@)` : `${fn}(@, \`${JSON.stringify(chars)}\`)`;
      assert.is(
        compileExpression(text).search(subject),
        librarySearch(subject, text),
        `${JSON.stringify(subject)} ${text}`,
      );
    }
  }
});

test('strings sorted or trimmed in ways that grow faster than their length are refused or linear', () => {
  const long = 'a  '.repeat(100_000);
  const started = performance.now();
  assert.is(compileExpression("trim_right(@, ' a')").search(long), '');
  assert.ok(performance.now() - started < 5000, 'linear trim_right');
  const strings = Array.from({ length: 200_000 }, () => 'x'.repeat(200));
  limitError('sort(@)', strings);
});

test('compile errors are one line with the column, found without compiling every prefix', () => {
  const cases: Array<[string, number]> = [
    ['a == == b', 6],
    ['a ~ b', 3],
    ['foo | | bar', 7],
    ['a.b.c]', 6],
    ['a..b', 3],
    ['`{"a"', 1],
    ['"unterminated', 1],
    ['foo[?a==`1`', 12],
  ];
  for (const [text, column] of cases) {
    try {
      compileExpression(text);
      assert.unreachable(text);
    } catch (error) {
      assert.instance(error, JmesPathError);
      assert.match((error as Error).message, `at column ${column} `, text);
    }
  }
  // 100 000 characters: compiling every prefix took minutes; a bisection takes about 17 compiles
  const long = `${'a.'.repeat(50_000)}b ~ c`;
  const started = performance.now();
  try {
    compileExpression(long);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, `at column ${100_003} `);
    assert.ok((error as Error).message.length < 400, 'the expression is quoted shortened');
  }
  const parser = `${'a.'.repeat(50_000)}b == == c`;
  try {
    compileExpression(parser);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, `at column ${100_006} `);
  }
  const ms = performance.now() - started;
  process.stderr.write(`  two error columns in 100 000-character expressions: ${ms.toFixed(0)} ms\n`);
  assert.ok(ms < 20_000, `took ${ms} ms`);
});

test.run();
