/**
 * The compliance summary page: per-check and per-framework pass/fail, and histograms of credential ages against their
 * thresholds, as one self-contained HTML page with inline SVG (no scripts, no remote content). Pure, so the extension's
 * webview only supplies a CSP nonce and the data.
 */
import { CatalogEntry } from '../../core/checks/catalog';
import { buildComplianceView, knownFrameworks } from '../../core/checks/compliance';
import { Finding, PolicyInput } from '../../core/model';

export interface AgeHistogram {
  title: string;
  /** The threshold line, in days. */
  threshold: number;
  bucketDays: number;
  /** Count per bucket; the last bucket holds everything at or beyond its start. */
  counts: number[];
  /** How many ages were at or over the threshold. */
  over: number;
  total: number;
}

export interface CheckSummary {
  id: string;
  title: string;
  severity: string;
  failing: number;
  warnings: number;
  suppressed: number;
  status: 'pass' | 'fail' | 'warn';
}

export interface FrameworkSummary {
  framework: string;
  passing: number;
  failing: number;
}

export interface SummaryData {
  file: string;
  evaluationTime: string;
  framework: string;
  checks: CheckSummary[];
  frameworks: FrameworkSummary[];
  controls: { control: string; checks: string[]; status: 'pass' | 'fail' }[];
  accessKeyAges: AgeHistogram;
  signInAges: AgeHistogram;
}

export function buildSummary(options: {
  file: string;
  evaluationTime: string;
  framework: string;
  findings: Finding[];
  catalog: CatalogEntry[];
  input: PolicyInput | undefined;
  accessKeyRotationDays: number;
  unusedCredentialDays: number;
}): SummaryData {
  const { findings, catalog } = options;
  const checks = catalog.map((entry): CheckSummary => {
    const own = findings.filter((finding) => finding.check === entry.id);
    const failing = own.filter((finding) => finding.status === 'fail' && !finding.suppressed).length;
    const warnings = own.filter((finding) => finding.status === 'warn' && !finding.suppressed).length;
    const suppressed = own.filter((finding) => finding.suppressed).length;
    return { id: entry.id, title: entry.title, severity: entry.severity, failing, warnings, suppressed, status: failing ? 'fail' : warnings ? 'warn' : 'pass' };
  });
  const frameworks = knownFrameworks(catalog).map((framework): FrameworkSummary => {
    const view = buildComplianceView(framework, findings, catalog);
    const failing = view.controls.filter((control) => control.status === 'fail').length;
    return { framework, passing: view.controls.length - failing, failing };
  });
  const selected = buildComplianceView(options.framework, findings, catalog);
  const users = options.input?.users ?? [];
  const keyAges: number[] = [];
  const signInAges: number[] = [];
  for (const user of users) {
    for (const key of [1, 2]) {
      const age = user[`access_key_${key}_last_rotated_days`];
      if (user[`access_key_${key}_active`] === true && typeof age === 'number') keyAges.push(age);
    }
    const signIn = user.password_last_used_days;
    if (typeof signIn === 'number') signInAges.push(signIn);
  }
  return {
    file: options.file,
    evaluationTime: options.evaluationTime,
    framework: options.framework,
    checks,
    frameworks,
    controls: selected.controls.map((control) => ({ control: control.control, checks: control.checks, status: control.status })),
    accessKeyAges: histogram('Active access key age (days since created or rotated)', keyAges, options.accessKeyRotationDays),
    signInAges: histogram('Days since last console sign-in', signInAges, options.unusedCredentialDays),
  };
}

