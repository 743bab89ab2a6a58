/**
 * Where a fetched report is written and what its sidecar says, shared by `credcheck fetch` and the extension's
 * organisation fetch so both leave the same files: `<dir>/<account id>-credential-report.csv` and its `.meta.json`,
 * owner-only (mode 0600, forced even over an existing file) and whole or not at all (atomicFile).
 *
 * Also the checks of the organisation fetch's inputs (role name, external id, account ids), one wording for both front
 * ends.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeWholeFile } from '../files/atomicFile';
import type { FetchedCredentialReport } from './credentialReportFetcher';
import { redactSecrets } from './secretRedaction';

/** The sidecar of a fetched report (read back by reportSidecar: generated_time and mfa_devices; the rest is for people). */
export function reportSidecar(report: FetchedCredentialReport): Record<string, unknown> {
  return {
    generated_time: report.generatedTime,
    account_id: report.accountId,
    profile: report.profile,
    mfa_devices: report.mfaDevices,
    notes: report.notes,
  };
}

/** The report file of an account in a folder. */
export function accountReportPath(folder: string, accountId: string): string {
  return join(folder, `${accountId}-credential-report.csv`);
}

/**
 * Writes one organisation account's report and sidecar into `folder` (created owner-only if missing) and returns the
 * report's path. Named by the account the report was fetched from (the role's account, whatever the CSV's ARNs say).
 * Throws OutputFileError naming the file when it cannot be written.
 */
export function writeAccountReport(folder: string, account: { accountId: string; accountName: string | null; report: FetchedCredentialReport }): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = accountReportPath(folder, account.accountId);
  writePrivateFile(file, account.report.csv);
  writePrivateFile(`${file}.meta.json`, `${JSON.stringify({ ...reportSidecar(account.report), account_id: account.accountId, account_name: account.accountName }, null, 2)}\n`);
  return file;
}

/**
 * The report lists every user and their credential state: written owner-only, and whole or not at all, through a
 * temporary file with a random name created exclusively (atomicFile).
 */
export function writePrivateFile(file: string, content: string): void {
  writeWholeFile(file, content, { mode: 0o600, forceMode: true });
}

/** Why a role name cannot be used (IAM role names: 1 to 64 of [\w+=,.@-]; a path is not part of the name), or undefined. */
export function roleNameProblem(roleName: string): string | undefined {
  return /^[\w+=,.@-]{1,64}$/.test(roleName) ? undefined : `must be an IAM role name (1 to 64 of letters, digits and +=,.@_-), got '${redactSecrets(roleName)}'`;
}

/** Why an external id cannot be used (STS: 2 to 1224 of [\w+=,.@:/-]), or undefined. Never repeats the value. */
export function externalIdProblem(externalId: string): string | undefined {
  return /^[\w+=,.@:/-]{2,1224}$/.test(externalId) ? undefined : 'must be 2 to 1224 of letters, digits and +=,.@:/-_';
}

/** Account ids from a comma-separated list (blanks ignored), or the problem with the first one that is not 12 digits. */
export function parseAccountIds(text: string): { accounts: string[] } | { problem: string } {
  const accounts = text.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
  const bad = accounts.find((id) => !/^\d{12}$/.test(id));
  if (bad !== undefined) return { problem: `takes 12-digit account ids separated by commas, got '${redactSecrets(bad)}'` };
  if (accounts.length === 0) return { problem: 'needs at least one account id' };
  return { accounts };
}
