/**
 * The core fetcher, in-process, against the scripted IAM stub: every AWS answer from field research C.1 and what the
 * fetch does about it, asserted through the FetchError code, the progress lines and the number of calls made.
 */
import * as assert from 'node:assert/strict';
import { fetchCredentialReport, CredentialReportFetchOptions } from '../../../src/core/fetch/credentialReportFetcher';
import { FetchError } from '../../../src/core/fetch/fetchError';
import { fetchCredentialReports } from '../../../src/core/fetch/multiAccountFetcher';
import { IamStubServer, StubScript, STUB_ACCOUNT, STUB_GENERATED_TIME, STUB_REPORT } from '../../support/iamStubServer';

const credentials = { accessKeyId: 'AKIASTUBTESTKEY00001', secretAccessKey: 'stub-secret-key-for-in-process-tests' };

describe('fetchCredentialReport (IAM stub)', function () {
  this.timeout(20_000);
  const stubs: IamStubServer[] = [];
  const everyStub: IamStubServer[] = [];

  async function stubWith(script: StubScript): Promise<IamStubServer> {
    const stub = await IamStubServer.start(script);
    stubs.push(stub);
    everyStub.push(stub);
    return stub;
  }

  function fetchFrom(stub: IamStubServer, extra: Partial<CredentialReportFetchOptions> = {}) {
    const progress: string[] = [];
    const promise = fetchCredentialReport({
      endpointUrl: stub.url,
      credentials,
      backoff: { baseMs: 10, maxMs: 50 },
      timeoutMs: 10_000,
      onProgress: (message) => progress.push(message),
      now: () => new Date('2026-11-21T10:12:00Z'),
      ...extra,
    });
    return { promise, progress };
  }

  async function fetchError(promise: Promise<unknown>): Promise<FetchError> {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof FetchError, `not a FetchError: ${String(error)}`);
      return error;
    }
    assert.fail('the fetch succeeded');
  }

  afterEach(async () => {
    await Promise.all(stubs.splice(0).map((stub) => stub.stop()));
  });

  after(() => {
    assert.ok(everyStub.length > 10);
    for (const stub of everyStub) assert.deepEqual([stub.listening, stub.openConnections], [false, 0], stub.url);
  });

  it('returns the CSV, GeneratedTime, its age, the account and the MFA devices', async () => {
    const stub = await stubWith({
      ListVirtualMFADevices: [
        { mfaDevices: [{ serialNumber: `arn:aws:iam::${STUB_ACCOUNT}:mfa/root-account-mfa-device`, arn: `arn:aws:iam::${STUB_ACCOUNT}:root` }], nextMarker: 'page2' },
        { mfaDevices: [{ serialNumber: `arn:aws:iam::${STUB_ACCOUNT}:mfa/stub-user`, userName: 'stub-user' }, { serialNumber: `arn:aws:iam::${STUB_ACCOUNT}:mfa/spare` }] },
      ],
    });
    const { promise } = fetchFrom(stub, { profile: 'audit' });
    const report = await promise;
    assert.equal(report.csv, STUB_REPORT);
    assert.equal(report.generatedTime, STUB_GENERATED_TIME);
    assert.equal(report.ageMs, 12 * 60_000);
    assert.equal(report.accountId, STUB_ACCOUNT);
    assert.equal(report.profile, 'audit');
    assert.deepEqual(report.mfaDevices, [
      { serial_number: `arn:aws:iam::${STUB_ACCOUNT}:mfa/root-account-mfa-device`, user: '<root_account>', type: 'virtual' },
      { serial_number: `arn:aws:iam::${STUB_ACCOUNT}:mfa/stub-user`, user: 'stub-user', type: 'virtual' },
      { serial_number: `arn:aws:iam::${STUB_ACCOUNT}:mfa/spare`, user: null, type: 'virtual' },
    ]);
    assert.deepEqual(report.notes, []);
    const pages = stub.requests.filter((request) => request.action === 'ListVirtualMFADevices');
    assert.deepEqual(pages.map((request) => request.params.get('Marker')), [null, 'page2']);
    assert.equal(stub.requests[0].accessKeyId, credentials.accessKeyId, 'the requests are signed with the given credentials');
  });

  it('polls GenerateCredentialReport until COMPLETE before getting the report', async () => {
    const stub = await stubWith({ GenerateCredentialReport: [{ state: 'STARTED' }, { state: 'INPROGRESS' }, { state: 'COMPLETE' }] });
    const { promise, progress } = fetchFrom(stub);
    const report = await promise;
    assert.equal(report.csv, STUB_REPORT);
    assert.equal(stub.calls('GenerateCredentialReport'), 3);
    assert.equal(stub.calls('GetCredentialReport'), 1);
    const getIndex = stub.requests.findIndex((request) => request.action === 'GetCredentialReport');
    assert.equal(stub.requests.slice(0, getIndex).filter((request) => request.action === 'GenerateCredentialReport').length, 3, 'no get before COMPLETE');
    assert.ok(progress.some((line) => /generation started; checking again/.test(line)), progress.join('\n'));
    assert.ok(progress.some((line) => /generation inprogress; checking again/.test(line)), progress.join('\n'));
  });

  it('waits and retries when the get answers ReportInProgress', async () => {
    const stub = await stubWith({ GetCredentialReport: [{ error: 'ReportInProgress' }, { error: 'ReportInProgress' }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }] });
    const { promise, progress } = fetchFrom(stub);
    assert.equal((await promise).csv, STUB_REPORT);
    assert.equal(stub.calls('GetCredentialReport'), 3);
    assert.equal(progress.filter((line) => /still being generated \(ReportInProgress\)/.test(line)).length, 2);
  });

  it('generates a report when none is present (ReportNotPresent)', async () => {
    const stub = await stubWith({ GetCredentialReport: [{ error: 'ReportNotPresent' }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }] });
    const { promise, progress } = fetchFrom(stub);
    assert.equal((await promise).csv, STUB_REPORT);
    assert.equal(stub.calls('GenerateCredentialReport'), 2);
    assert.ok(progress.some((line) => /no report yet \(ReportNotPresent\); generating one/.test(line)), progress.join('\n'));
  });

  it('regenerates an expired report (ReportExpired)', async () => {
    const stub = await stubWith({ GetCredentialReport: [{ error: 'ReportExpired' }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }] });
    const { promise, progress } = fetchFrom(stub);
    assert.equal((await promise).csv, STUB_REPORT);
    assert.equal(stub.calls('GenerateCredentialReport'), 2);
    assert.ok(progress.some((line) => /has expired \(ReportExpired\); generating a new one/.test(line)), progress.join('\n'));
  });

  it('gives up with report-unavailable when the report never appears', async () => {
    const stub = await stubWith({ GetCredentialReport: [{ error: 'ReportNotPresent' }] });
    const error = await fetchError(fetchFrom(stub).promise);
    assert.equal(error.code, 'report-unavailable');
    assert.equal(error.details.awsCode, 'ReportNotPresent');
    assert.equal(stub.calls('GenerateCredentialReport'), 4);
  });

  it('backs off and retries on LimitExceeded and on throttling', async () => {
    const stub = await stubWith({
      GenerateCredentialReport: [{ error: 'LimitExceeded', message: 'No more capacity to launch new report generation tasks' }, { error: 'LimitExceeded' }, { state: 'COMPLETE' }],
      GetCredentialReport: [{ error: 'Throttling', message: 'Rate exceeded' }, { report: STUB_REPORT, generatedTime: STUB_GENERATED_TIME }],
    });
    const { promise, progress } = fetchFrom(stub);
    assert.equal((await promise).csv, STUB_REPORT);
    assert.equal(stub.calls('GenerateCredentialReport'), 3);
    assert.equal(stub.calls('GetCredentialReport'), 2);
    assert.equal(progress.filter((line) => /LimitExceeded\) on GenerateCredentialReport; retrying in/.test(line)).length, 2, progress.join('\n'));
    assert.ok(progress.some((line) => /throttled the request \(Throttling\) on GetCredentialReport; retrying/.test(line)), progress.join('\n'));
  });

  it('names the missing permission and the profile on AccessDenied, for generate and for get', async () => {
    const denied = (action: string) => ({ error: 'AccessDenied', message: `User: arn:aws:iam::${STUB_ACCOUNT}:user/auditor is not authorized to perform: iam:${action}` });
    const onGenerate = await stubWith({ GenerateCredentialReport: [denied('GenerateCredentialReport')] });
    const generateError = await fetchError(fetchFrom(onGenerate, { profile: 'prod' }).promise);
    assert.equal(generateError.code, 'access-denied');
    assert.equal(generateError.details.permission, 'iam:GenerateCredentialReport');
    assert.match(generateError.message, /^profile 'prod' is not allowed iam:GenerateCredentialReport/);
    assert.equal(onGenerate.calls('GetCredentialReport'), 0);

    const onGet = await stubWith({ GetCredentialReport: [denied('GetCredentialReport')] });
    const getError = await fetchError(fetchFrom(onGet, { profile: 'prod' }).promise);
    assert.equal(getError.code, 'access-denied');
    assert.equal(getError.details.permission, 'iam:GetCredentialReport');
    assert.match(getError.message, /profile 'prod' is not allowed iam:GetCredentialReport/);
    assert.equal(onGet.calls('GetCredentialReport'), 1, 'AccessDenied is not retried');
  });

  it('carries on without MFA devices when ListVirtualMFADevices is denied', async () => {
    const stub = await stubWith({ ListVirtualMFADevices: [{ error: 'AccessDenied', message: 'not authorized to perform: iam:ListVirtualMFADevices' }] });
    const report = await fetchFrom(stub, { profile: 'readonly' }).promise;
    assert.equal(report.csv, STUB_REPORT);
    assert.equal(report.mfaDevices, null);
    assert.equal(report.notes.length, 1);
    assert.match(report.notes[0], /iam:ListVirtualMFADevices was denied for profile 'readonly'.*root-hardware-mfa cannot be decided/);
  });

  it('retries a dropped connection, then reports a network error when it keeps dropping', async () => {
    const once = await stubWith({ GenerateCredentialReport: ['drop', { state: 'COMPLETE' }] });
    assert.equal((await fetchFrom(once).promise).csv, STUB_REPORT);
    assert.equal(once.calls('GenerateCredentialReport'), 2);

    const always = await stubWith({ GenerateCredentialReport: ['drop'] });
    const error = await fetchError(fetchFrom(always).promise);
    assert.equal(error.code, 'network');
    assert.match(error.message, /cannot reach http:\/\/127\.0\.0\.1:\d+ for GenerateCredentialReport \(ECONNRESET/);
    assert.equal(always.calls('GenerateCredentialReport'), 3);
  });

  it('fails fast with a network error when nothing listens', async () => {
    const stub = await stubWith({});
    const url = stub.url;
    await stub.stop();
    const started = Date.now();
    const error = await fetchError(fetchCredentialReport({ endpointUrl: url, credentials, backoff: { baseMs: 10, maxMs: 50 }, timeoutMs: 10_000 }));
    assert.equal(error.code, 'network');
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(Date.now() - started < 5000);
  });

  it('stops a hung server at the timeout', async () => {
    const stub = await stubWith({ GenerateCredentialReport: ['hang'] });
    const started = Date.now();
    const error = await fetchError(fetchFrom(stub, { timeoutMs: 700 }).promise);
    const elapsed = Date.now() - started;
    assert.equal(error.code, 'timeout');
    assert.match(error.message, /timed out after 0\.70 s/);
    assert.ok(elapsed >= 650 && elapsed < 3000, `took ${elapsed} ms`);
  });

  it('stops at the timeout while the report stays in progress, and says so', async () => {
    const stub = await stubWith({ GenerateCredentialReport: [{ state: 'INPROGRESS' }] });
    const error = await fetchError(fetchFrom(stub, { timeoutMs: 500 }).promise);
    assert.equal(error.code, 'timeout');
    assert.match(error.message, /waiting for IAM to answer GenerateCredentialReport .*; last answer: the report was still being generated \(State INPROGRESS\)/);
    assert.ok(stub.calls('GenerateCredentialReport') >= 2);
  });

  it('is cancelled by the caller signal', async () => {
    const stub = await stubWith({ GenerateCredentialReport: ['hang'] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await fetchError(fetchFrom(stub, { signal: controller.signal }).promise);
    assert.equal(error.code, 'aborted');
  });

  it('reports rejected and expired credentials with the way to fix them', async () => {
    const expired = await stubWith({ GenerateCredentialReport: [{ error: 'ExpiredToken', message: 'The security token included in the request is expired' }] });
    const expiredError = await fetchError(fetchFrom(expired, { profile: 'sso-dev' }).promise);
    assert.equal(expiredError.code, 'credentials');
    assert.match(expiredError.message, /credentials of profile 'sso-dev' have expired \(ExpiredToken\)/);
    assert.match(expiredError.message, /aws sso login --profile sso-dev/);

    const invalid = await stubWith({ GenerateCredentialReport: [{ error: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' }] });
    const invalidError = await fetchError(fetchFrom(invalid).promise);
    assert.equal(invalidError.code, 'credentials');
    assert.match(invalidError.message, /AWS rejected the credentials of the default AWS credentials \(InvalidClientTokenId/);
    assert.match(invalidError.message, /AWS_PROFILE/);
  });

  it('fetches several profiles with bounded concurrency, one report per account', async () => {
    const stub = await stubWith({ GenerateCredentialReport: [{ delayMs: 150, then: { state: 'COMPLETE' } }] });
    const profiles = ['a', 'b', 'c', 'd', 'e', 'f'];
    const progress: string[] = [];
    const outcomes = await fetchCredentialReports(profiles, {
      endpointUrl: stub.url,
      credentials,
      concurrency: 3,
      backoff: { baseMs: 10, maxMs: 50 },
      onProgress: (profile, message) => progress.push(`${profile}: ${message}`),
    });
    assert.equal(stub.calls('GenerateCredentialReport'), 6);
    assert.equal(stub.maxConcurrent, 3, 'at most three accounts at once, and three did run together');
    assert.deepEqual(outcomes.map((outcome) => outcome.profile), profiles);
    // Every profile reached the same account (same stub): only the first keeps the report.
    assert.equal(outcomes[0].report?.accountId, STUB_ACCOUNT);
    assert.deepEqual(outcomes.slice(1).map((outcome) => [outcome.duplicateOf, outcome.report]), profiles.slice(1).map(() => ['a', undefined]));
    assert.ok(progress.some((line) => line.startsWith('f: ')));
  });

  it('uses the default chain for a null profile', async () => {
    const stub = await stubWith({});
    const outcomes = await fetchCredentialReports([null], { endpointUrl: stub.url, credentials, backoff: { baseMs: 10, maxMs: 50 } });
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0].profile, null);
    assert.equal(outcomes[0].report?.profile, null);
    assert.equal(outcomes[0].report?.accountId, STUB_ACCOUNT);
  });
});
