import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { ParsedReport } from '../../../src/core/model';
import { CURRENT_COLUMNS } from '../../../src/core/report/columns';
import { parseReport } from '../../../src/core/report/reportParser';
import { HEADER, reportText, TYPICAL_USER, userLine } from './reportText';

/** The text an editor shows at a cell's location. */
function textAt(text: string, location: { line: number; startColumn: number; endColumn: number }): string {
  return text.split(/\r\n|\r|\n/)[location.line - 1].slice(location.startColumn, location.endColumn);
}

function usersWithLines(report: ParsedReport): Array<[number, string]> {
  return report.rows.map((row) => [row.line, row.cells.user]);
}

function arnOf(user: string): string {
  return `arn:aws:iam::111122223333:user/${user}`;
}

/** Every cell of every row reads, at its location, exactly the value parsed. */
function assertCellsLocated(text: string, report: ParsedReport): void {
  for (const row of report.rows) {
    for (const [column, value] of Object.entries(row.cells)) assert.equal(textAt(text, row.locations[column]).replace(/""/g, '"'), value, `${row.cells.user} ${column}`);
  }
}

describe('parseReport and a stray quote', () => {
  const users = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const lines = users.map((user) => userLine({ user, arn: arnOf(user) }));

  it('skips only the row with an unterminated quote and reads every later row on its own line', () => {
    const damaged = [...lines];
    damaged[1] = damaged[1].replace(',arn:', ',"arn:');
    const text = reportText(...damaged);
    const report = parseReport(text, 'stray.csv');
    assert.deepEqual(usersWithLines(report), [
      [2, 'alice'],
      [4, 'carol'],
      [5, 'dave'],
      [6, 'erin'],
    ]);
    assertCellsLocated(text, report);
    assert.deepEqual(report.rows[1].cells, { ...TYPICAL_USER, user: 'carol', arn: arnOf('carol') });
    const errors = report.problems.filter((problem) => problem.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(report.problems));
    const [error] = errors;
    assert.equal(error.code, 'unterminated-quote');
    assert.equal(error.file, 'stray.csv');
    assert.equal(error.line, 3);
    assert.equal(error.column, 'arn');
    assert.deepEqual(error.location, { line: 3, startColumn: 'bob,'.length, endColumn: 'bob,'.length + 1 });
    assert.match(error.message, /unterminated quote/);
    assert.match(error.message, /column 5 \(arn\)/);
    assert.match(error.message, /before line 4, which starts a row/);
    assert.match(error.message, /the row is skipped: line 3 is not read \(user "bob" is not audited\)/);
  });

  it('does not merge rows into one cell when a later quote closes the stray one', () => {
    // Before: csv-parse closed bob's quote at carol's and read lines 3-5 as one row of "alice"'s... silently.
    const damaged = [...lines];
    damaged[1] = damaged[1].replace(',arn:', ',"arn:');
    damaged[3] = damaged[3].replace(/^dave,/, '"dave",');
    const text = reportText(...damaged);
    const report = parseReport(text, 'closed-later.csv');
    assert.deepEqual(usersWithLines(report), [
      [2, 'alice'],
      [4, 'carol'],
      [5, 'dave'],
      [6, 'erin'],
    ]);
    assertCellsLocated(text, report);
    assert.deepEqual(
      report.problems.map((problem) => [problem.line, problem.code]),
      [[3, 'unterminated-quote']],
    );
  });

  it('skips the continuation lines of a damaged row up to the next line that starts a row', () => {
    const text = reportText(lines[0], lines[1].replace(',arn:', ',"arn:'), 'a line of something else', '', lines[2], lines[3]);
    const report = parseReport(text, 'continued.csv');
    assert.deepEqual(usersWithLines(report), [
      [2, 'alice'],
      [6, 'carol'],
      [7, 'dave'],
    ]);
    const error = report.problems.find((problem) => problem.code === 'unterminated-quote');
    assert.ok(error, JSON.stringify(report.problems));
    assert.equal(error.line, 3);
    assert.match(error.message, /before line 6, which starts a row; the row is skipped: lines 3-4 are not read/);
  });

  it('reports an unterminated quote in the last row and keeps the rows before it', () => {
    const damaged = [...lines];
    damaged[4] = damaged[4].replace(',N/A,false,N/A', ',"N/A,false,N/A');
    const quoteColumn = damaged[4].indexOf('"');
    const text = reportText(...damaged);
    const report = parseReport(text, 'last.csv');
    assert.deepEqual(
      report.rows.map((row) => row.cells.user),
      ['alice', 'bob', 'carol', 'dave'],
    );
    assert.deepEqual(
      report.problems.map((problem) => [problem.line, problem.code, problem.column, problem.location?.startColumn]),
      [[6, 'unterminated-quote', 'access_key_2_last_used_service', quoteColumn]],
    );
    assert.match(report.problems[0].message, /never closes before the end of the file; the row is skipped: line 6 is not read \(user "erin"/);
  });

  it('names no user when the quote opens the user cell, and still reads the next row', () => {
    const text = reportText(lines[0], `"${lines[1]}`, lines[2]);
    const report = parseReport(text, 'user-quote.csv');
    assert.deepEqual(usersWithLines(report), [
      [2, 'alice'],
      [4, 'carol'],
    ]);
    assert.equal(report.problems.length, 1, JSON.stringify(report.problems));
    assert.deepEqual(report.problems[0].location, { line: 3, startColumn: 0, endColumn: 1 });
    assert.equal(report.problems[0].column, 'user');
    assert.doesNotMatch(report.problems[0].message, /is not audited/);
  });

  it('reads the header without its stray quote, reports it, and loses no row', () => {
    const header = HEADER.replace(',mfa_active,', ',"mfa_active,');
    const text = [header, ...lines].join('\n') + '\n';
    const report = parseReport(text, 'header.csv');
    assert.deepEqual(report.header, [...CURRENT_COLUMNS]);
    assert.equal(report.layout, 'current');
    assert.deepEqual(report.rows.map((row) => row.cells.user), users);
    assertCellsLocated(text, report);
    assert.deepEqual(
      report.problems.map((problem) => [problem.line, problem.severity, problem.code, problem.location?.startColumn]),
      [[1, 'error', 'unterminated-quote', header.indexOf('"')]],
    );
    assert.match(report.problems[0].message, /unterminated quote in the header.*read as if the quote were not there/);
  });

  it('keeps line numbers and columns with CRLF line breaks and a BOM', () => {
    const damaged = [...lines];
    damaged[2] = damaged[2].replace(',true,', ',"true,');
    const text = `\uFEFF${[HEADER, ...damaged].join('\r\n')}\r\n`;
    const report = parseReport(text, 'crlf.csv');
    assert.deepEqual(usersWithLines(report), [
      [2, 'alice'],
      [3, 'bob'],
      [5, 'dave'],
      [6, 'erin'],
    ]);
    assertCellsLocated(text.slice(1), report);
    assert.deepEqual(
      report.problems.map((problem) => [problem.line, problem.code, problem.location?.startColumn]),
      [[4, 'unterminated-quote', damaged[2].indexOf('"')]],
    );
  });

  it('still reads a quoted cell across lines when no line inside it starts a row', () => {
    const text = `${HEADER},note\n${lines[0]},"first\nsecond, still the note"\n${lines[1]},plain\n`;
    const report = parseReport(text, 'note.csv');
    assert.deepEqual(report.problems, []);
    assert.deepEqual(usersWithLines(report), [
      [2, 'alice'],
      [4, 'bob'],
    ]);
    assert.equal(report.rows[0].cells.note, 'first\nsecond, still the note');
  });

  it('costs exactly the damaged row, wherever one stray quote opens a cell (property)', () => {
    const userName = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => name.trim() !== '' && !/[\r\n\uFEFF]/.test(name));
    fc.assert(
      fc.property(
        fc.uniqueArray(userName, { minLength: 1, maxLength: 8, selector: (name) => name.trim() }),
        fc.nat(),
        fc.integer({ min: 1, max: CURRENT_COLUMNS.length - 1 }),
        (names, which, cellIndex) => {
          const quoted = (name: string) => (/[",]/.test(name) || name !== name.trim() ? `"${name.replace(/"/g, '""')}"` : name);
          const rowLines = names.map((name) => CURRENT_COLUMNS.map((column) => (column === 'user' ? quoted(name) : column === 'arn' ? arnOf('x') : TYPICAL_USER[column])).join(','));
          const damagedIndex = which % names.length;
          const cells = rowLines[damagedIndex].split(',');
          // The cell to damage, counted from the end: a quoted user name may hold commas.
          const position = cells.length - (CURRENT_COLUMNS.length - cellIndex);
          cells[position] = `"${cells[position]}`;
          const damagedLine = cells.join(',');
          rowLines[damagedIndex] = damagedLine;
          const text = reportText(...rowLines);
          const report = parseReport(text, 'property.csv');
          const expected = names.map((name, index): [number, string] => [index + 2, name]).filter((_, index) => index !== damagedIndex);
          assert.deepEqual(usersWithLines(report), expected);
          assertCellsLocated(text, report);
          const errors = report.problems.filter((problem) => problem.severity === 'error');
          assert.equal(errors.length, 1, JSON.stringify(report.problems));
          assert.equal(errors[0].code, 'unterminated-quote');
          assert.equal(errors[0].column, CURRENT_COLUMNS[cellIndex]);
          assert.deepEqual(errors[0].location, { line: damagedIndex + 2, startColumn: cells.slice(0, position).join(',').length + 1, endColumn: cells.slice(0, position).join(',').length + 2 });
        },
      ),
      { seed: 20210209, numRuns: 300 },
    );
  });
});
