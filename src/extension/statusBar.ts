/**
 * The counts for the active report in the status bar; hidden when the active editor is not an evaluated report.
 */
import * as vscode from 'vscode';
import { countBySeverity, isActionable } from './logic/findingGroups';
import { ReportAuditor } from './reportAuditor';
import { TrustGate } from './trust';

export class ReportStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('credcheck.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly auditor: ReportAuditor,
    private readonly trust: TrustGate,
  ) {
    this.item.name = 'IAM credential checks';
    this.item.command = 'credcheck.findings.focus';
    this.subscriptions.push(
      this.item,
      auditor.onDidChangeResults(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  /** The text shown, for tests. */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const result = uri && this.auditor.get(uri);
    void vscode.commands.executeCommand('setContext', 'credcheck.activeReport', Boolean(result));
    void vscode.commands.executeCommand('setContext', 'credcheck.hasReports', this.auditor.all().length > 0);
    if (!result) {
      this.item.hide();
      return;
    }
    const counts = countBySeverity(result.findings.filter(isActionable));
    const errors = counts.critical + counts.high;
    this.item.text = `$(shield) IAM $(error) ${errors} $(warning) ${counts.medium} $(info) ${counts.low + counts.info}${this.trust.trusted ? '' : ' $(workspace-untrusted)'}`;
    const suppressed = result.findings.filter((finding) => finding.suppressed).length;
    this.item.tooltip = [
      `IAM credential checks, evaluated at ${result.evaluationTime}`,
      `critical ${counts.critical} · high ${counts.high} · medium ${counts.medium} · low ${counts.low} · info ${counts.info}`,
      suppressed ? `${suppressed} suppressed` : '',
      this.trust.trusted ? '' : 'Untrusted workspace: bundled checks only.',
    ]
      .filter(Boolean)
      .join('\n');
    this.item.backgroundColor = errors ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
