import * as assert from 'assert';
import { failureReason, summarizeOrganizationFetch } from '../../../../src/extension/logic/organizationFetchSummary';

describe('organisation fetch summary (the extension\'s message)', () => {
  it('names every failed account, with its name, and why in a few words', () => {
    const summary = summarizeOrganizationFetch({
      attempted: 4,
      written: 2,
      skipped: 1,
      folder: 'org',
      failures: [
        { accountId: '333333333333', accountName: 'sandbox', code: 'access-denied', permission: 'iam:GenerateCredentialReport', message: 'account 333333333333 (role R) is not allowed iam:GenerateCredentialReport (AccessDenied)...' },
        { accountId: '444444444444', accountName: null, code: 'access-denied', permission: 'sts:AssumeRole', message: 'account 444444444444 (role R): cannot assume ...' },
      ],
    });
    assert.strictEqual(summary.severity, 'warning');
    assert.strictEqual(
      summary.text,
      'Fetched the credential reports of 2 of 4 accounts into org. 1 account not active, skipped. ' +
        'Failed: 333333333333 (sandbox): access denied (iam:GenerateCredentialReport); ' +
        '444444444444: access denied (sts:AssumeRole: the role is missing, does not trust the caller or wants another external id).',
    );
  });

  it('is information when every account was fetched, an error when none was', () => {
    assert.deepStrictEqual(summarizeOrganizationFetch({ attempted: 1, written: 1, skipped: 0, folder: 'x', failures: [] }), {
      severity: 'info',
      text: 'Fetched the credential reports of 1 of 1 account into x.',
    });
    const none = summarizeOrganizationFetch({ attempted: 1, written: 0, skipped: 0, folder: 'x', failures: [{ accountId: '1', accountName: null, code: 'timeout', message: 'm' }] });
    assert.strictEqual(none.severity, 'error');
    assert.match(none.text, /Failed: 1: timed out\.$/);
  });

  it('says when a report was fetched but could not be written', () => {
    assert.strictEqual(failureReason({ accountId: '1', accountName: null, code: 'write', message: 'cannot write org/1-credential-report.csv: no space left on device (ENOSPC)' }), 'the report could not be written');
  });
});
