// Styled output of module scripts (src/scripts/styled.ts): segments, colours, escaping, display
// widths and aligned tables.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { displayWidth, renderSegments, renderTable, StyleError, styleCodes, truncate } from '../src/scripts/styled.ts';

const plain = { color: false, escape: false, now: Date.UTC(2025, 0, 10) };
const tty = { color: false, escape: true, now: plain.now };
const colour = { color: true, escape: true, now: plain.now };

test('segments: text, styles, times; colour codes only when colour is on', () => {
  const value = [
    'a ',
    { text: 'b', style: 'bold green' },
    ' ',
    { text: 'c', style: 'fg:#ffffff bg:#D73A4A' },
    ' ',
    { time: '2025-01-07T00:00:00Z', format: 'short' },
  ];
  assert.is(renderSegments(value, plain), 'a b c 3d');
  assert.is(renderSegments(value, colour), 'a \x1b[1;32mb\x1b[0m \x1b[38;2;255;255;255;48;2;215;58;74mc\x1b[0m 3d');
  assert.is(renderSegments([[['nested'], ' '], { time: 'not a time' }], plain), 'nested -');
  assert.is(renderSegments({ time: '2025-01-09T00:00:00Z' }, plain), 'yesterday');
  assert.is(renderSegments({ time: '2025-01-09T00:00:00Z', format: 'absolute' }, plain), '9 Jan 2025, 00:00 UTC');
});

test('segments: record text is escaped on a terminal, so it can never carry escape sequences', () => {
  const evil = { text: 'x\x1b]52;c;aGk=\x07\x1b[2Jy\n', style: 'red' };
  assert.is(renderSegments(evil, tty), 'x\\x1b]52;c;aGk=\\x07\\x1b[2Jy\n');
  assert.is(renderSegments(evil, colour), '\x1b[31mx\\x1b]52;c;aGk=\\x07\\x1b[2Jy\n\x1b[0m');
  assert.is(renderSegments(evil, plain), 'x\x1b]52;c;aGk=\x07\x1b[2Jy\n', 'a pipe gets the bytes');
});

test('styles: unknown names and malformed colours are errors that list what exists', () => {
  assert.equal(styleCodes('dim underline'), ['2', '4']);
  const isStyleError = (e: unknown) => e instanceof StyleError;
  assert.throws(
    () => styleCodes('blink'),
    (e: unknown) => e instanceof StyleError && /unknown style "blink"; use bold, dim/.test((e as Error).message),
  );
  assert.throws(() => styleCodes('fg:red'), isStyleError);
  assert.throws(() => styleCodes('fg:#fff;1m'), isStyleError);
  assert.throws(() => renderSegments({ text: 'x', style: 5 }, plain), isStyleError);
  assert.throws(() => renderSegments({ time: 'x', format: 'weird' }, plain), isStyleError);
});

test('display width: wide characters count two, combining marks none, escaped controls four', () => {
  assert.is(displayWidth('abc'), 3);
  assert.is(displayWidth('日本'), 4);
  assert.is(displayWidth('e\u0301'), 1);
  assert.is(displayWidth('🎉'), 2);
  assert.is(displayWidth('a\x1bb'), 6);
  assert.is(truncate('日本語のテキスト', 7), '日本語…');
  assert.is(truncate('short', 10), 'short');
});

test('tables: aligned columns, right alignment, a column cut to fit, line breaks flattened, a title', () => {
  const rows = [
    ['STATE', 'ID', 'SUMMARY', 'N'],
    ['open', 'aaaa', 'A short one', '3'],
    ['closed', 'bbbbbbbb', 'A much longer summary\nwith a line break', '12'],
  ];
  const lines = renderTable(rows, { align: ['left', 'left', 'left', 'right'] }, plain).split('\n');
  assert.is(lines.length, 4, 'three lines and the final newline');
  assert.is(lines[3], '');
  assert.is(
    lines[2],
    'closed  bbbbbbbb  A much longer summary with a line break  12',
    'a line break in a cell becomes a space',
  );
  assert.is(lines[1], `open    aaaa      A short one${' '.repeat(28)}   3`);
  assert.is(lines[0], `STATE   ID        SUMMARY${' '.repeat(32)}   N`);
  const cut = renderTable(rows, { shrink: 2, width: 40, title: 'Title' }, plain).split('\n');
  assert.is(cut[0], 'Title');
  assert.ok(
    cut.slice(1).every((l) => displayWidth(l) <= 40),
    cut.join('|'),
  );
  assert.is(cut[3], 'closed  bbbbbbbb  A much longer sum…  12');
  assert.is(renderTable([], {}, plain), '');
  assert.throws(
    () => renderTable('rows', {}, plain),
    (e: unknown) => e instanceof StyleError,
  );
  assert.throws(
    () => renderTable([['ok'], 'row'], {}, plain),
    (e: unknown) => e instanceof StyleError,
  );
});

test.run();
