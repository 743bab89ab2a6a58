/**
 * Many report files audited by a pool of worker threads (batchWorker.ts), for organisation-scale runs: each worker reads,
 * parses, normalises and evaluates one report at a time and sends back only its summary and findings. This thread holds
 * no parsed report and no finding beyond the few reports that finished ahead of their turn: findings are handed to the
 * caller report by report in output order (file name order, as compareFindings sorts), so it can stream them.
 */
import { closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuditOptions, compareFindings, ReportPrint } from './audit';
import { BatchJob, BatchReply, BatchWorkerSetup } from './batchWorker';
import { Finding, MfaDevice, PolicyProblem, ReportProblem } from '../model';
import { ReportSummary } from '../output/outputModel';
import { serialiseFindings, StreamedFormat } from '../output/streamedOutput';
import { suppressionFindings, Suppression } from './suppressions';

export interface BatchReportSource {
  /** The file as the user named it. */
  file: string;
  /** Where to read it (absolute, or relative to the process's working directory). */
  path: string;
  generatedTime?: string;
  mfaDevices?: MfaDevice[] | null;
  /** Problems found beside the report (its sidecar), carried onto its summary. */
  problems?: ReportProblem[];
}

/** One report's findings, in output order: objects, or text already serialised for a streamed format. */
export type ReportFindings = { file: string; findings: Finding[] } | { file: string; text: string };

/** The options of auditReports that mean the same here; `compiler` compiles the user policies once, in this thread. */
export interface BatchAuditOptions extends Pick<AuditOptions, 'now' | 'params' | 'userPolicies' | 'compiler' | 'suppressions' | 'enabledChecks'> {
  reports: BatchReportSource[];
  maxReportBytes: number;
  /** Worker threads (at most one per report). */
  jobs: number;
  /** How findings reach `onFindings`. */
  findings: 'objects' | StreamedFormat;
  /** Called once per report that has findings, in output order. */
  onFindings(findings: ReportFindings): void;
  /** Called as each report is done (audited or failed), in the order they finish: `done` of `total`. */
  onReportDone?: (done: number, total: number) => void;
  /** Old-generation heap cap of each worker, MiB (default: workerHeapMb of the largest report). */
  workerMemoryMb?: number;
}

export interface BatchAuditResult {
  /** In the order the reports were given. */
  reports: ReportSummary[];
  policyProblems: PolicyProblem[];
  /** print() output of the user policies, report by report in the order given. */
  prints: ReportPrint[];
  /** Expired or unused suppressions, sorted: known only at the end, they belong between the reports by file name. */
  lateFindings: Finding[];
  /** Any unsuppressed failing finding. */
  failing: boolean;
  findingCount: number;
}

