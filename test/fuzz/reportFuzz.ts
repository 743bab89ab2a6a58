/**
 * Mutation fuzzing of parse -> normalise -> evaluate, starting from the real reports in test/fixtures/reports/realworld
 * (a copy of ../shared/realworld/reports). Shared by the unit suite (a small fixed budget) and `npm run fuzz` (a large
 * one), so both run exactly the same property.
 *
 * A report is kept as a list of segments (the header, then one per row), each remembering which original row it still
 * is, so that after any mix of mutations we know which rows are untouched and on which line they now sit. The property:
 * - nothing throws;
 * - every report problem and every finding points at a line that exists in the mutated file;
 * - every untouched row still yields its user and exactly the findings it had in the original report, at its new line,
 *   whenever that is knowable from the outside: the header is untouched and first, and the text before the row leaves
 *   no quoted cell open (an open quote legitimately swallows the rows after it, and that is reported as csv-syntax);
 * - every output format of the result stays well-formed (test/support/outputWellFormed.ts), with user names full of
 *   control, bidi and XML-invalid characters and times at the edges of RFC 3339 mutated in.
 */
import fc from 'fast-check';
import { auditReports, EngineCache } from '../../src/core/run/audit';
import { Finding } from '../../src/core/model';
import { collectRunProblems } from '../../src/core/output/problemText';
import { OutputContext } from '../../src/core/output/outputModel';
import { hasTerminalControls } from '../../src/core/text/terminalText';
import { assertOutputsWellFormed } from '../support/outputWellFormed';
import { realworldReports } from '../unit/engine/realworldReports';

export const FUZZ_SEED = 20260808;

interface Segment {
  text: string;
  /** Index of the original row this segment still is verbatim (0 = header), or null once changed or made up. */
  origin: number | null;
}

export type Mutation =
  | { kind: 'delete-chars'; segment: number; at: number; length: number }
  | { kind: 'insert'; segment: number; at: number; text: string }
  | { kind: 'duplicate-chars'; segment: number; at: number; length: number }
  | { kind: 'flip-case'; segment: number; at: number; length: number }
  | { kind: 'replace-cell'; segment: number; cell: number; value: string }
  | { kind: 'truncate'; segment: number; at: number }
  | { kind: 'swap-rows'; segment: number; other: number }
  | { kind: 'duplicate-row'; segment: number; at: number }
  | { kind: 'delete-row'; segment: number }
  | { kind: 'insert-line'; at: number; text: string };

/** Characters and fragments that CSV readers and time parsers trip over. */
const INSERTED = [',', '"', '""', '\n', '\r', '\r\n', '\n\n', '\uFEFF', '\u0000', '\t', ' ', 'é', '\u{1F600}', '\uD800', '\\', "'", ',,,,', '"\n"', '=', 'N/A'];

/** Cell values AWS writes, nearly writes, or a hostile editor might. */
const SPECIAL_VALUES = [
  '', ' ', 'N/A', 'n/a', 'no_information', 'not_supported', 'TRUE', 'False', 'true ', 'yes', '1', '0',
  '1970-01-01T00:00:00+00:00', '2099-12-31T23:59:59Z', '2024-02-30T00:00:00Z', '2024-01-01', '2024-01-01 00:00:00',
  '0000-00-00T00:00:00Z', '9999-99-99T99:99:99Z', '-2024-01-01T00:00:00Z', 'NaN', 'Infinity', '1e309',
  '__proto__', 'constructor', 'toString', '<root_account>', 'arn:aws:iam::', 'arn:aws:iam::123456789012:root',
  '=HYPERLINK("http://x","y")', '+1', '-1', '@SUM(A1)', '"quoted, with comma"', '"unclosed', 'a"b', '\u0000\u0001\u0002',
];

const someText = fc.string({ unit: 'binary', maxLength: 40 });

/** Characters that drive terminals, reverse text or break XML 1.0 (and what renders as markup). */
const HOSTILE_CHARS = [
  '\x1b', '\x1b[2J', '\x1b]0;pwned\x07', '\x07', '\b', '\u0000', '\r', '\x7f', '\u0085', '\u009b', '\u009d', '\u202e', '\u202d', '\u2066',
  '\u2069', '\u200f', '\u061c', '\u200b', '\u200d', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ud800', '\udfff', '\u{e0041}', '\u{10ffff}',
  '<', '>', '&', '|', '\\', '`', '*', '_', '[', ']', '(', ')', '@', 'http://', '漢', 'e\u0301', '👨\u200d👩\u200d👧', '\u05e9\u05c1',
];

