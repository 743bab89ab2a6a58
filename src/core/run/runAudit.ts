/**
 * Runs a RunRequest: loads the reports (reportSources.ts), validates the settings (runSettings.ts), hands the audit to
 * one of two executors and gathers one RunResult whichever ran. The in-process executor is auditReports; the worker
 * pool (`--jobs`) is auditReportFiles, whose workers read their own reports so this thread holds only summaries.
 */
import { AuditedReport, auditReports, compareFindings, prepareReport } from './audit';
import { auditReportFiles } from './batchAudit';
import { loadBundledPolicies } from '../checks/catalog';
import { buildComplianceView } from '../checks/compliance';
import { Finding, PolicyProblem } from '../model';
import { isFailing } from '../output/findingFields';
import { RunProblem } from '../output/outputModel';
import { collectRunProblems } from '../output/problemText';
import { StreamedOutput } from '../output/streamedOutput';
import { locateReport, readReportSource, resolveEvaluationTime } from './reportSources';
import { RunCaches, RunReport, RunRequest, RunResult } from './runModel';
import { validateCheckIds, validateFramework, validateParameters } from './runSettings';

/** The reports of a request as the policies would see them, without evaluating anything (`credcheck input`). */
export function prepareRunInputs(request: RunRequest): { evaluationTime: Date; reports: AuditedReport[] } {
  const locations = request.reports.map((report) => locateReport(report, request));
  const evaluationTime = resolveEvaluationTime(request.now, locations);
  const reports = request.reports.map((report, index) => prepareReport(readReportSource(report, locations[index]!, request), evaluationTime, request.maxReportBytes));
  return { evaluationTime, reports };
}

/** Runs the request. Throws only for a request that cannot run at all (RunRequestError) or a cancelled run. */
export async function runAudit(request: RunRequest, caches: RunCaches = {}): Promise<RunResult> {
  const bundled = request.bundled ?? loadBundledPolicies();
  const catalog = bundled.checks;
  const parameters = validateParameters(request.parameters ?? {}, catalog, request.parameterOrigin);
  const selection = request.checks;
  const selectedIds = Array.isArray(selection) ? selection : [...(selection?.enable ?? []), ...(selection?.disable ?? [])];
  const settingsProblems: RunProblem[] = [
    ...(request.settingsProblems ?? []),
    ...parameters.problems,
    ...validateCheckIds(selectedIds, catalog),
    ...validateFramework(request.framework, catalog),
  ];
  // An unknown framework labels nothing: the run goes on without the compliance view, and is incomplete.
  const framework = validateFramework(request.framework, catalog).length === 0 ? request.framework : undefined;

  const locations = request.reports.map((report) => locateReport(report, request));
  const now = resolveEvaluationTime(request.now, locations);
  const shared = {
    now, params: parameters.params, userPolicies: request.policies, compiler: caches.compiler,
    suppressions: request.suppressions, enabledChecks: selection, maxReportBytes: request.maxReportBytes,
  };

  let reports: RunReport[];
  let findings: Finding[] = [];
  let policyProblems: PolicyProblem[];
  let spill: RunResult['spill'];
  let prints: RunResult['prints'];
  let failing: boolean;
  let findingCount: number;
  const jobs = Math.min(request.jobs ?? 1, request.reports.length);
  // The editor's text and standard input are never handed to workers: they read files.
  if (jobs > 1 && request.reports.every((report) => report.text === undefined && report.bytes === undefined)) {
    const streamed = framework === undefined ? request.stream : undefined;
    const output = streamed ? new StreamedOutput(streamed) : undefined;
    let batch;
    try {
      batch = await auditReportFiles({
        ...shared, jobs, onReportDone: request.onProgress,
        reports: locations.map((location) => ({ file: location.file, path: location.path, generatedTime: location.generatedTime, mfaDevices: location.mfaDevices, problems: location.problems })),
        findings: output ? output.format : 'objects',
        onFindings: (reportFindings) => {
          if ('text' in reportFindings) output!.add(reportFindings.file, reportFindings.text);
          else for (const finding of reportFindings.findings) findings.push(finding);
        },
      });
    } catch (error) {
      output?.dispose();
      throw error;
    }
    reports = batch.reports;
    policyProblems = batch.policyProblems;
    prints = batch.prints;
    failing = batch.failing;
    findingCount = batch.findingCount;
    if (output) spill = { output, lateFindings: batch.lateFindings };
    else {
      // Already in output order report by report; the suppressions' own findings go in by file name (a stable sort).
      for (const finding of batch.lateFindings) findings.push(finding);
      findings.sort(compareFindings);
    }
  } else {
    const result = await auditReports({
      ...shared, bundled, signal: request.signal, cache: caches.audit, engines: caches.engines, onReportAudited: request.onProgress,
      reports: request.reports.map((report, index) => readReportSource(report, locations[index]!, request)),
    });
    reports = result.reports.map((report) => ({
      file: report.file, layout: report.parsed.layout, accountId: report.input.report.account_id, users: report.input.users.length,
      problems: report.problems, generatedTime: report.input.report.generated_time, input: report.input, parsed: report.parsed,
    }));
    findings = result.findings;
    policyProblems = result.policyProblems;
    prints = result.prints;
    failing = findings.some(isFailing);
    findingCount = findings.length;
  }

  const compliance = framework !== undefined && !spill ? buildComplianceView(framework, findings, catalog) : undefined;
  const { problems, complete } = collectRunProblems(reports, policyProblems, settingsProblems);
  return {
    reports, findings: compliance ? compliance.findings : findings, spill, findingCount, failing,
    policyProblems, prints, settingsProblems, problems, catalog, compliance,
    evaluationTime: now.toISOString(), complete,
  };
}
