import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { auditReports, AuditResult, compareFindings, ReportSource } from '../../core/audit';
import { auditReportFiles, BatchAuditResult } from '../../core/batchAudit';
import { CatalogEntry, loadBundledPolicies } from '../../core/catalog';
import { buildComplianceView, knownFrameworks } from '../../core/compliance';
import { RegoCompiler, RegoModule } from '../../core/compiler/regoCompiler';
import { Finding, MfaDevice, PolicyProblem } from '../../core/model';
import { FORMAT_NAMES, Formatter, getFormatter, OutputContext } from '../../core/output/formatter';
import { isFailing } from '../../core/output/findingFields';
import { STREAMED_FORMATS, StreamedFormat, StreamedOutput } from '../../core/output/streamedOutput';
import { parseReportSidecar, ReportSidecarError, sidecarPathFor } from '../../core/report/reportSidecar';
import { maxReportBytesFrom, readReportText, TOO_LARGE_HINT } from '../../core/report/reportLoader';
import { parseSuppressions, Suppression, SuppressionFileError } from '../../core/suppressions';
import { createDefaultCompiler } from '../compilerFactory';
import { CliIo, readCommandArguments, UsageError } from '../io';
import { evaluationTimeFrom, formatProblem } from './input';
import packageJson from '../../../package.json';

const USAGE =
  'usage: credcheck check <report.csv>... [--policy <dir|file>]... [--now <ISO 8601>|report] [--param name=value]... ' +
  `[--format ${FORMAT_NAMES.join('|')}] [--output <file>] [--framework <id>] [--suppressions <file>] [--enable <check>]... [--disable <check>]... ` +
  '[--jobs <n>]\n' +
  '  --jobs <n>: worker threads auditing several reports at once (default: one per CPU core, at most one per report; 1 runs ' +
  'in-process). With more than one, json and csv output is streamed in bounded memory; the other formats and --framework ' +
  'collect every finding in memory first. A report that cannot be read is a problem on that report (exit 2), never a stop.';

/** What tests may replace: the Rego compiler for user policies. */
export interface CheckDependencies {
  createCompiler?: () => Promise<RegoCompiler>;
}

/**
 * `credcheck check`: runs the bundled checks and the user's policies over one or more reports.
 * Exit 0: no failing finding; 1: at least one failing (unsuppressed) finding; 2: a usage, input or policy error.
 */
