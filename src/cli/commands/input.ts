import { ReportProblem } from '../../core/model';
import { loadReport } from '../../core/report/reportLoader';
import { parseReportTime } from '../../core/report/timeValues';
import { CliIo, readCommandArguments, UsageError } from '../io';

/**
 * `credcheck input <report.csv> [--now <ISO 8601>]`: prints the exact document policies are evaluated against, to
 * debug a policy or to feed `opa eval` and `conftest`. Problems in the report go to stderr; the JSON stays clean.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readArguments(args);
  if (positionals.length !== 1) {
    throw new UsageError(`expected one report file, got ${positionals.length}\nusage: credcheck input <report.csv> [--now <ISO 8601>]`);
  }
  const evaluationTime = evaluationTimeFrom(values.now);
  const file = positionals[0];
  const { report, input } = await loadReport(file, evaluationTime);
  for (const problem of report.problems) io.stderr(`${formatProblem(problem)}\n`);
  if (!input) return 2;
  io.stdout(`${JSON.stringify(input, null, 2)}\n`);
  return 0;
}

function readArguments(args: string[]) {
  return readCommandArguments(args, { now: { type: 'string' } }, '');
}

/** The one instant of this evaluation: `--now`, or the wall clock read once here. */
export function evaluationTimeFrom(now: string | undefined): Date {
  if (now === undefined) return new Date();
  const time = parseReportTime(now);
  if (!time) throw new UsageError(`--now "${now}" is not an ISO 8601 time (for example 2024-04-22T19:47:52Z)`);
  return new Date(time.epochMs);
}

/** `file:line: severity: message`, the form compilers use, so editors and CI logs link it (no line for a file that cannot be read). */
export function formatProblem(problem: ReportProblem): string {
  const where = problem.code === 'unreadable' ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.severity}: ${problem.message}`;
}
