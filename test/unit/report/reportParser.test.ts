import * as assert from 'node:assert/strict';
import { ParsedReport } from '../../../src/core/model';
import { LEGACY16_COLUMNS } from '../../../src/core/report/columns';
import { looksLikeCredentialReport, parseReport } from '../../../src/core/report/reportParser';
import { HEADER, reportText, TYPICAL_USER, userLine } from './reportText';

/** The text an editor shows at a cell's location (the BOM is not part of the document). */
function textAt(text: string, location: { line: number; startColumn: number; endColumn: number }): string {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  return lines[location.line - 1].slice(location.startColumn, location.endColumn);
}

function problemSummary(report: ParsedReport): Array<[number, string, string | undefined]> {
  return report.problems.map((problem) => [problem.line, problem.code, problem.column]);
}

describe('parseReport', () => {
  it('reads a clean report with every cell by name and located on its line', () => {
    const text = reportText(userLine(), userLine({ user: 'bob', arn: 'arn:aws:iam::111122223333:user/bob' }));
    const report = parseReport(text, 'clean.csv');
    assert.deepEqual(report.problems, []);
    assert.equal(report.layout, 'current');
    assert.equal(report.rows.length, 2);
    assert.deepEqual(report.rows[0].cells, TYPICAL_USER);
    assert.deepEqual(
      report.rows.map((row) => row.line),
      [2, 3],
    );
    for (const row of report.rows) {
      for (const [column, value] of Object.entries(row.cells)) assert.equal(textAt(text, row.locations[column]), value, column);
    }
    assert.deepEqual(report.rows[1].locations.user, { line: 3, startColumn: 0, endColumn: 3 });
  });

  it('accepts a UTF-8 BOM, CRLF line breaks, blank lines and a trailing newline', () => {
    const text = `\uFEFF${HEADER}\r\n\r\n${userLine()}\r\n\r\n${userLine({ user: 'bob' })}\r\n`;
    const report = parseReport(text, 'bom.csv');
    assert.deepEqual(report.problems, []);
    assert.equal(report.header[0], 'user');
    assert.deepEqual(
      report.rows.map((row) => [row.line, row.cells.user]),
      [
        [3, 'alice'],
        [5, 'bob'],
      ],
    );
    assert.equal(report.rows[1].cells.cert_2_last_rotated, 'N/A', 'the last cell has no \\r');
    for (const [column, value] of Object.entries(report.rows[1].cells)) assert.equal(textAt(text, report.rows[1].locations[column]), value);
  });

  it('counts lines the way an editor does when line breaks are mixed', () => {
    const text = `${HEADER}\r\n${userLine()}\n${userLine({ user: 'bob' })}\r${userLine({ user: 'carol' })}`;
    const report = parseReport(text, 'mixed.csv');
    assert.deepEqual(report.problems, []);
    assert.deepEqual(
      report.rows.map((row) => [row.line, row.cells.user]),
      [
        [2, 'alice'],
        [3, 'bob'],
        [4, 'carol'],
      ],
    );
  });

  it('reads quoted cells with commas, doubled quotes and line breaks, and locates them without their quotes', () => {
    const header = `${HEADER},note`;
    const quotedUser = `"o'brien, ""jr"""`;
    const first = `${userLine({ user: quotedUser })},"two\nlines"`;
    const second = `${userLine({ user: 'bob', arn: '"arn:aws:iam::111122223333:user/bob"' })},plain`;
    const text = `${header}\n${first}\n${second}\n`;
    const report = parseReport(text, 'quoted.csv');
    assert.deepEqual(report.problems, []);
    assert.equal(report.rows.length, 2);
    const [a, b] = report.rows;
    assert.equal(a.cells.user, `o'brien, "jr"`);
    assert.deepEqual(a.locations.user, { line: 2, startColumn: 1, endColumn: quotedUser.length - 1 });
    assert.equal(a.cells.note, 'two\nlines');
    assert.equal(a.locations.note.line, 2, 'a cell spanning lines is located on its first line');
    assert.equal(textAt(text, a.locations.note), 'two');
    assert.equal(textAt(text, a.locations.arn), TYPICAL_USER.arn);
    assert.equal(b.line, 4, 'the row after a two-line cell starts on the next line');
    assert.equal(b.cells.arn, 'arn:aws:iam::111122223333:user/bob');
    assert.equal(textAt(text, b.locations.arn), b.cells.arn);
    assert.equal(b.cells.note, 'plain');
  });

  it('keeps the cells of a short row and reports it, with the missing columns', () => {
    const short = userLine().split(',').slice(0, 10).join(',');
    const report = parseReport(reportText(userLine({ user: 'bob' }), short), 'short.csv');
    assert.deepEqual(problemSummary(report), [[3, 'short-row', undefined]]);
    assert.match(report.problems[0].message, /10 of 22 cells; missing access_key_1_last_used_date/);
    assert.equal(report.problems[0].severity, 'warning');
    assert.equal(report.rows.length, 2);
    assert.equal(Object.keys(report.rows[1].cells).length, 10);
    assert.equal(report.rows[1].cells.access_key_1_last_rotated, TYPICAL_USER.access_key_1_last_rotated);
    assert.equal(report.rows[1].cells.access_key_1_last_used_date, undefined);
  });

  it('reports a long row and reads the cells under the header', () => {
    const report = parseReport(reportText(`${userLine()},extra,more`), 'long.csv');
    assert.deepEqual(problemSummary(report), [[2, 'long-row', undefined]]);
    assert.match(report.problems[0].message, /24 cells but the header has 22/);
    assert.deepEqual(report.rows[0].cells, TYPICAL_USER);
    assert.equal(report.problems[0].location?.line, 2);
  });

  it('reports unreadable times, impossible booleans and uses before the user existed, and keeps the row', () => {
    const text = reportText(
      userLine({ password_last_used: 'last tuesday' }),
      userLine({ user: 'bob', mfa_active: 'maybe' }),
      userLine({ user: 'carol', user_creation_time: '2025-01-01T00:00:00Z' }),
    );
    const report = parseReport(text, 'bad.csv');
    assert.deepEqual(problemSummary(report), [
      [2, 'bad-time', 'password_last_used'],
      [3, 'bad-boolean', 'mfa_active'],
      [4, 'impossible-time', 'password_last_used'],
      [4, 'impossible-time', 'access_key_1_last_used_date'],
    ]);
    assert.equal(textAt(text, report.problems[0].location!), 'last tuesday');
    assert.equal(textAt(text, report.problems[1].location!), 'maybe');
    assert.equal(report.rows.length, 3);
  });

  it('reports a duplicate user on its second row, naming the first, and keeps both', () => {
    const report = parseReport(reportText(userLine(), userLine({ user: 'bob' }), userLine()), 'dup.csv');
    assert.deepEqual(problemSummary(report), [[4, 'duplicate-user', 'user']]);
    assert.match(report.problems[0].message, /"alice" already appears on line 2/);
    assert.equal(report.rows.length, 3);
  });

  it('skips a row without a user name, and a repeated header, with a problem for each', () => {
    const report = parseReport(reportText(userLine({ user: '' }), HEADER, userLine({ user: 'bob' })), 'holes.csv');
    assert.deepEqual(problemSummary(report), [
      [2, 'missing-user', 'user'],
      [3, 'repeated-header', undefined],
    ]);
    assert.equal(report.problems[0].severity, 'error');
    assert.deepEqual(
      report.rows.map((row) => row.cells.user),
      ['bob'],
    );
  });

  it('reports empty cells in known columns', () => {
    const report = parseReport(reportText(userLine({ password_last_used: '', access_key_1_last_used_region: '' })), 'empty.csv');
    assert.deepEqual(problemSummary(report), [
      [2, 'empty-cell', 'password_last_used'],
      [2, 'empty-cell', 'access_key_1_last_used_region'],
    ]);
  });

  it('accepts TRUE/FALSE, every time form and the special values without a problem', () => {
    const text = reportText(
      userLine({ password_enabled: 'TRUE', mfa_active: 'False', user_creation_time: '2023-01-10 08:00:00', password_last_used: '2024-03-01T12:00:00Z', access_key_1_last_used_date: '2024-03-02T10:15:00.250+01:00', password_next_rotation: 'not_supported' }),
      userLine({ user: 'bob', password_enabled: 'not_supported', password_last_used: 'no_information' }),
    );
    assert.deepEqual(parseReport(text, 'forms.csv').problems, []);
  });

  it('reads the pre-2015 16-column layout by name', () => {
    const legacyLine = LEGACY16_COLUMNS.map((column) => TYPICAL_USER[column]).join(',');
    const report = parseReport(`${LEGACY16_COLUMNS.join(',')}\n${legacyLine}\n`, 'legacy.csv');
    assert.equal(report.layout, 'legacy16');
    assert.deepEqual(report.problems, []);
    assert.equal(report.rows[0].cells.access_key_1_last_used_date, undefined);
    assert.equal(report.rows[0].cells.cert_2_last_rotated, 'N/A');
  });

  it('reads columns by name in any order, keeps unknown columns, and trims header names', () => {
    const text = ` arn , user ,mfa_active, owner_team,__proto__\narn:aws:iam::111122223333:user/x,x,true,platform,odd\n`;
    const report = parseReport(text, 'custom.csv');
    assert.equal(report.layout, 'custom');
    assert.deepEqual(report.header, ['arn', 'user', 'mfa_active', 'owner_team', '__proto__']);
    assert.deepEqual(problemSummary(report), [[1, 'missing-column', undefined]]);
    assert.equal(report.problems[0].severity, 'warning');
    const cells = report.rows[0].cells;
    assert.equal(cells.user, 'x');
    assert.equal(cells.owner_team, 'platform');
    assert.ok(Object.prototype.hasOwnProperty.call(cells, '__proto__'), 'a column named __proto__ is a plain key');
    assert.equal(Object.getPrototypeOf(cells), Object.prototype);
  });

  it('reports a missing arn column as an error and still returns the rows', () => {
    const report = parseReport('user,password_enabled,mfa_active\nalice,true,false\n', 'noarn.csv');
    const errors = report.problems.filter((problem) => problem.severity === 'error');
    assert.deepEqual(
      errors.map((problem) => [problem.line, problem.code, problem.column]),
      [[1, 'missing-column', 'arn']],
    );
    assert.equal(report.rows.length, 1);
  });

  it('reads only the first of two columns with the same name', () => {
    const report = parseReport('user,arn,mfa_active,mfa_active\nalice,arn:aws:iam::1:user/alice,true,false\n', 'twice.csv');
    assert.ok(report.problems.some((problem) => problem.code === 'duplicate-column' && problem.line === 1));
    assert.equal(report.rows[0].cells.mfa_active, 'true');
  });

  it('keeps the rows before and after an unclosed quote and reports the quote with its line', () => {
    const report = parseReport(reportText(userLine(), userLine({ user: '"bob' }), userLine({ user: 'carol' })), 'quote.csv');
    assert.deepEqual(
      report.rows.map((row) => [row.line, row.cells.user]),
      [
        [2, 'alice'],
        [4, 'carol'],
      ],
    );
    const syntax = report.problems.find((problem) => problem.code === 'unterminated-quote');
    assert.ok(syntax, JSON.stringify(report.problems));
    assert.equal(syntax.severity, 'error');
    assert.equal(syntax.line, 3, 'the line where the quote opens');
  });

  it('reads a header whose quote never closes as if the quote were not there, with an error', () => {
    const report = parseReport('"user,arn\nalice,x\n', 'x.csv');
    assert.deepEqual(report.header, ['user', 'arn']);
    assert.deepEqual(
      report.rows.map((row) => [row.line, row.cells.user, row.cells.arn]),
      [[2, 'alice', 'x']],
    );
    assert.deepEqual(
      report.problems.filter((problem) => problem.severity === 'error').map((problem) => [problem.line, problem.code, problem.location]),
      [[1, 'unterminated-quote', { line: 1, startColumn: 0, endColumn: 1 }]],
    );
  });

  describe('a file that is not a credential report', () => {
    const cases: Array<[string, string]> = [
      ['empty', ''],
      ['blank lines', '\n\r\n  \n'],
      ['a BOM only', '\uFEFF'],
      ['binary', 'PK\u0003\u0004\u0000\u0000binary'],
      ['another CSV', 'name,email,team\nPam,pam@example.com,reception\n'],
      ['a user column and nothing AWS writes', 'user,email\nalice,a@example.com\n'],
      ['JSON', '{"Content": "dXNlcixhcm4=", "ReportFormat": "text/csv"}'],
    ];
    for (const [name, text] of cases) {
      it(`gets one not-a-report error and no rows: ${name}`, () => {
        const report = parseReport(text, 'x.csv');
        assert.equal(report.rows.length, 0);
        assert.equal(report.problems.length, 1, JSON.stringify(report.problems));
        assert.equal(report.problems[0].code, 'not-a-report');
        assert.equal(report.problems[0].severity, 'error');
        assert.equal(report.problems[0].file, 'x.csv');
        assert.match(report.problems[0].message, /not a credential report/);
      });
    }
  });
});

describe('looksLikeCredentialReport', () => {
  it('recognises report headers by their columns', () => {
    assert.equal(looksLikeCredentialReport(HEADER), true);
    assert.equal(looksLikeCredentialReport(`\uFEFF${HEADER}\r\n`), true);
    assert.equal(looksLikeCredentialReport(LEGACY16_COLUMNS.join(',')), true);
    assert.equal(looksLikeCredentialReport('"user","arn","mfa_active"'), true);
    assert.equal(looksLikeCredentialReport('user,arn'), true);
  });

  it('refuses other first lines', () => {
    for (const line of ['', 'name,email', 'user', 'user,email,team', 'arn,mfa_active', '{"users": []}']) {
      assert.equal(looksLikeCredentialReport(line), false, line);
    }
  });
});
