import * as vscode from 'vscode';
import type { ReportResult } from '../reportAuditor';
import type { Services } from './services';

/** The report a command applies to: the active editor's, else the one the tree shows. */
export function currentReport({ auditor, tree }: Pick<Services, 'auditor' | 'tree'>): ReportResult | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && auditor.get(active)) || tree.currentReport;
}

/** The current report, or an offer to open the sample when there is none. */
export function requireReport(services: Pick<Services, 'auditor' | 'tree'>): ReportResult | undefined {
  const report = currentReport(services);
  if (!report) void vscode.window.showInformationMessage('Open a credential report first (or the bundled sample).', 'Open Sample').then((choice) => choice && vscode.commands.executeCommand('credcheck.openSample'));
  return report;
}
