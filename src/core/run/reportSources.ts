/**
 * The one loader of a run's reports: every front end's report goes through here, so `check`, `input`, `query` and the
 * editor see the same document. A file is read through one descriptor (fstat, regular files only, at most the limit
 * plus one byte: readBoundedFile), relative to the request's cwd, with its `.meta.json` sidecar; bytes the front end
 * read itself (standard input) are taken as they are, without a sidecar. Either is then unwrapped when it is an AWS
 * CLI answer, base64 or gzip (reportFormats.ts): an answer's GeneratedTime is the report's generation time unless a
 * sidecar gives one.
 */
import { isAbsolute, resolve } from 'node:path';
import { ReportSource } from './audit';
import { MfaDevice, ReportProblem } from '../model';
import { readReportText, ReportText, reportTextOf } from '../report/reportLoader';
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
  /** The report already read and unwrapped (standard input, read once), so it is not read again. */
  content?: ReportText;
  /** There is no file: the report came from the front end's bytes (standard input). */
  fromBytes?: boolean;
}

/**
 * Where a report is and what its sidecar (or the caller's metadata) says about it. With `now: 'report'` and no generation
 * time from a sidecar, the report is read here for an AWS CLI answer's GeneratedTime (read again when audited: a worker
 * reads its own reports, and holding every report's text here would defeat that).
 */
export function locateReport(report: ReportRequest, request: Pick<RunRequest, 'cwd' | 'maxReportBytes' | 'tooLargeHint'> & { now?: RunRequest['now'] }): ReportLocation {
  if (report.bytes !== undefined) {
    const content = reportTextOf(report.bytes, report.file, request.maxReportBytes, request.tooLargeHint ?? '');
    return {
      file: report.file, path: report.file, fromBytes: true, content,
      generatedTime: report.metadata?.generatedTime ?? content.generatedTime, mfaDevices: report.metadata?.mfaDevices, problems: [],
    };
  }
  const path = isAbsolute(report.file) ? report.file : resolve(request.cwd, report.file);
  if (report.metadata) return { file: report.file, path, ...report.metadata, problems: [] };
  const read = readReportSidecar(path, report.file, request.maxReportBytes);
  let generatedTime = read.sidecar?.generatedTime ?? undefined;
  if (generatedTime === undefined && request.now === 'report' && report.text === undefined) {
    generatedTime = readReportText(path, report.file, request.maxReportBytes).generatedTime;
  }
  return {
    file: report.file, path, generatedTime,
    mfaDevices: read.sidecar?.mfaDevices,
    problems: read.problem ? [read.problem] : [],
  };
}

/** A located report with its text read (or the fatal problem that kept it from being read). */
export function readReportSource(report: ReportRequest, location: ReportLocation, request: Pick<RunRequest, 'maxReportBytes' | 'tooLargeHint'>): ReportSource {
  const read: ReportText = location.content ?? (report.text !== undefined ? { text: report.text } : readReportText(location.path, location.file, request.maxReportBytes, request.tooLargeHint ?? ''));
  return {
    file: location.file, text: read.text ?? '', problem: read.problem, decoding: read.decoding, layers: read.layers,
    problems: read.problems ? [...location.problems, ...read.problems] : location.problems,
    generatedTime: location.generatedTime ?? read.generatedTime, mfaDevices: location.mfaDevices,
  };
}

/**
 * The run's one instant: the request's, or with 'report' the newest generation time of the reports, so a saved report
 * gives the same findings on any day.
 */
export function resolveEvaluationTime(now: RunRequest['now'], reports: { file: string; generatedTime?: string; fromBytes?: boolean }[]): Date {
  if (now !== 'report') return now;
  const unknown = reports.filter((r) => r.generatedTime === undefined);
  if (unknown.length > 0) {
    const first = unknown[0]!;
    const source = first.fromBytes
      ? `${first.file} has no sidecar: pipe the AWS CLI's JSON answer, whose GeneratedTime gives it`
      : `it comes from ${sidecarPathFor(first.file)}, written by credcheck fetch, or from the GeneratedTime of the AWS CLI's JSON answer`;
    throw new RunRequestError(`--now report: the generation time of ${unknown.map((r) => r.file).join(', ')} is unknown (${source})`);
  }
  return new Date(Math.max(...reports.map((r) => Date.parse(r.generatedTime!))));
}
