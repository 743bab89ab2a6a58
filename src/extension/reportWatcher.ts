/**
 * Finds credential reports among open documents by their header (any file name, any language mode) and keeps them
 * evaluated: on open at once, on edit after a pause in typing, with the stale run cancelled.
 */
import * as vscode from 'vscode';
import { looksLikeCredentialReport } from '../core/report/reportParser';
import { ReportAuditor, ReportResult } from './reportAuditor';

const TYPING_PAUSE_MS = 300;

export class ReportWatcher implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();
  private readonly pending = new Map<string, Promise<ReportResult | undefined>>();

  constructor(private readonly auditor: ReportAuditor) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.consider(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length) this.consider(event.document, TYPING_PAUSE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.close(document)),
    );
    // Only what is already open; nothing is read from disk at activation.
    for (const document of vscode.workspace.textDocuments) this.consider(document, 0);
  }

  /** Whether a document is a credential report, judged by its first line (the header). */
  static isReport(document: vscode.TextDocument): boolean {
    if (document.lineCount === 0 || document.uri.scheme === 'output' || document.uri.scheme === 'vscode-settings') return false;
    return looksLikeCredentialReport(document.lineAt(0).text);
  }

  /** Re-evaluates every open report now (settings, policies, suppressions or trust changed). */
  refreshAll(): Promise<void> {
    return Promise.all(vscode.workspace.textDocuments.filter(ReportWatcher.isReport).map((document) => this.evaluate(document))).then(() => undefined);
  }

  /** Evaluates one document now, cancelling any run in flight for it. */
  evaluate(document: vscode.TextDocument): Promise<ReportResult | undefined> {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    const run = this.auditor.audit(document, controller.signal).finally(() => {
      if (this.running.get(key) === controller) this.running.delete(key);
      if (this.pending.get(key) === run) this.pending.delete(key);
    });
    this.pending.set(key, run);
    return run;
  }

  /** Resolves when no evaluation is scheduled or running (for tests and commands that need the fresh result). */
  async idle(): Promise<void> {
    while (this.timers.size || this.pending.size) {
      await Promise.all([...this.pending.values()]);
      if (this.timers.size) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private consider(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    if (!ReportWatcher.isReport(document)) {
      // A document that stopped being a report (header deleted) loses its findings.
      if (this.auditor.get(document.uri)) {
        this.running.get(key)?.abort();
        this.auditor.forget(document.uri);
      }
      return;
    }
    clearTimeout(this.timers.get(key));
    if (delayMs === 0) {
      void this.evaluate(document);
      return;
    }
    // Stop the run in flight now: its answer would be stale before it arrives.
    this.running.get(key)?.abort();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.evaluate(document);
      }, delayMs),
    );
  }

  private close(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.abort();
    this.auditor.close(document.uri);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.timers.forEach((timer) => clearTimeout(timer));
    this.running.forEach((controller) => controller.abort());
  }
}
