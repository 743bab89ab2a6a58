/**
 * `credcheck publish --security-hub`: check's audit (the same operands and audit options, run by runCheckAudit), then
 * its findings in ASFF sent to AWS Security Hub (src/core/publish). This is flags, messages and the exit code.
 *
 * Exit codes are check's (0 no failing finding, 1 failing findings, 2 incomplete), and a publish that did not take
 * every finding (a FailedFindings entry, a call refused, the deadline) is exit 2 with each finding named on stderr.
 * Progress and the summary go to stderr; stdout stays empty.
 */
import { asffFindings, asffProductArn } from '../../core/output/asffFormatter';
import { formatProblem } from '../../core/output/problemText';
import { PublishFailure, publishToSecurityHub, PublishSummary } from '../../core/publish/securityHubPublisher';
import type { OpenedSecurityHub } from '../../core/publish/securityHubService';
import { buildOutputContext, exitCodeOf } from '../../core/run';
import { redactSecrets } from '../../core/fetch/secretRedaction';
import { escapeTerminalText } from '../../core/text/terminalText';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { CliIo, UsageError } from '../io';
import { AUDIT_OPTIONS, CheckDependencies, runCheckAudit } from './check';
import packageJson from '../../../package.json';

const DEFAULT_TIMEOUT_SECONDS = 300;
/** A failure shared by many findings names this many of them. */
const MAX_NAMED = 3;

export const definition = defineCommand({
  name: 'publish',
  operands: '<report.csv|dir>...',
  summary: 'audit reports and send the findings to AWS Security Hub',
  description:
    "Audits the reports as 'credcheck check' does (the same operands and audit options) and sends the findings to AWS " +
    'Security Hub (BatchImportFindings, 100 per call) in the format --format asff writes. Finding ids are stable, so a ' +
    're-run updates findings instead of adding copies; a finding published before that the audit no longer finds (it ' +
    'was fixed) is archived and marked RESOLVED. Each account is published with the credentials given (Security Hub ' +
    "takes a custom finding only from its own account). Progress and a summary go to stderr.",
  options: {
    'security-hub': { description: 'send the findings to AWS Security Hub (the one destination for now)' },
    region: { value: '<region>', description: 'the Security Hub region (default: AWS_REGION or the profile\'s region; there is no default)' },
    'endpoint-url': { value: '<url>', description: 'the Security Hub endpoint to call instead of AWS\'s (http or https)' },
    profile: { value: '<name>', description: 'the AWS profile to publish with (default: the default credential chain)' },
    timeout: { value: '<seconds>', description: `how long the whole publish may take (default: ${DEFAULT_TIMEOUT_SECONDS})` },
    ...AUDIT_OPTIONS,
  },
  examples: [
    ['a fetched report to Security Hub in eu-west-1, ages from its generation time', 'credcheck publish --security-hub --region eu-west-1 report.csv --now report'],
    ['every report in a directory, with your policies too', 'credcheck publish --security-hub reports/ --policy policies/'],
  ],
  exitCodes: [
    [0, 'every finding was published, and none fails (a suppressed one does not count)'],
    [1, 'every finding was published, and at least one fails'],
    [2, 'a usage, settings, input or policy problem left the audit incomplete, or a finding could not be published or resolved'],
  ],
});

const USAGE = usageOf(definition);

export interface PublishDependencies extends CheckDependencies {
  /** Replaces the SDK connection (tests). */
  openSecurityHub?: typeof import('../../core/publish/securityHubService').openSecurityHub;
}

