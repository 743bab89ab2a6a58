import { isAbsolute, relative, sep } from 'node:path';
import picocolors from 'picocolors';
import { Finding } from '../model';
import { escapeTerminalText } from '../text/terminalText';
import { displayWidth, wrapToWidth } from '../text/textWidth';
import { DisplayOptions, Formatter, OutputContext } from './outputModel';
import { isFailing } from './findingFields';
import { formatProblem } from './problemText';

type Colors = ReturnType<typeof picocolors.createColors>;
type Style = (text: string) => string;

const STATUS_LABEL: Record<Finding['status'], string> = { fail: 'FAIL', warn: 'WARN', info: 'INFO', skip: 'SKIP' };
const SEVERITY_ORDER: Finding['severity'][] = ['critical', 'high', 'medium', 'low', 'info'];
const INDENT = '  ';
/** Where a message starts under its row, on a terminal too narrow for it beside the row. */
const MESSAGE_INDENT = '      ';
/** Narrowest a wrapping column gets. */
const MIN_COLUMN = 8;

/** A table cell: its (escaped) text and the colour it is shown in on a terminal. */
interface Cell {
  text: string;
  style?: Style;
}

function statusStyle(colors: Colors, finding: Finding): Style {
  if (finding.suppressed) return colors.dim;
  return { fail: (t: string) => colors.bold(colors.red(t)), warn: colors.yellow, info: colors.cyan, skip: colors.dim }[finding.status];
}

function severityStyle(colors: Colors, severity: Finding['severity']): Style {
  return { critical: (t: string) => colors.bold(colors.magenta(t)), high: colors.red, medium: colors.yellow, low: colors.cyan, info: colors.dim }[severity];
}

/** The widest cell of each column (a loop, not Math.max(...): a report may have more findings than a call has arguments). */
function columnWidths(rows: Cell[][]): number[] {
  const widths = rows[0]!.map(() => 0);
  for (const row of rows) for (const [column, cell] of row.entries()) widths[column] = Math.max(widths[column]!, displayWidth(cell.text));
  return widths;
}

/** Appends lines one by one: `push(...lines)` overflows the stack for a report with a hundred thousand findings. */
function append(lines: string[], more: Iterable<string>): void {
  for (const line of more) lines.push(line);
}

function tableWidth(widths: number[]): number {
  return INDENT.length + widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
}

/**
 * Rows of cells in aligned columns, at most `width` columns wide (indent included), as the lines of each row: when the
 * columns do not fit, the widest of the `shrinkable` ones give up columns (down to 8) and their cells wrap inside
 * them. The last column is not padded, so no line ends in spaces.
 */
function renderRows(rows: Cell[][], width: number, shrinkable: number[] = []): string[][] {
  const widths = columnWidths(rows);
  while (tableWidth(widths) > width) {
    const widest = shrinkable.filter((column) => widths[column]! > MIN_COLUMN).sort((a, b) => widths[b]! - widths[a]!)[0];
    if (widest === undefined) break;
    widths[widest] = Math.max(MIN_COLUMN, widths[widest]! - (tableWidth(widths) - width));
  }
  return rows.map((row) => {
    const wrapped = row.map((cell, column) => (displayWidth(cell.text) <= widths[column]! ? [cell.text] : wrapToWidth(cell.text, widths[column]!)));
    const height = Math.max(...wrapped.map((cellLines) => cellLines.length));
    const lines: string[] = [];
    for (let lineIndex = 0; lineIndex < height; lineIndex++) {
      const parts = wrapped.map((cellLines, column) => {
        const text = cellLines[lineIndex] ?? '';
        const style = row[column]!.style;
        const shown = text && style ? style(text) : text;
        return column === row.length - 1 ? shown : shown + ' '.repeat(Math.max(0, widths[column]! - displayWidth(text)));
      });
      lines.push(`${INDENT}${parts.join('  ')}`.trimEnd());
    }
    return lines;
  });
}

