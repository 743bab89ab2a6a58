/**
 * Workspace trust. In an untrusted workspace only the bundled checks run: workspace policies could be anything, and a
 * configured `opa` path would run a binary the workspace chose. The user is told once why their policies are ignored.
 */
import * as vscode from 'vscode';
import { Log } from './logging';

export class TrustGate implements vscode.Disposable {
  private readonly granted = new vscode.EventEmitter<void>();
  /** Fires once when the user trusts the workspace: everything evaluated so far must be re-run with workspace policies. */
  readonly onDidGrant = this.granted.event;
  private readonly subscription: vscode.Disposable;
  private explained = false;

  constructor(private readonly log: Log) {
    this.subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.log.info('workspace trusted: workspace policies and the opa path are now used');
      this.granted.fire();
    });
    if (!this.trusted) this.log.info('untrusted workspace: bundled checks only; workspace policies and the opa path are ignored');
  }

  get trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** Says why workspace policies are ignored, once per session, when there are some to ignore. */
  explainIgnoredPolicies(count: number): void {
    if (this.trusted || this.explained || count === 0) return;
    this.explained = true;
    void vscode.window
      .showWarningMessage(
        `IAM credential checks: ${count} workspace policy file(s) were not evaluated because this workspace is not trusted. Only the bundled checks ran.`,
        'Manage Workspace Trust',
      )
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
  }

  dispose(): void {
    this.subscription.dispose();
    this.granted.dispose();
  }
}
