import { parse } from 'csv-parse/sync';
import { CellLocation, ParsedReport, ReportProblem, ReportRow } from '../model';
import { CellLocator } from './cellLocator';
import { DamagedRow, leadingCells, setAsideDamagedRows } from './damagedRows';
import { decodeReportText, DecodedReportText, decodingProblems } from './reportDecoding';
import { columnKind, CURRENT_COLUMNS, isSpecialValue, layoutOf, LEGACY16_COLUMNS, REQUIRED_COLUMNS } from './columns';
import { conversionCommand, HOW_TO_GET_A_REPORT } from './reportFormats';
import { explainBadReportTime, parseReportTime } from './timeValues';

/**
 * Reads a credential report as AWS writes it and as it is found in the wild (realworld/README.md): by header name,
 * keeping the line and columns of every cell. It never throws and never stops at a bad row: every problem is reported
 * with its line and every row that names a user is returned, so one odd cell cannot hide the rest of an account.
 */

interface RawRecord {
  values: string[];
  /** The record's text as csv-parse read it (LF line breaks), or undefined when it gave none. */
  raw: string | undefined;
  /** The line csv-parse was on when the record ended. */
  endLine: number;
}

interface LocatedRecord {
  values: string[];
  line: number;
  locations: CellLocation[];
}

// Columns whose time says the credential was used: a use before the user existed is impossible.
const USE_COLUMNS = ['password_last_used', 'access_key_1_last_used_date', 'access_key_2_last_used_date'];

/** Whether a first line is a credential report header: a `user` column and at least one other column AWS writes. */
export function looksLikeCredentialReport(firstLine: string): boolean {
  const names = firstLine
    .replace(/^\uFEFF/, '')
    .replace(/[\r\n]+$/, '')
    .split(',')
    .map((name) => name.trim().replace(/^"(.*)"$/, '$1').trim());
  return isReportHeader(names);
}

function isReportHeader(names: readonly string[]): boolean {
  return names.includes('user') && names.some((name) => name !== 'user' && columnKind(name) !== undefined);
}

export interface ParseOptions {
  /** How the text was decoded from the file's bytes: its invalid sequences become located warnings. */
  decoding?: DecodedReportText;
  /**
   * The wrappings the CSV was taken out of (gzip, the AWS CLI's JSON answer, base64: reportFormats.ts). Lines and columns
   * are then the decoded CSV's, not the file's, and every problem says so.
   */
  layers?: readonly string[];
}

export function parseReport(text: string, file: string, options: ParseOptions = {}): ParsedReport {
  try {
    const parsed = parseText(typeof text === 'string' ? text : String(text), file);
    const report = options.decoding ? withDecodingProblems(parsed, options.decoding) : parsed;
    return options.layers && options.layers.length > 0 ? withDecodedLocations(report, options.layers) : report;
  } catch (error) {
    // A bug here must not take the editor or a CI run down with it: say so and return no rows.
    const reason = error instanceof Error ? error.message : String(error);
    return notAReport(file, `the report could not be read (internal error: ${reason})`);
  }
}

/** Decodes a report file's bytes (reportDecoding.ts) and parses the text, with a warning for every invalid sequence. */
export function parseReportBytes(bytes: Uint8Array, file: string): ParsedReport {
  const decoding = decodeReportText(bytes);
  return parseReport(decoding.text, file, { decoding });
}

/**
 * Adds the decoding warnings to a parsed report, each naming the cell it falls in. A file that is not a report keeps its
 * one fatal error: nothing of it is read, and a binary file would otherwise bring a list of replaced bytes with it.
 */
export function withDecodingProblems(report: ParsedReport, decoding: DecodedReportText): ParsedReport {
  if (decoding.invalidCount === 0 || report.problems.some((problem) => problem.code === 'not-a-report')) return report;
  const added = decodingProblems(report.file, decoding).map((problem) => {
    const column = problem.location && columnAt(report, problem.location.line, problem.location.startColumn);
    return column === undefined ? problem : { ...problem, column };
  });
  const problems = [...report.problems, ...added].sort((a, b) => a.line - b.line);
  return { ...report, problems };
}

