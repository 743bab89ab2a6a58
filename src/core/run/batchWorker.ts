/**
 * Worker-thread entry of batchAudit: audits one report file at a time with the same façade the single-threaded CLI uses
 * (auditReports on ONE report, so findings are identical), keeps the bundled policy engine warm across reports (an EngineCache
 * per thread), and posts back only the report's summary and its findings, then drops everything else.
 * Bundled to dist/batchWorker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { auditReports, CheckSelection, EngineCache, ReportPrint } from './audit';
import { CompileResult, RegoCompiler, RegoModule } from '../compiler/regoCompiler';
import { Finding, MfaDevice, PolicyProblem, ReportProblem } from '../model';
import { isFailing } from '../output/findingFields';
import { ReportSummary } from '../output/outputModel';
import { serialiseFindings, StreamedFormat } from '../output/streamedOutput';
import { readReportText, TOO_LARGE_HINT } from '../report/reportLoader';
import { markSuppressed, Suppression } from './suppressions';

/** What every report of the run shares, sent once when the worker starts. */
export interface BatchWorkerSetup {
  /** The evaluation time, ISO 8601. */
  now: string;
  params: Record<string, unknown>;
  enabledChecks?: CheckSelection;
  /** User policies, compiled once by the main thread (`compiled` absent when no compiler was available). */
  userPolicies?: { modules: RegoModule[]; compiled?: CompileResult };
  suppressions?: Suppression[];
  maxReportBytes: number;
  /** How findings travel back: as objects, or already serialised for a streamed output. */
  findings: 'objects' | StreamedFormat;
}

export interface BatchJob {
  id: number;
  /** The file as the user named it: findings and problems say this. */
  file: string;
  /** Where to read it. */
  path: string;
  generatedTime?: string;
  mfaDevices?: MfaDevice[] | null;
  /** Problems the main thread found beside the report (its sidecar). */
  problems?: ReportProblem[];
}

export type BatchReply =
  | {
      id: number;
      ok: true;
      summary: ReportSummary;
      policyProblems: PolicyProblem[];
      /** print() output of the user policies on this report. */
      prints?: ReportPrint[];
      /** Indexes (in setup.suppressions) of the suppressions that matched a finding of this report. */
      usedSuppressions: number[];
      failing: boolean;
      findingCount: number;
      findings?: Finding[];
      text?: string;
    }
  | { id: number; ok: false; message: string };

export async function auditJob(setup: BatchWorkerSetup, job: BatchJob, compiler: RegoCompiler | undefined, engines: EngineCache): Promise<BatchReply> {
  const read = readReportText(job.path, job.file, setup.maxReportBytes, TOO_LARGE_HINT);
  const now = new Date(setup.now);
  const result = await auditReports({
    reports: [{
      file: job.file, text: read.text ?? '', problem: read.problem, decoding: read.decoding, layers: read.layers,
      problems: read.problems ? [...(job.problems ?? []), ...read.problems] : job.problems,
      generatedTime: job.generatedTime ?? read.generatedTime, mfaDevices: job.mfaDevices,
    }],
    now,
    params: setup.params,
    userPolicies: setup.userPolicies?.modules,
    compiler,
    enabledChecks: setup.enabledChecks,
    maxReportBytes: setup.maxReportBytes,
    engines,
  });
  const report = result.reports[0]!;
  const summary: ReportSummary = {
    file: report.file, layout: report.parsed.layout, accountId: report.input.report.account_id, users: report.input.users.length,
    problems: report.problems, generatedTime: report.input.report.generated_time,
  };
  let findings = result.findings;
  const usedSuppressions: number[] = [];
  if (setup.suppressions && setup.suppressions.length > 0) {
    const marked = markSuppressed(findings, setup.suppressions, now);
    findings = marked.findings;
    setup.suppressions.forEach((suppression, index) => marked.used.has(suppression) && usedSuppressions.push(index));
  }
  const reply: BatchReply = {
    id: job.id, ok: true, summary, policyProblems: result.policyProblems, prints: result.prints, usedSuppressions,
    failing: findings.some(isFailing), findingCount: findings.length,
  };
  if (setup.findings === 'objects') reply.findings = findings;
  else reply.text = serialiseFindings(setup.findings, findings);
  return reply;
}

/** The compiler a worker hands auditReports: the main thread already compiled the user policies, once for the run. */
function precompiled(result: CompileResult): RegoCompiler {
  return { compile: async () => result, dispose: () => undefined };
}

if (parentPort && workerData) {
  const port = parentPort;
  const setup = workerData as BatchWorkerSetup;
  const compiler = setup.userPolicies?.compiled ? precompiled(setup.userPolicies.compiled) : undefined;
  // The bundled engine stays warm across this thread's reports.
  const engines = new EngineCache();
  // One report at a time: the next job message waits in the port's queue until this one is answered.
  let chain = Promise.resolve();
  port.on('message', (job: BatchJob) => {
    chain = chain.then(async () => {
      let reply: BatchReply;
      try {
        reply = await auditJob(setup, job, compiler, engines);
      } catch (error) {
        reply = { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
      }
      port.postMessage(reply);
    });
  });
}
