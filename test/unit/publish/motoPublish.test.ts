/**
 * `credcheck publish --security-hub` against moto's Security Hub on loopback, read back through the real SDK
 * (GetFindings). moto 5.2.5 stores imported findings by id (an import of a known id updates it), pages GetFindings, and
 * ignores its filters; it has no BatchUpdateFindings (answers 404), so the workflow status RESOLVED is tested against
 * the stub server (publishStub.test.ts) and here the resolve run ends with that warning. Each test publishes to its
 * own region: moto keeps findings per account and region.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsSecurityFinding, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { isolatedEnvironment, runCli } from '../../support/cliRunner';
import { MotoServer, MOTO_SERVER_BINARY } from '../../support/motoServer';
import { isProcessAlive, runningTrackedProcesses } from '../../support/trackedProcesses';
import { EVALUATION_TIME, FINDINGS_PER_USER, userNames, writeReport } from './publishReports';

const ACCOUNT = '123456789012';
// The SDK clients of this test process read the stored findings back; their Node 22 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const environment = isolatedEnvironment({ AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });

describe('credcheck publish --security-hub against moto', function () {
  this.timeout(120_000);
  let moto: MotoServer | undefined;
  let work: string;

  before(async () => {
    if (!MotoServer.isInstalled()) throw new Error(`moto is not installed at ${MOTO_SERVER_BINARY}: run scripts/setup.sh --test`);
    moto = await MotoServer.start();
    work = mkdtempSync(join(tmpdir(), 'credcheck-publish-moto-'));
  });

  after(async () => {
    const pid = moto?.process.pid;
    await moto?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
    assert.equal(isProcessAlive(pid), false, 'moto_server still running');
    assert.deepEqual(runningTrackedProcesses(), [], 'a child process outlived the suite');
  });

  const publish = (region: string, ...args: string[]) =>
    runCli(['publish', '--security-hub', '--region', region, '--endpoint-url', (moto as MotoServer).url, '--now', EVALUATION_TIME, ...args], { env: environment, cwd: work, killAfterMs: 90_000 });
  const asffOf = async (...args: string[]): Promise<Record<string, unknown>[]> => {
    const result = await runCli(['check', '--format', 'asff', '--now', EVALUATION_TIME, ...args], { env: { ...environment, AWS_REGION: 'eu-west-1' }, cwd: work });
    assert.equal(result.code, 1, result.stderr);
    return JSON.parse(result.stdout) as Record<string, unknown>[];
  };
  async function storedFindings(region: string): Promise<AwsSecurityFinding[]> {
    const client = new SecurityHubClient({ region, endpoint: (moto as MotoServer).url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const findings: AwsSecurityFinding[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new GetFindingsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }));
        findings.push(...(page.Findings ?? []));
        token = page.NextToken;
      } while (token);
      return findings;
    } finally {
      client.destroy();
    }
  }

  it('publishes what check --format asff writes: GetFindings returns the ids, account, user, title, severity and compliance', async () => {
    writeReport(join(work, 'report.csv'), ACCOUNT, ['alice', 'bob']);
    const result = await publish('eu-west-1', 'report.csv');
    assert.equal(result.code, 1, result.stderr); // failing findings, all published: check's exit code
    assert.equal(result.stdout, '');
    const expected = await asffOf('report.csv');
    assert.match(result.stderr, new RegExp(`${expected.length} imported \\(${expected.length} new, 0 updated\\), 0 resolved, 0 failed\\n$`));
    assert.doesNotMatch(result.stderr, /testing/);

    const stored = await storedFindings('eu-west-1');
    assert.deepEqual(stored.map((finding) => finding.Id).sort(), expected.map((finding) => finding.Id).sort());
    for (const want of expected) {
      const got = stored.find((finding) => finding.Id === want.Id)!;
      assert.equal(got.AwsAccountId, ACCOUNT);
      assert.equal(got.ProductArn, `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`);
      assert.deepEqual(got.Resources, want.Resources);
      assert.equal(got.Title, want.Title);
      assert.deepEqual(got.Severity, want.Severity);
      assert.deepEqual(got.Compliance, want.Compliance);
      assert.equal(got.RecordState, 'ACTIVE');
    }
    const alice = stored.find((finding) => finding.Resources?.[0]?.Details?.AwsIamUser?.UserName === 'alice' && finding.GeneratorId === 'credcheck/console-user-mfa');
    assert.ok(alice, 'alice console-user-mfa finding');
    assert.equal(alice.Resources![0].Id, `arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.equal(alice.Resources![0].Type, 'AwsIamUser');
  });

  it('a second run with the same report updates every finding and adds none; the first CreatedAt is kept', async () => {
    writeReport(join(work, 'same.csv'), ACCOUNT, ['carol']);
    const first = await publish('eu-west-2', 'same.csv');
    assert.equal(first.code, 1, first.stderr);
    const before = await storedFindings('eu-west-2');
    const second = await publish('eu-west-2', 'same.csv', '--now', '2026-11-22T10:00:00Z');
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`${before.length} findings published before are active\\n`));
    assert.match(second.stderr, new RegExp(`${before.length} imported \\(0 new, ${before.length} updated\\), 0 resolved, 0 failed\\n$`));
    const after = await storedFindings('eu-west-2');
    assert.equal(after.length, before.length);
    assert.deepEqual(after.map((finding) => finding.Id).sort(), before.map((finding) => finding.Id).sort());
    for (const finding of after) assert.equal(finding.CreatedAt, before.find((old) => old.Id === finding.Id)!.CreatedAt);
  });

  it('a finding gone since the last run (the user was fixed) is archived with compliance PASSED; the others stay active', async () => {
    writeReport(join(work, 'before.csv'), ACCOUNT, ['dave', 'erin']);
    assert.equal((await publish('us-west-1', 'before.csv')).code, 1);
    writeReport(join(work, 'before.csv'), ACCOUNT, ['erin']); // dave was removed: his findings are fixed
    const result = await publish('us-west-1', 'before.csv');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`resolving ${FINDINGS_PER_USER} findings no longer found`));
    assert.match(result.stderr, new RegExp(`, ${FINDINGS_PER_USER} resolved, 0 failed`));
    // moto has no BatchUpdateFindings: said, as a warning, for the findings concerned.
    assert.match(result.stderr, /warning: 4 findings: .*\(check [a-z-]+, user dave, before\.csv:3\).* archived, but the workflow status is not RESOLVED: BatchUpdateFindings failed \(UnexpectedAnswer: the endpoint answered HTTP 404/);

    const stored = await storedFindings('us-west-1');
    const ofUser = (user: string) => stored.filter((finding) => finding.Resources?.[0]?.Details?.AwsIamUser?.UserName === user);
    assert.equal(ofUser('dave').length, FINDINGS_PER_USER);
    for (const finding of ofUser('dave')) {
      assert.equal(finding.RecordState, 'ARCHIVED', finding.Id);
      assert.equal(finding.Compliance?.Status, 'PASSED', finding.Id);
    }
    assert.ok(ofUser('erin').length > 0);
    for (const finding of ofUser('erin')) assert.equal(finding.RecordState, 'ACTIVE');
  });

  it('an incomplete audit publishes its findings but resolves nothing, and exits 2', async () => {
    writeReport(join(work, 'partial.csv'), ACCOUNT, ['frank', 'grace']);
    assert.equal((await publish('ap-south-1', 'partial.csv')).code, 1);
    writeReport(join(work, 'partial.csv'), ACCOUNT, ['grace']);
    writeFileSync(join(work, 'broken.csv'), 'this is not a credential report\n');
    const result = await publish('ap-south-1', 'partial.csv', 'broken.csv');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /broken\.csv:1: error: not a credential report/);
    assert.match(result.stderr, new RegExp(`\\[${ACCOUNT}\\] ${FINDINGS_PER_USER} findings published before and not found now left active: the audit is incomplete`));
    const stored = await storedFindings('ap-south-1');
    assert.ok(stored.every((finding) => finding.RecordState === 'ACTIVE'));
  });

  it('more than 100 findings go in batches of 100', async () => {
    writeReport(join(work, 'many.csv'), ACCOUNT, userNames(30));
    const expected = await asffOf('many.csv');
    assert.ok(expected.length > 100 && expected.length <= 200, `${expected.length} findings`);
    const result = await publish('ca-central-1', 'many.csv');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`importing ${expected.length} findings \\(BatchImportFindings, 2 batches\\)`));
    assert.match(result.stderr, /batch 1 of 2 sent\n[^\n]*batch 2 of 2 sent\n/);
    assert.equal((await storedFindings('ca-central-1')).length, expected.length);
  });
});
