import * as assert from 'node:assert/strict';
import { columnOrderOf, combineReportTables, shapeQueryTable, userColumnIndex } from '../../../src/core/query/queryTable';
import { cellText, formatQueryTable } from '../../../src/core/query/queryTableFormat';

describe('query table shaping', () => {
  it('a list of objects: one column per key (union, first seen), a missing key is an empty cell', () => {
    const table = shapeQueryTable([{ b: 1, a: 2 }, { a: 3, c: true }]);
    assert.equal(table.kind, 'records');
    assert.deepEqual(table.columns, ['b', 'a', 'c']);
    assert.deepEqual(table.rows, [[1, 2, null], [null, 3, true]]);
  });

  it('puts the columns in the order the query wrote the keys, then the user column, then the rest', () => {
    const query = '[{"user": u.user, "mfa_active": u.mfa_active} | some u in input.users]';
    assert.deepEqual(columnOrderOf(query), ['user', 'mfa_active']);
    // OPA hands objects back with sorted keys; the hint restores the query's order.
    assert.deepEqual(shapeQueryTable([{ mfa_active: false, user: 'kelly' }], { columnOrder: columnOrderOf(query) }).columns, ['user', 'mfa_active']);
    assert.deepEqual(shapeQueryTable([{ age: 1, user: 'kelly', zone: 'x' }]).columns, ['user', 'age', 'zone']);
    assert.deepEqual(columnOrderOf('x := {"a": 1, "b\\"c": 2, "a": 3}; y := "not a key"'), ['a', 'b\\"c']);
  });

  it('a list of scalars: one value column; a list of lists: one column per position', () => {
    assert.deepEqual(shapeQueryTable(['a', 'b']), { kind: 'values', columns: ['value'], rows: [['a'], ['b']] });
    assert.deepEqual(shapeQueryTable([[1, 'x'], [2]]), { kind: 'tuples', columns: ['1', '2'], rows: [[1, 'x'], [2, null]] });
    assert.deepEqual(shapeQueryTable([]), { kind: 'values', columns: ['value'], rows: [] });
    // Mixed lists stay one column; the object shows as JSON text.
    assert.deepEqual(shapeQueryTable([1, { a: 1 }]).rows, [[1], [{ a: 1 }]]);
  });

  it('an object: key/value rows, or key plus the union of keys when every value is an object', () => {
    assert.deepEqual(shapeQueryTable({ kelly: false, pam: true }), { kind: 'entries', columns: ['key', 'value'], rows: [['kelly', false], ['pam', true]] });
    assert.deepEqual(shapeQueryTable({ kelly: { mfa: false }, pam: { mfa: true, keys: 2 } }), {
      kind: 'entries',
      columns: ['key', 'mfa', 'keys'],
      rows: [['kelly', false, null], ['pam', true, 2]],
    });
  });

  it('a scalar: one cell; undefined: no table', () => {
    assert.deepEqual(shapeQueryTable(6), { kind: 'scalar', columns: ['value'], rows: [[6]] });
    assert.deepEqual(shapeQueryTable(null), { kind: 'scalar', columns: ['value'], rows: [[null]] });
    assert.deepEqual(shapeQueryTable(undefined), { kind: 'undefined', columns: [], rows: [] });
  });

  it('several reports: a leading report column, undefined answers left out', () => {
    const combined = combineReportTables([
      { file: 'a.csv', table: shapeQueryTable([{ user: 'kelly' }]) },
      { file: 'b.csv', table: shapeQueryTable(undefined) },
      { file: 'c.csv', table: shapeQueryTable([{ user: 'pam', mfa: true }]) },
    ]);
    assert.deepEqual(combined.columns, ['report', 'user', 'mfa']);
    assert.deepEqual(combined.rows, [['a.csv', 'kelly', null], ['c.csv', 'pam', true]]);
    assert.equal(combineReportTables([{ file: 'a.csv', table: shapeQueryTable(undefined) }]).kind, 'undefined');
  });

  it('finds the column naming a user', () => {
    assert.equal(userColumnIndex(shapeQueryTable([{ mfa: true, user: 'pam' }])), 0);
    assert.equal(userColumnIndex(shapeQueryTable(['pam', 'kelly'])), 0);
    assert.equal(userColumnIndex(shapeQueryTable([1, 2])), -1);
  });
});

describe('query table formats', () => {
  const table = shapeQueryTable([
    { user: 'pam', days: 110.69287037037037, last: '2020-10-21T16:05:12Z' },
    { user: 'kelly', days: null, last: null },
  ], { columnOrder: ['user', 'last', 'days'] });

  it('table: boxed columns, empty cells for null, ages rounded to two decimals, a row count', () => {
    assert.equal(
      formatQueryTable(table, 'table'),
      [
        '+-------+----------------------+--------+',
        '| user  | last                 | days   |',
        '+-------+----------------------+--------+',
        '| pam   | 2020-10-21T16:05:12Z | 110.69 |',
        '| kelly |                      |        |',
        '+-------+----------------------+--------+',
        '2 rows',
        '',
      ].join('\n'),
    );
    assert.match(formatQueryTable(shapeQueryTable(undefined), 'table'), /^undefined/);
  });

  it('table on a terminal narrower than the box: one record at a time (psql \\x auto), values wrapped, nothing past the width', () => {
    assert.equal(formatQueryTable(table, 'table', 41), formatQueryTable(table, 'table'), 'a table that fits keeps its box');
    const wide = shapeQueryTable([{ user: 'pam', arn: 'arn:aws:iam::111122223333:user/some/very/long/path/pam', note: 'a b c d e f g h i j k l m n o p' }], { columnOrder: ['user', 'arn', 'note'] });
    const text = formatQueryTable(wide, 'table', 40);
    assert.equal(
      text,
      [
        '-[ RECORD 1 ]+--------------------------',
        'user | pam',
        'arn  | arn:aws:iam::111122223333:user/so',
        '     | me/very/long/path/pam',
        'note | a b c d e f g h i j k l m n o p',
        '1 row, as records (the table is 99 columns wide; --format csv keeps it whole)',
        '',
      ].join('\n'),
    );
    for (const line of text.split('\n').slice(0, -2)) assert.ok(line.length <= 40, line);
  });

  it('csv: RFC 4180 quoting, exact numbers, and cells a spreadsheet would run as formulas neutralised', () => {
    const csv = formatQueryTable(shapeQueryTable([
      { user: '=HYPERLINK("http://x")', note: '+1', tag: '-cmd', at: '@SUM(A1)', n: -3.5, plain: 'a,b' },
    ], { columnOrder: ['user', 'note', 'tag', 'at', 'n', 'plain'] }), 'csv');
    assert.equal(csv, 'user,note,tag,at,n,plain\r\n"\'=HYPERLINK(""http://x"")",\'+1,\'-cmd,\'@SUM(A1),-3.5,"a,b"\r\n');
    assert.equal(formatQueryTable(table, 'csv').split('\r\n')[1], 'pam,2020-10-21T16:05:12Z,110.69287037037037');
  });

  it('json: the rows as objects in column order, exact values', () => {
    assert.deepEqual(JSON.parse(formatQueryTable(table, 'json')), [
      { user: 'pam', last: '2020-10-21T16:05:12Z', days: 110.69287037037037 },
      { user: 'kelly', last: null, days: null },
    ]);
  });

  it('cell text: nested values as JSON, booleans as words', () => {
    assert.equal(cellText({ a: [1] }), '{"a":[1]}');
    assert.equal(cellText(false), 'false');
    assert.equal(cellText(null), '');
  });
});
