/**
 * Quick fixes on a finding's diagnostic: suppress it (reason and expiry asked, written to the suppressions file) and
 * open the check's documentation. Keyed on the diagnostic's source and code, as vscode-eslint does.
 */
import * as vscode from 'vscode';
import { Finding } from '../core/model';
import { REPORT_DIAGNOSTIC_SOURCE } from './diagnostics';
import { ReportAuditor } from './reportAuditor';

/** What the suppress command needs to name one finding. */
export interface FindingReference {
  uri: string;
  check: string;
  user: string | null;
  key: 1 | 2 | null;
}

export function referenceOf(uri: vscode.Uri, finding: Finding): FindingReference {
  return { uri: uri.toString(), check: finding.check, user: finding.user, key: finding.key };
}

export class FindingCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly auditor: ReportAuditor) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const result = this.auditor.get(document.uri);
    if (!result) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== REPORT_DIAGNOSTIC_SOURCE) continue;
      const check = typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code ?? '');
      const finding = result.findings.find((candidate) => candidate.check === check && candidate.location && sameRange(candidate, diagnostic.range))
        ?? result.findings.find((candidate) => candidate.check === check && candidate.line === diagnostic.range.start.line + 1);
      if (!finding) continue;
      if (finding.user !== null) {
        const subject = `${finding.user}${finding.key ? ` (access key ${finding.key})` : ''}`;
        const suppress = new vscode.CodeAction(`Suppress ${check} for ${subject}...`, vscode.CodeActionKind.QuickFix);
        suppress.diagnostics = [diagnostic];
        suppress.command = { command: 'credcheck.suppressFinding', title: suppress.title, arguments: [referenceOf(document.uri, finding)] };
        actions.push(suppress);
      }
      const docs = new vscode.CodeAction(`Open documentation for ${check}`, vscode.CodeActionKind.QuickFix);
      docs.diagnostics = [diagnostic];
      docs.command = { command: 'credcheck.openCheckDocumentation', title: docs.title, arguments: [check] };
      actions.push(docs);
    }
    return actions;
  }
}

function sameRange(finding: Finding, range: vscode.Range): boolean {
  const location = finding.location!;
  return range.start.line === location.line - 1 && range.start.character === location.startColumn && range.end.character === location.endColumn;
}
