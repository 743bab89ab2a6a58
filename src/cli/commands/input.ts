import { formatProblem, reportRunProblem } from '../../core/output/problemText';
import { isFatalReport, maxReportBytesFrom, TOO_LARGE_HINT } from '../../core/report/reportLoader';
import { prepareRunInputs, RunRequestError } from '../../core/run';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { CliIo, UsageError } from '../io';
import { evaluationTimeFrom, reportRequestsFrom } from '../runArguments';

export const definition = defineCommand({
  name: 'input',
  operands: '<report.csv>',
  summary: 'print the JSON input the policies see for a report',
  description:
    'Prints the exact document policies are evaluated against (the report read as check reads it: working ' +
    'directory, size limit, .meta.json sidecar, evaluation time), to debug a policy or to feed opa eval and ' +
    'conftest. Problems go to stderr; the JSON on stdout stays clean.',
  options: {
    now: { value: '<time>', description: "the evaluation time: ISO 8601 (2024-04-22T19:47:52Z) or 'report' (the report's generation time); default: now" },
  },
  examples: [
    ['the input as of the report\'s generation time, for opa eval', 'credcheck input report.csv --now report > input.json'],
  ],
  exitCodes: [
    [0, 'the input is printed'],
    [2, 'a usage error, a report that cannot be read (nothing printed) or a report with an error (printed all the same)'],
  ],
});

/**
 * `credcheck input <report.csv> [--now <ISO 8601>|report]`: prints the exact document policies are evaluated against
 * (the run layer's loader and preparation, as `check` uses them: working directory, size limit, `.meta.json` sidecar,
 * evaluation time), to debug a policy or to feed `opa eval` and `conftest`. Problems go to stderr; the JSON stays clean.
 * Exit 2 when the report could not be read (nothing printed) or has a problem of severity error (printed all the same).
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readArguments(args);
  if (positionals.length !== 1) {
    throw new UsageError(`expected one report file, got ${positionals.length}\n${usageOf(definition)}`);
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
  return readCommandLine(definition, args);
}
