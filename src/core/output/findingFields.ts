import { Finding } from '../model';

/**
 * A finding as the JSON contract spells it: exactly check, status, severity, user, arn, key, file, line, column,
 * message, then account, title, suppressed and controls when set. Internal fields (source, location) stay out.
 */
export function toFindingRecord(finding: Finding): Record<string, unknown> {
  const record: Record<string, unknown> = {
    check: finding.check,
    status: finding.status,
    severity: finding.severity,
    user: finding.user,
    arn: finding.arn,
    key: finding.key,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    message: finding.message,
  };
  if (finding.account !== null && finding.account !== undefined) record.account = finding.account;
  if (finding.title !== undefined) record.title = finding.title;
  if (finding.suppressed !== undefined) record.suppressed = finding.suppressed;
  if (finding.controls !== undefined) record.controls = finding.controls;
  return record;
}

/** `file:line:column` of the finding's cell (1-based column), or as much of it as is known. */
export function findingPlace(finding: Finding): string {
  if (finding.line === null) return finding.file;
  const column = finding.location ? `:${finding.location.startColumn + 1}` : '';
  return `${finding.file}:${finding.line}${column}`;
}

/** Findings that make the run fail: status fail and not suppressed. */
export function isFailing(finding: Finding): boolean {
  return finding.status === 'fail' && !finding.suppressed;
}
