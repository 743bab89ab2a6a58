import { Finding } from '../model';
import { Formatter } from './outputModel';
import { findingPlace, isFailing } from './findingFields';
import { formatProblem } from './problemText';

/** One line per finding: tabs and line breaks in user names or messages would break the columns. */
function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

const STATUS_LABEL: Record<Finding['status'], string> = { fail: 'FAIL', warn: 'WARN', info: 'INFO', skip: 'SKIP' };

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // The last column (the message) is never padded, so long messages do not push trailing spaces.
  return rows.map((row) => row.map((text, column) => (column === row.length - 1 ? text : text.padEnd(widths[column]!))).join('  ').trimEnd());
}

/** Human-readable text: findings grouped by account, then a summary (and the per-control summary with --framework). */
export const tableFormatter: Formatter = {
  name: 'table',
  format(context) {
    const lines: string[] = [];
    const byAccount = new Map<string, Finding[]>();
    for (const finding of context.findings) {
      const account = finding.account ?? '(unknown account)';
      byAccount.set(account, [...(byAccount.get(account) ?? []), finding]);
    }
    for (const [account, findings] of [...byAccount.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`Account ${account}`);
      const rows = [['STATUS', 'SEVERITY', 'CHECK', 'USER', 'KEY', 'LOCATION', 'MESSAGE']];
      for (const f of findings) {
        rows.push([
          f.suppressed ? `${STATUS_LABEL[f.status]} (suppressed)` : STATUS_LABEL[f.status],
          f.severity,
          f.controls ? `${f.check} [${f.controls.join(', ')}]` : f.check,
          oneLine(f.user ?? '-'),
          f.key === null ? '-' : String(f.key),
          `${findingPlace(f)}${f.column ? ` ${f.column}` : ''}`,
          oneLine(f.suppressed ? `${f.message} (suppressed: ${f.suppressed.reason})` : f.message),
        ]);
      }
      lines.push(...pad(rows).map((line) => `  ${line}`), '');
    }
    if (context.compliance) {
      lines.push(`Compliance: ${context.compliance.framework}`);
      const rows = [['CONTROL', 'STATUS', 'FAILING', 'SUPPRESSED', 'CHECKS']];
      for (const c of context.compliance.controls) rows.push([c.control, c.status.toUpperCase(), String(c.failing), String(c.suppressed), c.checks.join(', ')]);
      lines.push(...pad(rows).map((line) => `  ${line}`), '');
    }
    for (const report of context.reports) if (report.generatedTime) lines.push(`${report.file}: report generated ${report.generatedTime}`);
    for (const problem of context.problems) lines.push(formatProblem(problem));
    const count = (status: Finding['status']) => context.findings.filter((f) => f.status === status && !f.suppressed).length;
    const suppressed = context.findings.filter((f) => f.suppressed).length;
    if (!context.complete) lines.push('INCOMPLETE: a problem of severity error kept part of the audit from running (exit code 2)');
    lines.push(
      `${context.reports.length} report(s), ${context.findings.filter(isFailing).length} failing, ${count('warn')} warning, ${count('info')} info, ${count('skip')} skipped, ${suppressed} suppressed (evaluation time ${context.evaluationTime})`,
    );
    return `${lines.join('\n')}\n`;
  },
};