/** The worker script: next to this module in the test build (out/), next to the bundle (dist/) otherwise. */
function workerScript(): string {
  const candidates = [join(__dirname, 'batchWorker.js'), join(__dirname, '..', '..', '..', '..', 'dist', 'batchWorker.js')];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`the audit worker is missing (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * A worker's heap cap, from the largest report it may get. Without one, V8 lets each worker's heap grow far past what a
 * report needs before collecting (200 reports of 5,000 users, 2 workers: peak RSS 800 MB uncapped, 560 MB at 256 MiB, same
 * wall time). A 5,000-user report (1.1 MB) still runs with 160 MiB (slower: more collections); 200 bytes of heap per byte of CSV keeps a wide
 * margin, so a report within the size limit is never refused for memory it would have had in-process.
 */
export function workerHeapMb(largestReportBytes: number): number {
  return Math.max(256, Math.ceil((largestReportBytes * 200) / (1024 * 1024)));
}

/** A report's size for its worker's heap: a gzip may inflate up to the size limit, so it counts as the limit. */
function fileSize(path: string): number {
  try {
    const size = statSync(path).size;
    const head = Buffer.alloc(2);
    const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
    return head[0] === 0x1f && head[1] === 0x8b ? Infinity : size;
  } catch {
    return 0;
  }
}

type Outcome = Extract<BatchReply, { ok: true }>;

/** A report whose worker failed or died: a fatal problem on that report, so the run exits 2 and the others still count. */
function failedOutcome(id: number, file: string, reason: string, sidecarProblems: ReportProblem[] = []): Outcome {
  return {
    id, ok: true, policyProblems: [], usedSuppressions: [], failing: false, findingCount: 0,
    summary: {
      file, layout: 'custom', accountId: null, users: 0,
      problems: [...sidecarProblems, { file, line: 1, severity: 'error', code: 'audit-failed', message: `the report could not be audited: ${reason}` }],
    },
  };
}

export async function auditReportFiles(options: BatchAuditOptions): Promise<BatchAuditResult> {
  const { reports } = options;
  let compiled: NonNullable<BatchWorkerSetup['userPolicies']>['compiled'];
  const modules = options.userPolicies ?? [];
  if (modules.length > 0 && options.compiler) compiled = await options.compiler.compile({ modules });
  // A file named twice interleaves its two audits' findings by line: that needs objects, serialised here after merging.
  const repeated = new Set(reports.map((r) => r.file)).size < reports.length;
  const setup: BatchWorkerSetup = {
    now: options.now.toISOString(),
    params: options.params ?? {},
    enabledChecks: options.enabledChecks,
    userPolicies: modules.length > 0 ? { modules, compiled } : undefined,
    suppressions: options.suppressions,
    maxReportBytes: options.maxReportBytes,
    findings: repeated ? 'objects' : options.findings,
  };

  // Handed out in output order, so reports finish roughly in the order they are written and few wait in `done`.
  const order = reports.map((_, index) => index).sort((a, b) => reports[a]!.file.localeCompare(reports[b]!.file) || a - b);
  const outcomes: (Omit<Outcome, 'findings' | 'text'> | undefined)[] = new Array(reports.length);
  const done = new Map<number, Outcome>();
  let nextJob = 0;
  let nextEmit = 0;
  let finished = 0;
  const script = workerScript();
  const heapMb = options.workerMemoryMb ?? workerHeapMb(Math.min(options.maxReportBytes, reports.reduce((largest, r) => Math.max(largest, fileSize(r.path)), 0)));

  const emitReady = () => {
    // Reports with the same name (the same file given twice) share their place in the order: merged, then sorted.
    while (nextEmit < order.length) {
      const file = reports[order[nextEmit]!]!.file;
      let end = nextEmit;
      while (end < order.length && reports[order[end]!]!.file === file) end++;
      const group = order.slice(nextEmit, end);
      if (!group.every((index) => done.has(index))) return;
      const replies = group.map((index) => done.get(index)!);
      for (const index of group) done.delete(index);
      nextEmit = end;
      if (replies.every((reply) => reply.findingCount === 0)) continue;
      if (setup.findings !== 'objects') {
        options.onFindings({ file, text: replies[0]!.text ?? '' });
        continue;
      }
      const findings = replies.flatMap((reply) => reply.findings ?? []);
      if (replies.length > 1) findings.sort(compareFindings);
      options.onFindings(options.findings === 'objects' ? { file, findings } : { file, text: serialiseFindings(options.findings, findings) });
    }
  };

  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const live = new Set<Worker>();
    const settle = (reply: Outcome) => {
      // Only the summary is kept for the end of the run; the findings are emitted and then dropped.
      const { findings, text, ...kept } = reply;
      outcomes[reply.id] = kept;
      done.set(reply.id, reply);
      try {
        options.onReportDone?.(++finished, reports.length);
        emitReady();
      } catch (error) {
        // The caller could not take the findings (a full disk): stop every worker rather than audit for nothing.
        nextJob = order.length;
        for (const worker of live) void worker.terminate();
        reject(error);
      }
    };
    const startWorker = () => {
      if (nextJob >= order.length) return;
      running++;
      const worker = new Worker(script, {
        workerData: setup,
        resourceLimits: { maxOldGenerationSizeMb: heapMb },
      });
      live.add(worker);
      let current: BatchJob | undefined;
      let stopped = false;
      const dispatch = () => {
        if (nextJob >= order.length) {
          current = undefined;
          stopped = true;
          void worker.terminate();
          return finishWorker();
        }
        const index = order[nextJob++]!;
        const source = reports[index]!;
        current = { id: index, file: source.file, path: source.path, generatedTime: source.generatedTime, mfaDevices: source.mfaDevices, problems: source.problems };
        worker.postMessage(current);
      };
      const finishWorker = () => {
        live.delete(worker);
        if (--running === 0) resolve();
      };
      const crash = (reason: string) => {
        if (stopped) return;
        stopped = true;
        void worker.terminate();
        if (current) settle(failedOutcome(current.id, current.file, reason, current.problems));
        current = undefined;
        // A replacement takes the remaining reports; the failed one is not retried (it would likely fail again).
        if (nextJob < order.length) startWorker();
        finishWorker();
      };
      worker.on('message', (reply: BatchReply) => {
        if (stopped || !current || reply.id !== current.id) return;
        settle(reply.ok ? reply : failedOutcome(reply.id, current.file, reply.message, current.problems));
        dispatch();
      });
      worker.on('error', (error: Error & { code?: string }) =>
        crash(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the worker ran out of memory' : `the worker failed: ${error.message}`),
      );
      worker.on('exit', (code) => crash(`the worker stopped (exit code ${code})`));
      dispatch();
    };
    const workers = Math.max(1, Math.min(options.jobs, order.length));
    if (order.length === 0) return resolve();
    for (let i = 0; i < workers; i++) startWorker();
  });

  const policyProblems: PolicyProblem[] = [];
  const prints: ReportPrint[] = [];
  const seen = new Set<string>();
  const used = new Set<Suppression>();
  let failing = false;
  let findingCount = 0;
  for (const outcome of outcomes) {
    if (!outcome) continue;
    // Each worker says a problem of the policy set once per report: say it once per run, as auditReports does.
    for (const problem of outcome.policyProblems) {
      const key = JSON.stringify([problem.file, problem.line, problem.column, problem.message, problem.code]);
      if (!seen.has(key)) policyProblems.push(problem);
      seen.add(key);
    }
    for (const print of outcome.prints ?? []) prints.push(print);
    for (const index of outcome.usedSuppressions) used.add(options.suppressions![index]!);
    failing ||= outcome.failing;
    findingCount += outcome.findingCount;
  }
  const lateFindings = options.suppressions ? suppressionFindings(options.suppressions, used, options.now).sort(compareFindings) : [];
  findingCount += lateFindings.length;
  return {
    reports: outcomes.map((outcome, index) => outcome?.summary ?? failedOutcome(index, reports[index]!.file, 'it was never audited', reports[index]!.problems).summary),
    policyProblems,
    prints,
    lateFindings,
    failing,
    findingCount,
  };
}