/** User names made of hostile characters and ordinary letters (they go into the user cell). */
const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('eve\x1b]0;pwned\x07', '\x1b[2J\x1b[Hroot', 'user\u202egnp.exe', 'bad\ufffe\uffff', '<script>alert(1)</script>', 'a|b', '[x](http://e.example)'),
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE_CHARS), fc.constantFrom('a', 'b', 'admin', '-', '.')), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
);

/** Times at the edges of RFC 3339 and just past them: leap seconds, offsets, precision, lower case, year bounds. */
const RFC3339_EDGES = [
  '2016-12-31T23:59:60Z', '2024-02-29T23:59:60+00:00', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2024-01-01t00:00:00z',
  '2024-01-01T00:00:00.123456789Z', '2024-01-01T00:00:00.Z', '2024-01-01T00:00:00,5Z', '2024-01-01T00:00:00+14:00', '2024-01-01T00:00:00-12:00',
  '2024-01-01T00:00:00-00:00', '2024-01-01T00:00:00+24:00', '2024-01-01T00:00:00+00:60', '2024-01-01T24:00:00Z', '2024-01-01T23:59:59.999999999999Z',
  '0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2024-01-01T00:00Z',
  '2024-01-01 00:00:00Z', '+002024-01-01T00:00:00Z', '2024-W01-1T00:00:00Z', '2024-001T00:00:00Z', '2024-01-01T00:00:00+0000', '2024-01-01T00:00:00 Z',
];

/** The cells of AWS's layout that hold times (user_creation_time, password_last_used, ... cert_2_last_rotated). */
const TIME_CELLS = [2, 4, 5, 6, 9, 10, 14, 15, 19, 21];

/** A cell value: a special value, arbitrary text, or something huge. */
const cellValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SPECIAL_VALUES) },
  { weight: 3, arbitrary: someText },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', 'é', ',', '"', '9'), fc.integer({ min: 1_000, max: 200_000 })).map(([c, n]) => c.repeat(n)) },
);

const position = fc.nat({ max: 400 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete-chars' as const), segment: fc.nat(), at: position, length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('insert' as const), segment: fc.nat(), at: position, text: fc.oneof(fc.constantFrom(...INSERTED), someText) }),
  fc.record({ kind: fc.constant('duplicate-chars' as const), segment: fc.nat(), at: position, length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('flip-case' as const), segment: fc.nat(), at: position, length: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant('replace-cell' as const), segment: fc.nat(), cell: fc.nat({ max: 24 }), value: cellValue }),
  fc.record({ kind: fc.constant('truncate' as const), segment: fc.nat(), at: position }),
  fc.record({ kind: fc.constant('swap-rows' as const), segment: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-row' as const), segment: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete-row' as const), segment: fc.nat() }),
  fc.record({ kind: fc.constant('insert-line' as const), at: fc.nat(), text: fc.oneof(cellValue, someText) }),
  fc.record({ kind: fc.constant('replace-cell' as const), segment: fc.nat(), cell: fc.constant(0), value: hostileName }),
  fc.record({ kind: fc.constant('replace-cell' as const), segment: fc.nat(), cell: fc.constantFrom(...TIME_CELLS), value: fc.constantFrom(...RFC3339_EDGES) }),
  fc.record({ kind: fc.constant('insert' as const), segment: fc.nat(), at: position, text: fc.constantFrom(...HOSTILE_CHARS) }),
);

export interface FuzzCase {
  report: number;
  mutations: Mutation[];
}

export function fuzzCases(reportCount: number): fc.Arbitrary<FuzzCase> {
  return fc.record({ report: fc.nat({ max: reportCount - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }) });
}

