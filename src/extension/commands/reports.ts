/** Opening and running reports, and the views of one report (policy input, summary). */
import * as vscode from 'vscode';
import { requireReport } from './currentReport';
import type { Command, Services } from './services';

export function runChecks(services: Pick<Services, 'auditor' | 'tree' | 'reports'>): Command {
  return async (): Promise<number> => {
    const open = services.reports.openReports();
    if (open.length === 0) {
      requireReport(services);
      return 0;
    }
    const results = await Promise.all(open.map((document) => services.reports.evaluate(document)));
    const count = results.reduce((sum, result) => sum + (result?.findings.filter((finding) => !finding.suppressed && finding.status !== 'skip').length ?? 0), 0);
    vscode.window.setStatusBarMessage(`IAM credential checks: ${count} finding(s) in ${open.length} report(s)`, 5000);
    return count;
  };
}

export function openSample({ context }: Pick<Services, 'context'>): Command {
  return async (): Promise<vscode.TextEditor> => {
    const sample = vscode.Uri.joinPath(context.extensionUri, 'samples', 'sample-credential-report.csv');
    const document = await vscode.workspace.openTextDocument(sample);
    return vscode.window.showTextDocument(document, { preview: false });
  };
}

export function openReport(): Command {
  return async (target?: vscode.Uri): Promise<vscode.TextEditor | undefined> => {
    const uri = target ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Credential reports': ['csv'], 'All files': ['*'] }, openLabel: 'Open Report' }))?.[0];
    if (!uri) return undefined;
    return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  };
}

export function showPolicyInput(services: Pick<Services, 'auditor' | 'tree'>): Command {
  return async (): Promise<vscode.TextDocument | undefined> => {
    const input = requireReport(services)?.outcome.reports[0]?.input;
    if (!input) return undefined;
    const document = await vscode.workspace.openTextDocument({ content: `${JSON.stringify(input, null, 2)}\n`, language: 'json' });
    await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
    return document;
  };
}

export function showSummary(services: Pick<Services, 'auditor' | 'tree' | 'summary'>): Command {
  return (): boolean => {
    const report = requireReport(services);
    if (!report) return false;
    services.summary.show(report.uri);
    return true;
  };
}
