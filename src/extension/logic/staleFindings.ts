/**
 * How a stale finding reads: the last good finding of a workspace policy that does not compile at the moment (the
 * core's AuditCache keeps it while the policy is being typed). Pure, so diagnostics and the tree word it the same way
 * and it is unit-tested in plain Node.
 */
import { Finding } from '../../core/model';

/** The diagnostic message: the finding's message, and which policy file keeps it from being current. */
export function findingDiagnosticMessage(finding: Finding): string {
  return finding.stale ? `${finding.message} (stale: ${finding.staleFile ?? 'its policy'} does not compile)` : finding.message;
}

/** The tree item's description: suppressed, stale, else the message. */
export function findingDescription(finding: Finding): string {
  if (finding.suppressed) return `suppressed: ${finding.suppressed.reason}`;
  return finding.stale ? `stale: ${finding.message}` : finding.message;
}
