/**
 * What the extension's organisation fetch tells the user when it ends: one message naming every failed account and
 * why in a few words (the log has the whole message), and how many were written and skipped. Pure, so the wording is
 * unit-tested in plain Node. Messages hold account ids, names and error text only (the core's error messages never
 * carry credentials or report contents).
 */
import type { FetchErrorCode } from '../../core/fetch/fetchError';

export interface AccountFailure {
  accountId: string;
  accountName: string | null;
  /** The FetchError's code, or 'write' when the report was fetched but could not be written. */
  code: FetchErrorCode | 'write';
  /** The whole message, for the log. */
  message: string;
  permission?: string;
}

export interface OrganizationFetchSummary {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

const SHORT_REASON: Record<AccountFailure['code'], string> = {
  credentials: 'AWS rejected the credentials',
  configuration: 'not an active account of the organisation',
  'access-denied': 'access denied',
  network: 'network error',
  timeout: 'timed out',
  aborted: 'cancelled',
  'report-unavailable': 'the report could not be generated',
  'service-failure': 'AWS failed',
  'bad-response': 'unexpected answer from AWS',
  write: 'the report could not be written',
};

/** A few words for why one account failed: the code's words, and the denied permission when AWS named it. */
export function failureReason(failure: AccountFailure): string {
  const reason = SHORT_REASON[failure.code] ?? failure.code;
  if (failure.code === 'access-denied') {
    // The core says which call was refused: assuming the role, or the IAM action inside the account.
    if (failure.permission === 'sts:AssumeRole') return `${reason} (sts:AssumeRole: the role is missing, does not trust the caller or wants another external id)`;
    if (failure.permission) return `${reason} (${failure.permission})`;
  }
  return reason;
}

function accountLabel(accountId: string, accountName: string | null): string {
  return accountName ? `${accountId} (${accountName})` : accountId;
}

/**
 * The message for the whole fetch. `attempted` counts the accounts asked for (skipped ones left out); `folder` is
 * how the folder is shown.
 */
export function summarizeOrganizationFetch(result: { attempted: number; written: number; skipped: number; failures: readonly AccountFailure[]; folder: string }): OrganizationFetchSummary {
  const { attempted, written, skipped, failures, folder } = result;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const parts = [`Fetched the credential reports of ${written} of ${plural(attempted, 'account')} into ${folder}.`];
  if (skipped > 0) parts.push(`${plural(skipped, 'account')} not active, skipped.`);
  if (failures.length > 0) {
    parts.push(`Failed: ${failures.map((failure) => `${accountLabel(failure.accountId, failure.accountName)}: ${failureReason(failure)}`).join('; ')}.`);
  }
  const severity = failures.length === 0 ? 'info' : written === 0 ? 'error' : 'warning';
  return { severity, text: parts.join(' ') };
}
