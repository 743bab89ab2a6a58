/**
 * `credcheck fetch`: argument parsing, files and exit codes around the core fetcher.
 *
 * Where reports go:
 * - one profile (or none: the default chain), no --out: the CSV on stdout, nothing else written;
 * - one profile, --out <file>: the CSV in <file>, the metadata in <file>.meta.json;
 * - --out <existing directory>, or several profiles (then --out is required and is a directory, created if missing):
 *   <dir>/<account id>-credential-report.csv (+ .meta.json) per account; the profile name replaces the account id
 *   when the report holds no ARN. Two profiles reaching one account give one file.
 * Progress, the report's age and notes go to stderr. Exit 0 when every profile was fetched, 2 otherwise.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FetchedCredentialReport } from '../../core/fetch/credentialReportFetcher';
import { fetchCredentialReports } from '../../core/fetch/multiAccountFetcher';
import { AWS_REPORT_REUSE_MS, describeReportAge } from '../../core/fetch/reportAge';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { redactSecrets } from '../../core/fetch/secretRedaction';
import { checkOutputTarget, writeWholeFile } from '../atomicFile';
import { describeWriteError } from '../writeErrors';
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
  },
  examples: [
    ['the report of the default credentials, audited at once', 'credcheck fetch --out report.csv && credcheck check report.csv'],
    ['two accounts into one directory', 'credcheck fetch --profile prod --profile staging --out reports/'],
  ],
  exitCodes: [
    [0, 'every profile was fetched and written'],
    [2, 'a usage error, or a profile that could not be fetched or written'],
  ],
});

const USAGE = usageOf(definition);

interface FetchArguments {
  profiles: string[];
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
  const toDirectory = parsed.profiles.length > 1 || (outPath !== undefined && isDirectory(outPath));
  if (parsed.profiles.length > 1 && !outPath) {
    throw new UsageError('several --profile values need --out <directory>: one report file is written per account');
  }
  // A file that cannot be written is found before the fetch, not after the report was generated.
  if (outPath !== undefined && !toDirectory) checkOutputTarget(outPath, parsed.out);

  const backoffMs = Number(io.env.CREDCHECK_FETCH_BACKOFF_MS);
  const backoff = Number.isFinite(backoffMs) && backoffMs > 0 ? { baseMs: backoffMs, maxMs: Math.max(backoffMs, backoffMs * 20) } : undefined;
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
        writePrivateFile(`${file}.meta.json`, `${JSON.stringify(sidecar(report), null, 2)}\n`);
        io.stderr(`${prefix}saved ${file}${report.accountId ? ` (account ${report.accountId})` : ''}\n`);
      }
    } catch (error) {
      failed++;
      io.stderr(`${prefix}error: ${error instanceof UsageError ? error.message : `cannot write the report: ${describeWriteError(error)}`}\n`);
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
  return { profiles, region: values.region, endpointUrl: values['endpoint-url'], out: values.out, timeoutMs };
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

function sidecar(report: FetchedCredentialReport): Record<string, unknown> {
  return {
    generated_time: report.generatedTime,
    account_id: report.accountId,
    profile: report.profile,
    mfa_devices: report.mfaDevices,
    notes: report.notes,
  };
}

function fileStem(report: FetchedCredentialReport, profile: string | null): string {
  const stem = report.accountId ?? profile ?? 'default';
  return stem.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * The report lists every user and their credential state: written owner-only, and whole or not at all, through a
 * temporary file with a random name created exclusively (atomicFile).
 */
function writePrivateFile(file: string, content: string): void {
  writeWholeFile(file, content, { mode: 0o600, forceMode: true });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
