/**
 * `credcheck fetch`: argument parsing, files and exit codes around the core fetcher.
 *
 * Where reports go:
 * - one profile (or none: the default chain), no --out: the CSV on stdout, nothing else written;
 * - one profile, --out <file>: the CSV in <file>, the metadata in <file>.meta.json;
 * - --out <existing directory>, or several profiles (then --out is required and is a directory, created if missing):
 *   <dir>/<account id>-credential-report.csv (+ .meta.json) per account; the profile name replaces the account id
 *   when the report holds no ARN. Two profiles reaching one account give one file.
 * - --organization: every active account of the caller's organisation (or those of --accounts), each through the
 *   role --role-name assumed in it; --out is required and is a directory; one report and sidecar per account.
 * Progress, the report's age and notes go to stderr. Exit 0 when every profile (account) was fetched, 2 otherwise.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FetchedCredentialReport } from '../../core/fetch/credentialReportFetcher';
import { FetchError } from '../../core/fetch/fetchError';
import { fetchCredentialReports } from '../../core/fetch/multiAccountFetcher';
import { createOrganizationServices, DEFAULT_ORGANIZATION_CONCURRENCY, DEFAULT_ROLE_NAME, fetchOrganizationReports, partitionOf } from '../../core/fetch/organizationFetcher';
import { AWS_REPORT_REUSE_MS, describeReportAge } from '../../core/fetch/reportAge';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { redactSecrets } from '../../core/fetch/secretRedaction';
import { checkOutputTarget, OutputFileError } from '../../core/files/atomicFile';
import { externalIdProblem, parseAccountIds, reportSidecar, roleNameProblem, writeAccountReport, writePrivateFile } from '../../core/fetch/accountReportFiles';
import { describeWriteError } from '../../core/files/writeErrors';
import { CliIo, UsageError } from '../io';

export const definition = defineCommand({
  name: 'fetch',
  operands: '',
  summary: 'fetch the credential report from AWS (one or more accounts)',
  description:
    'Asks IAM to generate the credential report, waits for it and writes it: on stdout, or in --out with its ' +
    '.meta.json sidecar (generation time, account, MFA devices). With several profiles, or --out naming a ' +
    'directory, one <account id>-credential-report.csv per account. Progress and notes go to stderr.',
  options: {
    profile: { value: '<name>', multiple: true, description: 'an AWS profile to fetch with (default: the default credential chain)' },
    region: { value: '<region>', description: 'the AWS region to call IAM through' },
    'endpoint-url': { value: '<url>', description: 'the IAM endpoint to call instead of AWS\'s (http or https)' },
    out: { value: '<file|dir>', description: 'where to write the report (and its .meta.json); a directory for several profiles' },
    timeout: { value: '<seconds>', description: 'how long to wait for IAM per profile (default: 120)' },
    organization: { description: "every active account of the caller's AWS organisation, one report per account in --out" },
    'role-name': { value: '<name>', description: `with --organization: the role assumed in each member account (default: ${DEFAULT_ROLE_NAME})` },
    'external-id': { value: '<id>', description: 'with --organization: the external id the roles require' },
    accounts: { value: '<id,...>', description: 'with --organization: only these account ids (a job per account or per batch)' },
    concurrency: { value: '<n>', description: `with --organization: accounts fetched at once (default: ${DEFAULT_ORGANIZATION_CONCURRENCY})` },
  },
  examples: [
    ['the report of the default credentials, audited at once', 'credcheck fetch --out report.csv && credcheck check report.csv'],
    ['two accounts into one directory', 'credcheck fetch --profile prod --profile staging --out reports/'],
    ['the whole organisation, then every report audited', 'credcheck fetch --organization --out reports/ && credcheck check reports/'],
  ],
  exitCodes: [
    [0, 'every profile (with --organization: every account) was fetched and written'],
    [2, 'a usage error, or a profile or account that could not be fetched or written'],
  ],
});

const USAGE = usageOf(definition);

interface FetchArguments {
  profiles: string[];
  organization?: { roleName: string; externalId?: string; accounts?: string[]; concurrency: number };
  region?: string;
  endpointUrl?: string;
  out?: string;
  timeoutMs: number;
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArguments(args);
  // The SDK warns on every run that future versions will need Node 22; a CLI user can do nothing about it mid-fetch.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const outPath = parsed.out ? resolve(io.cwd, parsed.out) : undefined;
  if (parsed.organization && !outPath) throw new UsageError('--organization needs --out <directory>: one report file is written per account');
  const toDirectory = parsed.profiles.length > 1 || (outPath !== undefined && isDirectory(outPath));
  if (parsed.profiles.length > 1 && !outPath) {
    throw new UsageError('several --profile values need --out <directory>: one report file is written per account');
  }
  // A file that cannot be written is found before the fetch, not after the report was generated.
  if (outPath !== undefined && !toDirectory) checkOutputTarget(outPath, parsed.out);

  const backoffMs = Number(io.env.CREDCHECK_FETCH_BACKOFF_MS);
  const backoff = Number.isFinite(backoffMs) && backoffMs > 0 ? { baseMs: backoffMs, maxMs: Math.max(backoffMs, backoffMs * 20) } : undefined;
  if (parsed.organization) return runOrganization(parsed, parsed.organization, outPath, backoff, io);
  const label = (profile: string | null) => (parsed.profiles.length > 1 && profile ? `[${profile}] ` : '');
  const profiles = parsed.profiles.length > 0 ? parsed.profiles : [null];
  const outcomes = await fetchCredentialReports(profiles, {
    region: parsed.region,
    endpointUrl: parsed.endpointUrl,
    timeoutMs: parsed.timeoutMs,
    backoff,
    onProgress: (profile, message) => io.stderr(`credcheck fetch: ${label(profile)}${withoutWho(message)}\n`),
  });

  let failed = 0;
  for (const outcome of outcomes) {
    const prefix = `credcheck fetch: ${label(outcome.profile)}`;
    if (outcome.error) {
      failed++;
      io.stderr(`${prefix}error: ${outcome.error.message}\n`);
      continue;
    }
    if (outcome.duplicateOf !== undefined) {
      io.stderr(`${prefix}same account as profile '${outcome.duplicateOf ?? 'default'}': its report is already written\n`);
      continue;
    }
    const report = outcome.report as FetchedCredentialReport;
    io.stderr(`${prefix}${ageLine(report)}\n`);
    for (const note of report.notes) io.stderr(`${prefix}note: ${note}\n`);
    try {
      if (!outPath) {
        io.stdout(report.csv);
      } else {
        const file = toDirectory ? join(outPath, `${fileStem(report, outcome.profile)}-credential-report.csv`) : outPath;
        if (toDirectory) mkdirSync(outPath, { recursive: true, mode: 0o700 });
        writePrivateFile(file, report.csv);
        writePrivateFile(`${file}.meta.json`, `${JSON.stringify(reportSidecar(report), null, 2)}\n`);
        io.stderr(`${prefix}saved ${file}${report.accountId ? ` (account ${report.accountId})` : ''}\n`);
      }
    } catch (error) {
      failed++;
      io.stderr(`${prefix}error: ${error instanceof UsageError || error instanceof OutputFileError ? error.message : `cannot write the report: ${describeWriteError(error)}`}\n`);
    }
  }
  return failed === 0 ? 0 : 2;
}

/** The options, checked: fetch takes no operands. */
function parseArguments(args: string[]): FetchArguments {
  const { values } = readCommandLine(definition, args);
  const profiles = [...new Set(values.profile ?? [])];
  if (profiles.includes('')) throw new UsageError(`--profile needs a name\n${USAGE}`);
  if (values['endpoint-url'] !== undefined && !/^https?:\/\/[^/]/.test(values['endpoint-url'])) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, got '${redactSecrets(values['endpoint-url'])}'`);
  }
  let timeoutMs = 120_000;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got '${values.timeout}'`);
    timeoutMs = Math.round(seconds * 1000);
  }
  const organizationOnly = (['role-name', 'external-id', 'accounts', 'concurrency'] as const).filter((name) => values[name] !== undefined);
  if (!values.organization) {
    if (organizationOnly.length > 0) throw new UsageError(`--${organizationOnly[0]} is for --organization\n${USAGE}`);
    return { profiles, region: values.region, endpointUrl: values['endpoint-url'], out: values.out, timeoutMs };
  }
  if (profiles.length > 1) throw new UsageError('--organization takes at most one --profile: the credentials that list the organisation and assume the roles');
  const roleName = values['role-name'] ?? DEFAULT_ROLE_NAME;
  const roleProblem = roleNameProblem(roleName);
  if (roleProblem) throw new UsageError(`--role-name ${roleProblem}`);
  const externalId = values['external-id'];
  const externalProblem = externalId !== undefined ? externalIdProblem(externalId) : undefined;
  if (externalProblem) throw new UsageError(`--external-id ${externalProblem}`);
  let accounts: string[] | undefined;
  if (values.accounts !== undefined) {
    const parsedAccounts = parseAccountIds(values.accounts);
    if ('problem' in parsedAccounts) throw new UsageError(`--accounts ${parsedAccounts.problem}`);
    accounts = parsedAccounts.accounts;
  }
  let concurrency = DEFAULT_ORGANIZATION_CONCURRENCY;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got '${values.concurrency}'`);
  }
  return {
    profiles, region: values.region, endpointUrl: values['endpoint-url'], out: values.out, timeoutMs,
    organization: { roleName, ...(externalId !== undefined ? { externalId } : {}), ...(accounts ? { accounts } : {}), concurrency },
  };
}

/** `--organization`: one report and sidecar per account in the --out directory; exit 0 only when every account was. */
async function runOrganization(
  parsed: FetchArguments,
  organization: NonNullable<FetchArguments['organization']>,
  outPath: string | undefined,
  backoff: { baseMs: number; maxMs: number } | undefined,
  io: CliIo,
): Promise<number> {
  if (!outPath) throw new UsageError('--organization needs --out <directory>: one report file is written per account');
  const region = parsed.region;
  const services = await createOrganizationServices({
    ...(parsed.profiles[0] !== undefined ? { profile: parsed.profiles[0] } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(parsed.endpointUrl !== undefined ? { endpointUrl: parsed.endpointUrl } : {}),
    timeoutMs: parsed.timeoutMs,
    ...(backoff ? { backoff } : {}),
  });
  const say = (account: string | null, message: string) => io.stderr(`credcheck fetch: ${account ? `[${account}] ` : ''}${message}\n`);
  let outcomes;
  try {
    outcomes = await fetchOrganizationReports(services, {
      roleName: organization.roleName,
      ...(organization.externalId !== undefined ? { externalId: organization.externalId } : {}),
      ...(organization.accounts ? { accounts: organization.accounts } : {}),
      concurrency: organization.concurrency,
      partition: partitionOf(region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION),
      timeoutMs: parsed.timeoutMs,
      ...(backoff ? { backoff } : {}),
      onProgress: (account, message) => say(account, withoutAccount(message)),
    });
  } catch (error) {
    if (error instanceof FetchError) {
      say(null, `error: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    services.destroy();
  }

  const failed: string[] = [];
  let written = 0;
  for (const outcome of outcomes) {
    const account = outcome.accountId;
    if (outcome.status === 'skipped') continue;
    if (outcome.status === 'failed' || !outcome.report) {
      failed.push(account);
      say(account, `error: ${withoutAccount(outcome.error?.message ?? 'not fetched')}`);
      continue;
    }
    const report = outcome.report;
    say(account, ageLine(report));
    for (const note of report.notes) say(account, `note: ${note}`);
    try {
      const file = writeAccountReport(outPath, { accountId: account, accountName: outcome.accountName, report });
      say(account, `saved ${file}`);
      written++;
    } catch (error) {
      failed.push(account);
      say(account, `error: ${error instanceof OutputFileError ? error.message : `cannot write the report: ${describeWriteError(error)}`}`);
    }
  }
  const skipped = outcomes.filter((outcome) => outcome.status === 'skipped').length;
  say(
    null,
    `${written} of ${outcomes.length - skipped} account${outcomes.length - skipped === 1 ? '' : 's'} fetched` +
      `${skipped > 0 ? ` (${skipped} not active, skipped)` : ''}${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`,
  );
  return failed.length === 0 ? 0 : 2;
}

/** Messages start with "account 1234... (role X): "; the CLI already prefixes each line with the account. */
function withoutAccount(message: string): string {
  return message.replace(/^account \d{12}( \(role [^)]*\))?: /, '');
}

/** Progress lines start with "profile 'x': "; the CLI already prefixes with the profile when it matters. */
function withoutWho(message: string): string {
  return message.replace(/^(profile '[^']*'|the default AWS credentials): /, '');
}

function ageLine(report: FetchedCredentialReport): string {
  const line = `report generated ${report.generatedTime} (${describeReportAge(report.ageMs)})`;
  return report.ageMs > 60_000
    ? `${line}; AWS reuses a report for up to ${AWS_REPORT_REUSE_MS / 3_600_000} hours, so IAM changes made since then are not in it`
    : line;
}

function fileStem(report: FetchedCredentialReport, profile: string | null): string {
  const stem = report.accountId ?? profile ?? 'default';
  return stem.replace(/[^A-Za-z0-9._-]/g, '_');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
