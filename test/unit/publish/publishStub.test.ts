/**
 * `credcheck publish --security-hub` against a scripted Security Hub on loopback (securityHubStubServer.ts), for what
 * moto cannot show: throttling, FailedFindings (final and retryable), the GetFindings filters, the batch sizes on the
 * wire, BatchUpdateFindings (workflow RESOLVED), and that nothing is sent without a region.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnvironment, runCli } from '../../support/cliRunner';
import { Finding, SecurityHubStubServer } from '../../support/securityHubStubServer';
import { EVALUATION_TIME, FINDINGS_PER_USER, userNames, writeReport } from './publishReports';

const ACCOUNT = '444455556666';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const environment = isolatedEnvironment({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: SECRET });
const PRODUCT_ARN = `arn:aws:securityhub:eu-central-1:${ACCOUNT}:product/${ACCOUNT}/default`;

describe('credcheck publish --security-hub against a scripted Security Hub', function () {
  this.timeout(60_000);
  let work: string;
  let stub: SecurityHubStubServer | undefined;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'credcheck-publish-stub-'));
    writeReport(join(work, 'report.csv'), ACCOUNT, ['alice', 'bob']);
  });
  afterEach(async () => {
    await stub?.stop();
    stub = undefined;
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const publish = (server: SecurityHubStubServer, ...args: string[]) =>
    runCli(['publish', '--security-hub', '--region', 'eu-central-1', '--endpoint-url', server.url, '--now', EVALUATION_TIME, ...args], { env: environment, cwd: work });
  const userOf = (finding: Finding) => ((finding.Resources as { Details?: { AwsIamUser?: { UserName?: string } } }[])[0]?.Details?.AwsIamUser?.UserName);

  it('lists what it published before with the account, product, generator and active filters', async () => {
    stub = await SecurityHubStubServer.start();
    const result = await publish(stub, 'report.csv');
    assert.equal(result.code, 1, result.stderr);
    const [listing] = stub.calls('GetFindings');
    assert.deepEqual(listing.body.Filters, {
      AwsAccountId: [{ Value: ACCOUNT, Comparison: 'EQUALS' }],
      ProductArn: [{ Value: PRODUCT_ARN, Comparison: 'EQUALS' }],
      GeneratorId: [{ Value: 'credcheck/', Comparison: 'PREFIX' }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
    });
    assert.equal(listing.body.MaxResults, 100);
    assert.doesNotMatch(result.stderr, new RegExp(SECRET.slice(0, 12)));
  });

  it('retries a throttled first call with backoff, and the run succeeds', async () => {
    stub = await SecurityHubStubServer.start({ BatchImportFindings: [{ error: 'TooManyRequestsException', status: 429, message: 'Rate exceeded' }] });
    const result = await publish(stub, 'report.csv');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /\[444455556666\] BatchImportFindings: throttled \(TooManyRequestsException\); retrying in [\d.]+ s\n/);
    const imports = stub.calls('BatchImportFindings');
    assert.equal(imports.length, 2);
    assert.deepEqual(imports[1].body.Findings, imports[0].body.Findings);
    assert.match(result.stderr, / 0 failed\n$/);
  });

  it('a finding Security Hub fails for good is named with its check, user and line, and the run exits 2', async () => {
    const bobMfa = (findings: Finding[]) => findings.filter((finding) => userOf(finding) === 'bob' && finding.GeneratorId === 'credcheck/console-user-mfa').map((finding) => finding.Id);
    stub = await SecurityHubStubServer.start({ BatchImportFindings: [{ failIds: bobMfa, code: 'InvalidInput', message: 'Finding is too large' }] });
    const result = await publish(stub, 'report.csv');
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /\[444455556666\] error: finding credcheck\/444455556666\/console-user-mfa\/[0-9a-f]{32} \(check console-user-mfa, user bob, report\.csv:4\) not imported: InvalidInput: Finding is too large\n/,
    );
    assert.match(result.stderr, /imported \(\d+ new, 0 updated\), 0 resolved, 1 failed\n$/);
    assert.equal(stub.calls('BatchImportFindings').length, 1, 'a final failure is not sent again');
  });

  it('a finding failed with a code that may pass is sent again alone, and then counts as imported', async () => {
    const aliceFirst = (findings: Finding[]) => findings.filter((finding) => userOf(finding) === 'alice').slice(0, 1).map((finding) => finding.Id);
    stub = await SecurityHubStubServer.start({ BatchImportFindings: [{ failIds: aliceFirst, code: 'InternalException', message: 'try again' }] });
    const result = await publish(stub, 'report.csv');
    assert.equal(result.code, 1, result.stderr);
    const imports = stub.calls('BatchImportFindings');
    assert.equal(imports.length, 2);
    assert.equal((imports[1].body.Findings as Finding[]).length, 1);
    assert.match(result.stderr, /1 finding of batch 1 failed with InternalException; sending it again in [\d.]+ s\n/);
    const total = (imports[0].body.Findings as Finding[]).length;
    assert.match(result.stderr, new RegExp(`${total} imported \\(${total} new, 0 updated\\), 0 resolved, 0 failed\\n$`));
    assert.equal(stub.findings.size, total);
  });

  it('sends at most 100 findings per BatchImportFindings call', async () => {
    writeReport(join(work, 'many.csv'), ACCOUNT, userNames(55));
    stub = await SecurityHubStubServer.start();
    const result = await publish(stub, 'many.csv');
    assert.equal(result.code, 1, result.stderr);
    const sizes = stub.calls('BatchImportFindings').map((call) => (call.body.Findings as Finding[]).length);
    assert.ok(sizes.length === 3 && sizes[0] === 100 && sizes[1] === 100 && sizes[2] > 0 && sizes[2] <= 100, `batch sizes ${sizes.join(', ')}`);
    assert.equal(stub.findings.size, sizes[0] + sizes[1] + sizes[2]);
  });

  it('a finding gone since the last run is archived (PASSED) and its workflow set to RESOLVED; a re-run changes nothing more', async () => {
    writeReport(join(work, 'fixed.csv'), ACCOUNT, ['carol', 'dan']);
    stub = await SecurityHubStubServer.start();
    assert.equal((await publish(stub, 'fixed.csv')).code, 1);
    writeReport(join(work, 'fixed.csv'), ACCOUNT, ['dan']);
    const result = await publish(stub, 'fixed.csv');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`, ${FINDINGS_PER_USER} resolved, 0 failed\\n$`));
    const carol = [...stub.findings.values()].filter((finding) => userOf(finding) === 'carol');
    assert.equal(carol.length, FINDINGS_PER_USER);
    for (const finding of carol) {
      assert.equal(finding.RecordState, 'ARCHIVED');
      assert.equal((finding.Compliance as { Status: string }).Status, 'PASSED');
      assert.deepEqual(finding.Workflow, { Status: 'RESOLVED' });
    }
    const [update] = stub.calls('BatchUpdateFindings');
    assert.deepEqual(
      (update.body.FindingIdentifiers as { Id: string }[]).map((identifier) => identifier.Id).sort(),
      carol.map((finding) => finding.Id).sort(),
    );
    for (const finding of [...stub.findings.values()].filter((f) => userOf(f) === 'dan')) assert.equal(finding.RecordState, 'ACTIVE');

    const again = await publish(stub, 'fixed.csv');
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /, 0 resolved, 0 failed\n$/);
    assert.equal(stub.calls('BatchUpdateFindings').length, 1);
  });

  it('an account whose calls are refused fails every finding with one located message, and exits 2', async () => {
    stub = await SecurityHubStubServer.start({
      BatchImportFindings: [{ error: 'AccessDeniedException', status: 403, message: `User is not authorized (key ${SECRET})` }],
    });
    const result = await publish(stub, 'report.csv');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /\[444455556666\] error: \d+ findings: credcheck\/444455556666\/[^ ]+ \(check [a-z-]+, [^)]+\), .* and \d+ more; not imported: not allowed securityhub:BatchImportFindings \(AccessDeniedException\)/);
    assert.match(result.stderr, /User is not authorized \(key \[redacted\]\)/);
    assert.doesNotMatch(result.stderr, new RegExp(SECRET.slice(0, 12)));
  });

  it('takes the region and endpoint from the environment as the SDK names them (AWS_REGION, AWS_ENDPOINT_URL_SECURITYHUB)', async () => {
    stub = await SecurityHubStubServer.start();
    const env = { ...environment, AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_SECURITYHUB: stub.url, AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:9' };
    const result = await runCli(['publish', '--security-hub', '--now', EVALUATION_TIME, 'report.csv'], { env, cwd: work });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`publishing \\d+ findings of 1 account to ${stub.url} \\(AWS_ENDPOINT_URL_SECURITYHUB\\)\n`));
    assert.ok(stub.calls('BatchImportFindings').length > 0);
    assert.equal((stub.calls('GetFindings')[0].body.Filters as { ProductArn: { Value: string }[] }).ProductArn[0].Value, PRODUCT_ARN);
  });

  it('without a region, nothing is sent and the run exits 2', async () => {
    stub = await SecurityHubStubServer.start();
    const result = await runCli(['publish', '--security-hub', '--endpoint-url', stub.url, 'report.csv'], { env: environment, cwd: work });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^credcheck publish: error: Security Hub is regional and no region is set: give --region, set AWS_REGION/);
    assert.equal(stub.requests.length, 0);
  });

  it('without --security-hub, it is a usage error', async () => {
    const result = await runCli(['publish', 'report.csv'], { env: environment, cwd: work });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^credcheck publish: say where to publish: --security-hub\n/);
  });
});