/** An absolute path under the working directory, relative to it; anything else as given. */
function shownPathRaw(file: string, cwd: string | undefined): string {
  if (cwd && isAbsolute(file)) {
    const inside = relative(cwd, file);
    if (inside && inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)) return inside;
  }
  return file;
}

function shownPath(file: string, cwd: string | undefined): string {
  return escapeTerminalText(shownPathRaw(file, cwd));
}

function headerRow(titles: string[], colors: Colors): Cell[] {
  return titles.map((title) => ({ text: title, style: colors.dim }));
}

/**
 * One report's findings. Each finding is one line (status, severity, check, user, key, `line:column cell`, message)
 * when that fits the width (always, off a terminal). Else the message wraps under its row, and the location keeps its
 * cell name only if the rows still fit; else the check and user columns wrap as well.
 */
function findingLines(findings: Finding[], width: number, colors: Colors): string[] {
  const text = (value: string) => escapeTerminalText(value);
  const row = (finding: Finding, withCell: boolean): Cell[] => {
    const line = finding.line === null ? '-' : `${finding.line}${finding.location ? `:${finding.location.startColumn + 1}` : ''}`;
    return [
      { text: finding.suppressed ? 'SUPPRESSED' : STATUS_LABEL[finding.status], style: statusStyle(colors, finding) },
      { text: finding.severity, style: severityStyle(colors, finding.severity) },
      { text: text(finding.controls ? `${finding.check} [${finding.controls.join(', ')}]` : finding.check) },
      { text: text(finding.user ?? '-') },
      { text: finding.key === null ? '-' : String(finding.key) },
      { text: withCell && finding.column ? `${line} ${text(finding.column)}` : line },
    ];
  };
  const message = (finding: Finding) => text(finding.suppressed ? `${finding.message} (suppressed: ${finding.suppressed.reason})` : finding.message);
  const titles = ['STATUS', 'SEVERITY', 'CHECK', 'USER', 'KEY', 'LOCATION'];

  const wide = [headerRow([...titles, 'MESSAGE'], colors), ...findings.map((finding) => [...row(finding, true), { text: message(finding) }])];
  if (tableWidth(columnWidths(wide)) <= width) return renderRows(wide, width).flat();

  const withCell = [headerRow(titles, colors), ...findings.map((finding) => row(finding, true))];
  const rows = tableWidth(columnWidths(withCell)) <= width ? withCell : [headerRow(titles, colors), ...findings.map((finding) => row(finding, false))];
  const [header, ...rendered] = renderRows(rows, width, [2, 3]);
  const lines = [...header!];
  for (const [index, finding] of findings.entries()) {
    append(lines, rendered[index]!);
    for (const part of wrapToWidth(message(finding), width - MESSAGE_INDENT.length)) lines.push(`${MESSAGE_INDENT}${part}`);
  }
  return lines;
}

/** A line of text in lines that fit the width (off a terminal: as it is). */
function fitLine(line: string, width: number): string[] {
  return Number.isFinite(width) ? wrapToWidth(line, width) : [line];
}

/** Failing findings counted by severity, then by check (most severe, then most frequent, first). */
function failingSummary(context: OutputContext, width: number, colors: Colors): string[] {
  const failing = context.findings.filter(isFailing);
  if (failing.length === 0) return [];
  const bySeverity = SEVERITY_ORDER.map((severity) => [severity, failing.filter((f) => f.severity === severity).length] as const).filter(([, n]) => n > 0);
  const byCheck = new Map<string, { severity: Finding['severity']; count: number }>();
  for (const finding of failing) {
    const entry = byCheck.get(finding.check) ?? { severity: finding.severity, count: 0 };
    entry.count++;
    if (SEVERITY_ORDER.indexOf(finding.severity) < SEVERITY_ORDER.indexOf(entry.severity)) entry.severity = finding.severity;
    byCheck.set(finding.check, entry);
  }
  const checks = [...byCheck.entries()].sort(
    ([a, x], [b, y]) => SEVERITY_ORDER.indexOf(x.severity) - SEVERITY_ORDER.indexOf(y.severity) || y.count - x.count || a.localeCompare(b),
  );
  const rows: Cell[][] = [
    headerRow(['CHECK', 'SEVERITY', 'FAILING'], colors),
    ...checks.map(([check, { severity, count }]) => [{ text: escapeTerminalText(check) }, { text: severity, style: severityStyle(colors, severity) }, { text: String(count) }]),
  ];
  return [
    ...fitLine(`Failing by severity: ${bySeverity.map(([severity, n]) => `${n} ${severity}`).join(', ')}`, width),
    'Failing by check:',
    ...renderRows(rows, width, [0]).flat(),
    '',
  ];
}

