import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ParsedReport, PolicyInput, ReportProblem } from '../model';
import { normalizeReport, NormalizeExtras } from './normalizer';
import { decodeReportText, DecodedReportText } from './reportDecoding';
import { formatSize, openReportBytes } from './reportFormats';
import { parseReport } from './reportParser';

/** A report file read, parsed and normalised; `input` is null when there is nothing to evaluate. */
export interface LoadedReport {
  report: ParsedReport;
  input: PolicyInput | null;
}

/** Problem codes after which the file gives no input at all (the CLI exits 2 on them). */
export const FATAL_REPORT_CODES: readonly string[] = ['not-a-report', 'unreadable', 'too-large'];

/**
 * Largest report read by default, chosen with the bundled checks' 256 MiB of wasm memory (MAX_MEMORY_MIB): they read
 * whole rows, and OPA's wasm holds the parsed input and every intermediate value of an evaluation. Measured on the
 * synthetic reports of bench/ (BENCHMARKS.md): 17,500 users (3.9 MB of CSV) are audited completely, 18,500 (4.1 MB)
 * lose checks. IAM allows 5,000 users per account (about 1.1 MB), so 3 MB keeps a third of headroom below what fits
 * and over twice a real report. Bigger files are refused before they are read (CREDCHECK_MAX_REPORT_MB raises the
 * limit; a report that then overflows the checks' memory is a located `memory-limit` problem on it).
 */
export const DEFAULT_MAX_REPORT_BYTES = 3 * 1024 * 1024;

/** The fatal problem for a report over the size limit, or undefined when it is within it. */
export function reportSizeProblem(file: string, sizeBytes: number, maxBytes = DEFAULT_MAX_REPORT_BYTES): ReportProblem | undefined {
  if (sizeBytes <= maxBytes) return undefined;
  const megabytes = formatSize;
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

/**
 * A report file's text, or the one fatal problem that kept it from being read. `layers` names the wrappings the CSV was
 * taken out of (gzip, the AWS CLI's JSON answer, base64: reportFormats.ts), whose lines and columns are then those of
 * the decoded CSV; `generatedTime` is the AWS answer's; `problems` are the wrapping's non-fatal ones.
 */
export type ReportText =
  | { text: string; problem?: undefined; decoding?: DecodedReportText; layers?: string[]; generatedTime?: string; problems?: ReportProblem[] }
  | { text?: undefined; problem: ReportProblem; decoding?: undefined; layers?: undefined; generatedTime?: undefined; problems?: undefined };

/** A file's bytes, at most `maxBytes` of them, or why not: the one way every report and sidecar is read. */
export type BoundedBytes = { bytes: Buffer; size?: undefined; error?: undefined } | { bytes?: undefined; size: number; error?: undefined } | { bytes?: undefined; error: NodeJS.ErrnoException };

/**
 * Reads a whole file of at most `maxBytes` through one descriptor: the size is taken from that descriptor (so the file
 * measured is the file read), anything but a regular file is refused (a FIFO or a device would block or never end), and
 * no more than maxBytes + 1 bytes are ever read, so a file that grows after fstat still cannot exhaust memory. `size`
 * says the file is over the limit.
 */
export function readBoundedFile(path: string, maxBytes: number): BoundedBytes {
  let fd: number;
  try {
    // Non-blocking, so opening a FIFO with no writer returns at once (and is then refused below) instead of hanging the run.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { error: Object.assign(new Error('not a regular file'), { code: stats.isDirectory() ? 'EISDIR' : 'not a regular file' }) };
    if (stats.size > maxBytes) return { size: stats.size };
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes, stats.size) + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > maxBytes) return { size: length };
    return { bytes: buffer.subarray(0, length) };
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a report file: refused when over the size limit, unwrapped and decoded with openReportBytes. A file that cannot
 * be read becomes a located problem, never an exception: the other reports of a run are still audited. `path` is where
 * to read; `file` is how problems name it.
 */
export function readReportText(path: string, file: string, maxBytes = DEFAULT_MAX_REPORT_BYTES, tooLargeHint = ''): ReportText {
  const read = readBoundedFile(path, maxBytes);
  if (read.error) return { problem: unreadableProblem(file, read.error) };
  if (read.bytes === undefined) {
    const tooLarge = reportSizeProblem(file, read.size, maxBytes)!;
    return { problem: { ...tooLarge, message: `${tooLarge.message}${tooLargeHint}` } };
  }
  return reportTextOf(read.bytes, file, maxBytes, tooLargeHint);
}

/**
 * A report's bytes already read (standard input: at most the limit plus one byte, so more is refused as too large) as
 * text: unwrapped (reportFormats.ts) and decoded, the decoding kept so the parser can locate bytes that were not valid text.
 */
export function reportTextOf(bytes: Uint8Array, file: string, maxBytes = DEFAULT_MAX_REPORT_BYTES, tooLargeHint = ''): ReportText {
  const opened = openReportBytes(bytes, file, maxBytes, tooLargeHint);
  if (opened.problem) return { problem: opened.problem };
  return {
    text: opened.decoding.text, decoding: opened.decoding,
    ...(opened.layers.length > 0 ? { layers: opened.layers } : {}),
    ...(opened.generatedTime !== undefined ? { generatedTime: opened.generatedTime } : {}),
    ...(opened.problems.length > 0 ? { problems: opened.problems } : {}),
  };
}

function unreadableProblem(file: string, error: NodeJS.ErrnoException): ReportProblem {
  const code = error.code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory with no *.csv report directly in it (subdirectories are not searched)' : (code ?? error.message);
  return { file, line: 1, severity: 'error', code: 'unreadable', message: `cannot read the report: ${reason}` };
}

/**
 * Reads a report file and turns it into policy input, without its sidecar (the run layer's loader, src/core/run, adds
 * that). `file` is kept as given; the evaluation time comes from the caller; nothing here reads the clock.
 */
export async function loadReport(file: string, evaluationTime: Date, extras: NormalizeExtras = {}, maxBytes = DEFAULT_MAX_REPORT_BYTES): Promise<LoadedReport> {
  const read = readReportText(file, file, maxBytes);
  if (read.problem) return { report: problemReport(read.problem), input: null };
  const parsed = parseReport(read.text, file, { decoding: read.decoding, layers: read.layers });
  const report = read.problems ? { ...parsed, problems: [...read.problems, ...parsed.problems] } : parsed;
  if (read.generatedTime !== undefined) report.generatedTime = read.generatedTime;
  if (isFatalReport(report)) return { report, input: null };
  return { report, input: normalizeReport(report, evaluationTime, { generatedTime: read.generatedTime, ...extras }) };
}

/**
 * Text of a report file: UTF-8, or UTF-16 after its byte order mark. Invalid bytes read as U+FFFD; decodeReportText
 * (reportDecoding.ts) also says where they are, and parseReport's `decoding` option turns them into warnings.
 */
export function decodeReportBytes(bytes: Uint8Array): string {
  return decodeReportText(bytes).text;
}
