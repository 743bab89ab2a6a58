import * as assert from 'node:assert/strict';
import { classifyAwsError } from '../../../src/core/fetch/awsErrorClassification';
import { describeReportAge } from '../../../src/core/fetch/reportAge';
import { reportAccountId } from '../../../src/core/fetch/reportAccountId';
import { backoffDelay, sleep } from '../../../src/core/fetch/retryBackoff';
import { redactSecrets } from '../../../src/core/fetch/secretRedaction';

describe('fetch helpers', () => {
  describe('backoffDelay', () => {
    const settings = { baseMs: 100, maxMs: 1000 };
    it('grows exponentially, keeps half the delay fixed and caps at maxMs', () => {
      assert.equal(backoffDelay(0, settings, () => 0), 50);
      assert.equal(backoffDelay(0, settings, () => 1), 100);
      assert.equal(backoffDelay(3, settings, () => 0), 400);
      assert.equal(backoffDelay(3, settings, () => 1), 800);
      assert.equal(backoffDelay(10, settings, () => 1), 1000);
      assert.equal(backoffDelay(10, settings, () => 0), 500);
    });
    it('spreads retries of parallel fetches apart', () => {
      const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4, { baseMs: 1000, maxMs: 60000 })));
      assert.ok(delays.size > 10, `only ${delays.size} distinct delays`);
      for (const delay of delays) assert.ok(delay >= 8000 && delay <= 16000, String(delay));
    });
  });

  describe('sleep', () => {
    it('rejects with the abort reason as soon as the signal aborts', async () => {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('stop')), 20);
      await assert.rejects(sleep(10_000, controller.signal), /stop/);
      assert.ok(Date.now() - started < 1000);
    });
  });

  describe('classifyAwsError', () => {
    it('recognises modeled exceptions, raw Query codes, socket codes and HTTP statuses', () => {
      const cases: Array<[unknown, string, string]> = [
        [{ name: 'CredentialReportNotReadyException' }, 'report-in-progress', 'CredentialReportNotReadyException'],
        [{ name: 'CredentialReportNotPresentException' }, 'report-not-present', 'CredentialReportNotPresentException'],
        [{ name: 'CredentialReportExpiredException' }, 'report-expired', 'CredentialReportExpiredException'],
        [{ name: 'LimitExceededException', Code: 'LimitExceeded' }, 'limit-exceeded', 'LimitExceeded'],
        [{ name: 'Throttling' }, 'throttled', 'Throttling'],
        [{ name: 'ThrottlingException' }, 'throttled', 'ThrottlingException'],
        [{ name: 'AccessDenied' }, 'access-denied', 'AccessDenied'],
        [{ name: 'CredentialsProviderError' }, 'credentials', 'CredentialsProviderError'],
        [{ name: 'ExpiredToken' }, 'credentials', 'ExpiredToken'],
        [{ name: 'InvalidClientTokenId' }, 'credentials', 'InvalidClientTokenId'],
        [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'network', 'ECONNREFUSED'],
        [Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), 'network', 'ENOTFOUND'],
        [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'network-transient', 'ECONNRESET'],
        [new Error('socket hang up'), 'network-transient', 'ECONNRESET'],
        [{ name: 'Weird', $metadata: { httpStatusCode: 429 } }, 'throttled', 'Weird'],
        [{ name: 'Weird', $metadata: { httpStatusCode: 503 } }, 'service-failure', 'Weird'],
        [{ name: 'Weird', $metadata: { httpStatusCode: 400 } }, 'other', 'Weird'],
      ];
      for (const [error, kind, code] of cases) {
        const classified = classifyAwsError(error);
        assert.deepEqual([classified.kind, classified.code], [kind, code], JSON.stringify(error));
      }
    });
  });

  describe('redactSecrets', () => {
    it('removes known secrets and SigV4 material, and shortens floods', () => {
      const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
      const text = `denied for ${secret}; Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261121/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0123abcdef X-Amz-Security-Token: TOKENVALUE123`;
      const redacted = redactSecrets(text, [secret]);
      for (const fragment of [secret, 'AKIDEXAMPLE', '0123abcdef', 'TOKENVALUE123']) assert.ok(!redacted.includes(fragment), `${fragment} in ${redacted}`);
      assert.match(redacted, /^denied for \[redacted\]/);
      assert.ok(redactSecrets('x'.repeat(1000)).length <= 303);
    });
  });

  describe('reportAccountId', () => {
    it('reads the account from the first IAM ARN, in any partition', () => {
      assert.equal(reportAccountId('user,arn\n<root_account>,arn:aws:iam::123456789012:root\n'), '123456789012');
      assert.equal(reportAccountId('user,arn\nbob,arn:aws-us-gov:iam::000011112222:user/bob\n'), '000011112222');
      assert.equal(reportAccountId('user,arn\n'), null);
    });
  });

  describe('describeReportAge', () => {
    it('says how old the report is in words', () => {
      assert.equal(describeReportAge(10_000), 'just now');
      assert.equal(describeReportAge(60_000), '1 minute ago');
      assert.equal(describeReportAge(12 * 60_000), '12 minutes ago');
      assert.equal(describeReportAge(3 * 3_600_000 + 5 * 60_000), '3 hours 5 minutes ago');
      assert.equal(describeReportAge(2 * 3_600_000), '2 hours ago');
      assert.equal(describeReportAge(5 * 86_400_000), '5 days ago');
      assert.equal(describeReportAge(-5000), 'just now', 'small clock skew');
      assert.match(describeReportAge(-3_600_000), /future: check the clock/);
    });
  });
});