export async function run(args: string[], io: CliIo, dependencies: CheckDependencies = {}): Promise<number> {
  const { values, positionals } = readArguments(args);
  if (positionals.length === 0) throw new UsageError(`expected at least one report file\n${USAGE}`);
  const formatName = values.format ?? 'table';
  const formatter = getFormatter(formatName);
  if (!formatter) throw new UsageError(`unknown --format "${formatName}" (expected one of ${FORMAT_NAMES.join(', ')})`);
  const params = readParams(values.param ?? []);
  const bundled = loadBundledPolicies();
  checkSelection(bundled.checks, [...(values.enable ?? []), ...(values.disable ?? [])]);
  if (values.framework !== undefined && !knownFrameworks(bundled.checks).includes(values.framework)) {
    throw new UsageError(`unknown --framework "${values.framework}" (expected one of ${knownFrameworks(bundled.checks).join(', ')})`);
  }

  const maxReportBytes = maxReportBytesFrom(io.env);
  const jobs = Math.min(values.jobs !== undefined ? readJobs(values.jobs) : defaultJobs(positionals.length), positionals.length);
  // With workers, each worker reads its own reports: this thread reads only the small metadata sidecars.
  const reports: ReportSource[] = positionals.map((file) => {
    // A report that cannot be read is a problem on that report (exit 2); the others are still audited.
    const read = jobs > 1 ? { text: '' } : readReportText(resolve(io.cwd, file), file, maxReportBytes, TOO_LARGE_HINT);
    return { file, text: read.text ?? '', problem: read.problem, ...readSidecar(io, file) };
  });
  // Read once: every age, expiry and time.now_ns() in this run uses this instant.
  const now = values.now === 'report' ? reportGenerationTime(reports) : evaluationTimeFrom(values.now);
  const suppressions = values.suppressions !== undefined ? readSuppressions(io, values.suppressions) : undefined;
  if (suppressions instanceof SuppressionFileError) {
    io.stderr(`${suppressions.message}\n`);
    return 2;
  }
  const userPolicies = (values.policy ?? []).flatMap((path) => collectPolicies(io, path));
  const compiler = userPolicies.length > 0 ? await (dependencies.createCompiler ?? createDefaultCompiler)() : undefined;
  if (jobs > 1) {
    const streamed = values.framework === undefined && (STREAMED_FORMATS as readonly string[]).includes(formatName);
    const spill = streamed ? new StreamedOutput(formatName as StreamedFormat) : undefined;
    const collected: Finding[] = [];
    let batch: BatchAuditResult;
    try {
      batch = await auditReportFiles({
        reports: reports.map((report) => ({ ...report, path: resolve(io.cwd, report.file) })),
        now, params, userPolicies, compiler, suppressions, maxReportBytes, jobs,
        enabledChecks: { enable: values.enable, disable: values.disable },
        findings: spill ? spill.format : 'objects',
        onFindings: (findings) => {
          if ('text' in findings) spill!.add(findings.file, findings.text);
          else for (const finding of findings.findings) collected.push(finding);
        },
      });
    } catch (error) {
      spill?.dispose();
      throw error;
    } finally {
      compiler?.dispose();
    }
    return writeBatch(io, batch, { values, formatter, now, catalog: bundled.checks, spill, collected });
  }
  let result: AuditResult;
  try {
    result = await auditReports({
      reports, now, params, userPolicies, compiler, suppressions, bundled, maxReportBytes,
      enabledChecks: { enable: values.enable, disable: values.disable },
    });
  } finally {
    compiler?.dispose();
  }

  let inputError = false;
  for (const report of result.reports) {
    for (const problem of report.problems) io.stderr(`${formatProblem(problem)}\n`);
    if (report.input.users.length === 0 && report.problems.some((p) => p.severity === 'error')) inputError = true;
  }
  for (const problem of result.policyProblems) io.stderr(`${formatPolicyProblem(problem)}\n`);

  const compliance = values.framework !== undefined ? buildComplianceView(values.framework, result.findings, result.catalog) : undefined;
  const context: OutputContext = {
    reports: result.reports.map((r) => ({
      file: r.file, layout: r.parsed.layout, accountId: r.input.report.account_id, users: r.input.users.length, problems: r.problems,
      generatedTime: r.input.report.generated_time,
    })),
    findings: compliance ? compliance.findings : result.findings,
    policyProblems: result.policyProblems,
    catalog: result.catalog,
    evaluationTime: now.toISOString(),
    toolVersion: packageJson.version,
    compliance,
  };
  const output = formatter.format(withoutEchoedProblems(context, formatName, values.output));
  if (values.output !== undefined) writeFileSync(resolve(io.cwd, values.output), output);
  else io.stdout(output);

  if (inputError || result.policyProblems.length > 0) return 2;
  return result.findings.some(isFailing) ? 1 : 0;
}

/**
 * The rest of a run with worker threads: problems on stderr, then the output, streamed from the spill file for json and
 * csv (byte for byte what the formatter writes), formatted from the collected findings otherwise.
 */
function writeBatch(
  io: CliIo,
  batch: BatchAuditResult,
  run: { values: ReturnType<typeof readArguments>['values']; formatter: Formatter; now: Date; catalog: CatalogEntry[]; spill?: StreamedOutput; collected: Finding[] },
): number {
  const { values } = run;
  let inputError = false;
  for (const report of batch.reports) {
    for (const problem of report.problems) io.stderr(`${formatProblem(problem)}\n`);
    if (report.users === 0 && report.problems.some((p) => p.severity === 'error')) inputError = true;
  }
  for (const problem of batch.policyProblems) io.stderr(`${formatPolicyProblem(problem)}\n`);

  const evaluationTime = run.now.toISOString();
  if (run.spill) {
    const ending = { reports: batch.reports, policyProblems: batch.policyProblems, evaluationTime, lateFindings: batch.lateFindings };
    if (values.output !== undefined) {
      const fd = openSync(resolve(io.cwd, values.output), 'w');
      try {
        run.spill.finish(ending, (chunk) => {
          for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
        });
      } finally {
        closeSync(fd);
      }
    } else {
      const decoder = new StringDecoder('utf8');
      run.spill.finish(ending, (chunk) => io.stdout(decoder.write(chunk)));
      const rest = decoder.end();
      if (rest) io.stdout(rest);
    }
  } else {
    // Already in output order report by report; the suppressions' own findings go in by file name (a stable sort).
    const findings = run.collected;
    for (const finding of batch.lateFindings) findings.push(finding);
    findings.sort(compareFindings);
    const compliance = values.framework !== undefined ? buildComplianceView(values.framework, findings, run.catalog) : undefined;
    const context: OutputContext = {
      reports: batch.reports, findings: compliance ? compliance.findings : findings, policyProblems: batch.policyProblems,
      catalog: run.catalog, evaluationTime, toolVersion: packageJson.version, compliance,
    };
    const output = run.formatter.format(withoutEchoedProblems(context, run.formatter.name, values.output));
    if (values.output !== undefined) writeFileSync(resolve(io.cwd, values.output), output);
    else io.stdout(output);
  }
  if (inputError || batch.policyProblems.length > 0) return 2;
  return batch.failing ? 1 : 0;
}

