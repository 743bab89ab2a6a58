import * as assert from 'assert';
import { Finding } from '../../../../src/core/model';
import { findingDescription, findingDiagnosticMessage } from '../../../../src/extension/logic/staleFindings';

function finding(overrides: Partial<Finding>): Finding {
  return {
    check: 'custom.no_mfa', status: 'fail', severity: 'high', user: 'alice', arn: null, key: null, file: 'r.csv', line: 2,
    column: null, message: 'alice has no MFA', account: null, ...overrides,
  };
}

describe('stale findings in the editor', () => {
  it('names the policy file that does not compile in the diagnostic message', () => {
    assert.equal(findingDiagnosticMessage(finding({ stale: true, staleFile: 'policies/no_mfa.rego' })), 'alice has no MFA (stale: policies/no_mfa.rego does not compile)');
    assert.equal(findingDiagnosticMessage(finding({})), 'alice has no MFA');
  });

  it('says stale in the tree description, suppression first', () => {
    assert.equal(findingDescription(finding({ stale: true, staleFile: 'p.rego' })), 'stale: alice has no MFA');
    assert.equal(findingDescription(finding({})), 'alice has no MFA');
    assert.equal(findingDescription(finding({ stale: true, suppressed: { reason: 'service', expires: null } })), 'suppressed: service');
  });
});