/** Applies mutations in order; segment indices wrap, and the header (segment 0) is hit only now and then. */
export function applyMutations(original: Segment[], mutations: Mutation[]): Segment[] {
  let segments = original.map((segment) => ({ ...segment }));
  for (const m of mutations) {
    if (segments.length === 0) break;
    // Row-level operations keep the header in place; character-level ones may touch it (1 time in segments.length).
    const chosen = 'segment' in m ? m.segment : 0;
    const index = chosen % segments.length;
    const rowIndex = segments.length > 1 ? 1 + (chosen % (segments.length - 1)) : 0;
    const target = segments[index]!;
    const at = (text: string, offset: number) => Math.min(offset, text.length);
    const change = (segment: Segment, text: string) => {
      if (text !== segment.text) Object.assign(segment, { text, origin: null });
    };
    switch (m.kind) {
      case 'delete-chars': {
        const from = at(target.text, m.at);
        change(target, target.text.slice(0, from) + target.text.slice(from + m.length));
        break;
      }
      case 'insert': {
        const from = at(target.text, m.at);
        change(target, target.text.slice(0, from) + m.text + target.text.slice(from));
        break;
      }
      case 'duplicate-chars': {
        const from = at(target.text, m.at);
        change(target, target.text.slice(0, from + m.length) + target.text.slice(from));
        break;
      }
      case 'flip-case': {
        const from = at(target.text, m.at);
        const part = target.text.slice(from, from + m.length);
        const flipped = [...part].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
        change(target, target.text.slice(0, from) + flipped + target.text.slice(from + m.length));
        break;
      }
      case 'replace-cell': {
        const cells = target.text.split(',');
        cells[m.cell % cells.length] = m.value;
        change(target, cells.join(','));
        break;
      }
      case 'truncate': {
        segments = segments.slice(0, index + 1);
        change(target, target.text.slice(0, at(target.text, m.at)));
        break;
      }
      case 'swap-rows': {
        if (segments.length < 3) break;
        const other = 1 + (m.other % (segments.length - 1));
        [segments[rowIndex], segments[other]] = [segments[other]!, segments[rowIndex]!];
        break;
      }
      case 'duplicate-row': {
        if (segments.length < 2) break;
        segments.splice(1 + (m.at % segments.length), 0, { ...segments[rowIndex]! });
        break;
      }
      case 'delete-row': {
        if (segments.length < 2) break;
        segments.splice(rowIndex, 1);
        break;
      }
      case 'insert-line': {
        segments.splice(m.at % (segments.length + 1), 0, { text: m.text, origin: null });
        break;
      }
    }
  }
  return segments;
}

/** Lines of a text the way the parser and editors count them: \r\n, \r and \n each end a line. */
function countLineBreaks(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * Whether a segment leaves the CSV reader at the start of a fresh record with nothing pending: no quoted cell left open
 * and no quote closed in the middle of a cell (a malformed record, which csv-parse may merge with the next). A quote
 * opens a cell only at the cell's start; elsewhere it is a literal (csv-parse's relax_quotes).
 */
function leavesCleanState(text: string): boolean {
  let atCellStart = true;
  let quoted = false;
  let justClosed = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const breaks = char === ',' || char === '\n' || char === '\r';
    if (quoted) {
      if (char !== '"') continue;
      if (text[index + 1] === '"') {
        index++;
        continue;
      }
      quoted = false;
      justClosed = true;
    } else if (justClosed) {
      if (!breaks) return false;
      justClosed = false;
      atCellStart = true;
    } else if (char === '"' && atCellStart) {
      quoted = true;
      atCellStart = false;
    } else {
      atCellStart = breaks;
    }
  }
  return !quoted;
}

/** What an untouched row must still yield: its user and its findings, line left out (rows move). */
function findingKey(finding: Finding): string {
  const { check, status, severity, user, arn, key, column, message, account } = finding;
  return JSON.stringify({ check, status, severity, user, arn, key, column, message, account });
}

interface Baseline {
  file: string;
  now: Date;
  segments: Segment[];
  /** By original row index: the user and the sorted finding keys of that row. */
  rows: Map<number, { user: string; findings: string[] }>;
  /** Every finding key of the unmutated report. */
  findingKeys: Set<string>;
}

function groupByLine(findings: Finding[]): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  for (const finding of findings) {
    if (finding.line === null) continue;
    const list = byLine.get(finding.line) ?? [];
    list.push(findingKey(finding));
    byLine.set(finding.line, list);
  }
  for (const list of byLine.values()) list.sort();
  return byLine;
}

/** One warm bundled engine for every case of the harness (the run layer keeps no engine of its own between calls). */
const engines = new EngineCache();

/** Audits each real report once, unmutated, to know what every row yields. */
export async function loadBaselines(): Promise<Baseline[]> {
  const baselines: Baseline[] = [];
  for (const report of realworldReports()) {
    // The real files have one row per line (no quoted line breaks), which the segment model relies on.
    const lines = report.text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
    const segments = lines.map((text, index) => ({ text, origin: index }));
    const result = await auditReports({ reports: [{ file: report.file, text: lines.join('\n') }], now: report.now, engines });
    const byLine = groupByLine(result.findings);
    const rows = new Map<number, { user: string; findings: string[] }>();
    for (const user of result.reports[0]!.input.users) rows.set(user.line - 1, { user: user.user, findings: byLine.get(user.line) ?? [] });
    baselines.push({ file: report.file, now: report.now, segments, rows, findingKeys: new Set(result.findings.map(findingKey)) });
  }
  return baselines;
}

export interface CaseStatistics {
  cases: number;
  /** Untouched rows whose user and findings were checked. */
  rowsChecked: number;
  problems: number;
  findings: number;
  /** Findings whose user name holds a character a terminal must not get raw: the outputs were checked with them. */
  hostileUsers: number;
}

