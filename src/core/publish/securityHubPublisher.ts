/**
 * Publishes a run's ASFF findings to AWS Security Hub, idempotently: per account, what credcheck published before is
 * listed (GetFindings, paginated), the current findings are imported (BatchImportFindings, 100 per call, the API's
 * limit) under their stable ids (findingIdentity.ts), so a re-run updates them rather than adding copies, and a finding
 * published before that the run no longer finds (the user fixed it) is resolved the way Security Hub's own finding
 * providers do it (Prowler's `archive_previous_findings`): re-imported with RecordState ARCHIVED and Compliance.Status
 * PASSED. Its Workflow.Status, which BatchImportFindings may not change once a finding exists (it belongs to the
 * customer's investigation), is then set to RESOLVED with BatchUpdateFindings.
 *
 * Throttling (and LimitExceeded) is retried with the shared backoff (retryBackoff.ts) until the deadline, a transient
 * failure a few times; a finding Security Hub names in FailedFindings with a code that may pass is sent again a few
 * times. Whatever still fails is in the summary, with the finding's id, check, user and report line: never dropped.
 *
 * The AWS calls go through `SecurityHubService`, so batching, retries and the resolution are tested with fakes and a
 * stub server; securityHubService.ts wires the SDK client.
 */
import { classifyAwsError } from '../fetch/awsErrorClassification';
import { BackoffSettings, backoffDelay, DEFAULT_BACKOFF, sleep } from '../fetch/retryBackoff';
import { redactSecrets } from '../fetch/secretRedaction';

/** One finding in the AWS Security Finding Format, as asffFormatter builds it or GetFindings answers it. */
export type AsffFinding = Record<string, unknown>;

/** A finding an AWS call did not take, and why (as Security Hub said it, redacted). */
export interface RejectedFinding {
  id: string;
  code: string;
  message: string;
}

/** The Security Hub calls a publish makes; each may throw what the SDK throws (classified by awsErrorClassification). */
export interface SecurityHubService {
  /** BatchImportFindings: at most 100 findings of one account. */
  importFindings(findings: AsffFinding[], signal: AbortSignal): Promise<{ failedCount: number; failed: RejectedFinding[] }>;
  /** One page (at most 100) of GetFindings: the account's active findings of the product whose generator starts with the prefix. */
  listFindingsPage(
    query: { accountId: string; productArn: string; generatorPrefix: string },
    nextToken: string | undefined,
    signal: AbortSignal,
  ): Promise<{ findings: AsffFinding[]; nextToken?: string }>;
  /** BatchUpdateFindings Workflow.Status RESOLVED: at most 100 findings. */
  resolveWorkflow(findings: { id: string; productArn: string }[], signal: AbortSignal): Promise<{ failed: RejectedFinding[] }>;
}

export interface PublishRequest {
  /** The run's findings in ASFF, every one naming its account (AwsAccountId) and product (ProductArn). */
  findings: AsffFinding[];
  /** Every account the run audited (a fixed account may have no finding left: its old ones are resolved too). */
  accounts: string[];
  /** The product ARN of an account's findings (asffProductArn for the region the calls go to). */
  productArnOf(account: string): string;
  /**
   * Whether a finding published before and not found now is resolved. False when the audit was incomplete: a finding
   * missing because a report or policy could not be used is not fixed.
   */
  resolveGone: boolean;
  /** The stamp of this publish (UpdatedAt), ISO 8601. */
  now: string;
  backoff?: Partial<BackoffSettings>;
  /** The whole publish ends by then. Default 300 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Progress lines; `account` null for the run-wide ones. Never given credentials. */
  onProgress?: (account: string | null, message: string) => void;
}

/** One finding that could not be published, resolved or marked RESOLVED, located. */
export interface PublishFailure {
  account: string;
  id: string;
  /** Where the finding came from: the check, the user and the report line, as far as the finding says. */
  where: string;
  /** What was being done: `import`, `resolve` (archive) or `workflow` (RESOLVED). */
  step: 'import' | 'resolve' | 'workflow';
  /** AWS's code (`InvalidInput`, `AccessDeniedException`, ...). */
  code: string;
  /** Why, for the user: AWS's code and words (redacted), and for a refused call what to do. */
  message: string;
}

