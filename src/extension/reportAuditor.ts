/**
 * Evaluates open credential reports with the core and keeps the latest result per document. Every view (diagnostics,
 * tree, status bar, summary) reads from here and listens to `onDidChangeResults`; none of them runs the core itself.
 */
import * as vscode from 'vscode';
import { AuditCache, AuditResult, CheckSelection } from '../core/run/audit';
import { printLocation } from '../core/engine/policyPrints';
import { Finding, MfaDevice, PolicyProblem } from '../core/model';
import { DEFAULT_MAX_REPORT_BYTES } from '../core/report/reportLoader';
import { RunProblem, RunResult, runAudit } from '../core/run';
import type { SettingsProblem } from './logic/editorSettings';
import { Config } from './config';
import { Log } from './logging';
import { PolicySources } from './policySources';
import { SuppressionStore } from './suppressionStore';

export interface ReportResult {
  uri: vscode.Uri;
  /** The document version the findings belong to. */
  version: number;
  findings: Finding[];
  policyProblems: PolicyProblem[];
  /** The whole core answer (parsed reports with their problems and inputs, the check catalog). */
  outcome: AuditResult;
  /** The run's result as every front end gets it (settings problems, `complete`, ...). */
  run: RunResult;
  /** The instant ages were measured from, ISO 8601. */
  evaluationTime: string;
  /** Whether workspace policies took part (false in an untrusted workspace or when there are none). */
  usedWorkspacePolicies: boolean;
  durationMs: number;
}

/** What a fetch knows about a report beyond its CSV text. */
export interface ReportMetadata {
  generatedTime?: string;
  mfaDevices?: MfaDevice[];
  /** The account the report was fetched from, and its name in the organisation (an organisation fetch's sidecar). */
  accountId?: string;
  accountName?: string | null;
}

/**
 * How long the evaluation time of a document version is reused. While a policy is being written, every keystroke
 * re-evaluates the open reports: with the same instant, the report's parsed input and its bundled findings come from
 * the cache and only the edited policy runs (5,000 users: ~0.2 s instead of ~1.5 s, BENCHMARKS.md). Ages are shown in
 * whole days, so ten minutes never changes what a finding says; a new version of the report always gets a new time.
 */
const EVALUATION_TIME_REUSE_MS = 10 * 60 * 1000;

export class ReportAuditor implements vscode.Disposable {
  private readonly results = new Map<string, ReportResult>();
  private readonly cache = new AuditCache();
  /** The "now" each document version was last evaluated at (never a report's generation time). */
  private readonly nowOfVersion = new Map<string, { version: number; time: Date }>();
  private readonly metadata = new Map<string, ReportMetadata>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Fires with the URI of a report whose result was replaced or forgotten. */
  readonly onDidChangeResults = this.changed.event;

  constructor(
    private readonly config: Config,
    private readonly policies: PolicySources,
    private readonly suppressions: SuppressionStore,
    private readonly log: Log,
  ) {}

  /** Remembers what a fetch returned next to the CSV (generation time, MFA devices) for later evaluations. */
  setMetadata(uri: vscode.Uri, metadata: ReportMetadata): void {
    this.metadata.set(uri.toString(), metadata);
  }

  /** What a fetch said about a report (empty when it was not fetched in this session). */
  metadataOf(uri: vscode.Uri): ReportMetadata {
    return this.metadata.get(uri.toString()) ?? {};
  }

  get(uri: vscode.Uri): ReportResult | undefined {
    return this.results.get(uri.toString());
  }

  all(): ReportResult[] {
    return [...this.results.values()];
  }