/** Runs one case and throws (with the reason) when the property does not hold. */
export async function checkCase(baselines: Baseline[], fuzzCase: FuzzCase, statistics: CaseStatistics): Promise<void> {
  const baseline = baselines[fuzzCase.report % baselines.length]!;
  const segments = applyMutations(baseline.segments, fuzzCase.mutations);
  const text = segments.map((segment) => segment.text).join('\n');
  const result = await auditReports({ reports: [{ file: baseline.file, text }], now: baseline.now, engines });
  const [audited] = result.reports;
  if (!audited) throw new Error('no report in the result');
  const lastLine = countLineBreaks(text) + 1;
  statistics.cases++;
  statistics.problems += audited.problems.length;
  statistics.findings += result.findings.length;

  for (const problem of audited.problems) {
    if (!Number.isInteger(problem.line) || problem.line < 1 || problem.line > lastLine) {
      throw new Error(`problem ${problem.code} on line ${problem.line}, outside 1..${lastLine}: ${problem.message.slice(0, 200)}`);
    }
    if (problem.location && (problem.location.line < 1 || problem.location.line > lastLine)) {
      throw new Error(`problem ${problem.code} located on line ${problem.location.line}, outside 1..${lastLine}`);
    }
  }
  for (const finding of result.findings) {
    if (finding.line !== null && (finding.line < 1 || finding.line > lastLine)) {
      throw new Error(`finding ${finding.check} on line ${finding.line}, outside 1..${lastLine}`);
    }
  }
  if (result.policyProblems.length > 0) throw new Error(`bundled checks failed: ${result.policyProblems.map((p) => p.message).join('; ')}`);

  // Every output format of this result, whatever the names and times turned into. The findings the real report already
  // had are left out but two (their outputs are the same every case): the documents stay small and the case fast.
  const fresh = result.findings.filter((finding, index) => index < 2 || !baseline.findingKeys.has(findingKey(finding)));
  const { problems, complete } = collectRunProblems(result.reports, result.policyProblems);
  const context: OutputContext = {
    reports: result.reports.map((report) => ({
      file: report.file, layout: report.parsed.layout, accountId: report.input.report.account_id, users: report.input.users.length,
      problems: report.problems, generatedTime: report.input.report.generated_time,
    })),
    findings: fresh, policyProblems: result.policyProblems, catalog: result.catalog, evaluationTime: baseline.now.toISOString(),
    toolVersion: '0.0.0-fuzz', problems, complete,
  };
  assertOutputsWellFormed(context);
  statistics.hostileUsers += result.findings.filter((finding) => finding.user !== null && hasTerminalControls(finding.user)).length;

  // Rows are only predictable below an untouched header and while no quote is left open.
  if (segments[0]?.origin !== 0) return;
  const users = new Map(audited.input.users.map((user) => [user.line, user]));
  const findingsByLine = groupByLine(result.findings);
  let offset = 0;
  let balanced = true;
  for (const segment of segments) {
    const expected = segment.origin === null ? undefined : baseline.rows.get(segment.origin);
    if (balanced && expected) {
      const line = countLineBreaks(text.slice(0, offset)) + 1;
      const user = users.get(line);
      if (!user || user.user !== expected.user) {
        throw new Error(`untouched row of "${expected.user}" (line ${line}) gave ${user ? `user "${user.user}"` : 'no user'}`);
      }
      const found = findingsByLine.get(line) ?? [];
      if (JSON.stringify(found) !== JSON.stringify(expected.findings)) {
        throw new Error(`untouched row of "${expected.user}" (line ${line}) gave findings ${JSON.stringify(found)}, expected ${JSON.stringify(expected.findings)}`);
      }
      statistics.rowsChecked++;
    }
    balanced &&= leavesCleanState(segment.text);
    offset += segment.text.length + 1;
  }
}

/** The whole property with a fixed seed; returns what it checked. */
export async function runReportFuzz(
  numRuns: number,
  seed = FUZZ_SEED,
  options: { shrink?: boolean; onCase?: (statistics: CaseStatistics) => void } = {},
): Promise<CaseStatistics> {
  const baselines = await loadBaselines();
  const statistics: CaseStatistics = { cases: 0, rowsChecked: 0, problems: 0, findings: 0, hostileUsers: 0 };
  await fc.assert(
    fc.asyncProperty(fuzzCases(baselines.length), async (fuzzCase) => {
      await checkCase(baselines, fuzzCase, statistics);
      options.onCase?.(statistics);
    }),
    // Shrinking re-runs audits of huge cells many times: the long run may skip it and report the case as found.
    { seed, numRuns, endOnFailure: options.shrink === false },
  );
  return statistics;
}
