import { createHash } from 'node:crypto';
import { Finding } from '../model';

/**
 * What makes a finding the same finding in the next run: the account, the user, the check and the access key number
 * (not the line, the message or the date, which change from one report to the next). A finding about no user (a
 * skipped check, an unused suppression) is about its file instead. Shared by SARIF (`partialFingerprints`), OCSF
 * (`finding_info.uid`) and ASFF (`Id`), so a re-run updates the alert or finding rather than adding a second one.
 */
export function findingIdentity(finding: Finding): string {
  const parts = [finding.account ?? '', finding.user ?? '', finding.check, finding.key === null ? '' : String(finding.key)];
  if (finding.user === null) parts.push(finding.file.split('\\').join('/'));
  // JSON keeps the parts apart whatever they contain (a user name may contain `|` or `/`).
  return JSON.stringify(parts);
}

/** The identity as 32 hex digits (SHA-256, truncated): fixed length, and no report text in a finding id. */
export function stableFindingId(finding: Finding): string {
  return createHash('sha256').update(findingIdentity(finding)).digest('hex').slice(0, 32);
}