/**
 * Human-readable text: the findings of each report under its name (and account), a per-control summary with
 * --framework, the failing findings by severity and check, and the totals line last. Report and policy text is shown
 * escaped (escapeTerminalText). With `display.width` (a terminal) lines fit that width and with `display.color` status
 * and severity are coloured; without them the same result is always the same bytes.
 */
export const tableFormatter: Formatter = {
  name: 'table',
  format(context, display: DisplayOptions = {}) {
    const width = display.width ?? Number.POSITIVE_INFINITY;
    const colors = picocolors.createColors(display.color === true);
    const lines: string[] = [];
    // Findings come in output order (by file): one block per file, in that order.
    const byFile = new Map<string, Finding[]>();
    for (const finding of context.findings) {
      const list = byFile.get(finding.file);
      if (list) list.push(finding);
      else byFile.set(finding.file, [finding]);
    }
    for (const [file, findings] of byFile) {
      const accounts = [...new Set(findings.map((f) => f.account).filter((a): a is string => typeof a === 'string' && a !== ''))];
      const account = accounts.length > 0 ? ` (account ${accounts.map((a) => escapeTerminalText(a)).join(', ')})` : '';
      append(lines, fitLine(shownPath(file, display.cwd) + account, width).map((line) => colors.bold(line)));
      append(lines, findingLines(findings, width, colors));
      lines.push('');
    }
    if (context.compliance) {
      lines.push(`Compliance: ${escapeTerminalText(context.compliance.framework)}`);
      const rows: Cell[][] = [headerRow(['CONTROL', 'STATUS', 'FAILING', 'SUPPRESSED', 'CHECKS'], colors)];
      for (const c of context.compliance.controls) {
        const style = c.status === 'fail' ? colors.red : undefined;
        rows.push([{ text: escapeTerminalText(c.control) }, { text: c.status.toUpperCase(), style }, { text: String(c.failing) }, { text: String(c.suppressed) }, { text: escapeTerminalText(c.checks.join(', ')) }]);
      }
      append(lines, renderRows(rows, width, [4]).flat());
      lines.push('');
    }
    append(lines, failingSummary(context, width, colors));
    for (const report of context.reports) {
      if (report.generatedTime) lines.push(...fitLine(`${shownPath(report.file, display.cwd)}: report generated ${escapeTerminalText(report.generatedTime)}`, width));
    }
    for (const problem of context.problems) append(lines, fitLine(escapeTerminalText(formatProblem({ ...problem, file: problem.file && shownPathRaw(problem.file, display.cwd) })), width));
    const count = (status: Finding['status']) => context.findings.filter((f) => f.status === status && !f.suppressed).length;
    const suppressed = context.findings.filter((f) => f.suppressed).length;
    if (!context.complete) {
      const incomplete = 'INCOMPLETE: a problem of severity error kept part of the audit from running (exit code 2)';
      lines.push(...fitLine(incomplete, width).map((line) => colors.bold(colors.red(line))));
    }
    const totals =
      `${context.reports.length} report(s), ${context.findings.filter(isFailing).length} failing, ${count('warn')} warning, ${count('info')} info, ` +
      `${count('skip')} skipped, ${suppressed} suppressed (evaluation time ${escapeTerminalText(context.evaluationTime)})`;
    lines.push(...fitLine(totals, width));
    return `${lines.join('\n')}\n`;
  },
};

