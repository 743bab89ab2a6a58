/**
 * `credcheck fetch` run as a user runs it (node bin/credcheck, a fresh environment) against the scripted IAM stub:
 * the message each failure mode prints, the exit code, the files written, and that no secret ever comes out.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedEnvironment, runCli } from '../../support/cliRunner';
import { IamStubServer, StubScript, STUB_ACCOUNT, STUB_GENERATED_TIME, STUB_REPORT } from '../../support/iamStubServer';
import { runningTrackedProcesses } from '../../support/trackedProcesses';

const envCredentials = { AWS_ACCESS_KEY_ID: 'AKIACLITESTKEY000001', AWS_SECRET_ACCESS_KEY: 'cli-test-secret-key-0000000000000000' };

describe('credcheck fetch (IAM stub, built CLI)', function () {
  this.timeout(30_000);
  const stubs: IamStubServer[] = [];
  const everyStub: IamStubServer[] = [];
  let workDirectory: string;

  async function stubWith(script: StubScript): Promise<IamStubServer> {
    const stub = await IamStubServer.start(script);
    stubs.push(stub);
    everyStub.push(stub);
    return stub;
  }

  function fetchCli(stub: IamStubServer, args: string[] = [], extraEnv: Record<string, string> = envCredentials) {
    return runCli(['fetch', '--endpoint-url', stub.url, ...args], { env: isolatedEnvironment(extraEnv), cwd: workDirectory });
  }

  beforeEach(() => {
    workDirectory = mkdtempSync(join(tmpdir(), 'credcheck-fetch-'));
  });

  afterEach(async () => {
    await Promise.all(stubs.splice(0).map((stub) => stub.stop()));
    rmSync(workDirectory, { recursive: true, force: true });
  });

  after(() => {
    assert.deepEqual(runningTrackedProcesses(), [], 'a CLI process outlived its test');
    for (const stub of everyStub) assert.deepEqual([stub.listening, stub.openConnections], [false, 0], stub.url);
  });

  it('prints the CSV on stdout and the report age on stderr', async () => {
    const generatedTime = new Date(Date.now() - 12 * 60_000 - 5000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const stub = await stubWith({ GetCredentialReport: [{ report: STUB_REPORT, generatedTime }] });
    const result = await fetchCli(stub);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, STUB_REPORT);
    assert.match(result.stderr, new RegExp(`report generated ${generatedTime} \\(12 minutes ago\\); AWS reuses a report for up to 4 hours`));
    assert.doesNotMatch(result.stderr, /stub-user/, 'report contents stay out of stderr');
    assert.deepEqual(readdirSync(workDirectory), [], 'nothing written without --out');
  });

  it('saves the CSV and a .meta.json sidecar with --out, owner-only', async () => {
    const stub = await stubWith({ ListVirtualMFADevices: [{ mfaDevices: [{ serialNumber: 'arn:aws:iam::210987654321:mfa/root', arn: 'arn:aws:iam::210987654321:root' }] }] });
    const result = await fetchCli(stub, ['--out', 'report.csv']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const file = join(workDirectory, 'report.csv');
    assert.equal(readFileSync(file, 'utf8'), STUB_REPORT);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')), {
      generated_time: STUB_GENERATED_TIME,
      account_id: STUB_ACCOUNT,
      profile: null,
      mfa_devices: [{ serial_number: 'arn:aws:iam::210987654321:mfa/root', user: '<root_account>', type: 'virtual' }],
      notes: [],
    });
    assert.match(result.stderr, /saved .*report\.csv \(account 210987654321\)/);
    assert.deepEqual(readdirSync(workDirectory).sort(), ['report.csv', 'report.csv.meta.json'], 'no temporary file left');
  });

  it('waits while the report is being generated (in progress, then complete)', async () => {
    const stub = await stubWith({ GenerateCredentialReport: [{ state: 'STARTED' }, { state: 'INPROGRESS' }, { state: 'COMPLETE' }], GetCredentialReport: [{ error: 'ReportInProgress' }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }] });
    const result = await fetchCli(stub);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, STUB_REPORT);
    assert.match(result.stderr, /report generation started; checking again in/);
    assert.match(result.stderr, /report generation inprogress; checking again in/);
    assert.match(result.stderr, /still being generated \(ReportInProgress\)/);
  });

  it('generates a report when none is present, and regenerates an expired one', async () => {
    const stub = await stubWith({ GetCredentialReport: [{ error: 'ReportNotPresent' }, { error: 'ReportExpired' }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }] });
    const result = await fetchCli(stub);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, STUB_REPORT);
    assert.match(result.stderr, /there is no report yet \(ReportNotPresent\); generating one/);
    assert.match(result.stderr, /the stored report has expired \(ReportExpired\); generating a new one/);
    assert.equal(stub.calls('GenerateCredentialReport'), 3);
  });

  it('backs off on LimitExceeded and throttling, then succeeds', async () => {
    const stub = await stubWith({
      GenerateCredentialReport: [{ error: 'LimitExceeded', message: 'No more capacity to launch new report generation tasks' }, { state: 'COMPLETE' }],
      GetCredentialReport: [{ error: 'Throttling', message: 'Rate exceeded' }, { error: 'ThrottlingException', status: 400 }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }],
    });
    const result = await fetchCli(stub);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, STUB_REPORT);
    assert.match(result.stderr, /too many reports at once \(LimitExceeded\) on GenerateCredentialReport; retrying in [\d.]+ s/);
    assert.match(result.stderr, /throttled the request \(Throttling\) on GetCredentialReport/);
    assert.match(result.stderr, /throttled the request \(ThrottlingException\) on GetCredentialReport/);
  });

  it('names the missing permission and the profile on AccessDenied (generate, then get), exit 2', async () => {
    const credentialsFile = join(workDirectory, 'credentials');
    writeFileSync(credentialsFile, `[prod]\naws_access_key_id = AKIAPRODKEY000000001\naws_secret_access_key = prod-secret-000000000000000000000000\n`);
    const env = { AWS_SHARED_CREDENTIALS_FILE: credentialsFile };

    const onGenerate = await stubWith({ GenerateCredentialReport: [{ error: 'AccessDenied', message: 'User: arn:aws:iam::210987654321:user/auditor is not authorized to perform: iam:GenerateCredentialReport' }] });
    const generate = await fetchCli(onGenerate, ['--profile', 'prod'], env);
    assert.equal(generate.code, 2);
    assert.equal(generate.stdout, '');
    assert.match(generate.stderr, /error: profile 'prod' is not allowed iam:GenerateCredentialReport \(AccessDenied\)/);
    assert.equal(onGenerate.requests[0].accessKeyId, 'AKIAPRODKEY000000001', 'the profile from the shared credentials file was used');

    const onGet = await stubWith({ GetCredentialReport: [{ error: 'AccessDenied', message: 'not authorized to perform: iam:GetCredentialReport' }] });
    const get = await fetchCli(onGet, ['--profile', 'prod', '--out', 'r.csv'], env);
    assert.equal(get.code, 2);
    assert.match(get.stderr, /error: profile 'prod' is not allowed iam:GetCredentialReport \(AccessDenied\)/);
    assert.ok(!readdirSync(workDirectory).includes('r.csv'), 'no report file on failure');
  });

  it('carries on when ListVirtualMFADevices is denied, and says so', async () => {
    const stub = await stubWith({ ListVirtualMFADevices: [{ error: 'AccessDenied', message: 'not authorized to perform: iam:ListVirtualMFADevices' }] });
    const result = await fetchCli(stub, ['--out', 'report.csv']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /note: iam:ListVirtualMFADevices was denied .* root-hardware-mfa cannot be decided/);
    const meta = JSON.parse(readFileSync(join(workDirectory, 'report.csv.meta.json'), 'utf8'));
    assert.equal(meta.mfa_devices, null);
    assert.equal(meta.notes.length, 1);
  });

  it('reports a dropped connection as a network failure, exit 2', async () => {
    const stub = await stubWith({ GenerateCredentialReport: ['drop'] });
    const result = await fetchCli(stub);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the connection failed \(ECONNRESET\) on GenerateCredentialReport; retrying/);
    assert.match(result.stderr, /error: the default AWS credentials: cannot reach http:\/\/127\.0\.0\.1:\d+ for GenerateCredentialReport \(ECONNRESET/);
    assert.match(result.stderr, /Check the network, the proxy settings or --endpoint-url/);
  });

  it('stops a hung server at --timeout, exit 2', async () => {
    const stub = await stubWith({ GenerateCredentialReport: ['hang'] });
    const result = await fetchCli(stub, ['--timeout', '1']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /error: the default AWS credentials: timed out after 1 s waiting for IAM to answer GenerateCredentialReport \(http:\/\/127\.0\.0\.1:\d+\); try a longer --timeout/);
    assert.ok(result.durationMs < 6000, `took ${result.durationMs} ms`);
  });

  it('explains how to get credentials when there are none, exit 2', async () => {
    const empty = join(workDirectory, 'empty');
    writeFileSync(empty, '');
    const stub = await stubWith({});
    const env = { AWS_CONFIG_FILE: empty, AWS_SHARED_CREDENTIALS_FILE: empty };
    const withProfile = await fetchCli(stub, ['--profile', 'sso-dev'], env);
    assert.equal(withProfile.code, 2);
    assert.match(withProfile.stderr, /error: no usable AWS credentials for profile 'sso-dev'/);
    assert.match(withProfile.stderr, /aws sso login --profile sso-dev/);
    const noProfile = await fetchCli(stub, [], env);
    assert.equal(noProfile.code, 2);
    assert.match(noProfile.stderr, /error: no usable AWS credentials for the default AWS credentials/);
    assert.match(noProfile.stderr, /set AWS_PROFILE/);
    assert.equal(stub.requests.length, 0, 'nothing sent without credentials');
  });

  it('fetches several profiles into one file per account, and exits 2 when one fails', async () => {
    const credentialsFile = join(workDirectory, 'credentials');
    const keys = { one: 'AKIAACCOUNTONE000001', one_again: 'AKIAACCOUNTONE000002', two: 'AKIAACCOUNTTWO000001', denied: 'AKIADENIED0000000001' };
    writeFileSync(
      credentialsFile,
      Object.entries(keys)
        .map(([profile, key]) => `[${profile}]\naws_access_key_id = ${key}\naws_secret_access_key = secret-of-${profile}-00000000000000000000\n`)
        .join('\n'),
    );
    const accountOf = (key: string | null) => (key?.includes('TWO') ? '222222222222' : '111111111111');
    const stub = await stubWith({
      GenerateCredentialReport: [(request) => (request.accessKeyId === keys.denied ? { error: 'AccessDenied', message: 'no' } : { state: 'COMPLETE' })],
      GetCredentialReport: [(request) => ({ report: STUB_REPORT.split(STUB_ACCOUNT).join(accountOf(request.accessKeyId)), generatedTime: STUB_GENERATED_TIME })],
    });
    const profileArgs = Object.keys(keys).flatMap((profile) => ['--profile', profile]);
    const result = await fetchCli(stub, [...profileArgs, '--out', 'reports'], { AWS_SHARED_CREDENTIALS_FILE: credentialsFile });
    assert.equal(result.code, 2);
    const written = readdirSync(join(workDirectory, 'reports')).sort();
    assert.deepEqual(written, [
      '111111111111-credential-report.csv',
      '111111111111-credential-report.csv.meta.json',
      '222222222222-credential-report.csv',
      '222222222222-credential-report.csv.meta.json',
    ]);
    assert.match(readFileSync(join(workDirectory, 'reports', '222222222222-credential-report.csv'), 'utf8'), /arn:aws:iam::222222222222:user\/stub-user/);
    assert.equal(JSON.parse(readFileSync(join(workDirectory, 'reports', '222222222222-credential-report.csv.meta.json'), 'utf8')).profile, 'two');
    assert.match(result.stderr, /\[one_again\] same account as profile 'one'/);
    assert.match(result.stderr, /\[denied\] error: profile 'denied' is not allowed iam:GenerateCredentialReport/);
    assert.match(result.stderr, /\[two\] report generated 2026-11-21T10:00:00Z/);
  });

  it('rejects bad arguments with exit 2', async () => {
    const stub = await stubWith({});
    const several = await fetchCli(stub, ['--profile', 'a', '--profile', 'b']);
    assert.equal(several.code, 2);
    assert.match(several.stderr, /several --profile values need --out <directory>/);
    const timeout = await fetchCli(stub, ['--timeout', 'soon']);
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /--timeout must be a positive number of seconds, got 'soon'/);
    const endpoint = await runCli(['fetch', '--endpoint-url', 'localhost:1'], { env: isolatedEnvironment(envCredentials), cwd: workDirectory });
    assert.equal(endpoint.code, 2);
    assert.match(endpoint.stderr, /--endpoint-url must be an http\(s\) URL/);
    assert.equal(stub.requests.length, 0);
  });

  it('never prints or writes the secret key or session token, on success or failure', async () => {
    const secretMarker = 'SECRETMARKERzq81vX0cq7fLpd2e9Hk4nB6tYw3s';
    const tokenMarker = 'TOKENMARKERa7Jq2mV9xL4cR8pT1wZ6bN3kD5hF0';
    const env = { AWS_ACCESS_KEY_ID: 'AKIALEAKTEST00000001', AWS_SECRET_ACCESS_KEY: secretMarker, AWS_SESSION_TOKEN: tokenMarker };
    const scripts: Array<[StubScript, string[]]> = [
      [{}, ['--out', 'ok.csv']],
      [{}, []],
      [{ GenerateCredentialReport: [{ error: 'AccessDenied', echoRequest: true }] }, ['--out', 'denied.csv']],
      [{ GetCredentialReport: [{ error: 'InvalidClientTokenId', echoRequest: true }] }, []],
      [{ GenerateCredentialReport: [{ error: 'Throttling', echoRequest: true }, { error: 'ServiceFailure', echoRequest: true }] }, ['--timeout', '1']],
      [{ ListVirtualMFADevices: [{ error: 'SomethingOdd', echoRequest: true }] }, ['--out', 'mfa.csv']],
      [{ GenerateCredentialReport: ['drop'] }, []],
      [{ GenerateCredentialReport: ['hang'] }, ['--timeout', '1']],
    ];
    let echoed = 0;
    for (const [script, args] of scripts) {
      const stub = await stubWith(script);
      const result = await fetchCli(stub, args, env);
      for (const marker of [secretMarker, tokenMarker]) {
        assert.ok(!result.stdout.includes(marker), `marker on stdout (${JSON.stringify(script)})`);
        assert.ok(!result.stderr.includes(marker), `marker on stderr (${JSON.stringify(script)}): ${result.stderr}`);
      }
      // The stub really did put the token into its answers: the redaction, not luck, kept it out.
      if (stub.requests.some((request) => request.headers['x-amz-security-token'] === tokenMarker)) echoed++;
      if (JSON.stringify(script).includes('echoRequest')) assert.match(result.stderr, /\[redacted\]/, JSON.stringify(script));
    }
    assert.equal(echoed, scripts.length);
    const files = readdirSync(workDirectory);
    assert.ok(files.includes('ok.csv') && files.includes('mfa.csv.meta.json'), files.join(','));
    for (const file of files) {
      const content = readFileSync(join(workDirectory, file), 'utf8');
      assert.ok(!content.includes(secretMarker) && !content.includes(tokenMarker), `marker in ${file}`);
    }
  });
});
