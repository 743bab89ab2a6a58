import { availableParallelism } from 'node:os';
import { loadBundledPolicies } from '../../core/checks/catalog';
import { CompilerCache } from '../../core/compiler/compilerCache';
import { RegoCompiler } from '../../core/compiler/regoCompiler';
import { printLocation } from '../../core/engine/policyPrints';
import { FORMAT_NAMES, getFormatter } from '../../core/output/formatter';
import { formatProblem } from '../../core/output/problemText';
import { STREAMED_FORMATS, StreamedFormat } from '../../core/output/streamedOutput';
import { maxReportBytesFrom, TOO_LARGE_HINT } from '../../core/report/reportLoader';
import { describeParameter, discardRunOutput, exitCodeOf, parameterSpecs, runAudit, RunRequestError, RunResult, validateCheckIds, validateFramework, validateParameters, writeRunOutput } from '../../core/run';
import { SuppressionFileError } from '../../core/run/suppressions';
import { escapeTerminalText } from '../../core/text/terminalText';
import { createDefaultCompiler } from '../compilerFactory';
import { CommandValues, defineCommand, readCommandLine, usageOf } from '../commandLine';
import { CliIo, stdoutDisplay, UsageError } from '../io';
import { checkOutputFile, collectPolicies, evaluationTimeFrom, readSuppressions, reportRequestsFrom, withOutputSink } from '../runArguments';
import packageJson from '../../../package.json';

/**
 * The options that say what to audit and how, shared by every command that runs check's audit (`check`, `publish`):
 * one declaration, so their help and parsing cannot drift apart.
 */
export const AUDIT_OPTIONS = {
  policy: { value: '<dir|file>', multiple: true, description: 'your Rego policies: a .rego file, or a directory (its *_test.rego left out)' },
  now: { value: '<time>', description: "the time ages are counted to: ISO 8601 (2024-04-22T19:47:52Z) or 'report' (each report's generation time); default: now" },
  param: { value: '<name=value>', multiple: true, description: "a check's threshold (listed by 'credcheck checks'), e.g. accessKeyRotationDays=60" },
  framework: { value: '<id>', description: 'add a per-control summary for a compliance framework, e.g. cis-3.0' },
  suppressions: { value: '<file>', description: 'a YAML file of accepted findings: they are kept, marked suppressed, and do not fail' },
  enable: { value: '<check>', multiple: true, description: 'run a check that is off by default' },
  disable: { value: '<check>', multiple: true, description: 'do not run a check' },
  jobs: { value: '<n>', description: 'worker threads auditing several reports at once (default: one per CPU core, at most one per report; 1 runs in-process)' },
} as const;

/** The parsed audit options, as every command that declares AUDIT_OPTIONS gets them. */
export type AuditValues = CommandValues<typeof AUDIT_OPTIONS>;

export const definition = defineCommand({
  name: 'check',
  operands: '<report.csv|dir>...',
  summary: 'audit reports with the bundled checks and your own policies',
  description:
    'Audits credential reports with the bundled checks and the Rego policies given with --policy, and prints the ' +
    'findings. A directory stands for the *.csv reports directly in it (as fetch --out <dir> writes them). Problems (a report, row, setting or policy that could not be fully used) are printed on stderr as ' +
    'file:line:column: severity: message, and every output format carries them.',
  options: {
    policy: AUDIT_OPTIONS.policy,
    now: AUDIT_OPTIONS.now,
    param: AUDIT_OPTIONS.param,
    format: { value: '<name>', description: `output format: ${FORMAT_NAMES.join(', ')} (default: table)` },
    output: { value: '<file>', description: 'write the output to <file> instead of stdout' },
    framework: AUDIT_OPTIONS.framework,
    suppressions: AUDIT_OPTIONS.suppressions,
    enable: AUDIT_OPTIONS.enable,
    disable: AUDIT_OPTIONS.disable,
    jobs: {
      value: '<n>',
      description:
        'worker threads auditing several reports at once (default: one per CPU core, at most one per report; 1 runs ' +
        'in-process); with more than one, json and csv are streamed in bounded memory',
    },
  },
  examples: [
    ['audit a report, ages counted from the time AWS generated it', 'credcheck check report.csv --now report'],
    ['every report fetched into a directory', 'credcheck check reports/ --now report'],
    ['your policies too, SARIF for code scanning', 'credcheck check *.csv --policy policies/ --format sarif --output out.sarif'],
  ],
  exitCodes: [
    [0, 'no failing finding (a suppressed one does not count)'],
    [1, 'at least one failing, unsuppressed finding'],
    [2, 'a usage, settings, input or policy problem left the audit incomplete (what could be audited is still written)'],
  ],
});

const USAGE = usageOf(definition);

/** What tests may replace: the Rego compiler for user policies. */
export interface CheckDependencies {
  createCompiler?: () => Promise<RegoCompiler>;
}

/**
 * `credcheck check`: runs the bundled checks and the user's policies over one or more reports (src/core/run does the
 * run; this is flags, output choice and exit code). Exit 2: a usage, input, policy or settings problem of severity
 * error left the audit incomplete (the findings of what could be audited are still written); else 1: at least one
 * failing (unsuppressed) finding; else 0.
 */
