import { escapeTerminalText } from '../text/terminalText';
import { displayWidth, padToWidth, wrapToWidth } from '../text/textWidth';
import { QueryTable } from './queryTable';

export type QueryTableFormat = 'table' | 'csv' | 'json';
export const QUERY_TABLE_FORMATS: readonly QueryTableFormat[] = ['table', 'csv', 'json'];

/** Cell text for people: null is an empty cell (like the SQL tools the seed queries come from), nested values as JSON. */
export function cellText(cell: unknown, options: { roundNumbers?: boolean } = {}): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') {
    // Ages in days are fractional to the nanosecond; two decimals are what a reader needs, exports keep the full value.
    if (options.roundNumbers && !Number.isInteger(cell)) return String(Math.round(cell * 100) / 100);
    return String(cell);
  }
  if (typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
}

/**
 * A box table like psql's, with the row count under it. Cells and column names are report or query text: shown with
 * control and bidi characters escaped (escapeTerminalText), and measured in terminal columns, so wide and combining
 * characters keep the box straight.
 */
function formatText(table: QueryTable, terminalWidth: number | undefined): string {
  if (table.kind === 'undefined') return 'undefined (the query has no value)\n';
  const columns = table.columns.map((column) => escapeTerminalText(column));
  const body = table.rows.map((row) => row.map((cell) => escapeTerminalText(cellText(cell, { roundNumbers: true }))));
  const widths = columns.map((column) => displayWidth(column));
  // A loop, not Math.max(...): a query may return more rows than a call has arguments.
  for (const row of body) for (const [index, cell] of row.entries()) widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell));
  const rule = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`;
  const count = `${table.rows.length} row${table.rows.length === 1 ? '' : 's'}`;
  if (terminalWidth !== undefined && displayWidth(rule) > terminalWidth) return formatRecords(columns, body, displayWidth(rule), terminalWidth, count);
  const line = (cells: string[]) => `| ${cells.map((cell, index) => padToWidth(cell, widths[index]!)).join(' | ')} |`;
  return [rule, line(columns), rule, ...body.map(line), rule, count, ''].join('\n');
}

/**
 * psql's expanded display (`\x auto`): a table wider than the terminal is shown one record at a time, a column name and
 * its value per line, values wrapped to the terminal, so nothing is cut off or folded by the terminal into a broken box.
 */
function formatRecords(columns: string[], body: string[][], tableWidth: number, terminalWidth: number, count: string): string {
  const nameWidth = Math.max(0, ...columns.map((column) => displayWidth(column)));
  const valueWidth = Math.max(10, terminalWidth - nameWidth - 3);
  const lines: string[] = [];
  body.forEach((row, index) => {
    const header = `-[ RECORD ${index + 1} ]`;
    const left = header + '-'.repeat(Math.max(0, nameWidth + 1 - header.length));
    lines.push(`${left}+${'-'.repeat(Math.max(1, Math.min(valueWidth + 1, terminalWidth - left.length - 1)))}`);
    columns.forEach((column, columnIndex) => {
      const wrapped = wrapToWidth(row[columnIndex] ?? '', valueWidth);
      wrapped.forEach((part, partIndex) => lines.push(`${padToWidth(partIndex === 0 ? column : '', nameWidth)} | ${part}`.trimEnd()));
    });
  });
  lines.push(`${count}, as records (the table is ${tableWidth} columns wide; --format csv keeps it whole)`, '');
  return lines.join('\n');
}

/**
 * A cell a spreadsheet would read as a formula (= + - @, and tab or CR which some treat the same way) gets a leading
 * apostrophe: a user name or a tag in a report must never run as a formula when the export is opened (OWASP CSV
 * injection). Numbers are written by us, not taken from the report, and stay numbers.
 */
function neutralised(cell: unknown): string {
  const text = cellText(cell);
  if (typeof cell === 'number') return text;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row, CRLF line ends, every value exact (no rounding). */
function formatCsv(table: QueryTable): string {
  if (table.kind === 'undefined') return '';
  const lines = [table.columns.map((column) => csvField(neutralised(column))), ...table.rows.map((row) => row.map((cell) => csvField(neutralised(cell))))];
  return lines.map((fields) => fields.join(',')).join('\r\n') + '\r\n';
}

/** The table as a JSON list of row objects (columns in order), every value exact. */
function formatJson(table: QueryTable): string {
  const records = table.rows.map((row) => Object.fromEntries(table.columns.map((column, index) => [column, row[index] ?? null])));
  return JSON.stringify(records, null, 2) + '\n';
}

/**
 * Renders a query table in one of the output formats. `terminalWidth`: the columns of the terminal a table goes to
 * (none when it is not a terminal: the box table is then never reshaped, whatever its width).
 */
export function formatQueryTable(table: QueryTable, format: QueryTableFormat, terminalWidth?: number): string {
  switch (format) {
    case 'table':
      return formatText(table, terminalWidth);
    case 'csv':
      return formatCsv(table);
    case 'json':
      return formatJson(table);
  }
}
