import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { columnKind, CURRENT_COLUMNS } from '../../../src/core/report/columns';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';
import { formatUtcTime } from '../../../src/core/report/timeValues';

/**
 * Property tests over generated reports: whatever mix of booleans (any case), times (Z, +00:00, other offsets, a
 * space instead of T, milliseconds), special values, quoting, line breaks and awkward user names AWS or a spreadsheet
 * could produce, parse -> normalise never throws, every row gives its user, and every value survives.
 */

const SEED = 20210209;
const NOW = new Date('2024-06-01T00:00:00Z');
const SPECIAL = ['N/A', 'no_information', 'not_supported', ''];

interface GeneratedCell {
  /** The cell's text as AWS would write it (before CSV quoting). */
  text: string;
  expected: { kind: 'null' } | { kind: 'boolean'; value: boolean } | { kind: 'time'; iso: string; epochMs: number } | { kind: 'text'; value: string };
}

const special: fc.Arbitrary<GeneratedCell> = fc.constantFrom(...SPECIAL).map((text) => ({ text, expected: { kind: 'null' as const } }));

const anyCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) => [...word].map((char, index) => (upper[index] ? char.toUpperCase() : char)).join(''));

const booleanCell: fc.Arbitrary<GeneratedCell> = fc
  .boolean()
  .chain((value) => anyCase(String(value)).map((text) => ({ text, expected: { kind: 'boolean' as const, value } })));

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function writeTime(epochMs: number, form: 'Z' | '+00:00' | 'space' | 'offset', offsetMinutes: number, withMilliseconds: boolean): string {
  const shift = form === 'offset' ? offsetMinutes : 0;
  const local = new Date(epochMs + shift * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${withMilliseconds ? `.${pad(local.getUTCMilliseconds(), 3)}` : ''}`;
  if (form === 'space') return `${date} ${time}`;
  if (form === 'Z') return `${date}T${time}Z`;
  if (form === '+00:00') return `${date}T${time}+00:00`;
  const sign = shift < 0 ? '-' : '+';
  return `${date}T${time}${sign}${pad(Math.floor(Math.abs(shift) / 60))}:${pad(Math.abs(shift) % 60)}`;
}

const timeCell: fc.Arbitrary<GeneratedCell> = fc
  .record({
    seconds: fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }),
    milliseconds: fc.constantFrom(0, 0, 1, 250, 999),
    form: fc.constantFrom('Z' as const, '+00:00' as const, 'space' as const, 'offset' as const),
    offsetMinutes: fc.integer({ min: -48, max: 56 }).map((quarter) => quarter * 15),
  })
  .map(({ seconds, milliseconds, form, offsetMinutes }) => {
    const epochMs = seconds * 1000 + milliseconds;
    return { text: writeTime(epochMs, form, offsetMinutes, milliseconds !== 0), expected: { kind: 'time' as const, iso: formatUtcTime(new Date(epochMs)), epochMs } };
  });

const textCell: fc.Arbitrary<GeneratedCell> = fc.constantFrom('us-east-1', 'eu-west-3', 's3', 'sts', 'iam').map((value) => ({ text: value, expected: { kind: 'text' as const, value } }));

// User names with everything that needs quoting in CSV. No \r: line breaks inside quoted cells are read as \n.
const userName = fc
  .string({ unit: fc.constantFrom('a', 'B', 'z', '0', '9', '_', '+', '=', '.', '@', '-', ',', '"', ' ', '\n', 'é', '中', '<', '>'), minLength: 1, maxLength: 12 })
  .filter((name) => name.trim() !== '');

const account = fc.stringMatching(/^\d{12}$/);

const generatedRow = fc.record({
  user: userName,
  account,
  cells: fc.tuple(
    ...CURRENT_COLUMNS.slice(2).map((column) => {
      const kind = columnKind(column);
      return fc.oneof(kind === 'boolean' ? booleanCell : kind === 'time' ? timeCell : textCell, special);
    }),
  ),
  quoteAll: fc.boolean(),
});

type GeneratedRow = typeof generatedRow extends fc.Arbitrary<infer T> ? T : never;

const generatedReport = fc.record({
  rows: fc.array(generatedRow, { minLength: 1, maxLength: 6 }),
  bom: fc.boolean(),
  lineBreak: fc.constantFrom('\n', '\r\n'),
  trailingBreak: fc.boolean(),
  blankLinesBefore: fc.array(fc.nat({ max: 2 }), { minLength: 6, maxLength: 6 }),
});

function csvCell(text: string, quote: boolean): string {
  return quote || /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function rowValues(row: GeneratedRow): string[] {
  return [row.user, `arn:aws:iam::${row.account}:user/u`, ...row.cells.map((cell) => cell.text)];
}

/** The report text and the line each row starts on. */
function writeReport(report: typeof generatedReport extends fc.Arbitrary<infer T> ? T : never): { text: string; lines: number[] } {
  const parts = [CURRENT_COLUMNS.join(',')];
  const lines: number[] = [];
  let line = 1;
  report.rows.forEach((row, index) => {
    for (let blank = 0; blank < report.blankLinesBefore[index]; blank++) {
      parts.push('');
      line++;
    }
    const text = rowValues(row)
      .map((value) => csvCell(value, row.quoteAll))
      .join(',');
    line++;
    lines.push(line);
    parts.push(text);
    line += (text.match(/\n/g) ?? []).length;
  });
  const body = parts.join(report.lineBreak).replace(/\r\n/g, '\n').split('\n').join(report.lineBreak);
  return { text: `${report.bom ? '\uFEFF' : ''}${body}${report.trailingBreak ? report.lineBreak : ''}`, lines };
}

let runs = 0;
function countRuns<T extends unknown[]>(check: (...args: T) => void): (...args: T) => void {
  return (...args: T) => {
    runs++;
    check(...args);
  };
}

describe('parse -> normalise, properties over generated reports', () => {
  after(() => {
    // The number of generated cases, so a run that silently generated nothing would show.
    console.log(`      fast-check: ${runs} runs, seed ${SEED}`);
  });

  it('never throws, gives every row its user on its line, and keeps every value', () => {
    fc.assert(
      fc.property(
        generatedReport,
        countRuns((generated) => {
          const { text, lines } = writeReport(generated);
          const parsed = parseReport(text, 'generated.csv');
          const input = normalizeReport(parsed, NOW);
          const unexpected = parsed.problems.filter((problem) => !['duplicate-user', 'impossible-time', 'empty-cell'].includes(problem.code));
          assert.deepEqual(unexpected, []);
          assert.equal(parsed.layout, 'current');
          assert.equal(input.users.length, generated.rows.length);
          generated.rows.forEach((row, index) => {
            const user = input.users[index];
            const values = rowValues(row);
            assert.equal(user.line, lines[index]);
            assert.equal(user.user, row.user.trim());
            assert.equal(user.account_id, row.account);
            assert.deepEqual(Object.values(user.raw), values, 'raw holds every cell as written');
            CURRENT_COLUMNS.slice(2).forEach((column, cellIndex) => {
              const { text: cellText, expected } = row.cells[cellIndex];
              assert.equal(user.raw[column], cellText);
              if (expected.kind === 'null') {
                assert.equal(user[column], null, `${column} ${JSON.stringify(cellText)} is null`);
                if (columnKind(column) === 'time') assert.equal(user[`${column}_days`], null);
              } else if (expected.kind === 'boolean' || expected.kind === 'text') {
                assert.equal(user[column], expected.value, `${column} ${cellText}`);
              } else {
                assert.equal(user[column], expected.iso, `${column} ${cellText}`);
                assert.equal(user[`${column}_days`], (NOW.getTime() - expected.epochMs) / 86_400_000);
              }
            });
            const passwordLastUsed = row.cells[CURRENT_COLUMNS.indexOf('password_last_used') - 2].text;
            const status = { 'N/A': 'no_password', no_information: 'never_used', not_supported: 'unknown', '': 'unknown' }[passwordLastUsed] ?? 'used';
            assert.equal(user.password_last_used_status, status);
          });
        }),
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('never throws on arbitrary text, and either reads rows with users or says the file is not a report', () => {
    const header = CURRENT_COLUMNS.join(',');
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(',', '"', '\n', '\r', ' ', 'a', 'true', 'N/A', '2024-01-01T00:00:00Z', '\uFEFF'), maxLength: 200 }).map((body) => `${header}\n${body}`),
      fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((body) => `user,arn,mfa_active\n${body}`),
    );
    fc.assert(
      fc.property(
        anyText,
        countRuns((text) => {
          const parsed = parseReport(text, 'any.csv');
          const input = normalizeReport(parsed, NOW);
          for (const problem of parsed.problems) {
            assert.equal(problem.file, 'any.csv');
            assert.ok(Number.isInteger(problem.line) && problem.line >= 1, `line ${problem.line}`);
            assert.ok(problem.message.length > 0);
          }
          if (parsed.problems.some((problem) => problem.code === 'not-a-report')) {
            assert.equal(parsed.problems.length, 1);
            assert.equal(parsed.rows.length, 0);
          }
          assert.equal(input.users.length, parsed.rows.length);
          for (const user of input.users) {
            assert.ok(user.user.length > 0);
            assert.ok(user.line >= 2);
          }
        }),
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('never throws on a generated report damaged by random edits', () => {
    const damaged = fc.tuple(generatedReport, fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ',', '"', '\n', '\r', 'x', ',,,')), { minLength: 1, maxLength: 8 }));
    fc.assert(
      fc.property(
        damaged,
        countRuns(([generated, edits]) => {
          let { text } = writeReport(generated);
          for (const [position, insert] of edits) {
            const at = position % (text.length + 1);
            text = insert === '' ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + insert + text.slice(at);
          }
          const parsed = parseReport(text, 'damaged.csv');
          const input = normalizeReport(parsed, NOW);
          assert.equal(input.users.length, parsed.rows.length);
          for (const row of parsed.rows) {
            for (const location of Object.values(row.locations)) assert.ok(location.startColumn <= location.endColumn && location.line >= 1);
          }
        }),
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
