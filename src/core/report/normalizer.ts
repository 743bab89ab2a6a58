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
  const columns = [...CURRENT_COLUMNS, ...new Set(extraColumns)].map((column): ColumnPlan => {
    const kind = columnKind(column);
    return { column, kind, daysKey: kind === 'time' ? `${column}_days` : undefined };
  });
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

/** Property names of the derived fields, built once (the same string objects for every row). */
const CREDENTIALS = [1, 2].map((n) => ({
  active: `access_key_${n}_active`,
  lastRotated: `access_key_${n}_last_rotated`,
  lastUsedDate: `access_key_${n}_last_used_date`,
  status: `access_key_${n}_status`,
  lastUsedStatus: `access_key_${n}_last_used_status`,
}));
const CERTIFICATES = [1, 2].map((n) => ({ active: `cert_${n}_active`, lastRotated: `cert_${n}_last_rotated`, status: `cert_${n}_status` }));

function normalizeRow(row: ReportRow, columns: readonly ColumnPlan[], evaluationTime: Date): NormalizedUser {
  const user: Record<string, unknown> = {};
  for (const { column, kind, daysKey } of columns) {
    // Own cells only: a column named `valueOf` or `toString` that a short row lacks must not read Object.prototype.
    const raw = Object.hasOwn(row.cells, column) ? row.cells[column] : undefined;
    if (kind === 'time') {
      const time = raw === undefined ? null : parseReportTime(raw);
      setOwn(user, column, time?.iso ?? null);
      setOwn(user, daysKey!, time ? ageInDays(time.epochMs, evaluationTime) : null);
    } else if (kind === 'boolean') {
      setOwn(user, column, toBoolean(raw));
    } else if (kind === 'user') {
      setOwn(user, column, (raw ?? '').trim());
    } else {
      setOwn(user, column, toText(raw));
    }
  }

  const name = user.user as string;
  user.is_root = name === ROOT_USER;
  user.line = row.line;
  user.account_id = accountIdOf(user.arn as string | null);
  user.password_enabled_status = passwordEnabledStatus(row.cells.password_enabled);
  user.password_last_used_status = passwordLastUsedStatus(row.cells.password_last_used);
  for (const key of CREDENTIALS) {
    const status = credentialStatus(user[key.active] as boolean | null, user[key.lastRotated] as string | null);
    user[key.status] = status;
    user[key.lastUsedStatus] = keyLastUsedStatus(status, row.cells[key.lastUsedDate]);
  }
  for (const cert of CERTIFICATES) user[cert.status] = credentialStatus(user[cert.active] as boolean | null, user[cert.lastRotated] as string | null);
  // Spread copies own properties as data properties (a `__proto__` cell stays a plain key).
  user.raw = { ...row.cells };
  // A fast-mode copy: dozens of computed keys stored one by one can leave V8 with a slow dictionary object, and every
  // later read and the JSON serialisation for the policies pay for it.
  return { ...user } as NormalizedUser;
}

/** What normalising needs to know of each column, worked out once per report. */
interface ColumnPlan {
  column: string;
  kind: ReturnType<typeof columnKind>;
  /** `<column>_days` for time columns. */
  daysKey?: string;
}

/** Column names come from the file: `__proto__` must become a plain key, not a prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
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