  /**
   * Evaluates one document. Returns undefined when the run was cancelled (a newer edit arrived): the previous result
   * stays until the newer run replaces it, so diagnostics never flicker to empty while typing.
   */
  async audit(document: vscode.TextDocument, signal: AbortSignal): Promise<ReportResult | undefined> {
    const started = Date.now();
    const key = document.uri.toString();
    const settings = this.config.settings;
    const metadata = this.metadata.get(key) ?? {};
    const workspacePolicies = await this.policies.workspaceModules();
    const evaluationTime = settings.evaluationTime === 'reportGeneratedTime' && metadata.generatedTime ? new Date(metadata.generatedTime) : this.now(key, document.version);
    const suppressions = await this.suppressions.load();
    try {
      // The editor's own text and its record of a fetch: the run layer reads neither the file nor its sidecar.
      const run = await runAudit(
        {
          reports: [{ file: displayPath(document.uri), text: document.getText(), metadata: { generatedTime: metadata.generatedTime, mfaDevices: metadata.mfaDevices ?? null } }],
          cwd: vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? process.cwd(),
          maxReportBytes: DEFAULT_MAX_REPORT_BYTES,
          now: evaluationTime,
          parameters: { ...settings.thresholds },
          parameterOrigin: 'credcheck.thresholds',
          policies: workspacePolicies,
          suppressions,
          checks: enabledChecks(settings.enabledChecks, settings.disabledChecks),
          // A suppressions file refused (untrusted workspace, a path leaving the folder) is shown like a rejected setting.
          settingsProblems: [...this.config.problems, ...this.suppressions.problems].map(settingsRunProblem),
          signal,
        },
        { compiler: this.policies.compiler, audit: this.cache },
      );
      if (signal.aborted) return undefined;
      const outcome: AuditResult = {
        // In-process runs keep each report's input and parsed form.
        reports: run.reports.map((report) => ({ file: report.file, input: report.input!, parsed: report.parsed!, problems: report.problems })),
        findings: run.findings,
        policyProblems: run.policyProblems,
        catalog: run.catalog,
      };
      const result: ReportResult = {
        uri: document.uri,
        version: document.version,
        findings: outcome.findings,
        policyProblems: outcome.policyProblems,
        outcome,
        run,
        evaluationTime: evaluationTime.toISOString(),
        usedWorkspacePolicies: workspacePolicies.length > 0,
        durationMs: Date.now() - started,
      };
      this.results.set(key, result);
      // File name, counts and timing only: never cell values.
      this.log.info(
        `evaluated ${displayPath(document.uri)}: ${result.findings.length} findings, ${result.policyProblems.length} policy problems, ` +
          `${workspacePolicies.length} workspace policy files, ${result.durationMs} ms`,
      );
      // Policy problems are about Rego files, never about the report's contents.
      for (const problem of result.policyProblems) this.log.warn(`policy problem ${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
      // What the workspace policies print() is the author's own debugging output, shown as they asked for it (it may
      // quote report values: the policy author chose to print them). Bounded per evaluation by the engine.
      for (const print of run.prints ?? []) this.log.info(`Credcheck: print ${printLocation(print)}: ${print.text}`);
      this.changed.fire(document.uri);
      return result;
    } catch (error) {
      if (signal.aborted) return undefined;
      this.log.showError(`Could not evaluate ${displayPath(document.uri)}`, error);
      this.forget(document.uri);
      return undefined;
    }
  }

  /** "Now" for a document version: the instant it was last evaluated at if that was recent, else the clock. */
  private now(key: string, version: number): Date {
    const previous = this.nowOfVersion.get(key);
    if (previous?.version === version && Date.now() - previous.time.getTime() < EVALUATION_TIME_REUSE_MS) return previous.time;
    const time = new Date();
    this.nowOfVersion.set(key, { version, time });
    return time;
  }

  forget(uri: vscode.Uri): void {
    if (this.results.delete(uri.toString())) this.changed.fire(uri);
  }

  /** Drops the result and the fetch metadata: the document is closed. */
  close(uri: vscode.Uri): void {
    this.metadata.delete(uri.toString());
    this.nowOfVersion.delete(uri.toString());
    this.cache.forget(displayPath(uri));
    this.forget(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * A rejected setting as a problem of the run. A warning: the setting's default ran instead, so the audit is complete,
 * but not what was asked for (Config already says so in the log, a message and the status bar).
 */
function settingsRunProblem(problem: SettingsProblem): RunProblem {
  return { source: 'settings', file: problem.setting, line: null, column: null, severity: 'warning', code: 'invalid-setting', message: problem.message };
}

/** The checks to run: the enabled list (every default check when empty) minus the disabled ones. */
function enabledChecks(enabled: string[], disabled: string[]): CheckSelection | undefined {
  if (enabled.length) return enabled.filter((check) => !disabled.includes(check));
  return disabled.length ? { disable: disabled } : undefined;
}

/** The path findings and exports show: workspace-relative when inside the workspace. */
export function displayPath(uri: vscode.Uri): string {
  return uri.scheme === 'untitled' ? uri.path : vscode.workspace.asRelativePath(uri, false);
}
