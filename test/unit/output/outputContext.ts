import { CatalogEntry } from '../../../src/core/checks/catalog';
import { buildComplianceView } from '../../../src/core/checks/compliance';
import { Finding } from '../../../src/core/model';
import { OutputContext } from '../../../src/core/output/formatter';
import { collectRunProblems } from '../../../src/core/output/problemText';

/** A hand-made catalog of two checks, so the golden files do not change whenever the bundled METADATA does. */
export const CATALOG: CatalogEntry[] = [
  {
    id: 'root-access-key',
    entrypoint: 'credcheck/checks/root_access_key',
    title: 'Root user has no active access keys',
    description: 'The root user has unrestricted access to the account.',
    severity: 'critical',
    enabledByDefault: true,
    parameters: [],
    frameworks: { 'cis-3.0': ['1.4'], securityhub: ['IAM.4'] },
    peers: { prowler: 'iam_no_root_access_key' },
    remediation: 'aws iam delete-access-key --access-key-id <AKIA...>',
    relatedResources: [{ ref: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html', description: 'Deleting root keys' }],
    docs: 'docs/checks/root-access-key.md',
    source: { file: 'policies/checks/root_access_key.rego', line: 44 },
  },
  {
    id: 'console-user-mfa',
    entrypoint: 'credcheck/checks/console_user_mfa',
    title: 'Console users have MFA',
    description: 'Every IAM user with a console password has MFA.',
    severity: 'high',
    enabledByDefault: true,
    parameters: [],
    frameworks: { 'cis-3.0': ['1.10'], securityhub: ['IAM.5'] },
    peers: {},
    relatedResources: [],
    docs: 'docs/checks/console-user-mfa.md',
    source: { file: 'policies/checks/console_user_mfa.rego', line: 30 },
  },
];

/** Findings with every awkward value an output must survive: formula-like names, quotes, pipes, markup, no row. */
export const FINDINGS: Finding[] = [
  {
    check: 'root-access-key', status: 'fail', severity: 'critical', user: '<root_account>', arn: 'arn:aws:iam::111122223333:root', key: 1,
    file: 'reports/acct "a".csv', line: 2, column: 'access_key_1_active', message: 'root user has an active access key 1, created 2011-05-04', account: '111122223333',
    title: 'Root user has no active access keys', location: { line: 2, startColumn: 101, endColumn: 105 },
  },
  {
    check: 'console-user-mfa', status: 'fail', severity: 'high', user: '=HYPERLINK("http://x")', arn: 'arn:aws:iam::111122223333:user/eve', key: null,
    file: 'reports/acct "a".csv', line: 3, column: 'mfa_active', message: 'console user <eve> | has no MFA & "no" hardware', account: '111122223333',
    location: { line: 3, startColumn: 150, endColumn: 155 },
  },
  {
    check: 'console-user-mfa', status: 'fail', severity: 'high', user: '-sam', arn: 'arn:aws:iam::444455556666:user/-sam', key: null,
    file: 'b.csv', line: 5, column: 'mfa_active', message: 'console user without MFA', account: '444455556666',
    location: { line: 5, startColumn: 80, endColumn: 85 }, suppressed: { reason: 'break-glass user, SEC-1', expires: '2030-01-01' },
  },
  {
    check: 'acme.custom', status: 'warn', severity: 'medium', user: '@ops', arn: null, key: 2, file: 'b.csv', line: 6, column: null,
    message: 'tab\tand\nnewline', account: '444455556666', location: { line: 6, startColumn: 0, endColumn: 4 },
  },
  { check: 'root-hardware-mfa', status: 'skip', severity: 'critical', user: null, arn: null, key: null, file: 'b.csv', line: null, column: null, message: '+no MFA device data', account: null },
  {
    check: 'suppression', status: 'warn', severity: 'low', user: 'ci-*', arn: null, key: null, file: 'suppressions.yaml', line: 4, column: null,
    message: 'suppression of two-active-keys for ci-* matched no finding; remove it', account: null,
  },
];

export function outputContext(withCompliance: boolean): OutputContext {
  const compliance = withCompliance ? buildComplianceView('cis-3.0', FINDINGS, CATALOG) : undefined;
  const reports: OutputContext['reports'] = [
    { file: 'reports/acct "a".csv', layout: 'current', accountId: '111122223333', users: 3, problems: [] },
    { file: 'b.csv', layout: 'legacy16', accountId: '444455556666', users: 5, problems: [{ file: 'b.csv', line: 7, severity: 'warning', code: 'short-row', message: 'row has 12 cells, the header 16' }] },
  ];
  return {
    reports,
    findings: compliance ? compliance.findings : FINDINGS,
    policyProblems: [],
    catalog: CATALOG,
    evaluationTime: '2024-06-01T00:00:00.000Z',
    toolVersion: '0.0.0-test',
    compliance,
    ...collectRunProblems(reports, []),
  };
}
