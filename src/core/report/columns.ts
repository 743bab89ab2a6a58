/**
 * The credential report's columns as AWS documents them, what kind of value each holds, and the two layouts AWS has
 * written. Everything that reads or types a cell looks its column up here, so the parser, the normaliser and the
 * JSON Schema cannot disagree about a column.
 */

export type ColumnKind = 'user' | 'arn' | 'boolean' | 'time' | 'text';

/** The 22 columns AWS has written since April 2015, in AWS's order. */
export const CURRENT_COLUMNS: readonly string[] = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
];

/** The pre-2015 layout: the same report without the six access_key_N_last_used_* columns. */
export const LEGACY16_COLUMNS: readonly string[] = CURRENT_COLUMNS.filter((name) => !/^access_key_\d_last_used_/.test(name));

const BOOLEAN_COLUMNS = new Set(['password_enabled', 'mfa_active', 'access_key_1_active', 'access_key_2_active', 'cert_1_active', 'cert_2_active']);
const TIME_COLUMNS = new Set([
  'user_creation_time',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'cert_1_last_rotated',
  'cert_2_last_rotated',
]);

/** The kind of a known column, or undefined for a column AWS does not write (kept as text). */
export function columnKind(name: string): ColumnKind | undefined {
  if (name === 'user') return 'user';
  if (name === 'arn') return 'arn';
  if (BOOLEAN_COLUMNS.has(name)) return 'boolean';
  if (TIME_COLUMNS.has(name)) return 'time';
  if (CURRENT_COLUMNS.includes(name)) return 'text';
  return undefined;
}

export const TIME_COLUMN_NAMES: readonly string[] = CURRENT_COLUMNS.filter((name) => TIME_COLUMNS.has(name));
export const BOOLEAN_COLUMN_NAMES: readonly string[] = CURRENT_COLUMNS.filter((name) => BOOLEAN_COLUMNS.has(name));

/** Columns a report cannot do without: `user` names the row, `arn` gives the account and the identity. */
export const REQUIRED_COLUMNS: readonly string[] = ['user', 'arn'];

/**
 * The words AWS writes instead of a value. Each means "no value" for policies (null) but says why, so the normaliser
 * turns them into statuses (`never_used`, `no_password`, ...) and keeps the text in `raw`.
 */
export const SPECIAL_VALUES: readonly string[] = ['N/A', 'no_information', 'not_supported'];

const SPECIAL_VALUES_LOWER = new Set(SPECIAL_VALUES.map((value) => value.toLowerCase()));

/** Whether a cell holds one of AWS's special values; case is ignored, since spreadsheets re-case text. */
export function isSpecialValue(text: string): boolean {
  return SPECIAL_VALUES_LOWER.has(text.trim().toLowerCase());
}

/** The user name AWS gives the account's root user. */
export const ROOT_USER = '<root_account>';

export type ReportLayout = 'current' | 'legacy16' | 'custom';

/** Which layout a header is: by the set of names, not their order, since every cell is read by name. */
export function layoutOf(header: readonly string[]): ReportLayout {
  const names = new Set(header);
  const same = (columns: readonly string[]) => names.size === header.length && header.length === columns.length && columns.every((c) => names.has(c));
  if (same(CURRENT_COLUMNS)) return 'current';
  if (same(LEGACY16_COLUMNS)) return 'legacy16';
  return 'custom';
}
