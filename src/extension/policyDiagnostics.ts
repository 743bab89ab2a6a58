/**
 * Diagnostics on workspace `.rego` files: the compile errors of the policy watcher plus the problems the latest report
 * evaluations found in those files (contract breaches, run-time errors). It listens to both, so neither needs the other.
 *
 * One owner per problem: a `.rego` file open in an editor is checked as it is typed (`credcheck-rego`, from the
 * unsaved text), so its compile errors (`rego_*` codes) are left to that check here; they come back when the file is
 * closed. Without this, a parse error showed twice, once per source, and the saved text's error lingered after an
 * unsaved fix.
 */
import * as vscode from 'vscode';
import { PolicyProblem } from '../core/model';
import { PolicyWatcher } from './policyWatcher';
import { ReportAuditor } from './reportAuditor';

export const POLICY_DIAGNOSTIC_SOURCE = 'credcheck-policy';

export class PolicyDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(POLICY_DIAGNOSTIC_SOURCE);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly policies: PolicyWatcher,
    private readonly auditor: ReportAuditor,
  ) {
    this.subscriptions.push(
      this.collection,
      policies.onDidCompile(() => this.publish()),
      auditor.onDidChangeResults(() => this.publish()),
      vscode.workspace.onDidOpenTextDocument((document) => document.languageId === 'rego' && this.publish()),
      vscode.workspace.onDidCloseTextDocument((document) => document.languageId === 'rego' && this.publish()),
    );
  }

  /** The diagnostics of one policy file, for tests. */
  problemsFor(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  private publish(): void {
    const problems = [...this.policies.compileProblems, ...this.auditor.all().flatMap((result) => result.policyProblems)];
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const seen = new Set<string>();
    const checkedWhileTyping = new Set(vscode.workspace.textDocuments.filter((document) => document.languageId === 'rego').map((document) => document.uri.toString()));
    for (const problem of problems) {
      const uri = this.policies.uriOf(problem.file);
      if (!uri) continue; // a bundled check's problem: not the user's file to fix
      if (isCompileError(problem) && checkedWhileTyping.has(uri.toString())) continue;
      const identity = `${problem.file}:${problem.line}:${problem.column}:${problem.message}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      const list = byFile.get(uri.toString()) ?? [];
      list.push(problemDiagnostic(problem, uri));
      byFile.set(uri.toString(), list);
    }
    this.collection.clear();
    for (const uri of this.policies.policyUris()) this.collection.set(uri, byFile.get(uri.toString()) ?? []);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}

/** OPA's compile-time error codes (`rego_parse_error`, `rego_type_error`, ...), which the editor's own check reports. */
function isCompileError(problem: PolicyProblem): boolean {
  return problem.code?.startsWith('rego_') ?? false;
}

function problemDiagnostic(problem: PolicyProblem, uri: vscode.Uri): vscode.Diagnostic {
  const line = Math.max(0, problem.line - 1);
  const column = Math.max(0, problem.column - 1);
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
  let range = new vscode.Range(line, column, line, column + 1);
  if (document && line < document.lineCount) {
    // The compiler gives a point; the diagnostic covers the token there, or the rest of the line.
    range = document.getWordRangeAtPosition(new vscode.Position(line, column)) ?? new vscode.Range(line, column, line, Math.max(column + 1, document.lineAt(line).text.length));
  }
  const diagnostic = new vscode.Diagnostic(range, problem.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = POLICY_DIAGNOSTIC_SOURCE;
  if (problem.code) diagnostic.code = problem.code;
  return diagnostic;
}
