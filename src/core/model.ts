/**
 * The contracts between the parts of the core: the parsed report, the policy input, the finding model.
 * Every front end (CLI, extension) and every output format depends on these types, nothing else.
 */

/** Where a cell sits in the file: 1-based line, 0-based UTF-16 character offsets of the cell's text (quotes excluded). */
export interface CellLocation {
  line: number;
  startColumn: number;
  endColumn: number;
}

/** One problem found while reading a report. Reading never stops at a problem: the other rows are still used. */
export interface ReportProblem {
  file: string;
  /** 1-based line of the problem (the header is line 1 unless a BOM/blank lines shift it). */
  line: number;
  /** The CSV column the problem is about, when it is about one cell. */
  column?: string;
  location?: CellLocation;
  severity: 'error' | 'warning';
  /** A short stable code: short-row, long-row, bad-time, bad-boolean, duplicate-user, missing-column, not-a-report, ... */
  code: string;
  message: string;
}

/** One row of the CSV as read, before normalisation. */
export interface ReportRow {
  /** 1-based line where the record starts. */
  line: number;
  /** Raw cell text by header name (only the cells the row has). */
  cells: Record<string, string>;
  /** Location of each cell, by header name. */
  locations: Record<string, CellLocation>;
}

export interface ParsedReport {
  file: string;
  /** Header names as they appear in the file (BOM and surrounding spaces removed). */
  header: string[];
  /** 'current' (22 columns, 2015+), 'legacy16' (pre-2015), or 'custom' (anything else that still has user and arn). */
  layout: 'current' | 'legacy16' | 'custom';
  rows: ReportRow[];
  problems: ReportProblem[];
  /** Report generation time when known (from a fetch), UTC ISO 8601. */
  generatedTime?: string;
}

/**
 * One user row as policies see it (`input.users[_]`). Every CSV column is present under its own name with a typed value:
 * booleans as booleans, times as UTC ISO 8601 strings (`2024-04-22T19:47:52Z`), AWS's special values and empty cells as
 * null. What AWS wrote is kept in `raw`. Every time column `<col>` has `<col>_days`: its age in days at the evaluation
 * time (exact, fractional; negative for times after the evaluation time; null when the cell is not a time).
 * Derived fields: `is_root`, `line`, `account_id`, `password_last_used_status`, `access_key_N_status`,
 * `access_key_N_last_used_status`.
 */
export type NormalizedUser = Record<string, unknown> & {
  user: string;
  arn: string | null;
  account_id: string | null;
  is_root: boolean;
  line: number;
  raw: Record<string, string>;
};

/** The whole input document policies are evaluated against (`input`). */
export interface PolicyInput {
  /** The evaluation time, UTC ISO 8601: one instant for the whole evaluation. */
  evaluation_time: string;
  report: {
    file: string;
    layout: ParsedReport['layout'];
    columns: string[];
    generated_time: string | null;
    account_id: string | null;
  };
  users: NormalizedUser[];
  /** MFA devices when a fetch collected them (iam:ListVirtualMFADevices); null when unknown. */
  mfa_devices: MfaDevice[] | null;
}

export interface MfaDevice {
  serial_number: string;
  /** The user the device is assigned to (`<root_account>` for root), or null when unassigned. */
  user: string | null;
  /** 'virtual' when listed by ListVirtualMFADevices. */
  type: 'virtual' | 'hardware' | 'unknown';
}

export type FindingStatus = 'fail' | 'warn' | 'info' | 'skip';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** One result of one check about one user (and key). The contract between the engine, the outputs and the editor. */
export interface Finding {
  check: string;
  status: FindingStatus;
  severity: Severity;
  user: string | null;
  arn: string | null;
  /** Access key number (1 or 2) when the finding is about one key, else null. */
  key: 1 | 2 | null;
  file: string;
  /** 1-based line of the user's row in the CSV (null when the finding is about no row). */
  line: number | null;
  /** The CSV column name the finding is about, null when none. */
  column: string | null;
  message: string;
  /** Account id from the ARN, when known. */
  account: string | null;
  title?: string;
  /** Where the rule that produced it lives (policy file and line), for "related information". */
  source?: { file: string; line: number };
  /** Character range of the cell in the CSV (line/columns), when the column is known. */
  location?: CellLocation;
  suppressed?: { reason: string; expires: string | null };
  /** Control ids of the selected framework (set by the compliance view). */
  controls?: string[];
  /**
   * Set on the last good findings of a workspace policy that does not compile at the moment (being typed), kept by the
   * editor's AuditCache until it compiles again; `staleFile` is the file that does not compile.
   */
  stale?: true;
  staleFile?: string;
}

/** A problem with a policy (compile, contract or evaluation), located in the policy file. */
export interface PolicyProblem {
  file: string;
  /** 1-based, or 0 when unknown. */
  line: number;
  /** 1-based UTF-16 column, or 0 when unknown. */
  column: number;
  message: string;
  code?: string;
}