/** Says in each problem that its line is the decoded CSV's: the file itself (JSON, gzip, base64) has no such line. */
function withDecodedLocations(report: ParsedReport, layers: readonly string[]): ParsedReport {
  const how = layers.join(', then ');
  const problems = report.problems.map((problem) => ({ ...problem, message: `${problem.message} (line ${problem.line} of the decoded report in ${problem.file}: ${how})` }));
  return { ...report, problems };
}

function columnAt(report: ParsedReport, line: number, column: number): string | undefined {
  for (const row of report.rows) {
    if (row.line > line) break;
    for (const [name, location] of Object.entries(row.locations)) {
      if (location.line === line && location.startColumn <= column && column < location.endColumn) return name;
    }
  }
  return undefined;
}

function notAReport(file: string, message: string, line = 1): ParsedReport {
  return {
    file,
    header: [],
    layout: 'custom',
    rows: [],
    problems: [{ file, line, severity: 'error', code: 'not-a-report', message }],
  };
}

/** The delimiters a spreadsheet writes instead of commas: `;` where the decimal mark is a comma, tabs in "Unicode text". */
const OTHER_DELIMITERS: ReadonlyArray<{ delimiter: string; name: string }> = [
  { delimiter: ';', name: 'semicolons (;)' },
  { delimiter: '\t', name: 'tabs' },
];

/**
 * The delimiter of a header that is a report header with `;` or tabs but not with commas, and whether its columns are
 * exactly one of AWS's layouts (then it is read; else refused).
 */
function otherDelimiter(headerLine: string): { delimiter: string; name: string; exact: boolean } | undefined {
  const namesBy = (delimiter: string) => headerLine.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1').trim());
  if (isReportHeader(namesBy(','))) return undefined;
  for (const other of OTHER_DELIMITERS) {
    const names = namesBy(other.delimiter);
    if (names.length > 1 && isReportHeader(names)) return { ...other, exact: layoutOf(names) !== 'custom' };
  }
  return undefined;
}

/** The command that rewrites a `;`- or tab-delimited CSV with commas (Python's csv module, which reads its quoting). */
function delimiterConversion(file: string, delimiter: string): string {
  const python = `python3 -c "import csv,sys; csv.writer(sys.stdout).writerows(csv.reader(sys.stdin, delimiter='${delimiter === '\t' ? '\\t' : delimiter}'))"`;
  return conversionCommand(file, python);
}

/** Swaps two characters everywhere in a text: a bijection that moves nothing. */
function swapCharacters(text: string, a: string, b: string): string {
  if (!text.includes(a) && !text.includes(b)) return text;
  return text.replace(a === '\t' ? /[\t,]/g : /[;,]/g, (char) => (char === a ? b : a));
}

/** What a first line that is not a report header looks like, without quoting it (it may hold anything, even a secret). */
function describeFirstLine(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('<')) return '; the file looks like XML or HTML';
  if (/^\[[^\]]+\]$/.test(trimmed)) return '; the file looks like an INI file (an AWS config or credentials file?)';
  if (!trimmed.includes(',')) {
    for (const other of OTHER_DELIMITERS) if (trimmed.includes(other.delimiter)) return `; the first line is delimited by ${other.name}, not commas`;
    return '; the first line has no comma';
  }
  return `; the first line has ${trimmed.split(',').length} comma-separated cells`;
}

function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const sample = text.slice(0, 4096);
  let replacement = 0;
  for (const char of sample) if (char === '\uFFFD') replacement++;
  return replacement > 8 && replacement > sample.length / 100;
}

