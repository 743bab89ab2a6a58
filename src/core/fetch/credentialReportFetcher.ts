/**
 * Fetches one account's credential report through the AWS SDK: generate until COMPLETE, then get; keep GeneratedTime;
 * list virtual MFA devices when allowed. Every AWS answer the field research found in peers' bug trackers (C.1) is
 * handled here once, for the CLI and the extension alike.
 *
 * The SDK's own retries are switched off (maxAttempts 1): one retry loop, ours, decides what is worth retrying, tells
 * the user while it waits, and stops at the deadline. That also keeps the behaviour testable against a scripted server.
 */
import type { IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import { AwsSdk, loadAwsSdk } from '../aws/loadAwsSdk';
import { MfaDevice } from '../model';
import { AwsErrorKind, ClassifiedAwsError, classifyAwsError } from './awsErrorClassification';
import { FetchError } from './fetchError';
import { reportAccountId } from './reportAccountId';
import { BackoffSettings, backoffDelay, DEFAULT_BACKOFF, sleep } from './retryBackoff';
import { SecretRedactor } from './secretRedaction';
import { resolveIamEndpointSettings, SharedConfigError } from './sharedConfigSettings';

export interface CredentialReportFetchOptions {
  /** A profile from the shared config/credentials files; unset means the SDK's default chain (AWS_PROFILE, env, ...). */
  profile?: string;
  /** How messages name whose report it is (e.g. `account 111122223333`); default: the profile, or the default credentials. */
  label?: string;
  /**
   * IAM is global; the region only picks the partition's endpoint. Default: the profile's region (or AWS_REGION), as
   * the SDK reads it, else us-east-1.
   */
  region?: string;
  /**
   * Another IAM endpoint (moto, LocalStack, a VPC endpoint). Default: the profile's endpoint_url (or services section,
   * AWS_ENDPOINT_URL_IAM, ...), as the SDK reads it (sharedConfigSettings), else the public IAM endpoint.
   */
  endpointUrl?: string;
  /** The whole fetch (credentials, generation, download, MFA listing) ends by then. Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Human progress lines. Never given report contents or credentials. */
  onProgress?: (message: string) => void;
  /** Explicit credentials instead of the default chain (the extension, tests). */
  credentials?: IAMClientConfig['credentials'];
  backoff?: Partial<BackoffSettings>;
  /** Whether to call iam:ListVirtualMFADevices. Default true. */
  listMfaDevices?: boolean;
  now?: () => Date;
}

export interface FetchedCredentialReport {
  csv: string;
  /** When AWS generated the report, UTC ISO 8601 (`2026-11-21T10:00:00Z`). Not in the CSV itself. */
  generatedTime: string;
  /** Age of the report when it was fetched, in ms. */
  ageMs: number;
  accountId: string | null;
  profile: string | null;
  /** Virtual MFA devices, or null when they could not be listed (see notes). */
  mfaDevices: MfaDevice[] | null;
  notes: string[];
}

const DEFAULT_TIMEOUT_MS = 120_000;
/** A hung server must not hold one request longer than this, even with a long overall timeout. */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 10_000;
/** Failures that might pass (a dropped connection, a 500) are tried this often before giving up. */
const TRANSIENT_ATTEMPTS = 3;
/** A get that answers "not present" or "expired" right after a COMPLETE generate is regenerated this often. */
const REGENERATE_ROUNDS = 3;

/** Everything one fetch shares between its steps. */
class FetchContext {
  readonly controller = new AbortController();
  readonly notes: string[] = [];
  /** Values that must never appear in a message: the endpoint's password, then the credentials once resolved. */
  private secrets: string[];
  private redactor: SecretRedactor;
  /** What the fetch was doing, and the last answer that made it wait: a timeout says why it took so long. */
  step = 'waiting for IAM to answer';
  lastAnswer: string | null = null;
  stoppedBy: 'timeout' | 'aborted' | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly detach: () => void;

  constructor(
    readonly sdk: AwsSdk,
    readonly client: IAMClient,
    readonly who: string,
    readonly profile: string | null,
    readonly endpoint: string,
    readonly timeoutMs: number,
    readonly backoff: BackoffSettings,
    private readonly onProgress: ((message: string) => void) | undefined,
    outerSignal: AbortSignal | undefined,
    secrets: string[],
  ) {
    this.secrets = secrets;
    this.redactor = new SecretRedactor(secrets);
    this.timer = setTimeout(() => this.stop('timeout'), timeoutMs);
    const onOuterAbort = () => this.stop('aborted');
    if (outerSignal?.aborted) this.stop('aborted');
    outerSignal?.addEventListener('abort', onOuterAbort, { once: true });
    this.detach = () => outerSignal?.removeEventListener('abort', onOuterAbort);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  progress(message: string): void {
    this.onProgress?.(message);
  }

  redact(text: string): string {
    return this.redactor.redact(text);
  }

  addSecrets(secrets: string[]): void {
    this.secrets = [...this.secrets, ...secrets];
    this.redactor = new SecretRedactor(this.secrets);
  }

  /** The error to end with once the deadline or the caller stopped the fetch. */
  stopError(): FetchError {
    if (this.stoppedBy === 'aborted') return new FetchError('aborted', `${this.who}: fetch cancelled`, { profile: this.profile });
    const lastAnswer = this.lastAnswer ? `; last answer: ${this.lastAnswer}` : '';
    return new FetchError('timeout', `${this.who}: timed out after ${formatSeconds(this.timeoutMs)} ${this.step} (${this.endpoint})${lastAnswer}; try a longer --timeout`, {
      profile: this.profile,
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.detach();
  }

  private stop(reason: 'timeout' | 'aborted'): void {
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    this.controller.abort(new Error(reason));
  }
}

export async function fetchCredentialReport(options: CredentialReportFetchOptions = {}): Promise<FetchedCredentialReport> {
  const profile = options.profile ?? null;
  const who = options.label ?? (profile ? `profile '${profile}'` : 'the default AWS credentials');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let settings;
  try {
    settings = await resolveIamEndpointSettings({
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
      ...(options.region !== undefined ? { region: options.region } : {}),
      ...(options.endpointUrl !== undefined ? { endpointUrl: options.endpointUrl } : {}),
    });
  } catch (error) {
    if (error instanceof SharedConfigError) throw new FetchError('configuration', `${who}: ${error.message}; nothing was sent`, { profile });
    throw error;
  }
  const { region } = settings;
  const endpointUrl = settings.endpoint;
  const shownEndpoint = endpointUrl ? withoutUserinfo(endpointUrl) : `IAM (region ${region})`;
  const endpoint = settings.endpointSource && settings.endpointSource !== '--endpoint-url' ? `${shownEndpoint} (${settings.endpointSource})` : shownEndpoint;
  const sdk = await loadAwsSdk();
  const client = new sdk.IAMClient({
    region,
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, timeoutMs), requestTimeout: Math.min(REQUEST_TIMEOUT_MS, timeoutMs) },
  });
  const context = new FetchContext(
    sdk, client, who, profile, endpoint, timeoutMs, { ...DEFAULT_BACKOFF, ...options.backoff }, options.onProgress, options.signal, endpointUrl ? userinfoSecrets(endpointUrl) : [],
  );
  try {
    if (settings.endpointSource && settings.endpointSource !== '--endpoint-url') context.progress(`${who}: sending requests to ${endpoint}`);
    await resolveCredentials(context);
    const report = await generateAndGetReport(context);
    const mfaDevices = options.listMfaDevices === false ? null : await listVirtualMfaDevices(context);
    const now = (options.now ?? (() => new Date()))();
    let generatedTime = report.generatedTime;
    if (!generatedTime) {
      generatedTime = isoSeconds(now);
      context.notes.push('AWS gave no GeneratedTime for the report; the fetch time is used instead');
    }
    return {
      csv: report.csv,
      generatedTime,
      ageMs: now.getTime() - Date.parse(generatedTime),
      accountId: reportAccountId(report.csv),
      profile,
      mfaDevices,
      notes: context.notes,
    };
  } finally {
    context.dispose();
    client.destroy();
  }
}

async function resolveCredentials(context: FetchContext): Promise<void> {
  context.progress(`${context.who}: resolving credentials`);
  context.step = 'while resolving credentials';
  try {
    const identity = await raceSignal(context.client.config.credentials(), context.signal);
    context.addSecrets([identity.secretAccessKey, identity.sessionToken ?? ''].filter((value) => value.length > 0));
  } catch (error) {
    if (context.stoppedBy) throw context.stopError();
    throw toFetchError(context, classifyAwsError(error), 'credentials');
  }
}

async function generateAndGetReport(context: FetchContext): Promise<{ csv: string; generatedTime: string | null }> {
  let inProgressWaits = 0;
  let regenerations = 0;
  for (;;) {
    await generateUntilComplete(context);
    context.progress(`${context.who}: downloading the report`);
    let output;
    try {
      output = await callWithRetry(context, 'GetCredentialReport', () => context.client.send(new context.sdk.GetCredentialReportCommand({}), { abortSignal: context.signal }), [
        'report-in-progress',
        'report-not-present',
        'report-expired',
      ]);
    } catch (error) {
      if (!(error instanceof ReportStateAnswer)) throw error;
      const answer = error.classified;
      if (answer.kind === 'report-in-progress') {
        context.lastAnswer = 'the report was still being generated (ReportInProgress)';
        const wait = backoffDelay(inProgressWaits++, context.backoff);
        context.progress(`${context.who}: the report is still being generated (ReportInProgress); checking again in ${formatSeconds(wait)}`);
        await sleepOrStop(context, wait);
        continue;
      }
      if (++regenerations > REGENERATE_ROUNDS) {
        throw new FetchError(
          'report-unavailable',
          `${context.who}: IAM still answers ${answer.code} after ${REGENERATE_ROUNDS} report generations; try again later`,
          { profile: context.profile, awsCode: answer.code },
        );
      }
      context.progress(
        answer.kind === 'report-expired'
          ? `${context.who}: the stored report has expired (ReportExpired); generating a new one`
          : `${context.who}: there is no report yet (ReportNotPresent); generating one`,
      );
      continue;
    }
    return decodeReport(context, output);
  }
}

async function generateUntilComplete(context: FetchContext): Promise<void> {
  context.progress(`${context.who}: requesting the credential report (GenerateCredentialReport)`);
  for (let poll = 0; ; poll++) {
    const output = await callWithRetry(context, 'GenerateCredentialReport', () =>
      context.client.send(new context.sdk.GenerateCredentialReportCommand({}), { abortSignal: context.signal }),
    );
    if (output.State === 'COMPLETE') return;
    context.lastAnswer = `the report was still being generated (State ${output.State ?? 'unknown'})`;
    const wait = backoffDelay(poll, context.backoff);
    context.progress(`${context.who}: report generation ${String(output.State ?? 'unknown').toLowerCase()}; checking again in ${formatSeconds(wait)}`);
    await sleepOrStop(context, wait);
  }
}

function decodeReport(
  context: FetchContext,
  output: { Content?: Uint8Array | string; ReportFormat?: string; GeneratedTime?: Date },
): { csv: string; generatedTime: string | null } {
  if (output.Content === undefined) {
    throw new FetchError('bad-response', `${context.who}: GetCredentialReport answered without report content (${context.endpoint})`, { profile: context.profile });
  }
  if (output.ReportFormat && output.ReportFormat !== 'text/csv') {
    throw new FetchError('bad-response', `${context.who}: GetCredentialReport answered in format '${context.redact(output.ReportFormat)}', expected text/csv`, {
      profile: context.profile,
    });
  }
  const csv = typeof output.Content === 'string' ? output.Content : new TextDecoder('utf-8').decode(output.Content);
  const time = output.GeneratedTime;
  return { csv, generatedTime: time && !Number.isNaN(time.getTime()) ? isoSeconds(time) : null };
}

/** Thrown inside the get step for the answers that are about the report's state, which the caller handles itself. */
class ReportStateAnswer extends Error {
  constructor(readonly classified: ClassifiedAwsError) {
    super(classified.code);
  }
}

/**
 * Sends one request, retrying what may pass on its own (LimitExceeded, throttling, a dropped connection, a 500) with
 * backoff until the deadline. `passThrough` kinds go back to the caller as ReportStateAnswer; the rest end the fetch.
 */
async function callWithRetry<T>(context: FetchContext, action: string, send: () => Promise<T>, passThrough: AwsErrorKind[] = []): Promise<T> {
  let retries = 0;
  let transientFailures = 0;
  for (;;) {
    context.step = `waiting for IAM to answer ${action}`;
    try {
      return await raceSignal(send(), context.signal);
    } catch (error) {
      if (context.stoppedBy) throw context.stopError();
      const classified = classifyAwsError(error);
      if (passThrough.includes(classified.kind)) throw new ReportStateAnswer(classified);
      const transient = ['network-transient', 'request-timeout', 'service-failure'].includes(classified.kind);
      if (transient) transientFailures++;
      const retryable = classified.kind === 'limit-exceeded' || classified.kind === 'throttled' || (transient && transientFailures < TRANSIENT_ATTEMPTS);
      if (!retryable) throw toFetchError(context, classified, action);
      const wait = backoffDelay(retries++, context.backoff);
      context.lastAnswer = `${classified.code} to ${action}`;
      context.progress(`${context.who}: ${retryReason(classified)} on ${action}; retrying in ${formatSeconds(wait)}`);
      await sleepOrStop(context, wait);
    }
  }
}

function retryReason(classified: ClassifiedAwsError): string {
  switch (classified.kind) {
    case 'limit-exceeded':
      return 'AWS is generating too many reports at once (LimitExceeded)';
    case 'throttled':
      return `AWS throttled the request (${classified.code})`;
    case 'network-transient':
      return `the connection failed (${classified.code})`;
    case 'request-timeout':
      return 'the request timed out';
    default:
      return `IAM failed (${classified.code})`;
  }
}

const PERMISSION_OF: Record<string, string> = {
  GenerateCredentialReport: 'iam:GenerateCredentialReport',
  GetCredentialReport: 'iam:GetCredentialReport',
  ListVirtualMFADevices: 'iam:ListVirtualMFADevices',
};

function toFetchError(context: FetchContext, classified: ClassifiedAwsError, action: string): FetchError {
  const said = context.redact(classified.message);
  const details = { profile: context.profile, awsCode: classified.code };
  const profileFlag = context.profile ?? '<name>';
  switch (classified.kind) {
    case 'access-denied': {
      const permission = PERMISSION_OF[action] ?? `iam:${action}`;
      return new FetchError(
        'access-denied',
        `${context.who} is not allowed ${permission} (${classified.code}). Grant iam:GenerateCredentialReport and iam:GetCredentialReport ` +
          `to this identity, or use a profile that has them. AWS said: ${said}`,
        { ...details, permission },
      );
    }
    case 'credentials': {
      const fix =
        `If it is an SSO profile, run \`aws sso login --profile ${profileFlag}\`; otherwise set AWS_PROFILE to a configured profile ` +
        `(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run \`aws configure --profile ${profileFlag}\`.`;
      const what = /Expired/i.test(classified.code)
        ? `the credentials of ${context.who} have expired (${classified.code})`
        : action === 'credentials'
          ? `no usable AWS credentials for ${context.who}: ${said}`
          : `AWS rejected the credentials of ${context.who} (${classified.code}: ${said})`;
      return new FetchError('credentials', `${what}. ${fix}`, details);
    }
    case 'network':
    case 'network-transient':
    case 'request-timeout':
      return new FetchError(
        'network',
        `${context.who}: cannot reach ${context.endpoint} for ${action} (${classified.code}: ${said}). Check the network, the proxy settings or --endpoint-url.`,
        details,
      );
    case 'aborted':
      return context.stopError();
    case 'service-failure':
      return new FetchError('service-failure', `${context.who}: IAM failed on ${action} (${classified.code}: ${said}); try again later`, details);
    default:
      return new FetchError('service-failure', `${context.who}: ${action} failed (${classified.code}: ${said})`, details);
  }
}

/** The device list is a bonus for root-hardware-mfa: when it cannot be had, say so and keep the report. */
async function listVirtualMfaDevices(context: FetchContext): Promise<MfaDevice[] | null> {
  context.progress(`${context.who}: listing virtual MFA devices`);
  const devices: MfaDevice[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await callWithRetry(context, 'ListVirtualMFADevices', () =>
        context.client.send(new context.sdk.ListVirtualMFADevicesCommand({ ...(marker ? { Marker: marker } : {}) }), { abortSignal: context.signal }),
      );
      for (const device of page.VirtualMFADevices ?? []) {
        const user = device.User;
        devices.push({
          serial_number: device.SerialNumber ?? '',
          user: user?.Arn?.endsWith(':root') ? '<root_account>' : (user?.UserName ?? null),
          type: 'virtual',
        });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return devices;
  } catch (error) {
    if (context.stoppedBy === 'aborted') throw context.stopError();
    if (error instanceof FetchError && error.code === 'access-denied') {
      context.notes.push(
        `iam:ListVirtualMFADevices was denied for ${context.who}: MFA device types are unknown, so root-hardware-mfa cannot be decided`,
      );
    } else {
      const reason = error instanceof FetchError ? error.message : context.redact(String(error));
      context.notes.push(`could not list virtual MFA devices: ${reason}`);
    }
    return null;
  }
}

async function sleepOrStop(context: FetchContext, ms: number): Promise<void> {
  try {
    await sleep(ms, context.signal);
  } catch {
    throw context.stopError();
  }
}

/** Rejects as soon as the signal aborts, even when the promise (a credential provider) ignores signals. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** An endpoint as messages show it: without `user:password@`. */
export function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return new SecretRedactor().redact(url);
  }
}

/** The password (and user name) in an endpoint URL, as written and decoded: never shown, wherever an echo puts them. */
export function userinfoSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    const values = [parsed.password, parsed.username].filter((value) => value.length > 0);
    return [...values, ...values.map((value) => decodeURIComponent(value))];
  } catch {
    return [];
  }
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}