export async function run(args: string[], io: CliIo, dependencies: CheckDependencies = {}): Promise<number> {
  const { values, positionals } = readArguments(args);
  if (positionals.length === 0) throw new UsageError(`expected at least one report file\n${USAGE}`);
  const formatName = values.format ?? 'table';
  const formatter = getFormatter(formatName);
  if (!formatter) throw new UsageError(`unknown --format "${formatName}" (expected one of ${FORMAT_NAMES.join(', ')})`);
  const result = await runCheckAudit(values, positionals, io, dependencies, {
    beforeRun: () => checkOutputFile(io, values.output),
    stream: (STREAMED_FORMATS as readonly string[]).includes(formatName) ? (formatName as StreamedFormat) : undefined,
  });
  if (typeof result === 'number') return result;

  const showProblems = formatName !== 'table' || values.output !== undefined;
  // The table on stdout fits the terminal and is coloured there; in a file it is the same bytes on every machine.
  const display = values.output === undefined ? stdoutDisplay(io) : { cwd: io.cwd };
  try {
    withOutputSink(io, values.output, (write) => writeRunOutput(result, formatter, { toolVersion: packageJson.version, showProblems, display }, write));
  } finally {
    discardRunOutput(result);
  }
  return exitCodeOf(result);
}

/**
 * check's audit, for every command that runs it: settings validated (a mistake is a usage error before anything runs),
 * suppressions read, policies compiled, the reports audited, and the problems and policy prints written to stderr.
 * The result, or the exit code when the run could not start (a suppressions file that cannot be used: exit 2).
 */
export async function runCheckAudit(
  values: AuditValues,
  positionals: string[],
  io: CliIo,
  dependencies: CheckDependencies = {},
  options: { beforeRun?: () => void; stream?: StreamedFormat } = {},
): Promise<RunResult | 2> {
  const catalog = loadBundledPolicies().checks;
  // Settings mistakes stop the run before it starts: a misspelled threshold must not run the default silently.
  const parameters = readParams(values.param ?? []);
  const settingsProblems = [
    ...validateParameters(parameters, catalog).problems,
    ...validateCheckIds([...(values.enable ?? []), ...(values.disable ?? [])], catalog),
    ...validateFramework(values.framework, catalog),
  ];
  if (settingsProblems.length > 0) {
    const parameterList = values.param ? `\nvalid parameters: ${parameterSpecs(catalog).map(describeParameter).join(', ')}` : '';
    throw new UsageError(`${settingsProblems.map(formatProblem).join('\n')}${parameterList}`);
  }
  const now = evaluationTimeFrom(values.now);
  options.beforeRun?.();
  const suppressions = values.suppressions !== undefined ? readSuppressions(io, values.suppressions) : undefined;
  if (suppressions instanceof SuppressionFileError) {
    io.stderr(`${escapeTerminalText(suppressions.message, { keepLineBreaks: true })}\n`);
    return 2;
  }
  const policies = (values.policy ?? []).flatMap((path) => collectPolicies(io, path));
  const compiler = policies.length > 0 ? new CompilerCache(await (dependencies.createCompiler ?? createDefaultCompiler)()) : undefined;
  const progress = progressLine(io, positionals.length);

  let result: RunResult;
  try {
    result = await runAudit(
      {
        reports: await reportRequestsFrom(io, positionals, maxReportBytesFrom(io.env)),
        cwd: io.cwd, maxReportBytes: maxReportBytesFrom(io.env), tooLargeHint: TOO_LARGE_HINT, now,
        parameters, policies, suppressions, framework: values.framework,
        checks: { enable: values.enable, disable: values.disable },
        jobs: values.jobs !== undefined ? readJobs(values.jobs) : defaultJobs(positionals.length),
        stream: options.stream,
        onProgress: progress?.show,
      },
      { compiler },
    );
  } catch (error) {
    if (error instanceof RunRequestError) throw new UsageError(error.message);
    throw error;
  } finally {
    progress?.clear();
    compiler?.dispose();
  }

  // Problems always go to stderr (`file:line:column: severity: message`, what editors and CI logs link). The table on a
  // terminal would show them a second time, so it leaves them out there; a table in a file and every machine format keep them.
  // Report and policy text is escaped: a user name must not drive the terminal or forge a line (terminalText.ts).
  for (const problem of result.problems) io.stderr(`${escapeTerminalText(formatProblem(problem))}\n`);
  // What --policy policies print(), like `opa eval` prints it (to stderr, so the findings' output stays clean).
  for (const print of result.prints ?? []) io.stderr(`${escapeTerminalText(`print: ${printLocation(print)}: ${print.text}`)}\n`);
  return result;
}

/**
 * `audited 3 of 40 reports` on stderr, rewritten in place, when several reports are audited and stderr is a terminal
 * (a long run otherwise prints nothing until the end); cleared before anything else is printed.
 */
function progressLine(io: CliIo, reportCount: number): { show(audited: number, total: number): void; clear(): void } | undefined {
  if (reportCount < 2 || !io.stderrTerminal) return undefined;
  let shown = false;
  return {
    show(audited, total) {
      io.stderr(`\r\x1b[2Kcredcheck: audited ${audited} of ${total} reports`);
      shown = true;
    },
    clear() {
      if (shown) io.stderr('\r\x1b[2K');
    },
  };
}

/** `--jobs <n>`: a whole number of worker threads, at least 1. */
function readJobs(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--jobs "${text}" is not a whole number of at least 1`);
  return Number(text);
}

/**
 * One report runs in-process (a worker would only add its start-up). Several get one worker per CPU core: the work is
 * CPU-bound, and every extra worker holds another report's parsed form (~35 bytes per byte of CSV) without going faster.
 */
function defaultJobs(reportCount: number): number {
  return reportCount > 1 ? availableParallelism() : 1;
}

function readArguments(args: string[]) {
  return readCommandLine(definition, args);
}

/** `--param name=value` as given: the run checks the names and values against the catalog (validateParameters). */
export function readParams(entries: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(entry);
    if (!match) throw new UsageError(`--param "${entry}" is not name=value`);
    params[match[1]!] = match[2]!;
  }
  return params;
}