/** Ages in buckets sized so the threshold falls on a bucket edge, with about twelve buckets. */
export function histogram(title: string, ages: number[], threshold: number): AgeHistogram {
  const bucketDays = Math.max(1, Math.round(threshold / 3));
  const buckets = 12;
  const counts = new Array<number>(buckets).fill(0);
  for (const age of ages) {
    const index = Math.min(buckets - 1, Math.max(0, Math.floor(age / bucketDays)));
    counts[index]! += 1;
  }
  return { title, threshold, bucketDays, counts, over: ages.filter((age) => age >= threshold).length, total: ages.length };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function histogramSvg(data: AgeHistogram): string {
  const width = 560;
  const height = 200;
  const left = 36;
  const bottom = 28;
  const plotWidth = width - left - 8;
  const plotHeight = height - bottom - 10;
  const max = Math.max(1, ...data.counts);
  const barWidth = plotWidth / data.counts.length;
  const bars = data.counts
    .map((count, index) => {
      const barHeight = (count / max) * plotHeight;
      const x = left + index * barWidth;
      const over = index * data.bucketDays >= data.threshold;
      const label = index === data.counts.length - 1 ? `${index * data.bucketDays}+` : `${index * data.bucketDays}`;
      return (
        `<rect class="${over ? 'bar over' : 'bar'}" x="${(x + 2).toFixed(1)}" y="${(10 + plotHeight - barHeight).toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${barHeight.toFixed(1)}"><title>${label} days: ${count}</title></rect>` +
        (count ? `<text class="count" x="${(x + barWidth / 2).toFixed(1)}" y="${(6 + plotHeight - barHeight).toFixed(1)}">${count}</text>` : '') +
        // Ticks sit on bucket edges, so the threshold line lands exactly on its label.
        `<text class="axis" x="${x.toFixed(1)}" y="${height - 12}">${label}</text>`
      );
    })
    .join('');
  const thresholdX = left + (data.threshold / data.bucketDays) * barWidth;
  return (
    `<svg role="img" aria-label="${escapeHtml(data.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    `<line class="base" x1="${left}" y1="${10 + plotHeight}" x2="${width - 8}" y2="${10 + plotHeight}"/>${bars}` +
    `<line class="threshold" x1="${thresholdX.toFixed(1)}" y1="4" x2="${thresholdX.toFixed(1)}" y2="${10 + plotHeight}"/>` +
    `<text class="threshold-label" x="${(thresholdX + 4).toFixed(1)}" y="14">${data.threshold} days</text>` +
    `<text class="axis" x="${width / 2}" y="${height - 1}">days</text></svg>`
  );
}

/** The whole page. `cspSource` and `nonce` come from the webview; the page loads nothing and runs no script. */
export function renderSummaryPage(data: SummaryData, csp: { cspSource: string; nonce: string }): string {
  const statusCell = (status: string) => `<td class="status ${status}">${status}</td>`;
  const checkRows = data.checks
    .map((check) => `<tr>${statusCell(check.status)}<td><code>${escapeHtml(check.id)}</code></td><td>${escapeHtml(check.title)}</td><td>${escapeHtml(check.severity)}</td><td class="n">${check.failing}</td><td class="n">${check.warnings}</td><td class="n">${check.suppressed}</td></tr>`)
    .join('');
  const frameworkRows = data.frameworks
    .map((framework) => `<tr${framework.framework === data.framework ? ' class="selected"' : ''}><td>${escapeHtml(framework.framework)}</td><td class="n">${framework.passing}</td><td class="n">${framework.failing}</td></tr>`)
    .join('');
  const controlRows = data.controls
    .map((control) => `<tr>${statusCell(control.status)}<td>${escapeHtml(control.control)}</td><td>${control.checks.map((check) => `<code>${escapeHtml(check)}</code>`).join(' ')}</td></tr>`)
    .join('');
  const chart = (histogramData: AgeHistogram) =>
    `<figure><figcaption>${escapeHtml(histogramData.title)}: ${histogramData.over} of ${histogramData.total} at or over ${histogramData.threshold} days</figcaption>${histogramSvg(histogramData)}</figure>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${csp.cspSource} data:; style-src 'nonce-${csp.nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>IAM compliance summary</title>
<style nonce="${csp.nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 24px; }
table { border-collapse: collapse; margin-bottom: 16px; }
th, td { text-align: left; padding: 2px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.status { font-weight: 600; text-transform: uppercase; font-size: 0.85em; }
td.fail { color: var(--vscode-errorForeground, #e51400); }
td.warn { color: var(--vscode-editorWarning-foreground, #bf8803); }
td.pass { color: var(--vscode-testing-iconPassed, #388a34); }
tr.selected td { font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; }
figcaption { margin-bottom: 4px; }
svg .bar { fill: var(--vscode-charts-blue, #3794ff); }
svg .bar.over { fill: var(--vscode-charts-red, #f14c4c); }
svg .base { stroke: var(--vscode-foreground); stroke-opacity: 0.4; }
svg .threshold { stroke: var(--vscode-charts-orange, #d18616); stroke-width: 2; stroke-dasharray: 4 3; }
svg text { fill: var(--vscode-foreground); font-size: 10px; text-anchor: middle; }
svg .threshold-label { text-anchor: start; fill: var(--vscode-charts-orange, #d18616); }
</style></head><body>
<h1>IAM compliance summary</h1>
<p><code>${escapeHtml(data.file)}</code>, evaluated at ${escapeHtml(data.evaluationTime)}</p>
<h2>Credential ages</h2>
<div class="charts">${chart(data.accessKeyAges)}${chart(data.signInAges)}</div>
<h2>Checks</h2>
<table><thead><tr><th>Status</th><th>Check</th><th>Title</th><th>Severity</th><th>Failing</th><th>Warnings</th><th>Suppressed</th></tr></thead><tbody>${checkRows}</tbody></table>
<h2>Frameworks</h2>
<table><thead><tr><th>Framework</th><th>Controls passing</th><th>Controls failing</th></tr></thead><tbody>${frameworkRows}</tbody></table>
<h2>${escapeHtml(data.framework)} controls</h2>
<table><thead><tr><th>Status</th><th>Control</th><th>Checks</th></tr></thead><tbody>${controlRows}</tbody></table>
</body></html>
`;
}
