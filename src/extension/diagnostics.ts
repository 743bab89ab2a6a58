/**
 * Findings as diagnostics on the offending cell. One collection per source: `credcheck` for reports (findings and
 * problems reading the CSV) here, `credcheck-policy` for workspace `.rego` files in `policyDiagnostics.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { isActionable, passesSeverityFilter } from './logic/findingGroups';
import { findingDiagnosticMessage } from './logic/staleFindings';
import { CellLocation, Finding, ReportProblem, Severity } from '../core/model';
import { Config } from './config';
import { ReportAuditor } from './reportAuditor';

export const REPORT_DIAGNOSTIC_SOURCE = 'credcheck';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  critical: vscode.DiagnosticSeverity.Error,
  high: vscode.DiagnosticSeverity.Error,
  medium: vscode.DiagnosticSeverity.Warning,
  low: vscode.DiagnosticSeverity.Information,
  info: vscode.DiagnosticSeverity.Hint,
};

export function toDiagnosticSeverity(severity: Severity): vscode.DiagnosticSeverity {
  return SEVERITY[severity] ?? vscode.DiagnosticSeverity.Hint;
}

/** The range of a cell (1-based line, 0-based columns), or of the whole line when only the line is known. */
export function cellRange(location: CellLocation | undefined, line: number | null, document?: vscode.TextDocument): vscode.Range {
  if (location) return new vscode.Range(location.line - 1, location.startColumn, location.line - 1, location.endColumn);
  const zeroBased = Math.max(0, (line ?? 1) - 1);
  const length = document && zeroBased < document.lineCount ? document.lineAt(zeroBased).text.length : 0;
  return new vscode.Range(zeroBased, 0, zeroBased, length);
}

export class ReportDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(REPORT_DIAGNOSTIC_SOURCE);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly auditor: ReportAuditor,
    private readonly config: Config,
    private readonly documentation: CheckDocumentation,
  ) {
    this.subscriptions.push(
      auditor.onDidChangeResults((uri) => this.update(uri)),
      config.onDidChange(() => auditor.all().forEach((result) => this.update(result.uri))),
    );
  }

  private update(uri: vscode.Uri): void {
    const result = this.auditor.get(uri);
    if (!result) {
      this.collection.delete(uri);
      return;
    }
    const lowest = this.config.settings.severityFilter;
    const findings = result.findings.filter((finding) => isActionable(finding) && !finding.suppressed && passesSeverityFilter(finding, lowest));
    const problems = result.outcome.reports.flatMap((report) => report.problems);
    this.collection.set(uri, [...findings.map((finding) => this.findingDiagnostic(finding)), ...problems.map(problemDiagnostic)]);
  }

  private findingDiagnostic(finding: Finding): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(cellRange(finding.location, finding.line), findingDiagnosticMessage(finding), toDiagnosticSeverity(finding.severity));
    diagnostic.source = REPORT_DIAGNOSTIC_SOURCE;
    const rule = this.documentation.ruleLocation(finding);
    // A workspace policy has no shipped page: its code links to the rule itself (the opener reads the #L fragment).
    const target = this.documentation.uriFor(finding.check) ?? rule?.uri.with({ fragment: `L${rule.range.start.line + 1}` });
    diagnostic.code = target ? { value: finding.check, target } : finding.check;
    if (rule) {
      diagnostic.relatedInformation = [new vscode.DiagnosticRelatedInformation(rule, `rule of ${finding.check}${finding.title ? `: ${finding.title}` : ''}`)];
    }
    return diagnostic;
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.collection.dispose();
  }
}

function problemDiagnostic(problem: ReportProblem): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(
    cellRange(problem.location, problem.line),
    problem.message,
    problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = REPORT_DIAGNOSTIC_SOURCE;
  diagnostic.code = problem.code;
  return diagnostic;
}

/**
 * Where a check's documentation and rule live. Bundled checks are documented in `docs/checks/<id>.md` inside the
 * extension, so the link works offline; a workspace policy's finding links to the rule itself.
 */
export class CheckDocumentation {
  constructor(private readonly extensionUri: vscode.Uri) {}

  /** The shipped documentation of a check, when there is one. */
  uriFor(check: string): vscode.Uri | undefined {
    if (!/^[A-Za-z0-9._-]+$/.test(check)) return undefined;
    const uri = vscode.Uri.joinPath(this.extensionUri, 'docs', 'checks', `${check}.md`);
    return uri.scheme === 'file' && !fs.existsSync(uri.fsPath) ? undefined : uri;
  }

  /** The Rego rule that produced a finding, resolved against the workspace, then the extension. */
  ruleLocation(finding: Finding): vscode.Location | undefined {
    const uri = this.ruleFile(finding);
    return uri && finding.source ? new vscode.Location(uri, new vscode.Position(Math.max(0, finding.source.line - 1), 0)) : undefined;
  }

  private ruleFile(finding: Finding): vscode.Uri | undefined {
    const file = finding.source?.file;
    if (!file) return undefined;
    const candidates = path.isAbsolute(file)
      ? [vscode.Uri.file(file)]
      : [...(vscode.workspace.workspaceFolders ?? []).map((folder) => vscode.Uri.joinPath(folder.uri, file)), vscode.Uri.joinPath(this.extensionUri, file)];
    return candidates.find((uri) => uri.scheme !== 'file' || fs.existsSync(uri.fsPath));
  }
}
