import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ParsedReport, PolicyInput, ReportProblem } from '../model';
import { normalizeReport, NormalizeExtras } from './normalizer';
import { decodeReportText } from './reportDecoding';
import { parseReport } from './reportParser';

/** A report file read, parsed and normalised; `input` is null when there is nothing to evaluate. */
export interface LoadedReport {
  report: ParsedReport;
  input: PolicyInput | null;
}

/** Problem codes after which the file gives no input at all (the CLI exits 2 on them). */
export const FATAL_REPORT_CODES: readonly string[] = ['not-a-report', 'unreadable', 'too-large'];

/**
 * Largest report read by default. IAM allows at most 5,000 users per account, so a real report stays under about 5 MB;
 * parsing and normalising take about 35 bytes of memory per byte of CSV, so an unbounded file could take the editor or
 * a CI runner down. Bigger files are refused before they are read (callers may raise the limit).
 */
export const DEFAULT_MAX_REPORT_BYTES = 16 * 1024 * 1024;

/** The fatal problem for a report over the size limit, or undefined when it is within it. */
export function reportSizeProblem(file: string, sizeBytes: number, maxBytes = DEFAULT_MAX_REPORT_BYTES): ReportProblem | undefined {
  if (sizeBytes <= maxBytes) return undefined;
  const megabytes = (bytes: number) =>
    bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  return {
    file,
    line: 1,
    severity: 'error',
    code: 'too-large',
    message:
      `the file is ${megabytes(sizeBytes)}, over the ${megabytes(maxBytes)} size limit for a credential report ` +
      '(IAM allows 5,000 users per account, about 5 MB); it is not read',
  };
}

/** What the CLI adds to a too-large problem: the limit comes from the environment (maxReportBytesFrom). */
export const TOO_LARGE_HINT = ' (set CREDCHECK_MAX_REPORT_MB to raise the limit)';

/** The size limit from CREDCHECK_MAX_REPORT_MB when it is a positive number, else the default. */
export function maxReportBytesFrom(env: Record<string, string | undefined>): number {
  const megabytes = Number(env.CREDCHECK_MAX_REPORT_MB);
  return Number.isFinite(megabytes) && megabytes > 0 ? Math.floor(megabytes * 1024 * 1024) : DEFAULT_MAX_REPORT_BYTES;
}

/** An empty report that carries one fatal problem. */
export function problemReport(problem: ReportProblem): ParsedReport {
  return { file: problem.file, header: [], layout: 'custom', rows: [], problems: [problem] };
}

export function isFatalReport(report: ParsedReport): boolean {
  return report.problems.some((problem) => FATAL_REPORT_CODES.includes(problem.code));
}

/** A report file's text, or the one fatal problem that kept it from being read. */
export type ReportText = { text: string; problem?: undefined } | { text?: undefined; problem: ReportProblem };

/**
 * Reads a report file: refused before reading when over the size limit (so a huge file costs nothing), decoded with
 * decodeReportBytes. A file that cannot be read becomes a located problem, never an exception: the other reports of a
 * run are still audited. `path` is where to read; `file` is how problems name it.
 */
export function readReportText(path: string, file: string, maxBytes = DEFAULT_MAX_REPORT_BYTES, tooLargeHint = ''): ReportText {
  try {
    const tooLarge = reportSizeProblem(file, statSync(path).size, maxBytes);
    if (tooLarge) return { problem: { ...tooLarge, message: `${tooLarge.message}${tooLargeHint}` } };
    return { text: decodeReportBytes(readFileSync(path)) };
  } catch (error) {
    return { problem: unreadableProblem(file, error) };
  }
}

function unreadableProblem(file: string, error: unknown): ReportProblem {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : (code ?? (error instanceof Error ? error.message : String(error)));
  return { file, line: 1, severity: 'error', code: 'unreadable', message: `cannot read the report: ${reason}` };
}

/**
 * Reads a report file and turns it into policy input: the sequence the `input` and `check` commands and the
 * extension's file-based commands share. `file` is kept as given, so problems and findings name the file the way the
 * user typed it. The evaluation time comes from the caller; nothing here reads the clock.
 */
export async function loadReport(file: string, evaluationTime: Date, extras: NormalizeExtras = {}, maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<LoadedReport> {
  let bytes: Buffer;
  try {
    // Measured before reading, so a huge file costs nothing.
    const tooLarge = reportSizeProblem(file, (await stat(file)).size, maxBytes);
    if (tooLarge) return { report: problemReport(tooLarge), input: null };
    bytes = await readFile(file);
  } catch (error) {
    return { report: problemReport(unreadableProblem(file, error)), input: null };
  }
  const report = parseReport(decodeReportBytes(bytes), file);
  if (isFatalReport(report)) return { report, input: null };
  return { report, input: normalizeReport(report, evaluationTime, extras) };
}

/**
 * Text of a report file: UTF-8, or UTF-16 after its byte order mark. Invalid bytes read as U+FFFD; decodeReportText
 * (reportDecoding.ts) also says where they are, and parseReport's `decoding` option turns them into warnings.
 */
export function decodeReportBytes(bytes: Uint8Array): string {
  return decodeReportText(bytes).text;
}
