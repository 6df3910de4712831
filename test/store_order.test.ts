import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findHeads, orderGenerations } from '../src/store/order.ts';
import type { OrderNode } from '../src/store/order.ts';
import { parseTimestamp } from '../src/timestamp.ts';

function node(hash: string, parents: string[] = [], extra: Partial<OrderNode> = {}): OrderNode {
  return { hash, parents, ...extra };
}

function hashes(generations: OrderNode[][]): string[][] {
  return generations.map((g) => g.map((n) => n.hash));
}

test('roots and a join, then a single link', () => {
  const nodes = [node('R5', ['R3']), node('R3', ['R1', 'R2']), node('R4'), node('R2'), node('R1')];
  assert.equal(hashes(orderGenerations(nodes)), [['R1', 'R2', 'R4'], ['R3'], ['R5']]);
});

test('multi-level explicit parents', () => {
  const nodes = [node('R3', ['R1', 'R2']), node('R2', ['R1']), node('R1')];
  assert.equal(hashes(orderGenerations(nodes)), [['R1'], ['R2'], ['R3']]);
});

test('links to absent records are ignored (the record counts as a root)', () => {
  const nodes = [node('B', ['MISSING']), node('C', ['B', 'GONE']), node('A')];
  assert.equal(hashes(orderGenerations(nodes)), [['A', 'B'], ['C']]);
});

test('cycles and their descendants are never emitted', () => {
  const nodes = [node('A'), node('X', ['Y']), node('Y', ['X']), node('Z', ['X']), node('S', ['S']), node('B', ['A'])];
  assert.equal(hashes(orderGenerations(nodes)), [['A'], ['B']]);
});

test('duplicate parent links and duplicate records count once', () => {
  const nodes = [node('B', ['A', 'A']), node('A'), node('A', ['B'])];
  assert.equal(hashes(orderGenerations(nodes)), [['A'], ['B']]);
});

test('non-intact records are dropped but still count as emitted; a generation can become empty', () => {
  const nodes = [
    node('A', [], { intact: false }),
    node('B', ['A']),
    node('C', ['B'], { intact: false }),
    node('D', ['C']),
  ];
  assert.equal(hashes(orderGenerations(nodes)), [[], ['B'], [], ['D']]);
});

test('fixed roots: the four tested cases', () => {
  const nodes = [node('R1'), node('R2'), node('R3', ['R1']), node('R4', ['R2'])];
  const withRoots = (roots: string[]) => hashes(orderGenerations(nodes, { roots })).filter((g) => g.length > 0);
  assert.equal(withRoots(['R1']), [['R1'], ['R3']]);
  assert.equal(withRoots(['R2']), [['R2'], ['R4']]);
  assert.equal(withRoots(['R1', 'R2']), [
    ['R1', 'R2'],
    ['R3', 'R4'],
  ]);
  assert.equal(withRoots(['R1', 'R4']), [['R1'], ['R3', 'R4']]);
});

test('fixed roots keep empty generations in place', () => {
  const nodes = [node('R1'), node('R2'), node('R3', ['R2'])];
  assert.equal(hashes(orderGenerations(nodes, { roots: ['R3'] })), [[], ['R3']]);
});

test('tie-break: no timestamp first, then time across all three precisions, then hash', () => {
  const nodes = [
    node('H1', [], { timestamp: '2018-02-01T10:00:00.344727532Z' }),
    node('H2', [], { timestamp: '2018-02-01T10:00:00.344Z' }),
    node('H3', [], { timestamp: '2018-02-01T10:00:00Z' }),
    node('H4'),
    node('H0', [], { timestamp: '2018-02-01T10:00:00.344Z' }),
    node('H5', [], { timestamp: '2018-02-01T09:00:01.5+00:00' }),
    node('H6', [], { timestamp: '2018-02-01T10:30:00+01:00' }),
    node('H7', [], { timestamp: 'not a time' }),
    node('H8', [], { timestamp: '2018-02-01T10:00:00.344727531Z\n' }),
  ];
  assert.equal(hashes(orderGenerations(nodes)), [['H4', 'H7', 'H5', 'H6', 'H3', 'H0', 'H2', 'H8', 'H1']]);
});

test('the tie-break orders inside a generation only', () => {
  const nodes = [
    node('A', [], { timestamp: '2018-12-01T00:00:00Z' }),
    node('B', ['A'], { timestamp: '2018-01-01T00:00:00Z' }),
    node('C', [], { timestamp: '2018-06-01T00:00:00Z' }),
  ];
  assert.equal(hashes(orderGenerations(nodes)), [['C', 'A'], ['B']]);
});

test('parseTimestamp: precisions and offsets', () => {
  assert.equal(parseTimestamp('1970-01-01T00:00:01Z'), { seconds: 1, nanos: 0 });
  assert.equal(parseTimestamp('1970-01-01T00:00:01.5Z'), { seconds: 1, nanos: 500_000_000 });
  assert.equal(parseTimestamp('1970-01-01T00:00:01.000000007Z'), { seconds: 1, nanos: 7 });
  assert.equal(parseTimestamp('1970-01-01T01:00:01+01:00'), { seconds: 1, nanos: 0 });
  assert.is(parseTimestamp('1970-13-01T00:00:01Z'), undefined);
  assert.is(parseTimestamp('yesterday'), undefined);
});

test('findHeads: records nobody names as a parent', () => {
  const nodes = [node('A'), node('B', ['A']), node('C', ['A']), node('D', ['B', 'ABSENT'])];
  assert.equal(findHeads(nodes), ['C', 'D']);
});

test.run();
