/**
 * The counts for the active report in the status bar; hidden when the active editor is not an evaluated report and
 * the settings are fine. A rejected setting turns the item into a warning, shown with or without a report, until fixed.
 */
import * as vscode from 'vscode';
import { Config } from './config';
import { countBySeverity, isActionable } from './logic/findingGroups';
import { ReportAuditor } from './reportAuditor';
import { TrustGate } from './trust';

export class ReportStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('credcheck.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly auditor: ReportAuditor,
    private readonly trust: TrustGate,
    private readonly config: Config,
  ) {
    this.item.name = 'IAM credential checks';
    this.subscriptions.push(
      this.item,
      auditor.onDidChangeResults(() => this.update()),
      config.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  /** The text shown, for tests. */
  get text(): string {
    return this.item.text;
  }

  /** The tooltip shown, for tests. */
  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
  }

  /** Whether the item is in its warning state (a setting was rejected), for tests. */
  get warning(): boolean {
    return this.item.backgroundColor?.id === 'statusBarItem.warningBackground';
  }

  private update(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const result = uri && this.auditor.get(uri);
    void vscode.commands.executeCommand('setContext', 'credcheck.activeReport', Boolean(result));
    void vscode.commands.executeCommand('setContext', 'credcheck.hasReports', this.auditor.all().length > 0);
    const settingsProblems = this.config.problems;
    const settingsLines = settingsProblems.length
      ? [`${settingsProblems.length} setting(s) rejected, their defaults are used (click for the log):`, ...settingsProblems.map((problem) => `• ${problem.message}`)]
      : [];
    // A settings problem wins the click: the log names each bad value.
    this.item.command = settingsProblems.length ? 'credcheck.showLog' : 'credcheck.findings.focus';
    if (!result) {
      if (!settingsProblems.length) {
        this.item.hide();
        return;
      }
      this.item.text = '$(shield) IAM $(warning) settings';
      this.item.tooltip = settingsLines.join('\n');
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.show();
      return;
    }
    const counts = countBySeverity(result.findings.filter(isActionable));
    const errors = counts.critical + counts.high;
    this.item.text = `$(shield) IAM $(error) ${errors} $(warning) ${counts.medium} $(info) ${counts.low + counts.info}${this.trust.trusted ? '' : ' $(workspace-untrusted)'}${settingsProblems.length ? ' $(alert) settings' : ''}`;
    const suppressed = result.findings.filter((finding) => finding.suppressed).length;
    this.item.tooltip = [
      `IAM credential checks, evaluated at ${result.evaluationTime}`,
      `critical ${counts.critical} · high ${counts.high} · medium ${counts.medium} · low ${counts.low} · info ${counts.info}`,
      suppressed ? `${suppressed} suppressed` : '',
      this.trust.trusted ? '' : 'Untrusted workspace: bundled checks only.',
      ...settingsLines,
    ]
      .filter(Boolean)
      .join('\n');
    this.item.backgroundColor = settingsProblems.length
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : errors
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
