/**
 * One output format per module behind this interface (as conftest does), looked up by name with `getFormatter`.
 * Formatters are pure: the same findings give the same bytes, which the golden-file tests rely on.
 */
import { CatalogEntry } from '../catalog';
import { ComplianceView } from '../compliance';
import { Finding, ParsedReport, PolicyProblem, ReportProblem } from '../model';
import { csvFormatter } from './csvFormatter';
import { jsonFormatter } from './jsonFormatter';
import { junitFormatter } from './junitFormatter';
import { markdownFormatter } from './markdownFormatter';
import { sarifFormatter } from './sarifFormatter';
import { tableFormatter } from './tableFormatter';

export interface ReportSummary {
  file: string;
  layout: ParsedReport['layout'];
  accountId: string | null;
  users: number;
  problems: ReportProblem[];
  /** When AWS generated the report (known from a fetch's metadata), UTC ISO 8601. */
  generatedTime?: string | null;
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
}

export interface Formatter {
  name: string;
  /** The whole output, ending in a newline. */
  format(context: OutputContext): string;
}

const formatters: Formatter[] = [tableFormatter, jsonFormatter, sarifFormatter, junitFormatter, csvFormatter, markdownFormatter];

export const FORMAT_NAMES: readonly string[] = formatters.map((f) => f.name);

export function getFormatter(name: string): Formatter | undefined {
  return formatters.find((f) => f.name === name);
}