function parseText(original: string, file: string): ParsedReport {
  if (original.replace(/^\uFEFF/, '').trim() === '') {
    return notAReport(file, `not a credential report: the file is empty (expected a CSV header starting with "user,arn,..."); ${HOW_TO_GET_A_REPORT}`);
  }
  // A file that starts with a report header is a report, whatever stray bytes a row holds: one NUL byte must not
  // hide every user (those bytes stay in their cells).
  const firstLineEnd = original.search(/[\r\n]/);
  if (looksBinary(original) && !looksLikeCredentialReport(firstLineEnd < 0 ? original : original.slice(0, firstLineEnd))) {
    return notAReport(file, `not a credential report: the file is binary, not CSV text; ${HOW_TO_GET_A_REPORT}`);
  }
  // Editors do not count the BOM as a character, so columns are measured without it. Every line break becomes \n:
  // a \r only ever ends a line, so no cell moves on its line and line numbers stay those an editor shows. (A line
  // break inside a quoted cell is therefore read as \n whatever the file had; no credential report value holds one.)
  const unswapped = original.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const headerStart = unswapped.search(/[^\n]/);
  const headerEnd = unswapped.indexOf('\n', headerStart);
  const headerLine = unswapped.slice(headerStart, headerEnd < 0 ? undefined : headerEnd);
  const other = otherDelimiter(headerLine);
  if (other && !other.exact) {
    return notAReport(
      file,
      `not a credential report as it stands: its header is delimited by ${other.name}, not commas, and its columns are not exactly the ones AWS writes, ` +
        `so it is not read with ${other.name}; save it again as CSV with commas (a spreadsheet's "CSV UTF-8 (comma delimited)") or convert it: ${delimiterConversion(file, other.delimiter)}`,
      unswapped.slice(0, headerStart).split('\n').length,
    );
  }
  // A header that is exactly AWS's columns with `;` or tabs for commas is read as it is: the columns are known, so no
  // cell can be split wrongly. Swapping that delimiter with the comma character for character keeps every offset, line
  // and column, so the quote recovery and the cell locator (which know only commas) read it unchanged; the cell values
  // are swapped back once located.
  const normalised = other ? swapCharacters(unswapped, other.delimiter, ',') : unswapped;
  const restore = other ? (value: string) => swapCharacters(value, other.delimiter, ',') : (value: string) => value;
  // Rows a stray quote damaged are blanked (offsets kept) so that csv-parse reads every other row where it is.
  const recovery = setAsideDamagedRows(normalised);
  const text = recovery.text;
  const locator = new CellLocator(text);
  const problems: ReportProblem[] = [];
  const syntaxErrors: CsvSyntaxError[] = [];
  const records = readRecords(text, syntaxErrors);
  const { located, end } = locateRecords(records, text, locator);
  if (other) for (const record of located) record.values = record.values.map(restore);
  for (const error of syntaxErrors) {
    // csv-parse only knows where it gave up (the end of the file); the unclosed quote opened on the first line after
    // the last record it read.
    const next = text.slice(end).search(/\S/);
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' && next >= 0 ? locator.lineOf(end + next) : error.line;
    problems.push(syntaxProblem(file, error.code, line));
  }

  const headerRecord = located[0];
  const header = headerRecord ? headerRecord.values.map((name) => name.trim()) : [];
  if (!headerRecord || !isReportHeader(header)) {
    const line = headerRecord?.line ?? 1;
    const message = header.includes('user')
      ? `not a credential report: the header has a "user" column but none of the other columns AWS writes (arn, password_enabled, ...); ${HOW_TO_GET_A_REPORT}`
      : `not a credential report: the first line has no "user" column (expected a CSV header starting with "user,arn,..."${describeFirstLine(headerLine)}); ${HOW_TO_GET_A_REPORT}`;
    return notAReport(file, message, line);
  }
  if (other) {
    problems.push({
      file, line: headerRecord.line, severity: 'warning', code: 'other-delimiter',
      message:
        `the report is delimited by ${other.name}, not commas (as a spreadsheet saves it in some locales); it is read with ${other.name} because its header is exactly the columns AWS writes. ` +
        'A spreadsheet may also have rewritten values: a time it reformatted (e.g. 22/04/2024 19:47) is a bad-time warning and read as unknown; take the report from AWS again if there is one',
    });
  }

  for (const damaged of recovery.damaged) problems.push(damagedRowProblem(damaged, normalised, locator, header, recovery.userIndex, file, restore));
  const columnNames = checkHeader(header, headerRecord, file, problems);
  const rows: ReportRow[] = [];
  const firstLineOfUser = new Map<string, number>();
  for (const record of located.slice(1)) {
    if (record.values.length === 1 && record.values[0].trim() === '') continue;
    const row = readRow(record, header, columnNames, file, problems, locator);
    if (!row) continue;
    checkRow(row, file, problems, firstLineOfUser);
    rows.push(row);
  }

  problems.sort((a, b) => a.line - b.line);
  return { file, header, layout: layoutOf(header), rows, problems };
}

