import { readFile } from 'node:fs/promises';
import { ParsedReport, PolicyInput } from '../model';
import { normalizeReport, NormalizeExtras } from './normalizer';
import { parseReport } from './reportParser';

/** A report file read, parsed and normalised; `input` is null when there is nothing to evaluate. */
export interface LoadedReport {
  report: ParsedReport;
  input: PolicyInput | null;
}

/** Problem codes after which the file gives no input at all (the CLI exits 2 on them). */
export const FATAL_REPORT_CODES: readonly string[] = ['not-a-report', 'unreadable'];

export function isFatalReport(report: ParsedReport): boolean {
  return report.problems.some((problem) => FATAL_REPORT_CODES.includes(problem.code));
}

/**
 * Reads a report file and turns it into policy input: the sequence the `input` and `check` commands and the
 * extension's file-based commands share. `file` is kept as given, so problems and findings name the file the way the
 * user typed it. The evaluation time comes from the caller; nothing here reads the clock.
 */
export async function loadReport(file: string, evaluationTime: Date, extras: NormalizeExtras = {}): Promise<LoadedReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    const report: ParsedReport = {
      file,
      header: [],
      layout: 'custom',
      rows: [],
      problems: [{ file, line: 1, severity: 'error', code: 'unreadable', message: `cannot read the report: ${reason}` }],
    };
    return { report, input: null };
  }
  const report = parseReport(decodeReportBytes(bytes), file);
  if (isFatalReport(report)) return { report, input: null };
  return { report, input: normalizeReport(report, evaluationTime, extras) };
}

/**
 * Text of a report file. AWS writes UTF-8; a report saved again by a spreadsheet as "Unicode text" is UTF-16 with a
 * byte order mark, which is honoured rather than reported as binary.
 */
export function decodeReportBytes(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}
