/** "Export findings": the current report's findings in one of the CLI's output formats. */
import * as path from 'path';
import * as vscode from 'vscode';
import { buildComplianceView, knownFrameworks } from '../../core/checks/compliance';
import { FORMAT_NAMES, getFormatter } from '../../core/output/formatter';
import { OutputContext } from '../../core/output/outputModel';
import { collectRunProblems } from '../../core/output/problemText';
import { requireReport } from './currentReport';
import type { Command, Services } from './services';

const FILE_EXTENSIONS: Record<string, string> = { table: 'txt', json: 'json', sarif: 'sarif', junit: 'xml', csv: 'csv', markdown: 'md', ocsf: 'json', asff: 'json' };

export function exportFindings(services: Pick<Services, 'context' | 'config' | 'log' | 'auditor' | 'tree'>): Command {
  const { context, config, log } = services;
  return async (format?: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> => {
    const report = requireReport(services);
    if (!report) return undefined;
    const chosenFormat = format ?? (await vscode.window.showQuickPick([...FORMAT_NAMES], { title: 'Export findings', placeHolder: 'Format' }));
    const formatter = chosenFormat ? getFormatter(chosenFormat) : undefined;
    if (!formatter) return undefined;
    const extension = FILE_EXTENSIONS[formatter.name] ?? 'txt';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const base = path.basename(report.uri.path).replace(/\.[^.]*$/, '') || 'credential-report';
    const uri = target ?? (await vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${base}-findings.${extension}`) } : {}), title: 'Export findings' }));
    if (!uri) return undefined;
    const framework = config.settings.framework;
    const compliance = knownFrameworks(report.outcome.catalog).includes(framework) ? buildComplianceView(framework, report.findings, report.outcome.catalog) : undefined;
    const outputContext: OutputContext = {
      reports: report.outcome.reports.map((entry) => ({ file: entry.file, layout: entry.parsed.layout, accountId: entry.input.report.account_id, users: entry.input.users.length, problems: entry.problems })),
      findings: compliance ? compliance.findings : report.findings,
      policyProblems: report.policyProblems,
      catalog: report.outcome.catalog,
      evaluationTime: report.evaluationTime,
      toolVersion: String(context.extension.packageJSON.version ?? '0.0.0'),
      ...(compliance ? { compliance } : {}),
      ...collectRunProblems(report.outcome.reports, report.policyProblems),
    };
    // SARIF's artifact URIs are relative to the report's workspace folder (the repository root code scanning expects).
    const root = vscode.workspace.getWorkspaceFolder(report.uri)?.uri;
    const display = root?.scheme === 'file' ? { cwd: root.fsPath } : undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(formatter.format(outputContext, display)));
    log.info(`exported ${report.findings.length} findings as ${formatter.name} to ${vscode.workspace.asRelativePath(uri)}`);
    if (!target) void vscode.window.showInformationMessage(`Exported ${report.findings.length} findings to ${vscode.workspace.asRelativePath(uri)}.`);
    return uri;
  };
}