export async function run(args: string[], io: CliIo, dependencies: PublishDependencies = {}): Promise<number> {
  const { values, positionals } = readCommandLine(definition, args);
  if (!values['security-hub']) throw new UsageError(`say where to publish: --security-hub\n${USAGE}`);
  if (positionals.length === 0) throw new UsageError(`expected at least one report file\n${USAGE}`);
  if (values['endpoint-url'] !== undefined && !/^https?:\/\/[^/]/.test(values['endpoint-url'])) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, got '${redactSecrets(values['endpoint-url'])}'`);
  }
  if (values.profile === '') throw new UsageError(`--profile needs a name\n${USAGE}`);
  let timeoutMs = DEFAULT_TIMEOUT_SECONDS * 1000;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
    timeoutMs = Math.round(seconds * 1000);
  }
  // The SDK warns on every run that future versions will need Node 22; a CLI user can do nothing about it mid-publish.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const say = (account: string | null, message: string) => io.stderr(`credcheck publish: ${account ? `[${account}] ` : ''}${message}\n`);

  // The Security Hub SDK is loaded here, not when the CLI starts: the other commands never need it.
  const securityHub = await import('../../core/publish/securityHubService');
  const open = dependencies.openSecurityHub ?? securityHub.openSecurityHub;
  let connection: OpenedSecurityHub;
  try {
    connection = await open({
      ...(values.profile !== undefined ? { profile: values.profile } : {}),
      ...(values.region !== undefined ? { region: values.region } : {}),
      ...(values['endpoint-url'] !== undefined ? { endpointUrl: values['endpoint-url'] } : {}),
    });
  } catch (error) {
    if (error instanceof securityHub.SecurityHubSetupError) {
      say(null, `error: ${error.message}`);
      return 2;
    }
    throw error;
  }

  try {
    const result = await runCheckAudit(values, positionals, io, dependencies);
    if (typeof result === 'number') return result;
    const region = connection.region;
    const { findings, withoutAccount } = asffFindings(buildOutputContext(result, { toolVersion: packageJson.version }), region);
    for (const finding of withoutAccount) {
      io.stderr(`${escapeTerminalText(formatProblem({
        source: 'report', file: finding.file, line: finding.line, column: null, severity: 'error', code: 'publish-no-account',
        message: `finding ${finding.check}${finding.user !== null ? ` for ${finding.user}` : ''} names no AWS account (the report holds no ARN): it cannot be published to Security Hub`,
      }))}\n`);
    }
    const accounts = [...new Set(result.reports.map((report) => report.accountId).filter((account): account is string => account !== null))];
    if (!result.complete) say(null, 'the audit is incomplete: its findings are published, but none published before is resolved (a finding missing now may not be fixed)');
    say(null, `publishing ${findings.length} finding${findings.length === 1 ? '' : 's'} of ${accounts.length} account${accounts.length === 1 ? '' : 's'} to ${connection.endpoint}`);

    const backoffMs = Number(io.env.CREDCHECK_FETCH_BACKOFF_MS);
    const summary = await publishToSecurityHub(connection.service, {
      findings,
      accounts,
      productArnOf: (account) => asffProductArn(account, region),
      resolveGone: result.complete,
      now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(Number.isFinite(backoffMs) && backoffMs > 0 ? { backoff: { baseMs: backoffMs, maxMs: Math.max(backoffMs, backoffMs * 20) } } : {}),
      timeoutMs,
      onProgress: (account, message) => say(account, message),
    });
    const published = reportSummary(summary, say);
    if (!published || withoutAccount.length > 0) return 2;
    return exitCodeOf(result);
  } finally {
    connection.destroy();
  }
}

/** Every failure located on stderr, then one line per account and the totals. True when everything was published. */
function reportSummary(summary: PublishSummary, say: (account: string | null, message: string) => void): boolean {
  const verb = { import: 'not imported', resolve: 'not resolved (archived)', workflow: 'archived, but the workflow status is not RESOLVED' };
  // A refused call fails every finding it carried with one reason: said once, with the first findings it concerns.
  const groups = new Map<string, PublishFailure[]>();
  for (const failure of [...summary.failures, ...summary.workflowFailures]) {
    const key = JSON.stringify([failure.account, failure.step, failure.message]);
    groups.set(key, [...(groups.get(key) ?? []), failure]);
  }
  for (const failures of groups.values()) {
    const first = failures[0]!;
    const level = first.step === 'workflow' ? 'warning' : 'error';
    const named = failures.slice(0, MAX_NAMED).map((failure) => `${failure.id}${failure.where ? ` (${failure.where})` : ''}`);
    const more = failures.length > MAX_NAMED ? ` and ${failures.length - MAX_NAMED} more` : '';
    const what = failures.length === 1 ? `finding ${named[0]}` : `${failures.length} findings: ${named.join(', ')}${more};`;
    say(first.account, escapeTerminalText(`${level}: ${what} ${verb[first.step]}: ${first.message}`));
  }
  let complete = summary.failures.length === 0 && summary.stopped === null;
  for (const account of summary.accounts) {
    if (account.listingFailed) {
      complete = false;
      say(account.account, `error: cannot list the findings published before (GetFindings): ${account.listingFailed}; new and updated findings are not told apart, and none was resolved`);
    }
    if (account.leftActive > 0) {
      say(account.account, `${account.leftActive} finding${account.leftActive === 1 ? '' : 's'} published before and not found now left active: the audit is incomplete`);
    }
  }
  if (summary.stopped) say(null, `error: ${summary.stopped}; what was not reached is not published`);
  const total = (pick: (account: PublishSummary['accounts'][number]) => number) => summary.accounts.reduce((sum, account) => sum + pick(account), 0);
  const created = total((account) => account.created);
  const updated = total((account) => account.updated);
  const resolved = total((account) => account.resolved);
  const failed = summary.failures.filter((failure) => failure.step === 'import').length;
  const notResolved = summary.failures.length - failed;
  say(
    null,
    `${created + updated} imported (${created} new, ${updated} updated), ${resolved} resolved, ${failed} failed` +
      `${notResolved > 0 ? `, ${notResolved} not resolved` : ''}` +
      `${summary.workflowFailures.length > 0 ? `; ${summary.workflowFailures.length} resolved without workflow status RESOLVED` : ''}`,
  );
  return complete;
}
