/**
 * The result model every output format reads (conftest's output/result.go): what a run found and what kept it from
 * being complete. Types only, so the formatters and the registry (formatter.ts) depend on this module and not on each other.
 */
import { CatalogEntry } from '../checks/catalog';
import { ComplianceView } from '../checks/compliance';
import { Finding, ParsedReport, PolicyProblem, ReportProblem } from '../model';

export interface ReportSummary {
  file: string;
  layout: ParsedReport['layout'];
  accountId: string | null;
  users: number;
  problems: ReportProblem[];
  /** When AWS generated the report (known from a fetch's metadata), UTC ISO 8601. */
  generatedTime?: string | null;
}

/**
 * Any problem of a run in one shape, whatever found it: a report (or its metadata sidecar), a policy, or the run's
 * settings (`--param`, `--enable`, the editor's settings). Line and column are 1-based, null when unknown.
 */
export interface RunProblem {
  source: 'report' | 'policy' | 'settings';
  /** The file the problem is in, or the setting / flag it is about (`--param`, `credcheck.thresholds`). */
  file: string;
  line: number | null;
  column: number | null;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface OutputContext {
  reports: ReportSummary[];
  findings: Finding[];
  policyProblems: PolicyProblem[];
  catalog: CatalogEntry[];
  /** The evaluation time, ISO 8601. */
  evaluationTime: string;
  toolVersion: string;
  compliance?: ComplianceView;
  /** Every problem of the run (reports, policies, settings), in that one shape; empty when the front end shows them elsewhere. */
  problems: RunProblem[];
  /** False when a problem of severity error left part of the audit undone: the findings are not the whole answer. */
  complete: boolean;
}

/**
 * Where human-readable output (the table) is shown. Without it (or with no width) the table is the same bytes on any
 * machine: no colour, no line wrapped; a front end passes the terminal's width and colour choice when it writes to one.
 */
export interface DisplayOptions {
  /** Columns of the terminal the text goes to; undefined: not a terminal, lines are never wrapped. */
  width?: number;
  /** ANSI colours: a terminal (or FORCE_COLOR) without NO_COLOR. */
  color?: boolean;
  /** The working directory: an absolute path under it is shown relative to it. */
  cwd?: string;
}

export interface Formatter {
  name: string;
  /** The whole output, ending in a newline. Machine formats ignore `display`, but SARIF makes its artifact URIs relative to `display.cwd`. */
  format(context: OutputContext, display?: DisplayOptions): string;
}
