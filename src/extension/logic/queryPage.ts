/**
 * The HTML of the query result panel: the answer of an ad-hoc Rego query as a table, or its errors. Pure (no vscode),
 * so the page can be checked without an editor. The page has a strict CSP: no remote content, one nonce'd style and
 * one nonce'd script that only posts messages (export, reveal a row) back to the extension.
 */
import { PolicyProblem } from '../../core/model';
import { QueryTable } from '../../core/query/queryTable';
import { cellText } from '../../core/query/queryTableFormat';

export interface QueryPageData {
  /** The report the query runs against (display name). */
  report: string | undefined;
  table: QueryTable | undefined;
  errors: PolicyProblem[];
  /** Column index of the IAM user name, or -1: rows are clickable only when there is one. */
  userColumn: number;
  /** "running", a timing line, or why nothing ran. */
  status: string;
}

export interface QueryPageCsp {
  cspSource: string;
  nonce: string;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function tableHtml(table: QueryTable, userColumn: number): string {
  if (table.kind === 'undefined') return '<p class="empty">undefined (the query has no value)</p>';
  const head = `<tr>${table.columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr>`;
  const body = table.rows
    .map((row, index) => {
      const cells = row.map((cell) => `<td${typeof cell === 'number' ? ' class="n"' : ''}>${escapeHtml(cellText(cell, { roundNumbers: true }))}</td>`).join('');
      // The row index is ours (a number), never report text, so it is safe in an attribute.
      return userColumn >= 0 ? `<tr class="user" data-row="${index}" tabindex="0" title="Reveal in the report">${cells}</tr>` : `<tr>${cells}</tr>`;
    })
    .join('');
  const count = `${table.rows.length} row${table.rows.length === 1 ? '' : 's'}`;
  return `<table id="result"><thead>${head}</thead><tbody>${body}</tbody></table><p class="count">${count}</p>`;
}

function errorsHtml(errors: PolicyProblem[]): string {
  const items = errors.map((error) => `<li><code>${error.line > 0 ? `${error.line}:${error.column}` : 'eval'}</code> ${escapeHtml(error.message)}</li>`).join('');
  return `<section class="errors" role="alert"><h2>Query error</h2><ul>${items}</ul></section>`;
}

/** The whole page. */
export function renderQueryPage(data: QueryPageData, csp: QueryPageCsp): string {
  const exportable = data.errors.length === 0 && data.table !== undefined && data.table.kind !== 'undefined';
  const disabled = exportable ? '' : ' disabled';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${csp.nonce}'; script-src 'nonce-${csp.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style nonce="${csp.nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 12px; }
header { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
header p { margin: 8px 8px 8px 0; flex: 1; }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 10px; cursor: pointer; }
button:disabled { opacity: 0.5; cursor: default; }
table { border-collapse: collapse; margin-top: 8px; }
th, td { border: 1px solid var(--vscode-panel-border, #8884); padding: 3px 8px; text-align: left; font-family: var(--vscode-editor-font-family); }
th { background: var(--vscode-editor-inactiveSelectionBackground); }
td.n { text-align: right; }
tr.user { cursor: pointer; }
tr.user:hover, tr.user:focus { background: var(--vscode-list-hoverBackground); }
.errors { color: var(--vscode-errorForeground); }
.status, .count, .empty { color: var(--vscode-descriptionForeground); }
</style>
</head>
<body>
<header>
<p>Query on <code>${escapeHtml(data.report ?? '(no report)')}</code> <span class="status">${escapeHtml(data.status)}</span></p>
<button id="csv" data-format="csv"${disabled}>Export CSV</button>
<button id="json" data-format="json"${disabled}>Export JSON</button>
</header>
${data.errors.length > 0 ? errorsHtml(data.errors) : data.table ? tableHtml(data.table, data.userColumn) : ''}
<script nonce="${csp.nonce}">
const vscode = acquireVsCodeApi();
for (const button of document.querySelectorAll('button[data-format]')) {
  button.addEventListener('click', () => vscode.postMessage({ type: 'export', format: button.dataset.format }));
}
for (const row of document.querySelectorAll('tr[data-row]')) {
  const reveal = () => vscode.postMessage({ type: 'reveal', row: Number(row.dataset.row) });
  row.addEventListener('click', reveal);
  row.addEventListener('keydown', (event) => { if (event.key === 'Enter') reveal(); });
}
</script>
</body>
</html>
`;
}
