/**
 * The organisation fetch's scheduling and error handling, with the AWS calls injected (OrganizationServices): which
 * accounts are fetched, with which role, how many at once, and that one failing account fails alone.
 */
import * as assert from 'node:assert/strict';
import { FetchedCredentialReport } from '../../../src/core/fetch/credentialReportFetcher';
import { FetchError } from '../../../src/core/fetch/fetchError';
import {
  AccountFetchOutcome,
  fetchOrganizationReports,
  OrganizationAccount,
  OrganizationFetchOptions,
  OrganizationServices,
  TemporaryCredentials,
} from '../../../src/core/fetch/organizationFetcher';

const CALLER = '100000000000';

/** An SDK-shaped error, as the clients throw them. */
function awsError(code: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name: code, Code: code, $metadata: { httpStatusCode: status } });
}

function report(accountId: string): FetchedCredentialReport {
  return {
    csv: `user,arn\n<root_account>,arn:aws:iam::${accountId}:root\n`,
    generatedTime: '2026-11-21T10:00:00Z',
    ageMs: 0,
    accountId,
    profile: null,
    mfaDevices: [],
    notes: [],
  };
}

interface FakeCalls {
  assumed: Array<{ roleArn: string; sessionName: string; externalId?: string }>;
  fetched: Array<{ accountId: string; label: string; credentials: TemporaryCredentials | null }>;
  pages: Array<string | undefined>;
}

/** Services over a fixed list of accounts, in pages of two; `overrides` replace single calls. */
function fakeServices(accounts: OrganizationAccount[], overrides: Partial<OrganizationServices> = {}): { services: OrganizationServices; calls: FakeCalls } {
  const calls: FakeCalls = { assumed: [], fetched: [], pages: [] };
  const services: OrganizationServices = {
    callerAccount: async () => CALLER,
    listAccountsPage: async (nextToken) => {
      calls.pages.push(nextToken);
      const start = nextToken ? Number(nextToken) : 0;
      const end = start + 2;
      return { accounts: accounts.slice(start, end), ...(end < accounts.length ? { nextToken: String(end) } : {}) };
    },
    assumeRole: async (request) => {
      calls.assumed.push(request);
      const account = request.roleArn.split(':')[4];
      return { accessKeyId: `ASIA${account}`, secretAccessKey: `secret-of-${account}`, sessionToken: `token-of-${account}` };
    },
    fetchReport: async (request) => {
      calls.fetched.push({ accountId: request.accountId, label: request.label, credentials: request.credentials });
      return report(request.accountId);
    },
    ...overrides,
  };
  return { services, calls };
}

const active = (id: string, name = `acct-${id}`): OrganizationAccount => ({ id, name, state: 'ACTIVE' });

function summary(outcomes: AccountFetchOutcome[]): Array<[string, string, string | undefined]> {
  return outcomes.map((outcome) => [outcome.accountId, outcome.status, outcome.error?.code ?? outcome.reason]);
}

async function run(services: OrganizationServices, options: OrganizationFetchOptions = {}) {
  const progress: Array<[string | null, string]> = [];
  const outcomes = await fetchOrganizationReports(services, { backoff: { baseMs: 1, maxMs: 2 }, onProgress: (account, message) => progress.push([account, message]), ...options });
  return { outcomes, progress };
}

