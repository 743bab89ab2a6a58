import { isAbsolute, posix, relative, resolve, win32 } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CatalogEntry } from '../checks/catalog';
import { Finding } from '../model';
import { stableFindingId } from './findingIdentity';
import { Formatter, OutputContext, RunProblem } from './outputModel';

const LEVEL: Record<Finding['status'], 'error' | 'warning' | 'note' | 'none'> = { fail: 'error', warn: 'warning', info: 'note', skip: 'none' };
const SECURITY_SEVERITY: Record<Finding['severity'], string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** The rule's help: the same text the check's docs page is made of (description, remediation, references). */
function helpText(entry: CatalogEntry): { text: string; markdown: string } {
  const references = entry.relatedResources.map((r) => `- ${r.description ? `${r.description}: ` : ''}${r.ref}`);
  const parts = [entry.description.trim()];
  if (entry.remediation) parts.push(`Remediation:\n${entry.remediation.trim()}`);
  if (references.length > 0) parts.push(`References:\n${references.join('\n')}`);
  const markdownParts = [entry.description.trim()];
  if (entry.remediation) markdownParts.push(`**Remediation**\n\n\`\`\`\n${entry.remediation.trim()}\n\`\`\``);
  if (references.length > 0) markdownParts.push(`**References**\n\n${references.join('\n')}`);
  markdownParts.push(`Documentation: [${entry.docs}](${docsUri(entry)})`);
  return { text: parts.join('\n\n'), markdown: markdownParts.join('\n\n') };
}

const INFORMATION_URI = 'https://github.com/credcheck/credcheck';

/** The check's documentation page (`docs/checks/<id>.md` in the repository), as an absolute URI (SARIF's helpUri). */
function docsUri(entry: CatalogEntry): string {
  return `${INFORMATION_URI}/blob/main/${entry.docs.split('/').map(encodeURIComponent).join('/')}`;
}

/** The base every relative artifact URI is resolved against: the directory credcheck ran in (the repository root in CI). */
export const SRCROOT = '%SRCROOT%';

/**
 * GitHub code scanning accepts at most 25,000 results per run (it rejects the upload beyond) and shows the top 5,000
 * by severity: https://docs.github.com/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
 */
export const GITHUB_RESULT_LIMIT = 25_000;
export const GITHUB_SHOWN_RESULTS = 5_000;

/**
 * A report path as a SARIF artifactLocation: relative to `%SRCROOT%` (the working directory `root`) when the file is
 * under it, percent-encoded segment by segment (so `#`, `?`, `%`, spaces and non-ASCII name the file, not a fragment or
 * a query), or an absolute `file:` URI when it is outside. Backslashes are Windows separators.
 */
export function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
  const windows = win32.isAbsolute(file) && !isAbsolute(file);
  const absolute = windows ? file : isAbsolute(file) ? file : resolve(root, file.split('\\').join('/'));
  const inside = windows ? null : relative(root, absolute);
  if (inside !== null && inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
    const segments = posix.normalize(inside.split('\\').join('/')).split('/');
    return { uri: segments.map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  }
  return { uri: windows ? pathToFileURL(file, { windows: true }).href : pathToFileURL(absolute).href };
}

/** Which results to keep when there are more than GitHub accepts: failing first, by severity; suppressed and skips last. */
function priority(finding: Finding): number {
  const status = finding.suppressed ? 4 : { fail: 0, warn: 1, info: 2, skip: 3 }[finding.status];
  const severity = { critical: 0, high: 1, medium: 2, low: 3, info: 4 }[finding.severity];
  return status * 5 + severity;
}

function keptFindings(findings: Finding[]): Finding[] {
  if (findings.length <= GITHUB_RESULT_LIMIT) return findings;
  const ranked = findings.map((finding, index) => ({ finding, index })).sort((a, b) => priority(a.finding) - priority(b.finding) || a.index - b.index);
  const kept = new Set(ranked.slice(0, GITHUB_RESULT_LIMIT).map((r) => r.index));
  return findings.filter((_f, index) => kept.has(index));
}

/**
 * SARIF 2.1.0 as GitHub code scanning reads it: each result located at file:line:column of the CSV cell it is about.
 * Artifact URIs are relative to `%SRCROOT%`: the caller's working directory (`display.cwd`: the CLI's, or the extension's
 * workspace folder), else `root()`.
 */
export function sarifFormatterFor(root: () => string): Formatter {
  return { name: 'sarif', format: (context, display) => formatSarif(context, display?.cwd ?? root()) };
}

/** The registered formatter: artifact URIs relative to the caller's working directory (the process's when not given). */
export const sarifFormatter: Formatter = sarifFormatterFor(() => (typeof process === 'undefined' ? '/' : process.cwd()));

