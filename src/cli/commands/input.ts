import { formatProblem, reportRunProblem } from '../../core/output/problemText';
import { isFatalReport, maxReportBytesFrom, TOO_LARGE_HINT } from '../../core/report/reportLoader';
import { prepareRunInputs, RunRequestError } from '../../core/run';
import { CliIo, readCommandArguments, UsageError } from '../io';
import { evaluationTimeFrom, reportRequestsFrom } from '../runArguments';

/**
 * `credcheck input <report.csv> [--now <ISO 8601>|report]`: prints the exact document policies are evaluated against
 * (the run layer's loader and preparation, as `check` uses them: working directory, size limit, `.meta.json` sidecar,
 * evaluation time), to debug a policy or to feed `opa eval` and `conftest`. Problems go to stderr; the JSON stays clean.
 * Exit 2 when the report could not be read (nothing printed) or has a problem of severity error (printed all the same).
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readArguments(args);
  if (positionals.length !== 1) {
    throw new UsageError(`expected one report file, got ${positionals.length}\nusage: credcheck input <report.csv> [--now <ISO 8601>|report]`);
  }
  let prepared;
  try {
    prepared = prepareRunInputs({
      reports: await reportRequestsFrom(io, positionals, maxReportBytesFrom(io.env)), cwd: io.cwd, maxReportBytes: maxReportBytesFrom(io.env), tooLargeHint: TOO_LARGE_HINT,
      now: evaluationTimeFrom(values.now),
    });
  } catch (error) {
    if (error instanceof RunRequestError) throw new UsageError(error.message);
    throw error;
  }
  const report = prepared.reports[0]!;
  for (const problem of report.problems) io.stderr(`${formatProblem(reportRunProblem(problem))}\n`);
  if (isFatalReport(report.parsed)) return 2;
  io.stdout(`${JSON.stringify(report.input, null, 2)}\n`);
  return report.problems.some((problem) => problem.severity === 'error') ? 2 : 0;
}

function readArguments(args: string[]) {
  return readCommandArguments(args, { now: { type: 'string' } }, '');
}
