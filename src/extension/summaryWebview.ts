/**
 * The compliance summary in a webview panel. The page is the core's `renderSummaryPage`: inline SVG, a CSP with a
 * nonce, no scripts and no remote content. The panel follows its report: it re-renders when the findings change.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { buildSummary, renderSummaryPage } from './logic/summaryPage';
import { Config } from './config';
import { ReportAuditor, displayPath } from './reportAuditor';

export class SummaryWebview implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private report: vscode.Uri | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The HTML last shown, for tests. */
  html = '';

  constructor(
    private readonly auditor: ReportAuditor,
    private readonly config: Config,
  ) {
    this.subscriptions.push(
      auditor.onDidChangeResults((uri) => {
        if (this.report?.toString() === uri.toString()) this.render();
      }),
      config.onDidChange(() => this.render()),
    );
  }

  show(uri: vscode.Uri): void {
    this.report = uri;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('credcheck.summary', 'IAM compliance summary', vscode.ViewColumn.Beside, {
        enableScripts: false,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.report = undefined;
      }, undefined, this.subscriptions);
    }
    this.render();
    this.panel.reveal(undefined, true);
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  private render(): void {
    if (!this.panel || !this.report) return;
    const result = this.auditor.get(this.report);
    if (!result) {
      this.panel.title = 'IAM compliance summary (report closed)';
      return;
    }
    const settings = this.config.settings;
    const data = buildSummary({
      file: displayPath(result.uri),
      evaluationTime: result.evaluationTime,
      framework: settings.framework,
      findings: result.findings,
      catalog: result.outcome.catalog,
      input: result.outcome.reports[0]?.input,
      accessKeyRotationDays: settings.thresholds.accessKeyRotationDays,
      unusedCredentialDays: settings.thresholds.unusedCredentialDays,
    });
    this.panel.title = `IAM summary: ${displayPath(result.uri).split('/').pop()}`;
    this.html = renderSummaryPage(data, { cspSource: this.panel.webview.cspSource, nonce: randomBytes(16).toString('base64') });
    this.panel.webview.html = this.html;
  }

  dispose(): void {
    this.panel?.dispose();
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
