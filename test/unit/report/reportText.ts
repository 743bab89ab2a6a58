import { CURRENT_COLUMNS } from '../../../src/core/report/columns';

/** The header AWS writes today. */
export const HEADER = CURRENT_COLUMNS.join(',');

/** A user row as AWS would write it for a user with a password, MFA and one active, used key. */
export const TYPICAL_USER: Readonly<Record<string, string>> = {
  user: 'alice',
  arn: 'arn:aws:iam::111122223333:user/alice',
  user_creation_time: '2023-01-10T08:00:00+00:00',
  password_enabled: 'true',
  password_last_used: '2024-03-01T12:00:00+00:00',
  password_last_changed: '2023-01-10T08:05:00+00:00',
  password_next_rotation: 'N/A',
  mfa_active: 'true',
  access_key_1_active: 'true',
  access_key_1_last_rotated: '2023-06-01T00:00:00+00:00',
  access_key_1_last_used_date: '2024-03-02T10:15:00+00:00',
  access_key_1_last_used_region: 'us-east-1',
  access_key_1_last_used_service: 's3',
  access_key_2_active: 'false',
  access_key_2_last_rotated: 'N/A',
  access_key_2_last_used_date: 'N/A',
  access_key_2_last_used_region: 'N/A',
  access_key_2_last_used_service: 'N/A',
  cert_1_active: 'false',
  cert_1_last_rotated: 'N/A',
  cert_2_active: 'false',
  cert_2_last_rotated: 'N/A',
};

/** One CSV line of the current layout: TYPICAL_USER with some cells replaced (values written as given, unquoted). */
export function userLine(overrides: Record<string, string> = {}): string {
  return CURRENT_COLUMNS.map((column) => overrides[column] ?? TYPICAL_USER[column]).join(',');
}

/** A report text: the current header and the given lines, joined with `\n` and ending with one. */
export function reportText(...lines: string[]): string {
  return [HEADER, ...lines].join('\n') + '\n';
}
