/**
 * The publisher's decisions with an in-memory SecurityHubService: what it does when Security Hub counts failures it
 * does not name, when the listing of earlier findings fails, and when the deadline passes.
 */
import * as assert from 'node:assert/strict';
import { AsffFinding, publishToSecurityHub, RejectedFinding, SecurityHubService } from '../../../src/core/publish/securityHubPublisher';

const ACCOUNT = '111122223333';
const PRODUCT = `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`;

function finding(n: number): AsffFinding {
  return {
    Id: `credcheck/${ACCOUNT}/console-user-mfa/${String(n).padStart(32, '0')}`, ProductArn: PRODUCT, GeneratorId: 'credcheck/console-user-mfa', AwsAccountId: ACCOUNT,
    RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' }, Workflow: { Status: 'NEW' },
    Resources: [{ Type: 'AwsIamUser', Id: `arn:aws:iam::${ACCOUNT}:user/u${n}`, Details: { AwsIamUser: { UserName: `u${n}` } } }],
    ProductFields: { 'credcheck/check': 'console-user-mfa', 'credcheck/file': 'r.csv', 'credcheck/line': String(n + 2) },
  };
}

function service(overrides: Partial<SecurityHubService> & { stored?: AsffFinding[] } = {}): SecurityHubService & { imported: AsffFinding[][] } {
  const imported: AsffFinding[][] = [];
  return {
    imported,
    importFindings: overrides.importFindings ?? (async (findings) => {
      imported.push(findings);
      return { failedCount: 0, failed: [] as RejectedFinding[] };
    }),
    listFindingsPage: overrides.listFindingsPage ?? (async () => ({ findings: overrides.stored ?? [] })),
    resolveWorkflow: overrides.resolveWorkflow ?? (async () => ({ failed: [] })),
  };
}

const request = (findings: AsffFinding[], extra: Partial<Parameters<typeof publishToSecurityHub>[1]> = {}) => ({
  findings, accounts: [ACCOUNT], productArnOf: () => PRODUCT, resolveGone: true, now: '2026-11-21T10:00:00Z', backoff: { baseMs: 1, maxMs: 5 }, ...extra,
});

describe('publishToSecurityHub', () => {
  it('counts no finding of a batch as sent when Security Hub counts failures it does not name', async () => {
    const fake = service({ importFindings: async () => ({ failedCount: 2, failed: [{ id: finding(0).Id as string, code: 'InvalidInput', message: 'bad' }] }) });
    const summary = await publishToSecurityHub(fake, request([finding(0), finding(1), finding(2)]));
    assert.equal(summary.accounts[0].created, 0);
    assert.equal(summary.failures.length, 3);
    assert.match(summary.failures[1].message, /counted 2 failed findings in this batch but named only 1/);
    assert.equal(summary.failures[1].where, 'check console-user-mfa, user u1, r.csv:3');
  });

  it('still imports when the earlier findings cannot be listed, but resolves nothing and says why', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    const fake = service({ listFindingsPage: async () => Promise.reject(denied) });
    const summary = await publishToSecurityHub(fake, request([finding(0)]));
    assert.equal(fake.imported.length, 1);
    assert.match(summary.accounts[0].listingFailed ?? '', /^AccessDeniedException: not allowed securityhub:GetFindings/);
    assert.equal(summary.accounts[0].resolved, 0);
  });

  it('leaves earlier findings active when the audit was incomplete', async () => {
    const fake = service({ stored: [finding(7), finding(0)] });
    const summary = await publishToSecurityHub(fake, request([finding(0)], { resolveGone: false }));
    assert.equal(summary.accounts[0].updated, 1);
    assert.equal(summary.accounts[0].leftActive, 1);
    assert.equal(fake.imported.length, 1, 'no archive batch');
  });

  it('ignores listed findings that are not credcheck\'s active ones in this account (an emulator ignores the filters)', async () => {
    const foreign = { ...finding(5), GeneratorId: 'prowler/iam_user_mfa' };
    const archived = { ...finding(6), RecordState: 'ARCHIVED' };
    const fake = service({ stored: [foreign, archived] });
    const summary = await publishToSecurityHub(fake, request([]));
    assert.equal(summary.accounts[0].resolved, 0);
    assert.equal(fake.imported.length, 0);
  });

  it('stops at the deadline while throttled, and says so', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    const fake = service({ importFindings: async () => Promise.reject(throttled) });
    const summary = await publishToSecurityHub(fake, request([finding(0)], { timeoutMs: 50 }));
    assert.match(summary.stopped ?? '', /^timed out after 0\.05 s publishing to Security Hub; try a longer --timeout$/);
  });
});
