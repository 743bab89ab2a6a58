/**
 * The one loader of a run's reports: every front end's report goes through here, so `check`, `input`, `query` and the
 * editor see the same document. A file is read through one descriptor (fstat, regular files only, at most the limit
 * plus one byte: readBoundedFile), relative to the request's cwd, with its `.meta.json` sidecar.
 */
import { isAbsolute, resolve } from 'node:path';
import { ReportSource } from './audit';
import { MfaDevice, ReportProblem } from '../model';
import { readReportText } from '../report/reportLoader';
import { readReportSidecar, sidecarPathFor } from '../report/reportSidecar';
import { ReportRequest, RunRequest, RunRequestError } from './runModel';

/** A report's source before its text is read: where it is, and what its sidecar said. */
export interface ReportLocation {
  file: string;
  /** Absolute path of the file. */
  path: string;
  generatedTime?: string;
  mfaDevices?: MfaDevice[] | null;
  /** The sidecar's problem, if it had one: on this report only. */
  problems: ReportProblem[];
}

/** Where a report is and what its sidecar (or the caller's metadata) says about it. */
export function locateReport(report: ReportRequest, request: Pick<RunRequest, 'cwd' | 'maxReportBytes'>): ReportLocation {
  const path = isAbsolute(report.file) ? report.file : resolve(request.cwd, report.file);
  if (report.metadata) return { file: report.file, path, ...report.metadata, problems: [] };
  const read = readReportSidecar(path, report.file, request.maxReportBytes);
  return {
    file: report.file, path,
    generatedTime: read.sidecar?.generatedTime ?? undefined,
    mfaDevices: read.sidecar?.mfaDevices,
    problems: read.problem ? [read.problem] : [],
  };
}

/** A located report with its text read (or the fatal problem that kept it from being read). */
export function readReportSource(report: ReportRequest, location: ReportLocation, request: Pick<RunRequest, 'maxReportBytes' | 'tooLargeHint'>): ReportSource {
  const read = report.text !== undefined ? { text: report.text } : readReportText(location.path, location.file, request.maxReportBytes, request.tooLargeHint ?? '');
  return {
    file: location.file, text: read.text ?? '', problem: read.problem, decoding: read.decoding, problems: location.problems,
    generatedTime: location.generatedTime, mfaDevices: location.mfaDevices,
  };
}

/**
 * The run's one instant: the request's, or with 'report' the newest generation time of the reports, so a saved report
 * gives the same findings on any day.
 */
export function resolveEvaluationTime(now: RunRequest['now'], reports: { file: string; generatedTime?: string }[]): Date {
  if (now !== 'report') return now;
  const unknown = reports.filter((r) => r.generatedTime === undefined).map((r) => r.file);
  if (unknown.length > 0) {
    throw new RunRequestError(
      `--now report: the generation time of ${unknown.join(', ')} is unknown (it comes from ${sidecarPathFor(unknown[0]!)}, written by credcheck fetch)`,
    );
  }
  return new Date(Math.max(...reports.map((r) => Date.parse(r.generatedTime!))));
}