interface CsvSyntaxError {
  code: string;
  line: number;
}

function readRecords(text: string, errors: CsvSyntaxError[]): RawRecord[] {
  const records: RawRecord[] = [];
  try {
    parse(text, {
      bom: false,
      delimiter: ',',
      record_delimiter: '\n',
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      raw: true,
      on_skip: (error) => {
        if (error) errors.push({ code: error.code, line: (error as { lines?: number }).lines ?? 1 });
        return undefined;
      },
      // Records are collected as they come, so that rows read before a fatal syntax error are kept.
      on_record: (record, context) => {
        // With `raw: true` csv-parse hands over { record, raw }, which its types do not express.
        const withRaw = record as unknown as { record: string[]; raw: string | undefined };
        records.push({ values: withRaw.record, raw: withRaw.raw, endLine: context.lines });
        return null;
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown';
    const line = (error as { lines?: number }).lines ?? records[records.length - 1]?.endLine ?? 1;
    errors.push({ code, line });
  }
  return records;
}

function syntaxProblem(file: string, code: string, line: number): ReportProblem {
  const message =
    code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted cell is never closed: the rest of the file from here is one cell and is ignored'
      : `the CSV is malformed here (${code}): this record is ignored`;
  return { file, line, severity: 'error', code: 'csv-syntax', message };
}

/** The located error for a row set aside (or a header read without its stray quote): where the quote is, what was lost. */
function damagedRowProblem(damaged: DamagedRow, text: string, locator: CellLocator, header: string[], userIndex: number, file: string, restore: (value: string) => string): ReportProblem {
  const location = locator.locate(damaged.quote, damaged.quote + 1);
  const column = damaged.header ? undefined : header[damaged.cellIndex];
  const at = `the quote at column ${location.startColumn + 1}${column === undefined ? '' : ` (${column})`}`;
  const until = damaged.reason === 'next-row' ? `before line ${locator.lineOf(damaged.end + 1)}, which starts a row` : 'before the end of the file';
  if (damaged.header) {
    return {
      file,
      line: location.line,
      location,
      severity: 'error',
      code: 'unterminated-quote',
      message: `unterminated quote in the header: ${at} opens a cell that never closes ${until}; the header is read as if the quote were not there`,
    };
  }
  const trimmed = text.slice(damaged.start, damaged.end).replace(/\s+$/, '');
  const first = locator.lineOf(damaged.start);
  const last = locator.lineOf(damaged.start + Math.max(0, trimmed.length - 1));
  const lines = first === last ? `line ${first} is` : `lines ${first}-${last} are`;
  const cell = userIndex < damaged.cellIndex ? leadingCells(text, damaged.start, userIndex + 1)[userIndex] : undefined;
  const user = cell === undefined ? undefined : restore(cell).trim();
  const whose = user ? ` (user "${shorten(user)}" is not audited)` : '';
  return {
    file,
    line: location.line,
    column,
    location,
    severity: 'error',
    code: 'unterminated-quote',
    message: `unterminated quote: ${at} opens a cell that never closes ${until}; the row is skipped: ${lines} not read${whose}`,
  };
}

/** Locates each record's cells; `end` is the offset after the last record found in the text. */
function locateRecords(records: RawRecord[], text: string, locator: CellLocator): { located: LocatedRecord[]; end: number } {
  const located: LocatedRecord[] = [];
  let cursor = 0;
  for (const record of records) {
    // csv-parse puts the blank lines it skipped in front of the next record's raw text, and its delimiter after.
    const raw = record.raw?.replace(/^\n+/, '').replace(/\n$/, '');
    const start = raw === undefined ? -1 : text.indexOf(raw, cursor);
    if (raw === undefined || start < 0) {
      const line = Math.max(1, record.endLine - ((raw ?? '').match(/\n/g)?.length ?? 0));
      located.push({ values: record.values, line, locations: record.values.map(() => locator.wholeLine(line)) });
      continue;
    }
    cursor = start + raw.length;
    const ranges = locator.cellRanges(raw, start, record.values);
    const line = locator.lineOf(start);
    const locations =
      ranges.length === record.values.length
        ? ranges.map(([from, to]) => locator.locate(from, to))
        : record.values.map(() => locator.wholeLine(line));
    located.push({ values: record.values, line, locations });
  }
  return { located, end: cursor };
}

/** Checks the header and returns the column name each position is read under (undefined: position ignored). */
function checkHeader(header: string[], record: LocatedRecord, file: string, problems: ReportProblem[]): Array<string | undefined> {
  const line = record.line;
  const seen = new Set<string>();
  const names = header.map((name, index): string | undefined => {
    const location = record.locations[index];
    if (name === '') {
      const replacement = `column_${index + 1}`;
      problems.push({ file, line, location, severity: 'warning', code: 'empty-column-name', message: `column ${index + 1} has no name; its cells are kept as "${replacement}"` });
      return seen.has(replacement) ? undefined : (seen.add(replacement), replacement);
    }
    if (seen.has(name)) {
      problems.push({ file, line, column: name, location, severity: 'warning', code: 'duplicate-column', message: `column "${name}" appears twice; only the first is read` });
      return undefined;
    }
    seen.add(name);
    return name;
  });
  // A loop, not splice(...names): a header of a million columns would overflow the stack as spread arguments.
  names.forEach((name, index) => {
    if (name !== undefined) header[index] = name;
  });

  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) {
      problems.push({ file, line, column: required, severity: 'error', code: 'missing-column', message: `the required column "${required}" is missing; its value is null for every user` });
    }
  }
  const layout = layoutOf(header);
  if (layout === 'custom') {
    // A file with the pre-2015 16 columns is a known layout; anything else that lacks columns deserves a word,
    // because policies will see null where AWS would have written a value.
    const missing = CURRENT_COLUMNS.filter((name) => !seen.has(name) && !REQUIRED_COLUMNS.includes(name));
    const legacyComplete = LEGACY16_COLUMNS.every((name) => seen.has(name));
    const reported = legacyComplete ? missing.filter((name) => LEGACY16_COLUMNS.includes(name)) : missing;
    if (reported.length > 0) {
      problems.push({
        file,
        line,
        severity: 'warning',
        code: 'missing-column',
        message: `${reported.length} column${reported.length === 1 ? ' is' : 's are'} missing (${reported.join(', ')}); their values are null`,
      });
    }
  }
  return names;
}

function readRow(
  record: LocatedRecord,
  header: string[],
  columnNames: Array<string | undefined>,
  file: string,
  problems: ReportProblem[],
  locator: CellLocator,
): ReportRow | undefined {
  const line = record.line;
  if (record.values.length === header.length && record.values.every((value, index) => value.trim() === header[index])) {
    problems.push({ file, line, severity: 'warning', code: 'repeated-header', message: 'the header is repeated here (two reports joined?); this line is skipped' });
    return undefined;
  }
  const cellsByName: Record<string, string> = {};
  const locationsByName: Record<string, CellLocation> = {};
  const count = Math.min(record.values.length, header.length);
  for (let index = 0; index < count; index++) {
    const name = columnNames[index];
    if (name === undefined) continue;
    setOwn(cellsByName, name, record.values[index]!);
    setOwn(locationsByName, name, record.locations[index]!);
  }
  // Fast-mode copies (spread defines own data properties, `__proto__` included): see normalizer.ts.
  const cells = { ...cellsByName };
  const locations = { ...locationsByName };
  const lastLocation = record.locations[record.locations.length - 1] ?? locator.wholeLine(line);
  const endOfRow: CellLocation = { line: lastLocation.line, startColumn: lastLocation.endColumn, endColumn: lastLocation.endColumn };
  if (record.values.length < header.length) {
    const missing = header.slice(record.values.length);
    const shown = missing.length > 4 ? `${missing.slice(0, 4).join(', ')}, ... (${missing.length})` : missing.join(', ');
    problems.push({
      file,
      line,
      location: endOfRow,
      severity: 'warning',
      code: 'short-row',
      message: `the row has ${record.values.length} of ${header.length} cells; missing ${shown} (read as absent)`,
    });
  } else if (record.values.length > header.length) {
    const first = record.locations[header.length];
    problems.push({
      file,
      line,
      location: first ? { line: first.line, startColumn: first.startColumn, endColumn: lastLocation.endColumn } : undefined,
      severity: 'warning',
      code: 'long-row',
      message: `the row has ${record.values.length} cells but the header has ${header.length}; the ${record.values.length - header.length} extra cell(s) are ignored`,
    });
  }
  const user = cells.user?.trim() ?? '';
  if (user === '') {
    problems.push({
      file,
      line,
      column: 'user',
      location: locations.user,
      severity: 'error',
      code: 'missing-user',
      message: 'the row has no user name; it is skipped',
    });
    return undefined;
  }
  return { line, cells, locations };
}

function checkRow(row: ReportRow, file: string, problems: ReportProblem[], firstLineOfUser: Map<string, number>): void {
  const at = (column: string) => ({ file, line: row.line, column, location: row.locations[column] });
  for (const [column, value] of Object.entries(row.cells)) {
    const kind = columnKind(column);
    const text = value.trim();
    if (kind === undefined || kind === 'user') continue;
    if (text === '') {
      problems.push({ ...at(column), severity: 'warning', code: 'empty-cell', message: `${column} is empty (AWS writes a value or N/A here); read as unknown (null)` });
      continue;
    }
    if (isSpecialValue(text)) continue;
    if (kind === 'boolean' && !/^(true|false)$/i.test(text)) {
      problems.push({ ...at(column), severity: 'warning', code: 'bad-boolean', message: `${column} is "${shorten(text)}", not true or false; read as unknown (null)` });
    } else if (kind === 'time') {
      const reason = explainBadReportTime(text);
      if (reason) problems.push({ ...at(column), severity: 'warning', code: 'bad-time', message: `${column} is "${shorten(text)}": ${reason}; read as unknown (null)` });
    }
  }

  const created = parseReportTime(row.cells.user_creation_time ?? '');
  if (created) {
    for (const column of USE_COLUMNS) {
      const used = parseReportTime(row.cells[column] ?? '');
      if (used && used.epochMs < created.epochMs) {
        problems.push({
          ...at(column),
          severity: 'warning',
          code: 'impossible-time',
          message: `${column} (${used.iso}) is before user_creation_time (${created.iso}): a credential cannot be used before its user exists`,
        });
      }
    }
  }

  const user = row.cells.user.trim();
  const first = firstLineOfUser.get(user);
  if (first === undefined) {
    firstLineOfUser.set(user, row.line);
  } else {
    problems.push({
      ...at('user'),
      severity: 'warning',
      code: 'duplicate-user',
      message: `user "${shorten(user)}" already appears on line ${first}; both rows are checked`,
    });
  }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Header names come from the file: `__proto__` must become a plain key, not a prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