describe('fetchOrganizationReports (injected AWS calls)', () => {
  it('lists every page, assumes the role in each member account and fetches the caller\'s own account with its own credentials', async () => {
    const { services, calls } = fakeServices([active(CALLER), active('200000000000'), active('300000000000'), active('400000000000'), active('500000000000')]);
    const { outcomes } = await run(services, { externalId: 'ext-42', roleName: 'AuditRole' });
    assert.deepEqual(calls.pages, [undefined, '2', '4']);
    assert.deepEqual(summary(outcomes), [CALLER, '200000000000', '300000000000', '400000000000', '500000000000'].map((id) => [id, 'fetched', undefined]));
    assert.deepEqual(
      calls.assumed.map((request) => request.roleArn).sort(),
      ['200000000000', '300000000000', '400000000000', '500000000000'].map((id) => `arn:aws:iam::${id}:role/AuditRole`),
    );
    assert.ok(calls.assumed.every((request) => request.externalId === 'ext-42' && request.sessionName === 'credcheck'));
    const own = calls.fetched.find((call) => call.accountId === CALLER);
    assert.equal(own?.credentials, null);
    const member = calls.fetched.find((call) => call.accountId === '300000000000');
    assert.equal(member?.credentials?.sessionToken, 'token-of-300000000000', 'a member is fetched with the session of its own role');
    assert.equal(member?.label, 'account 300000000000 (role AuditRole)');
    assert.deepEqual(outcomes.map((outcome) => outcome.report?.accountId), outcomes.map((outcome) => outcome.accountId));
  });

  it('has at most --concurrency accounts in flight, and reaches that bound', async () => {
    for (const concurrency of [1, 3]) {
      let inFlight = 0;
      let maxInFlight = 0;
      const accounts = Array.from({ length: 8 }, (_, index) => active(String(200000000000 + index)));
      const { services, calls } = fakeServices(accounts, {
        fetchReport: async (request) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // Several turns of the event loop: every worker that may start does so before this one ends.
          for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
          inFlight--;
          calls.fetched.push({ accountId: request.accountId, label: request.label, credentials: request.credentials });
          return report(request.accountId);
        },
      });
      const { outcomes } = await run(services, { concurrency });
      assert.equal(maxInFlight, concurrency, `concurrency ${concurrency}`);
      assert.equal(calls.fetched.length, 8);
      assert.ok(outcomes.every((outcome) => outcome.status === 'fetched'));
    }
  });

  it('one account whose role cannot be assumed, and one whose fetch fails, fail alone', async () => {
    const { services } = fakeServices([active(CALLER), active('200000000000'), active('300000000000'), active('400000000000')], {
      assumeRole: async (request) => {
        if (request.roleArn.includes('200000000000')) {
          throw awsError('AccessDenied', `User: arn:aws:iam::${CALLER}:user/admin is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn} X-Amz-Signature=0123456789abcdef0123`, 403);
        }
        return { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' };
      },
      fetchReport: async (request) => {
        if (request.accountId === '400000000000') throw new FetchError('access-denied', 'account 400000000000 (role OrganizationAccountAccessRole) is not allowed iam:GenerateCredentialReport');
        return report(request.accountId);
      },
    });
    const { outcomes } = await run(services);
    assert.deepEqual(summary(outcomes), [
      [CALLER, 'fetched', undefined],
      ['200000000000', 'failed', 'access-denied'],
      ['300000000000', 'fetched', undefined],
      ['400000000000', 'failed', 'access-denied'],
    ]);
    const denied = outcomes[1].error as FetchError;
    assert.match(denied.message, /^account 200000000000 \(role OrganizationAccountAccessRole\): cannot assume arn:aws:iam::200000000000:role\/OrganizationAccountAccessRole \(AccessDenied\)/);
    assert.match(denied.message, /or require an --external-id/);
    assert.doesNotMatch(denied.message, /0123456789abcdef0123/, 'the signature an echo carried is redacted');
    assert.equal(denied.details.permission, 'sts:AssumeRole');
  });

  it('retries throttled ListAccounts and AssumeRole with the backoff, and says so', async () => {
    let listFailures = 2;
    let assumeFailures = 1;
    const base = fakeServices([active(CALLER), active('200000000000'), active('300000000000')]);
    const { services } = fakeServices([active(CALLER), active('200000000000'), active('300000000000')], {
      listAccountsPage: async (token, signal) => {
        if (listFailures-- > 0) throw awsError('TooManyRequestsException', 'AWS Organizations can\'t complete your request because another request is already in progress', 400);
        return base.services.listAccountsPage(token, signal);
      },
      assumeRole: async (request, signal) => {
        if (request.roleArn.includes('300000000000') && assumeFailures-- > 0) throw awsError('Throttling', 'Rate exceeded', 400);
        return base.services.assumeRole(request, signal);
      },
    });
    const { outcomes, progress } = await run(services);
    assert.ok(outcomes.every((outcome) => outcome.status === 'fetched'), JSON.stringify(summary(outcomes)));
    const retries = progress.filter(([, message]) => /retrying in/.test(message));
    assert.deepEqual(
      retries.map(([account, message]) => [account, message.replace(/retrying in [\d.]+ s/, 'retrying')]),
      [
        [null, 'Organizations ListAccounts: throttled (TooManyRequestsException); retrying'],
        [null, 'Organizations ListAccounts: throttled (TooManyRequestsException); retrying'],
        ['300000000000', 'STS AssumeRole: throttled (Throttling); retrying'],
      ],
    );
  });

  it('a role still throttled at the deadline fails that account with a timeout', async () => {
    const { services } = fakeServices([active(CALLER), active('200000000000')], {
      assumeRole: async () => {
        throw awsError('Throttling', 'Rate exceeded', 400);
      },
    });
    const { outcomes } = await run(services, { timeoutMs: 50 });
    assert.deepEqual(summary(outcomes), [
      [CALLER, 'fetched', undefined],
      ['200000000000', 'failed', 'timeout'],
    ]);
  });

  it('skips accounts that are not active; --accounts fetches exactly those named, and one not active or not in the organisation fails', async () => {
    const accounts = [active(CALLER), active('200000000000'), { id: '300000000000', name: 'closed', state: 'SUSPENDED' }, active('400000000000')];
    const all = await run(fakeServices(accounts).services);
    assert.deepEqual(summary(all.outcomes), [
      [CALLER, 'fetched', undefined],
      ['200000000000', 'fetched', undefined],
      ['300000000000', 'skipped', 'the account is SUSPENDED'],
      ['400000000000', 'fetched', undefined],
    ]);
    assert.ok(all.progress.some(([account, message]) => account === '300000000000' && message === 'skipped: the account is SUSPENDED'));

    const { services, calls } = fakeServices(accounts);
    const some = await run(services, { accounts: ['400000000000', '300000000000', '999999999999', '400000000000'] });
    assert.deepEqual(summary(some.outcomes), [
      ['400000000000', 'fetched', undefined],
      ['300000000000', 'failed', 'configuration'],
      ['999999999999', 'failed', 'configuration'],
    ]);
    assert.deepEqual(calls.fetched.map((call) => call.accountId), ['400000000000']);
    assert.match(some.outcomes[2].error?.message ?? '', /account 999999999999 is not an account of this organisation/);
  });

  it('an organisation that cannot be listed is one error naming the permission; not being in one says what to do', async () => {
    const denied = fakeServices([], { listAccountsPage: async () => Promise.reject(awsError('AccessDeniedException', 'You don\'t have permissions to access this resource.', 400)) });
    await assert.rejects(run(denied.services), (error: unknown) => {
      assert.ok(error instanceof FetchError);
      assert.equal(error.code, 'access-denied');
      assert.match(error.message, /organizations:ListAccounts/);
      return true;
    });
    const alone = fakeServices([], { listAccountsPage: async () => Promise.reject(awsError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.', 400)) });
    await assert.rejects(run(alone.services), /not in an organisation \(AWSOrganizationsNotInUseException\); use --profile per account/);
  });
});
