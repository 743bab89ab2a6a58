import { Finding } from '../model';
import { stableFindingId } from './findingIdentity';
import { Formatter, OutputContext } from './outputModel';

/** OCSF 1.1.0 severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY: Record<Finding['severity'], [number, string]> = {
  info: [1, 'Informational'], low: [2, 'Low'], medium: [3, 'Medium'], high: [4, 'High'], critical: [5, 'Critical'],
};

export const OCSF_VERSION = '1.1.0';

/**
 * OCSF 1.1.0 Detection Finding (class_uid 2004, category 2 Findings, activity 1 Create): one event per finding, as a
 * JSON array (what Security Lake custom sources and SIEM pipelines ingest). The account is `cloud.account`, the user
 * the affected resource, the check `finding_info.analytic`, its controls in `unmapped` (Detection Finding has no
 * compliance attribute). `finding_info.uid` is stable across runs (account, user, check, key). The run's problems are
 * not events: they go to stderr and exit code 2, as for CSV.
 */
export const ocsfFormatter: Formatter = {
  name: 'ocsf',
  format(context) {
    return `${JSON.stringify(context.findings.map((f) => toOcsf(f, context)), null, 2)}\n`;
  },
};

function toOcsf(f: Finding, context: OutputContext): Record<string, unknown> {
  const entry = context.catalog.find((c) => c.id === f.check);
  const [severityId, severity] = SEVERITY[f.severity];
  const account = f.account ?? context.reports.find((r) => r.file === f.file)?.accountId ?? null;
  const title = entry?.title ?? f.title ?? f.check;
  const suppressed = f.suppressed !== undefined;
  return {
    activity_id: 1,
    activity_name: 'Create',
    category_uid: 2,
    category_name: 'Findings',
    class_uid: 2004,
    class_name: 'Detection Finding',
    type_uid: 200401,
    type_name: 'Detection Finding: Create',
    severity_id: severityId,
    severity,
    time: Date.parse(context.evaluationTime),
    message: f.message,
    status_id: suppressed ? 3 : 1,
    status: suppressed ? 'Suppressed' : 'New',
    is_alert: f.status === 'fail' && !suppressed,
    finding_info: {
      uid: stableFindingId(f),
      title,
      desc: f.message,
      analytic: { uid: f.check, name: f.check, type_id: 1, type: 'Rule' },
      types: [f.check],
    },
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'credcheck', vendor_name: 'credcheck', version: context.toolVersion, url_string: 'https://github.com/credcheck/credcheck' },
    },
    cloud: { provider: 'AWS', ...(account ? { account: { uid: account, type_id: 10, type: 'AWS Account' } } : {}) },
    resources: [resource(f)],
    ...(entry?.remediation ? { remediation: { desc: entry.remediation.trim(), references: entry.relatedResources.map((r) => r.ref) } } : {}),
    unmapped: {
      credcheck: {
        check: f.check, status: f.status, key: f.key, file: f.file, line: f.line, column: f.column,
        ...(f.controls ? { controls: f.controls } : {}),
        ...(entry && Object.keys(entry.frameworks).length > 0 ? { frameworks: entry.frameworks } : {}),
        ...(f.suppressed ? { suppressed: f.suppressed } : {}),
      },
    },
  };
}

/** The user (or the root user, or the report when the finding is about no user) as the affected resource. */
function resource(f: Finding): Record<string, unknown> {
  if (f.user === null) return { type: 'Credential Report', name: f.file };
  const root = f.user === '<root_account>';
  return { type: root ? 'AWS::Account' : 'AWS::IAM::User', name: f.user, ...(f.arn ? { uid: f.arn } : {}) };
}
