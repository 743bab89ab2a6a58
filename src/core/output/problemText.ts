import { PolicyProblem, ReportProblem } from '../model';
import { RunProblem } from './outputModel';

/**
 * `file:line:column: severity: message`, the form compilers use, so editors and CI logs link it; the parts not known are
 * left out (a file that cannot be read has no line). The one spelling of a problem in every output and on stderr.
 */
export function formatProblem(problem: RunProblem): string {
  let where = problem.file;
  if (problem.line !== null) where += `:${problem.line}`;
  if (problem.line !== null && problem.column !== null) where += `:${problem.column}`;
  return `${where ? `${where}: ` : ''}${problem.severity}: ${problem.message}`;
}

/** A report (or sidecar) problem as a RunProblem: the column is the cell's first character, 1-based. */
export function reportRunProblem(problem: ReportProblem): RunProblem {
  // A file that could not be read has no line to point at, although the problem carries line 1.
  const located = problem.code !== 'unreadable';
  return {
    source: 'report', file: problem.file, line: located ? problem.line : null,
    column: located && problem.location ? problem.location.startColumn + 1 : null,
    severity: problem.severity, code: problem.code, message: problem.message,
  };
}

/** A policy problem as a RunProblem: always an error (the policy set did not run as written). */
export function policyRunProblem(problem: PolicyProblem): RunProblem {
  return {
    source: 'policy', file: problem.file, line: problem.line > 0 ? problem.line : null, column: problem.column > 0 ? problem.column : null,
    severity: 'error', code: problem.code ?? 'policy-error', message: problem.message,
  };
}

/**
 * Every problem of a run in one list (settings, then each report's, then the policies'), and whether the run is
 * complete: no problem of severity error left part of it undone.
 */
export function collectRunProblems(
  reports: { problems: ReportProblem[] }[],
  policyProblems: PolicyProblem[],
  settingsProblems: RunProblem[] = [],
): { problems: RunProblem[]; complete: boolean } {
  const problems = [...settingsProblems, ...reports.flatMap((report) => report.problems.map(reportRunProblem)), ...policyProblems.map(policyRunProblem)];
  return { problems, complete: !problems.some((problem) => problem.severity === 'error') };
}