/**
 * Problems always go to stderr (`file:line: ...`, what editors and CI logs link). The table on a terminal would show
 * them a second time, so it leaves them out there; a table written to a file, and every machine format, keep them.
 */
function withoutEchoedProblems(context: OutputContext, formatName: string, outputFile: string | undefined): OutputContext {
  if (formatName !== 'table' || outputFile !== undefined) return context;
  return { ...context, reports: context.reports.map((report) => ({ ...report, problems: [] })), policyProblems: [] };
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
  return readCommandArguments(
    args,
    {
      policy: { type: 'string', multiple: true },
      now: { type: 'string' },
      param: { type: 'string', multiple: true },
      format: { type: 'string' },
      output: { type: 'string' },
      framework: { type: 'string' },
      suppressions: { type: 'string' },
      enable: { type: 'string', multiple: true },
      disable: { type: 'string', multiple: true },
      jobs: { type: 'string' },
    },
    USAGE,
  );
}

/** `--param name=value`: numbers and booleans are typed, anything else stays text. */
export function readParams(entries: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const entry of entries) {
    const match = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(entry);
    if (!match) throw new UsageError(`--param "${entry}" is not name=value`);
    const [, name, text] = match as unknown as [string, string, string];
    params[name] = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text === 'true' ? true : text === 'false' ? false : text;
  }
  return params;
}

function checkSelection(catalog: CatalogEntry[], ids: string[]): void {
  for (const id of ids) {
    if (!catalog.some((entry) => entry.id === id)) throw new UsageError(`unknown check "${id}" (see credcheck checks)`);
  }
}

function readInput(io: CliIo, file: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The metadata `credcheck fetch` saved next to the report (`<report>.meta.json`), when there is one: its MFA device list
 * decides root-hardware-mfa and its generation time is the report's own "now". A malformed one is an input error.
 */
function readSidecar(io: CliIo, file: string): { generatedTime?: string; mfaDevices?: MfaDevice[] | null } {
  const sidecarFile = sidecarPathFor(file);
  if (!existsSync(resolve(io.cwd, sidecarFile))) return {};
  try {
    const sidecar = parseReportSidecar(readInput(io, sidecarFile, 'report metadata'), sidecarFile);
    return { generatedTime: sidecar.generatedTime ?? undefined, mfaDevices: sidecar.mfaDevices };
  } catch (error) {
    if (error instanceof ReportSidecarError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * `--now report`: evaluate at the time AWS generated the report, so a saved report gives the same findings on any day.
 * With several reports, the newest generation time is the one instant of the run.
 */
function reportGenerationTime(reports: { file: string; generatedTime?: string }[]): Date {
  const unknown = reports.filter((r) => r.generatedTime === undefined).map((r) => r.file);
  if (unknown.length > 0) {
    throw new UsageError(
      `--now report: the generation time of ${unknown.join(', ')} is unknown (it comes from ${sidecarPathFor(unknown[0]!)}, written by credcheck fetch)`,
    );
  }
  return new Date(Math.max(...reports.map((r) => Date.parse(r.generatedTime!))));
}

function readSuppressions(io: CliIo, file: string): Suppression[] | SuppressionFileError {
  try {
    return parseSuppressions(readInput(io, file, 'suppressions file'), file);
  } catch (error) {
    if (error instanceof SuppressionFileError) return error;
    throw error;
  }
}

/** Every .rego under a directory (policy tests, hidden folders and node_modules left out), or the one file given. */
function collectPolicies(io: CliIo, path: string): RegoModule[] {
  const absolute = resolve(io.cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`--policy ${path}: no such file or directory`);
  const display = (file: string) => (isAbsolute(path) ? file : relative(io.cwd, file) || file);
  if (statSync(absolute).isFile()) return [{ file: display(absolute), source: readFileSync(absolute, 'utf8') }];
  const modules: RegoModule[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(child);
      } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        modules.push({ file: display(child), source: readFileSync(child, 'utf8') });
      }
    }
  };
  walk(absolute);
  if (modules.length === 0) throw new UsageError(`--policy ${path}: no .rego files found`);
  return modules;
}

/** `file:line:column: message`, the form editors and CI logs link. */
export function formatPolicyProblem(problem: PolicyProblem): string {
  return `${problem.file}:${problem.line}:${problem.column}: ${problem.message}`;
}
