/**
 * Fetches the credential report of every account of an AWS organisation: Organizations ListAccounts (paginated) from
 * the caller's credentials, then per account STS AssumeRole into the role Organizations creates in member accounts
 * (OrganizationAccountAccessRole by default) and the one-account fetch (credentialReportFetcher) with those temporary
 * credentials. The caller's own account (usually the management account, which has no such role) is fetched with the
 * caller's credentials.
 *
 * One account failing (role missing or not trusted, access denied, throttled past the deadline) is that account's
 * outcome and never stops the others. Concurrency is bounded: IAM refuses to generate too many reports at once, and
 * STS/Organizations throttle; throttling is retried with the shared backoff (retryBackoff).
 *
 * The AWS calls go through `OrganizationServices`, so the scheduling, filtering and error handling are tested with
 * injected fakes; createOrganizationServices wires the real SDK clients.
 */
import { loadAwsSdk } from '../aws/loadAwsSdk';
import { ClassifiedAwsError, classifyAwsError } from './awsErrorClassification';
import { CredentialReportFetchOptions, FetchedCredentialReport, fetchCredentialReport } from './credentialReportFetcher';
import { FetchError } from './fetchError';
import { BackoffSettings, backoffDelay, DEFAULT_BACKOFF, sleep } from './retryBackoff';
import { redactSecrets } from './secretRedaction';

export const DEFAULT_ROLE_NAME = 'OrganizationAccountAccessRole';
export const DEFAULT_ORGANIZATION_CONCURRENCY = 4;

