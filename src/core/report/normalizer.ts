import { MfaDevice, NormalizedUser, ParsedReport, PolicyInput, ReportRow } from '../model';
import { columnKind, CURRENT_COLUMNS, defineOwn, isSpecialValue, ROOT_USER } from './columns';
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
  const user: Record<string, unknown> = {};
  for (const column of columns) {
    // Own cells only: a column named `valueOf` or `toString` that a short row lacks must not read Object.prototype.
    const raw = Object.hasOwn(row.cells, column) ? row.cells[column] : undefined;
    const kind = columnKind(column);
    if (kind === 'time') {
      const time = raw === undefined ? null : parseReportTime(raw);
      defineOwn(user, column, time?.iso ?? null);
      defineOwn(user, `${column}_days`, time ? ageInDays(time.epochMs, evaluationTime) : null);
    } else if (kind === 'boolean') {
      defineOwn(user, column, toBoolean(raw));
    } else if (kind === 'user') {
      defineOwn(user, column, (raw ?? '').trim());
    } else {
      defineOwn(user, column, toText(raw));
    }
  }

  const name = user.user as string;
  const arn = user.arn as string | null;
  const accountId = accountIdOf(arn);
  defineOwn(user, 'is_root', name === ROOT_USER);
  defineOwn(user, 'line', row.line);
  defineOwn(user, 'account_id', accountId);
  defineOwn(user, 'password_enabled_status', passwordEnabledStatus(row.cells.password_enabled));
  defineOwn(user, 'password_last_used_status', passwordLastUsedStatus(row.cells.password_last_used));
  for (const key of [1, 2]) {
    const status = credentialStatus(user[`access_key_${key}_active`] as boolean | null, user[`access_key_${key}_last_rotated`] as string | null);
    defineOwn(user, `access_key_${key}_status`, status);
    defineOwn(user, `access_key_${key}_last_used_status`, keyLastUsedStatus(status, row.cells[`access_key_${key}_last_used_date`]));
  }
  for (const cert of [1, 2]) {
    defineOwn(user, `cert_${cert}_status`, credentialStatus(user[`cert_${cert}_active`] as boolean | null, user[`cert_${cert}_last_rotated`] as string | null));
  }
  const raw: Record<string, string> = {};
  for (const [column, text] of Object.entries(row.cells)) defineOwn(raw, column, text);
  defineOwn(user, 'raw', raw);
  return user as NormalizedUser;
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