export interface AccountSummary {
  account: string;
  /** Findings imported that were not active in Security Hub before. */
  created: number;
  /** Findings imported that were (their ids were listed). */
  updated: number;
  /** Findings of earlier runs no longer found, archived. */
  resolved: number;
  /** When the listing failed: new and updated cannot be told apart, and nothing was resolved. */
  listingFailed: string | null;
  /** Findings of earlier runs not resolved because the audit was incomplete. */
  leftActive: number;
}

export interface PublishSummary {
  accounts: AccountSummary[];
  /** Findings that were not imported or not archived: the publish is incomplete. */
  failures: PublishFailure[];
  /** Archived findings whose Workflow.Status could not be set to RESOLVED. */
  workflowFailures: PublishFailure[];
  /** Why the publish stopped before the end (the deadline, a cancel): what was not reached is not published. */
  stopped: string | null;
}

/** BatchImportFindings and BatchUpdateFindings take at most 100 findings per call; GetFindings answers at most 100. */
export const SECURITY_HUB_BATCH_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 300_000;
/** A transient failure (a dropped connection, a 500) of one call is tried this often. */
const TRANSIENT_ATTEMPTS = 3;
/** A finding Security Hub failed with a code that may pass is sent this often in all. */
const FINDING_ATTEMPTS = 4;
/**
 * FailedFindings codes that may pass on their own. Security Hub documents no list of codes; these are the throttling,
 * limit and internal-error names its API uses elsewhere. InvalidInput, AccessDenied and the like are final.
 */
const RETRYABLE_FINDING_CODE = /throttl|toomanyrequests|limitexceeded|internal|serviceunavailable|timeout|unavailable/i;

export function isRetryableFindingCode(code: string): boolean {
  return RETRYABLE_FINDING_CODE.test(code);
}

