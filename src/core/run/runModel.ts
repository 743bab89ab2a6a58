/**
 * The contract of a run (conftest's runner): a RunRequest in, a RunResult out, whichever executor ran it (in-process,
 * or the worker pool of `--jobs`). Every front end (`credcheck check`, `input`, `query`, the editor) builds a request
 * and reads a result; the output formats read the result through buildOutputContext (runOutput.ts).
 */
import { AuditCache, CheckSelection, EngineCache, ReportPrint } from './audit';
import { BundledPolicies, CatalogEntry } from '../checks/catalog';
import { ComplianceView } from '../checks/compliance';
import { RegoCompiler, RegoModule } from '../compiler/regoCompiler';
import { Finding, MfaDevice, ParsedReport, PolicyInput, PolicyProblem } from '../model';
import { ReportSummary, RunProblem } from '../output/outputModel';
import { StreamedFormat, StreamedOutput } from '../output/streamedOutput';
import { Suppression } from './suppressions';

/** One report of a run. */
export interface ReportRequest {
  /** The file as the user named it (relative to the request's cwd, or absolute): problems and findings say this. */
  file: string;
  /** The text when the caller already holds it (an editor buffer): the file is then not read, only its sidecar. */
  text?: string;
  /**
   * The bytes when the caller already read them (standard input, `credcheck check -`: at most maxReportBytes + 1, so
   * more is refused as too large): no file and no sidecar is read; they are unwrapped and decoded as a file's would be.
   */
  bytes?: Uint8Array;
  /** The metadata when the caller already has it (the editor's own record of a fetch): the sidecar is then not read. */
  metadata?: { generatedTime?: string; mfaDevices?: MfaDevice[] | null };
}

export interface RunRequest {
  reports: ReportRequest[];
  /** Where relative report paths are resolved. */
  cwd: string;
  /** Reports (and sidecars) longer than this are refused unread (maxReportBytesFrom reads CREDCHECK_MAX_REPORT_MB). */
  maxReportBytes: number;
  /** Appended to a too-large problem: how this front end raises the limit. */
  tooLargeHint?: string;
  /** The evaluation time, one instant for the whole run; 'report': the newest generation time of the reports' sidecars. */
  now: Date | 'report';
  /** Check parameters as given (`--param` text, editor numbers): validated against the catalog (runSettings.ts). */
  parameters?: Record<string, unknown>;
  /** Where the parameters came from, for their problems (`--param`, `credcheck.thresholds`). */
  parameterOrigin?: string;
  /** User policies, compiled with the injected compiler. */
  policies?: RegoModule[];
  suppressions?: Suppression[];
  checks?: CheckSelection;
  /** A compliance framework id: findings are labelled with its controls and summarised per control. */
  framework?: string;
  /** Problems the front end found in its own settings, carried into the result (they count for `complete`). */
  settingsProblems?: RunProblem[];
  /** Worker threads (the worker-pool executor when more than 1 and more than one report). */
  jobs?: number;
  /**
   * With the worker pool and no framework: findings are serialised for this format by the workers and spilled to a
   * temporary file instead of held (bounded memory); the result then has `spill` instead of `findings`.
   */
  stream?: StreamedFormat;
  signal?: AbortSignal;
  /** Called each time one more report is audited (`audited` of `total`), for a progress display. */
  onProgress?: (audited: number, total: number) => void;
  /** Override the built bundle (tests). */
  bundled?: BundledPolicies;
}

/** What the caller keeps across runs: nothing here is module state. */
export interface RunCaches {
  /** Compiles the user policies: wrap it in a CompilerCache to compile an unchanged policy set once. */
  compiler?: RegoCompiler;
  /** The warm bundled engine (default: the audit cache's, else one for this run). */
  engines?: EngineCache;
  /** Per-report results of earlier in-process runs (the editor re-auditing while a policy is edited). */
  audit?: AuditCache;
}

export interface RunReport extends ReportSummary {
  /** The document the policies saw and the parsed report: in-process runs only (the pool keeps no parsed report). */
  input?: PolicyInput;
  parsed?: ParsedReport;
}

export interface RunResult {
  /** In the order of the request. */
  reports: RunReport[];
  /** Every finding in output order (labelled with controls when a framework was asked); empty when spilled. */
  findings: Finding[];
  /** The spilled findings of a streamed run and the late (suppression) findings that go between them. */
  spill?: { output: StreamedOutput; lateFindings: Finding[] };
  findingCount: number;
  /** Any unsuppressed failing finding. */
  failing: boolean;
  policyProblems: PolicyProblem[];
  /** print() output of the user policies ({file, line?, text} and the report), in report order. */
  prints?: ReportPrint[];
  settingsProblems: RunProblem[];
  /** Every problem of the run in one shape: settings, then each report's, then the policies'. */
  problems: RunProblem[];
  catalog: CatalogEntry[];
  compliance?: ComplianceView;
  /** ISO 8601. */
  evaluationTime: string;
  /** False when a problem of severity error left part of the audit undone (a report, or rows of one, a policy, a setting). */
  complete: boolean;
}

/** A request that cannot run at all (`--now report` without a known generation time): the front end's usage error. */
export class RunRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRequestError';
  }
}
