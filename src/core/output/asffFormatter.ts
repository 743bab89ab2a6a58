import { Finding } from '../model';
import { stableFindingId } from './findingIdentity';
import { Formatter, OutputContext } from './outputModel';

const LABEL: Record<Finding['severity'], string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFORMATIONAL' };
const COMPLIANCE: Record<Finding['status'], string> = { fail: 'FAILED', warn: 'WARNING', info: 'NOT_AVAILABLE', skip: 'NOT_AVAILABLE' };

/** The Security Hub region ProductArn and resources name: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1. */
export function asffRegion(env: NodeJS.ProcessEnv): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

/**
 * AWS Security Finding Format (2018-10-08): a JSON array of findings, the `Findings` of Security Hub's
 * BatchImportFindings (at most 100 per call: `jq -c '_nwise(100)'`). `Id` is stable across runs (account, user, check,
 * key), so a re-import updates the finding instead of adding one. ProductArn is the account's default (custom) product
 * in the region of `AWS_REGION`. The run's problems are not findings: stderr and exit code 2, as for CSV.
 * A finding about no account (an unused suppression when the run covers several accounts) cannot be imported and is
 * left out; its problem is in every other format.
 */
export function asffFormatterFor(region: () => string): Formatter {
  return {
    name: 'asff',
    format(context) {
      return `${JSON.stringify(asffFindings(context, region()).findings, null, 2)}\n`;
    },
  };
}

/**
 * The run's findings in ASFF for one region, and those about no known account (a report without ARNs, or an unused
 * suppression when the run covers several accounts), which Security Hub cannot take. `credcheck publish` reports them.
 */
export function asffFindings(context: OutputContext, region: string): { findings: Record<string, unknown>[]; withoutAccount: Finding[] } {
  const accounts = new Set(context.reports.map((r) => r.accountId).filter((a): a is string => a !== null));
  const only = accounts.size === 1 ? [...accounts][0]! : null;
  const findings: Record<string, unknown>[] = [];
  const withoutAccount: Finding[] = [];
  for (const f of context.findings) {
    const account = f.account ?? context.reports.find((r) => r.file === f.file)?.accountId ?? only;
    if (account !== null) findings.push(toAsff(f, account, region, context));
    else withoutAccount.push(f);
  }
  return { findings, withoutAccount };
}

/** The partition of a region's ARNs. */
export function asffPartition(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** The account's default (custom integration) product in a region: every credcheck finding of that account names it. */
export function asffProductArn(account: string, region: string): string {
  return `arn:${asffPartition(region)}:securityhub:${region}:${account}:product/${account}/default`;
}

/** Every credcheck finding's GeneratorId starts with this, then the check id. */
export const ASFF_GENERATOR_PREFIX = 'credcheck/';

export const asffFormatter: Formatter = asffFormatterFor(() => asffRegion(process.env));

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function toAsff(f: Finding, account: string, region: string, context: OutputContext): Record<string, unknown> {
  const entry = context.catalog.find((c) => c.id === f.check);
  const partition = asffPartition(region);
  const requirements = Object.entries(entry?.frameworks ?? {}).flatMap(([framework, controls]) => controls.map((c) => `${framework}/${c}`));
  const types = ['Software and Configuration Checks/AWS Security Best Practices'];
  if (requirements.some((r) => r.startsWith('cis-'))) types.push('Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark');
  const finding: Record<string, unknown> = {
    SchemaVersion: '2018-10-08',
    Id: `credcheck/${account}/${f.check}/${stableFindingId(f)}`,
    ProductArn: asffProductArn(account, region),
    ProductName: 'credcheck',
    CompanyName: 'credcheck',
    GeneratorId: `${ASFF_GENERATOR_PREFIX}${f.check}`,
    AwsAccountId: account,
    Types: types,
    CreatedAt: context.evaluationTime,
    UpdatedAt: context.evaluationTime,
    Severity: { Label: LABEL[f.severity], Original: f.severity },
    Title: clip(entry?.title ?? f.title ?? f.check, 256),
    Description: clip(f.message || f.check, 1024),
    Resources: [resource(f, account, partition, region)],
    Compliance: { Status: COMPLIANCE[f.status], ...(requirements.length > 0 ? { RelatedRequirements: requirements.slice(0, 32) } : {}) },
    Workflow: { Status: f.suppressed ? 'SUPPRESSED' : 'NEW' },
    RecordState: 'ACTIVE',
    ProductFields: {
      'credcheck/check': f.check,
      'credcheck/status': f.status,
      'credcheck/file': clip(f.file, 2048),
      ...(f.line !== null ? { 'credcheck/line': String(f.line) } : {}),
      ...(f.column ? { 'credcheck/column': f.column } : {}),
      ...(f.key !== null ? { 'credcheck/key': String(f.key) } : {}),
      ...(f.controls ? { 'credcheck/controls': f.controls.join(' ') } : {}),
      ...(f.suppressed ? { 'credcheck/suppressed': clip(f.suppressed.reason, 2048) } : {}),
    },
  };
  if (entry?.remediation || entry?.relatedResources[0]) {
    finding.Remediation = {
      Recommendation: {
        ...(entry.remediation ? { Text: clip(entry.remediation.trim(), 512) } : {}),
        ...(entry.relatedResources[0] ? { Url: entry.relatedResources[0].ref } : {}),
      },
    };
  }
  return finding;
}

/** The user (AwsIamUser), the root user (its account), or the report when the finding is about no user. */
function resource(f: Finding, account: string, partition: string, region: string): Record<string, unknown> {
  if (f.user === '<root_account>') return { Type: 'AwsAccount', Id: `AWS::::Account:${account}`, Partition: partition, Region: region };
  if (f.user !== null) {
    return {
      Type: 'AwsIamUser', Id: f.arn ?? `arn:${partition}:iam::${account}:user/${f.user}`, Partition: partition, Region: region,
      Details: { AwsIamUser: { UserName: f.user } },
    };
  }
  return { Type: 'Other', Id: clip(f.file, 512), Partition: partition, Region: region };
}