/** An error that ends every remaining call of one account (access denied, Security Hub not enabled, ...). */
class AccountStopped extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function publishToSecurityHub(service: SecurityHubService, request: PublishRequest): Promise<PublishSummary> {
  const backoff = { ...DEFAULT_BACKOFF, ...request.backoff };
  const deadline = deadlineSignal(request.signal, request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const progress = (account: string | null, message: string) => request.onProgress?.(account, message);
  const summary: PublishSummary = { accounts: [], failures: [], workflowFailures: [], stopped: null };
  const byAccount = new Map<string, AsffFinding[]>();
  for (const account of request.accounts) byAccount.set(account, []);
  for (const finding of request.findings) {
    const account = String(finding.AwsAccountId);
    const list = byAccount.get(account) ?? [];
    list.push(finding);
    byAccount.set(account, list);
  }
  try {
    for (const [account, findings] of byAccount) {
      summary.accounts.push(await publishAccount(service, account, findings, request, backoff, deadline, summary, (message) => progress(account, message)));
    }
  } catch (error) {
    if (!(error instanceof PublishStopped)) throw error;
    summary.stopped = error.message;
  } finally {
    deadline.dispose();
  }
  return summary;
}

async function publishAccount(
  service: SecurityHubService,
  account: string,
  findings: AsffFinding[],
  request: PublishRequest,
  backoff: BackoffSettings,
  deadline: Deadline,
  summary: PublishSummary,
  progress: (message: string) => void,
): Promise<AccountSummary> {
  const result: AccountSummary = { account, created: 0, updated: 0, resolved: 0, listingFailed: null, leftActive: 0 };
  const productArn = request.productArnOf(account);
  const fail = (step: PublishFailure['step'], finding: AsffFinding, code: string, message: string) =>
    (step === 'workflow' ? summary.workflowFailures : summary.failures).push({ account, id: String(finding.Id), where: whereOf(finding), step, code, message });

  // 1. What credcheck published before in this account and region, still active.
  let previous: Map<string, AsffFinding> | null = new Map();
  progress('listing the findings credcheck published before (GetFindings)');
  try {
    let nextToken: string | undefined;
    do {
      const page = await retrying('GetFindings', () => service.listFindingsPage({ accountId: account, productArn, generatorPrefix: 'credcheck/' }, nextToken, deadline.signal), backoff, deadline, progress);
      // Filtered again here: the filter is the server's promise, and an emulator (moto) ignores it.
      for (const finding of page.findings) if (isOurActiveFinding(finding, account, productArn)) previous.set(String(finding.Id), finding);
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (deadline.stoppedBy()) throw deadline.error();
    const stopped = stopReason(error, account, 'GetFindings');
    result.listingFailed = `${stopped.code}: ${stopped.message}`;
    previous = null;
  }
  if (previous) progress(`${previous.size} finding${previous.size === 1 ? '' : 's'} published before ${previous.size === 1 ? 'is' : 'are'} active`);

  // 2. The current findings, in batches; an existing finding keeps the CreatedAt it was first published with.
  const current = findings.map((finding): AsffFinding => {
    const before = previous?.get(String(finding.Id));
    return { ...finding, ...(typeof before?.CreatedAt === 'string' ? { CreatedAt: before.CreatedAt } : {}), UpdatedAt: request.now };
  });
  let stopped: AccountStopped | null = null;
  if (current.length > 0) {
    const batches = Math.ceil(current.length / SECURITY_HUB_BATCH_SIZE);
    progress(`importing ${current.length} finding${current.length === 1 ? '' : 's'} (BatchImportFindings, ${batches} batch${batches === 1 ? '' : 'es'})`);
    const imported = await importInBatches(service, current, backoff, deadline, progress, (finding, code, message) => fail('import', finding, code, message));
    stopped = imported.stopped;
    for (const id of imported.succeeded) {
      if (previous?.has(id)) result.updated++;
      else result.created++;
    }
  }

  // 3. What was published before and is gone now: resolved, unless the audit was incomplete.
  if (!previous) return result;
  const currentIds = new Set(current.map((finding) => String(finding.Id)));
  const gone = [...previous.values()].filter((finding) => !currentIds.has(String(finding.Id)));
  if (gone.length === 0) return result;
  if (!request.resolveGone) {
    result.leftActive = gone.length;
    return result;
  }
  if (stopped) {
    for (const finding of gone) fail('resolve', finding, stopped.code, `not resolved: ${stopped.message}`);
    return result;
  }
  progress(`resolving ${gone.length} finding${gone.length === 1 ? '' : 's'} no longer found (RecordState ARCHIVED, Compliance PASSED)`);
  const archived = gone.map((finding): AsffFinding => ({
    ...finding,
    RecordState: 'ARCHIVED',
    Compliance: { ...(isRecord(finding.Compliance) ? finding.Compliance : {}), Status: 'PASSED' },
    UpdatedAt: request.now,
  }));
  const resolved = await importInBatches(service, archived, backoff, deadline, progress, (finding, code, message) => fail('resolve', finding, code, message));
  result.resolved = resolved.succeeded.length;

  // 4. Their Workflow.Status RESOLVED, unless the user set it (SUPPRESSED) or it already is.
  const resolvedIds = new Set(resolved.succeeded);
  const toMark = gone.filter((finding) => resolvedIds.has(String(finding.Id)) && ['NEW', 'NOTIFIED', undefined].includes(workflowStatusOf(finding)));
  for (let start = 0; start < toMark.length; start += SECURITY_HUB_BATCH_SIZE) {
    const batch = toMark.slice(start, start + SECURITY_HUB_BATCH_SIZE);
    try {
      const answer = await retrying('BatchUpdateFindings', () => service.resolveWorkflow(batch.map((finding) => ({ id: String(finding.Id), productArn: String(finding.ProductArn) })), deadline.signal), backoff, deadline, progress);
      const byId = new Map(batch.map((finding) => [String(finding.Id), finding]));
      for (const rejected of answer.failed) {
        const finding = byId.get(rejected.id);
        if (finding) fail('workflow', finding, rejected.code, `${rejected.code}: ${redactSecrets(rejected.message)}`);
      }
    } catch (error) {
      if (deadline.stoppedBy()) throw deadline.error();
      const reason = stopReason(error, account, 'BatchUpdateFindings');
      for (const finding of toMark.slice(start)) fail('workflow', finding, reason.code, reason.message);
      break;
    }
  }
  return result;
}

/**
 * Sends the findings 100 at a time; findings failed with a code that may pass are sent again (with backoff) up to
 * FINDING_ATTEMPTS times. A call that fails for good stops the account: every finding not yet taken is a failure.
 */
async function importInBatches(
  service: SecurityHubService,
  findings: AsffFinding[],
  backoff: BackoffSettings,
  deadline: Deadline,
  progress: (message: string) => void,
  fail: (finding: AsffFinding, code: string, message: string) => void,
): Promise<{ succeeded: string[]; stopped: AccountStopped | null }> {
  const succeeded: string[] = [];
  const batches = Math.ceil(findings.length / SECURITY_HUB_BATCH_SIZE);
  for (let index = 0; index < batches; index++) {
    const batch = findings.slice(index * SECURITY_HUB_BATCH_SIZE, (index + 1) * SECURITY_HUB_BATCH_SIZE);
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      let answer;
      try {
        answer = await retrying('BatchImportFindings', () => service.importFindings(pending, deadline.signal), backoff, deadline, progress);
      } catch (error) {
        if (deadline.stoppedBy()) throw deadline.error();
        const stopped = stopReason(error, String(batch[0]?.AwsAccountId ?? ''), 'BatchImportFindings');
        for (const finding of [...pending, ...findings.slice((index + 1) * SECURITY_HUB_BATCH_SIZE)]) fail(finding, stopped.code, stopped.message);
        return { succeeded, stopped };
      }
      const byId = new Map(pending.map((finding) => [String(finding.Id), finding]));
      const retry: AsffFinding[] = [];
      const failedIds = new Set<string>();
      for (const rejected of answer.failed) {
        const finding = byId.get(rejected.id);
        if (!finding || failedIds.has(rejected.id)) continue;
        failedIds.add(rejected.id);
        if (isRetryableFindingCode(rejected.code) && attempt < FINDING_ATTEMPTS) retry.push(finding);
        else fail(finding, rejected.code, `${rejected.code}: ${redactSecrets(rejected.message)}`);
      }
      const unnamed = answer.failedCount - answer.failed.length;
      if (unnamed > 0) {
        // Security Hub counted failures it did not name: which findings they are is unknown, so none is counted as sent.
        for (const finding of pending) if (!failedIds.has(String(finding.Id))) fail(finding, 'FailedCount', `Security Hub counted ${answer.failedCount} failed findings in this batch but named only ${answer.failed.length}`);
        break;
      }
      for (const finding of pending) if (!failedIds.has(String(finding.Id))) succeeded.push(String(finding.Id));
      if (retry.length === 0) break;
      const wait = backoffDelay(attempt - 1, backoff);
      progress(`${retry.length} finding${retry.length === 1 ? '' : 's'} of batch ${index + 1} failed with ${[...new Set(answer.failed.filter((r) => byId.has(r.id) && isRetryableFindingCode(r.code)).map((r) => r.code))].join(', ')}; sending ${retry.length === 1 ? 'it' : 'them'} again in ${seconds(wait)}`);
      await sleepOrStop(wait, deadline);
      pending = retry;
    }
    if (batches > 1) progress(`batch ${index + 1} of ${batches} sent`);
  }
  return { succeeded, stopped: null };
}

/** Sends one call, retrying throttling with the shared backoff until the deadline, and a transient failure a few times. */
async function retrying<T>(action: string, send: () => Promise<T>, backoff: BackoffSettings, deadline: Deadline, progress: (message: string) => void): Promise<T> {
  let retries = 0;
  let transient = 0;
  for (;;) {
    if (deadline.signal.aborted) throw deadline.error();
    try {
      return await send();
    } catch (error) {
      if (deadline.signal.aborted) throw deadline.error();
      const classified = classifyAwsError(error);
      const isTransient = ['network-transient', 'request-timeout', 'service-failure'].includes(classified.kind);
      if (isTransient) transient++;
      const throttled = classified.kind === 'throttled' || classified.kind === 'limit-exceeded';
      if (!throttled && !(isTransient && transient < TRANSIENT_ATTEMPTS)) throw error;
      const wait = backoffDelay(retries++, backoff);
      progress(`${action}: ${throttled ? 'throttled' : 'failed'} (${classified.code}); retrying in ${seconds(wait)}`);
      await sleepOrStop(wait, deadline);
    }
  }
}

/** Why a call failed for good, said for the user: what to fix, with AWS's words (redacted). */
function stopReason(error: unknown, account: string, action: string): AccountStopped {
  if (error instanceof PublishStopped) return new AccountStopped(error.code, error.message);
  const classified = classifyAwsError(error);
  const said = redactSecrets(classified.message);
  const permission = `securityhub:${action}`;
  if (classified.code === 'InvalidAccessException') {
    return new AccountStopped(classified.code, `Security Hub is not enabled for account ${account} in this region, or the finding's account is not the caller's (${classified.code}). AWS said: ${said}`);
  }
  if (classified.kind === 'access-denied') {
    return new AccountStopped(
      classified.code,
      `not allowed ${permission} (${classified.code})` +
        `${action === 'BatchImportFindings' ? '; a custom finding must be imported from the account it is about (publish each account with its own --profile)' : ''}. AWS said: ${said}`,
    );
  }
  if (classified.kind === 'credentials') return new AccountStopped(classified.code, `AWS rejected the credentials (${classified.code}): ${said}`);
  if (classified.kind === 'network' || classified.kind === 'network-transient' || classified.kind === 'request-timeout') {
    return new AccountStopped(classified.code, `cannot reach Security Hub for ${action} (${classified.code}: ${said}); check the network, the proxy or --endpoint-url`);
  }
  return new AccountStopped(classified.code, `${action} failed (${classified.code}: ${said})`);
}

/** The publish stopped as a whole: the deadline passed, or the caller cancelled. */
export class PublishStopped extends Error {
  constructor(
    readonly code: 'timeout' | 'aborted',
    message: string,
  ) {
    super(message);
  }
}

function isOurActiveFinding(finding: AsffFinding, account: string, productArn: string): boolean {
  return (
    finding.AwsAccountId === account &&
    finding.ProductArn === productArn &&
    typeof finding.GeneratorId === 'string' &&
    finding.GeneratorId.startsWith('credcheck/') &&
    typeof finding.Id === 'string' &&
    finding.Id.startsWith(`credcheck/${account}/`) &&
    (finding.RecordState === undefined || finding.RecordState === 'ACTIVE')
  );
}

function workflowStatusOf(finding: AsffFinding): string | undefined {
  return isRecord(finding.Workflow) && typeof finding.Workflow.Status === 'string' ? finding.Workflow.Status : undefined;
}

/** `check root-mfa, user alice, report.csv:3`, from the fields asffFormatter writes (an old finding may lack some). */
export function whereOf(finding: AsffFinding): string {
  const fields = isRecord(finding.ProductFields) ? (finding.ProductFields as Record<string, unknown>) : {};
  const resource = Array.isArray(finding.Resources) && isRecord(finding.Resources[0]) ? finding.Resources[0] : {};
  const details = isRecord(resource.Details) && isRecord(resource.Details.AwsIamUser) ? resource.Details.AwsIamUser : {};
  const parts: string[] = [];
  if (typeof fields['credcheck/check'] === 'string') parts.push(`check ${fields['credcheck/check']}`);
  if (typeof details.UserName === 'string') parts.push(`user ${details.UserName}`);
  else if (resource.Type === 'AwsAccount') parts.push('the root user');
  if (typeof fields['credcheck/file'] === 'string') parts.push(`${fields['credcheck/file']}${typeof fields['credcheck/line'] === 'string' ? `:${fields['credcheck/line']}` : ''}`);
  return parts.join(', ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Deadline {
  signal: AbortSignal;
  stoppedBy(): 'timeout' | 'aborted' | null;
  error(): PublishStopped;
  dispose(): void;
}

function deadlineSignal(outer: AbortSignal | undefined, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let stopped: 'timeout' | 'aborted' | null = null;
  const stop = (reason: 'timeout' | 'aborted') => {
    if (stopped) return;
    stopped = reason;
    controller.abort(new Error(reason));
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('aborted');
  if (outer?.aborted) stop('aborted');
  outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    stoppedBy: () => stopped,
    error: () =>
      stopped === 'aborted'
        ? new PublishStopped('aborted', 'publish cancelled')
        : new PublishStopped('timeout', `timed out after ${seconds(timeoutMs)} publishing to Security Hub; try a longer --timeout`),
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

async function sleepOrStop(ms: number, deadline: Deadline): Promise<void> {
  try {
    await sleep(ms, deadline.signal);
  } catch {
    throw deadline.error();
  }
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 2 : 1)} s`;
}
