import { MfaDevice, NormalizedUser, ParsedReport, PolicyInput, ReportRow } from '../model';
import { columnKind, CURRENT_COLUMNS, isSpecialValue, ROOT_USER } from './columns';
import { ageInDays, formatUtcTime, parseReportTime } from './timeValues';

/**
 * Turns a parsed report into the document policies are evaluated against (`input`).
 *
 * Policies should not have to know AWS's spellings: they get booleans, UTC times, ages in days and nulls, plus statuses
 * that keep apart what a null hides (a password never used versus no password at all; an inactive key that still has
 * a date versus no key). What AWS wrote stays in `raw`. Every column of the current layout is present on every user,
 * null when the file lacks it, so a policy written against the current layout also reads a pre-2015 report.
 */

export interface NormalizeExtras {
  /** MFA devices listed by a fetch (iam:ListVirtualMFADevices); null or absent when unknown. */
  mfaDevices?: MfaDevice[] | null;
  /** GetCredentialReport's GeneratedTime, which the CSV does not contain. */
  generatedTime?: string;
}

export type PasswordEnabledStatus = 'enabled' | 'disabled' | 'not_supported' | 'unknown';
export type PasswordLastUsedStatus = 'used' | 'never_used' | 'no_password' | 'unknown';
export type CredentialStatus = 'active' | 'inactive' | 'none' | 'unknown';
export type KeyLastUsedStatus = 'used' | 'never_used' | 'no_key' | 'unknown';

export function normalizeReport(report: ParsedReport, evaluationTime: Date, extras: NormalizeExtras = {}): PolicyInput {
  if (!(evaluationTime instanceof Date) || Number.isNaN(evaluationTime.getTime())) {
    throw new RangeError('normalizeReport: the evaluation time is not a valid date');
  }
  const extraColumns = report.header.filter((name) => name !== '' && !CURRENT_COLUMNS.includes(name));
  const columns = [...CURRENT_COLUMNS, ...new Set(extraColumns)];
  const users = report.rows.map((row) => normalizeRow(row, columns, evaluationTime));
  const generatedText = extras.generatedTime ?? report.generatedTime;
  return {
    evaluation_time: formatUtcTime(evaluationTime),
    report: {
      file: report.file,
      layout: report.layout,
      columns: [...report.header],
      generated_time: generatedText ? (parseReportTime(generatedText)?.iso ?? null) : null,
      account_id: users.find((user) => user.account_id !== null)?.account_id ?? null,
    },
    users,
    mfa_devices: extras.mfaDevices ?? null,
  };
}

function normalizeRow(row: ReportRow, columns: readonly string[], evaluationTime: Date): NormalizedUser {
  // Collected as entries and built with Object.fromEntries: column names come from the file, and fromEntries defines
  // own data properties (`__proto__` becomes a plain key, not a prototype). It also gives V8 fast-mode objects, where
  // assigning 40+ computed keys one by one turns an object into a slow dictionary: JSON serialisation for the policy,
  // and every later read, were measurably slower (bench/run.mjs).
  const entries: [string, unknown][] = [];
  const value = (column: string) => entries.find(([name]) => name === column)?.[1];
  for (const column of columns) {
    // Own cells only: a column named `valueOf` or `toString` that a short row lacks must not read Object.prototype.
    const raw = Object.hasOwn(row.cells, column) ? row.cells[column] : undefined;
    const kind = columnKind(column);
    if (kind === 'time') {
      const time = raw === undefined ? null : parseReportTime(raw);
      entries.push([column, time?.iso ?? null], [`${column}_days`, time ? ageInDays(time.epochMs, evaluationTime) : null]);
    } else if (kind === 'boolean') {
      entries.push([column, toBoolean(raw)]);
    } else if (kind === 'user') {
      entries.push([column, (raw ?? '').trim()]);
    } else {
      entries.push([column, toText(raw)]);
    }
  }

  const name = value('user') as string;
  const accountId = accountIdOf(value('arn') as string | null);
  entries.push(
    ['is_root', name === ROOT_USER],
    ['line', row.line],
    ['account_id', accountId],
    ['password_enabled_status', passwordEnabledStatus(row.cells.password_enabled)],
    ['password_last_used_status', passwordLastUsedStatus(row.cells.password_last_used)],
  );
  for (const key of [1, 2]) {
    const status = credentialStatus(value(`access_key_${key}_active`) as boolean | null, value(`access_key_${key}_last_rotated`) as string | null);
    entries.push([`access_key_${key}_status`, status], [`access_key_${key}_last_used_status`, keyLastUsedStatus(status, row.cells[`access_key_${key}_last_used_date`])]);
  }
  for (const cert of [1, 2]) {
    entries.push([`cert_${cert}_status`, credentialStatus(value(`cert_${cert}_active`) as boolean | null, value(`cert_${cert}_last_rotated`) as string | null)]);
  }
  entries.push(['raw', Object.fromEntries(Object.entries(row.cells))]);
  return Object.fromEntries(entries) as NormalizedUser;
}

function toBoolean(raw: string | undefined): boolean | null {
  const text = raw?.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return null;
}

/** Text as written, without surrounding spaces; null for an empty cell or one of AWS's special values. */
function toText(raw: string | undefined): string | null {
  const text = raw?.trim() ?? '';
  if (text === '' || isSpecialValue(text)) return null;
  return text;
}

/**
 * The account is the fifth field of the ARN, whatever it holds: real reports have 12 digits, fixtures in the wild
 * have 10 (`0123456789`) or a made-up resource (`arn:aws:iam::123456789012:<root_account>`).
 */
function accountIdOf(arn: string | null): string | null {
  if (!arn) return null;
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[4] === '') return null;
  return parts[4];
}

function special(raw: string | undefined): string {
  return raw?.trim().toLowerCase() ?? '';
}

function passwordEnabledStatus(raw: string | undefined): PasswordEnabledStatus {
  const text = special(raw);
  if (text === 'true') return 'enabled';
  if (text === 'false') return 'disabled';
  if (text === 'not_supported') return 'not_supported';
  return 'unknown';
}

function passwordLastUsedStatus(raw: string | undefined): PasswordLastUsedStatus {
  if (raw !== undefined && parseReportTime(raw)) return 'used';
  const text = special(raw);
  if (text === 'no_information') return 'never_used';
  if (text === 'n/a') return 'no_password';
  return 'unknown';
}

/**
 * AWS writes `active=false` both for a key that does not exist and for one that is inactive; the inactive one keeps
 * its last_rotated date (cloud-custodian PR #5551, and the real recordings in realworld/), which tells them apart.
 */
function credentialStatus(active: boolean | null, lastRotated: string | null): CredentialStatus {
  if (active === true) return 'active';
  if (active === false) return lastRotated ? 'inactive' : 'none';
  return 'unknown';
}

function keyLastUsedStatus(status: CredentialStatus, lastUsedRaw: string | undefined): KeyLastUsedStatus {
  if (status === 'none') return 'no_key';
  if (lastUsedRaw !== undefined && parseReportTime(lastUsedRaw)) return 'used';
  const text = special(lastUsedRaw);
  if ((status === 'active' || status === 'inactive') && (text === 'n/a' || text === 'no_information')) return 'never_used';
  return 'unknown';
}