function formatSarif(context: OutputContext, root: string): string {
  const findings = keptFindings(context.findings);
  const checkIds = [...new Set(findings.map((f) => f.check))].sort();
  const rules = checkIds.map((id) => {
    const entry = context.catalog.find((c) => c.id === id);
    const finding = findings.find((f) => f.check === id)!;
    const rule: Record<string, unknown> = {
      id,
      name: id.replace(/(^|[-_.])(\w)/g, (_m, _s, c: string) => c.toUpperCase()),
      shortDescription: { text: entry?.title ?? finding.title ?? id },
      properties: { 'security-severity': SECURITY_SEVERITY[entry?.severity ?? finding.severity], tags: ['security', 'aws-iam'] },
    };
    if (entry) {
      rule.fullDescription = { text: entry.description.trim() || entry.title };
      rule.help = helpText(entry);
      rule.helpUri = docsUri(entry);
    } else if (id === 'suppression') {
      rule.shortDescription = { text: 'Suppression entry expired or unused' };
      rule.fullDescription = { text: 'A suppression entry that has expired, or that no longer matches any finding.' };
      rule.help = { text: 'Renew an expired suppression with a reason, or remove a suppression that no longer matches any finding.' };
    } else {
      rule.fullDescription = { text: `${id}: a rule that is not in credcheck's catalog (a --policy policy).` };
      rule.help = { text: `${id} is not one of credcheck's checks: see the documentation of the policy that defines it.` };
    }
    return rule;
  });
  const results = findings.map((f) => {
    const region: Record<string, number> = {};
    if (f.line !== null) {
      region.startLine = f.line;
      if (f.location) {
        region.startColumn = f.location.startColumn + 1;
        // SARIF columns are 1-based and endColumn is exclusive, like our 0-based exclusive endColumn plus one.
        region.endColumn = f.location.endColumn + 1;
      }
    }
    const result: Record<string, unknown> = {
      ruleId: f.check,
      ruleIndex: checkIds.indexOf(f.check),
      level: LEVEL[f.status],
      kind: f.status === 'skip' ? 'notApplicable' : f.status === 'info' ? 'informational' : 'fail',
      message: { text: f.message },
      locations: [
        {
          physicalLocation: { artifactLocation: artifactLocation(f.file, root), ...(f.line !== null ? { region } : {}) },
          ...(f.user ? { logicalLocations: [{ name: f.user, fullyQualifiedName: f.arn ?? f.user, kind: 'member' }] } : {}),
        },
      ],
      // The same account, user, check and key is the same alert in the next run, whatever line the user is on then.
      partialFingerprints: { 'credcheckFinding/v1': stableFindingId(f) },
      properties: { severity: f.severity, user: f.user, key: f.key, column: f.column, account: f.account, ...(f.controls ? { controls: f.controls } : {}) },
    };
    // SARIF: only kind "fail" carries a level other than none.
    if (result.kind !== 'fail') result.level = 'none';
    if (f.suppressed) result.suppressions = [{ kind: 'external', justification: f.suppressed.reason }];
    return result;
  });
  // Every problem of the run, so a report that could not be read never looks like a clean run to a SARIF consumer.
  const notifications: Record<string, unknown>[] = context.problems.map((p) => notification(p, root));
  const omitted = context.findings.length - findings.length;
  if (omitted > 0) {
    notifications.push({
      level: 'warning',
      descriptor: { id: 'github-result-limit' },
      message: {
        text: `${context.findings.length} findings are more than the ${GITHUB_RESULT_LIMIT} results GitHub code scanning accepts in one run: ` +
          `the ${omitted} least important (suppressed, skipped, informational, then the least severe) are left out of this SARIF log. ` +
          'Upload one SARIF log per account or per group of reports instead, each with its own category.',
      },
    });
  } else if (findings.length > GITHUB_SHOWN_RESULTS) {
    notifications.push({
      level: 'note',
      descriptor: { id: 'github-shown-results' },
      message: { text: `${findings.length} results: GitHub code scanning shows only the top ${GITHUB_SHOWN_RESULTS} of a run, by severity.` },
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'credcheck', version: context.toolVersion, informationUri: INFORMATION_URI, rules } },
        // No uri: the directory is the machine's, and GitHub resolves relative URIs against the repository root itself.
        originalUriBaseIds: { [SRCROOT]: { description: { text: 'The directory credcheck ran in; run it from the repository root for GitHub code scanning.' } } },
        invocations: [{ executionSuccessful: context.complete, toolExecutionNotifications: notifications }],
        results,
        properties: { evaluationTime: context.evaluationTime, ...(omitted > 0 ? { omittedResults: omitted } : {}) },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** A problem as a toolExecutionNotification, located in its file (a settings problem is about a flag, not a file). */
function notification(p: RunProblem, root: string): Record<string, unknown> {
  const region = p.line !== null ? { region: { startLine: p.line, ...(p.column !== null ? { startColumn: p.column } : {}) } } : {};
  const located = p.file !== '' && p.source !== 'settings';
  return {
    level: p.severity,
    message: { text: p.source === 'settings' && p.file ? `${p.file}: ${p.message}` : p.message },
    descriptor: { id: p.code },
    ...(located ? { locations: [{ physicalLocation: { artifactLocation: artifactLocation(p.file, root), ...region } }] } : {}),
  };
}