export interface OrganizationAccount {
  id: string;
  name: string | null;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, ... (Organizations' State, else its older Status). */
  state: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** The AWS calls an organisation fetch makes; each may throw what the SDK throws (classified by awsErrorClassification). */
export interface OrganizationServices {
  /** The caller's own account (STS GetCallerIdentity). */
  callerAccount(signal: AbortSignal): Promise<string>;
  /** One page of Organizations ListAccounts. */
  listAccountsPage(nextToken: string | undefined, signal: AbortSignal): Promise<{ accounts: OrganizationAccount[]; nextToken?: string }>;
  assumeRole(request: { roleArn: string; sessionName: string; externalId?: string }, signal: AbortSignal): Promise<TemporaryCredentials>;
  /** One account's report; `credentials` null: the caller's own. Throws FetchError. */
  fetchReport(request: { accountId: string; label: string; credentials: TemporaryCredentials | null; onProgress: (message: string) => void; signal: AbortSignal }): Promise<FetchedCredentialReport>;
}

export interface OrganizationFetchOptions {
  /** The role assumed in each member account. Default OrganizationAccountAccessRole. */
  roleName?: string;
  /** The external id the roles' trust policies require, if any. */
  externalId?: string;
  /** Accounts fetched at the same time. Default 4. */
  concurrency?: number;
  /** Only these accounts (each must be an active account of the organisation, or it is a failure). */
  accounts?: readonly string[];
  /** `aws`, `aws-cn`, `aws-us-gov`: the partition of the role ARNs. Default from the region, else `aws`. */
  partition?: string;
  backoff?: Partial<BackoffSettings>;
  /** How long listing the accounts may take, and each AssumeRole. Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Progress lines; `account` null for the organisation-wide steps. Never given report contents or credentials. */
  onProgress?: (account: string | null, message: string) => void;
}

export interface AccountFetchOutcome {
  accountId: string;
  accountName: string | null;
  /** fetched: `report` is set; failed: `error` is set; skipped: an account that is not active and was not asked for. */
  status: 'fetched' | 'failed' | 'skipped';
  report?: FetchedCredentialReport;
  error?: FetchError;
  /** Why a skipped account was skipped. */
  reason?: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** Transient failures (a dropped connection, a 500) of one call are tried this often. */
const TRANSIENT_ATTEMPTS = 3;

/**
 * Every account's outcome, in the order ListAccounts gave them (the `accounts` filter's order when given).
 * Throws FetchError only when the organisation itself cannot be listed: then no account can be fetched.
 */
export async function fetchOrganizationReports(services: OrganizationServices, options: OrganizationFetchOptions = {}): Promise<AccountFetchOutcome[]> {
  const roleName = options.roleName ?? DEFAULT_ROLE_NAME;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const progress = (account: string | null, message: string) => options.onProgress?.(account, message);
  const signal = options.signal ?? new AbortController().signal;

  progress(null, 'listing the organisation\'s accounts (Organizations ListAccounts)');
  const listing = deadlineSignal(signal, timeoutMs);
  let accounts: OrganizationAccount[];
  let caller: string;
  try {
    caller = await retrying('STS GetCallerIdentity', () => services.callerAccount(listing.signal), backoff, listing.signal, (message) => progress(null, message));
    accounts = [];
    let nextToken: string | undefined;
    do {
      const page = await retrying('Organizations ListAccounts', () => services.listAccountsPage(nextToken, listing.signal), backoff, listing.signal, (message) =>
        progress(null, message),
      );
      accounts.push(...page.accounts);
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw organizationError(error, listing.stoppedBy());
  } finally {
    listing.dispose();
  }
  progress(null, `${accounts.length} account${accounts.length === 1 ? '' : 's'} in the organisation`);

  const outcomes = selectAccounts(accounts, options.accounts);
  for (const outcome of outcomes) if (outcome.status === 'skipped') progress(outcome.accountId, `skipped: ${outcome.reason}`);
  const pending = outcomes.filter((outcome) => outcome.status === 'fetched');
  const partition = options.partition ?? 'aws';

  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const outcome = pending[next++];
      const account = outcome.accountId;
      try {
        let credentials: TemporaryCredentials | null = null;
        let label = `account ${account}`;
        if (account === caller) {
          progress(account, 'the caller\'s own account: fetched with the caller\'s credentials');
        } else {
          const roleArn = `arn:${partition}:iam::${account}:role/${roleName}`;
          label = `account ${account} (role ${roleName})`;
          progress(account, `assuming ${roleArn}`);
          credentials = await assumeRole(services, { roleArn, sessionName: 'credcheck', ...(options.externalId ? { externalId: options.externalId } : {}) }, label, backoff, timeoutMs, signal, (message) =>
            progress(account, message),
          );
        }
        outcome.report = await services.fetchReport({ accountId: account, label, credentials, onProgress: (message) => progress(account, message), signal });
        if (outcome.report.accountId && outcome.report.accountId !== account) {
          outcome.report.notes.push(`the report's ARNs name account ${outcome.report.accountId}, not ${account}`);
        }
      } catch (error) {
        outcome.status = 'failed';
        outcome.error = error instanceof FetchError ? error : new FetchError('service-failure', `account ${account}: ${redactSecrets(error instanceof Error ? error.message : String(error))}`);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_ORGANIZATION_CONCURRENCY, pending.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return outcomes;
}

/**
 * Which accounts to fetch. Without a filter: every ACTIVE account; the others are skipped and said so (a suspended
 * account cannot be signed in to). With one: exactly the accounts named, and one that is not an active account of the
 * organisation is a failure, since the caller asked for it.
 */
function selectAccounts(accounts: OrganizationAccount[], wanted: readonly string[] | undefined): AccountFetchOutcome[] {
  const byId = new Map(accounts.map((account) => [account.id, account]));
  if (wanted === undefined) {
    return accounts.map((account) =>
      account.state === 'ACTIVE'
        ? { accountId: account.id, accountName: account.name, status: 'fetched' }
        : { accountId: account.id, accountName: account.name, status: 'skipped', reason: `the account is ${account.state}` },
    );
  }
  return [...new Set(wanted)].map((id): AccountFetchOutcome => {
    const account = byId.get(id);
    if (!account) {
      return { accountId: id, accountName: null, status: 'failed', error: new FetchError('configuration', `account ${id} is not an account of this organisation (ListAccounts does not list it)`) };
    }
    if (account.state !== 'ACTIVE') {
      return { accountId: id, accountName: account.name, status: 'failed', error: new FetchError('configuration', `account ${id} is ${account.state}: its report cannot be fetched`) };
    }
    return { accountId: id, accountName: account.name, status: 'fetched' };
  });
}

async function assumeRole(
  services: OrganizationServices,
  request: { roleArn: string; sessionName: string; externalId?: string },
  label: string,
  backoff: BackoffSettings,
  timeoutMs: number,
  outer: AbortSignal,
  onRetry: (message: string) => void,
): Promise<TemporaryCredentials> {
  const deadline = deadlineSignal(outer, timeoutMs);
  try {
    return await retrying('STS AssumeRole', () => services.assumeRole(request, deadline.signal), backoff, deadline.signal, onRetry);
  } catch (error) {
    const stopped = deadline.stoppedBy();
    if (stopped === 'aborted') throw new FetchError('aborted', `${label}: fetch cancelled`);
    if (stopped === 'timeout') throw new FetchError('timeout', `${label}: timed out after ${timeoutMs / 1000} s assuming ${request.roleArn}; try a longer --timeout`);
    const classified = classifyAwsError(error);
    const said = redactSecrets(classified.message);
    if (classified.kind === 'access-denied') {
      throw new FetchError(
          'access-denied',
          `${label}: cannot assume ${request.roleArn} (${classified.code}): the role may be missing in that account, not trust the caller` +
            `${request.externalId ? ', or expect another --external-id' : ' or require an --external-id'}, or the caller lacks sts:AssumeRole. AWS said: ${said}`,
          { awsCode: classified.code, permission: 'sts:AssumeRole' },
        );
    }
    if (classified.kind === 'credentials') {
      throw new FetchError('credentials', `${label}: AWS rejected the caller's credentials on AssumeRole (${classified.code}: ${said})`, { awsCode: classified.code });
    }
    throw new FetchError(kindToCode(classified), `${label}: AssumeRole failed (${classified.code}: ${said})`, { awsCode: classified.code });
  } finally {
    deadline.dispose();
  }
}

function organizationError(error: unknown, stopped: 'timeout' | 'aborted' | null): FetchError {
  if (stopped === 'aborted') return new FetchError('aborted', 'listing the organisation\'s accounts: cancelled');
  if (stopped === 'timeout') return new FetchError('timeout', 'timed out listing the organisation\'s accounts; try a longer --timeout');
  const classified = classifyAwsError(error);
  const said = redactSecrets(classified.message);
  if (classified.code === 'AWSOrganizationsNotInUseException') {
    return new FetchError('configuration', `the caller's account is not in an organisation (${classified.code}); use --profile per account instead of --organization`, { awsCode: classified.code });
  }
  if (classified.kind === 'access-denied') {
    return new FetchError(
      'access-denied',
      `cannot list the organisation's accounts (${classified.code}): run from the management account or a delegated administrator with organizations:ListAccounts. AWS said: ${said}`,
      { awsCode: classified.code, permission: 'organizations:ListAccounts' },
    );
  }
  if (classified.kind === 'credentials') {
    return new FetchError('credentials', `no usable AWS credentials to list the organisation (${classified.code}: ${said})`, { awsCode: classified.code });
  }
  return new FetchError(kindToCode(classified), `cannot list the organisation's accounts (${classified.code}: ${said})`, { awsCode: classified.code });
}

function kindToCode(classified: ClassifiedAwsError): FetchError['code'] {
  if (classified.kind === 'network' || classified.kind === 'network-transient' || classified.kind === 'request-timeout') return 'network';
  return 'service-failure';
}

/**
 * Sends one call, retrying throttling (and LimitExceeded) with the shared backoff until the signal stops it, and a
 * transient failure a few times. Anything else is thrown as the SDK threw it.
 */
async function retrying<T>(action: string, send: () => Promise<T>, backoff: BackoffSettings, signal: AbortSignal, onRetry: (message: string) => void): Promise<T> {
  let retries = 0;
  let transient = 0;
  for (;;) {
    if (signal.aborted) throw signal.reason;
    try {
      return await send();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const classified = classifyAwsError(error);
      const isTransient = ['network-transient', 'request-timeout', 'service-failure'].includes(classified.kind);
      if (isTransient) transient++;
      const retryable = classified.kind === 'throttled' || classified.kind === 'limit-exceeded' || (isTransient && transient < TRANSIENT_ATTEMPTS);
      if (!retryable) throw error;
      const wait = backoffDelay(retries++, backoff);
      onRetry(`${action}: ${classified.kind === 'throttled' || classified.kind === 'limit-exceeded' ? 'throttled' : 'failed'} (${classified.code}); retrying in ${wait / 1000} s`);
      await sleep(wait, signal);
    }
  }
}

/** A signal that aborts with the outer one or after `timeoutMs`, and says which. */
function deadlineSignal(outer: AbortSignal, timeoutMs: number): { signal: AbortSignal; stoppedBy: () => 'timeout' | 'aborted' | null; dispose: () => void } {
  const controller = new AbortController();
  let stopped: 'timeout' | 'aborted' | null = null;
  const stop = (reason: 'timeout' | 'aborted') => {
    if (stopped) return;
    stopped = reason;
    controller.abort(new Error(reason));
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('aborted');
  if (outer.aborted) stop('aborted');
  outer.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    stoppedBy: () => stopped,
    dispose: () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}

/** The partition of the role ARNs, from the region the calls go through. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  if (region?.startsWith('us-iso-')) return 'aws-iso';
  if (region?.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

export interface OrganizationClientSettings {
  /** The caller's profile (ListAccounts and AssumeRole are made with it). */
  profile?: string;
  region?: string;
  /** One endpoint for Organizations, STS and IAM (moto, LocalStack). */
  endpointUrl?: string;
  /** How long each account's report fetch may take. */
  timeoutMs?: number;
  backoff?: Partial<BackoffSettings>;
  listMfaDevices?: boolean;
}

/** The real AWS calls, through the SDK with its retries off (ours decide, as in credentialReportFetcher). */
export async function createOrganizationServices(settings: OrganizationClientSettings): Promise<OrganizationServices & { destroy(): void }> {
  const { AssumeRoleCommand, GetCallerIdentityCommand, ListAccountsCommand, OrganizationsClient, STSClient } = await loadAwsSdk();
  const region = settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const common = {
    region,
    ...(settings.endpointUrl ? { endpoint: settings.endpointUrl } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
  };
  const organizations = new OrganizationsClient(common);
  const sts = new STSClient(common);
  return {
    async callerAccount(signal) {
      const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
      if (!identity.Account) throw new FetchError('bad-response', 'STS GetCallerIdentity answered without an account');
      return identity.Account;
    },
    async listAccountsPage(nextToken, signal) {
      const page = await organizations.send(new ListAccountsCommand({ ...(nextToken ? { NextToken: nextToken } : {}) }), { abortSignal: signal });
      return {
        accounts: (page.Accounts ?? []).filter((account) => account.Id).map((account) => ({
          id: account.Id as string,
          name: account.Name ?? null,
          state: String((account as { State?: string }).State ?? account.Status ?? 'UNKNOWN'),
        })),
        ...(page.NextToken ? { nextToken: page.NextToken } : {}),
      };
    },
    async assumeRole(request, signal) {
      const answer = await sts.send(
        new AssumeRoleCommand({ RoleArn: request.roleArn, RoleSessionName: request.sessionName, ...(request.externalId ? { ExternalId: request.externalId } : {}) }),
        { abortSignal: signal },
      );
      const credentials = answer.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
        throw new FetchError('bad-response', `STS AssumeRole answered without credentials for ${request.roleArn}`);
      }
      return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken, ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}) };
    },
    fetchReport(request) {
      const options: CredentialReportFetchOptions = {
        label: request.label,
        region,
        ...(settings.endpointUrl ? { endpointUrl: settings.endpointUrl } : {}),
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
        ...(settings.backoff ? { backoff: settings.backoff } : {}),
        ...(settings.listMfaDevices !== undefined ? { listMfaDevices: settings.listMfaDevices } : {}),
        onProgress: request.onProgress,
        signal: request.signal,
      };
      // The caller's own account: its profile (or the default chain); a member account: the role's session (the profile
      // still decides the IAM endpoint, as its endpoint_url would for the caller's own account).
      if (settings.profile) options.profile = settings.profile;
      if (request.credentials) options.credentials = request.credentials;
      return fetchCredentialReport(options);
    },
    destroy() {
      organizations.destroy();
      sts.destroy();
    },
  };
}
