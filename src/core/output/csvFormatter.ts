import { Finding } from '../model';
import { Formatter } from './outputModel';

const COLUMNS = ['check', 'status', 'severity', 'account', 'user', 'arn', 'key', 'file', 'line', 'column', 'message', 'suppressed', 'controls'] as const;

/**
 * A spreadsheet opens a cell starting with =, +, -, @ (or tab / CR, which some strip first) as a formula: user names
 * and policy messages are attacker-influenced, so such cells get a leading single quote.
 */
export function neutraliseCell(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvFormatter: Formatter = {
  name: 'csv',
  format(context) {
    const lines = [CSV_HEADER];
    for (const finding of context.findings) lines.push(toCsvRow(finding));
    return `${lines.join('\r\n')}\r\n`;
  },
};

export const CSV_HEADER = COLUMNS.join(',');

/** One finding as a CSV line, without its line break (shared with the streamed output of `check --jobs`). */
export function toCsvRow(finding: Finding): string {
  const cells: Record<(typeof COLUMNS)[number], unknown> = {
    ...finding,
    account: finding.account,
    suppressed: finding.suppressed ? finding.suppressed.reason : '',
    controls: finding.controls?.join(' ') ?? '',
  };
  return COLUMNS.map((name) => quote(neutraliseCell(cells[name] === null || cells[name] === undefined ? '' : String(cells[name])))).join(',');
}
