/**
 * The extension's log: one LogOutputChannel, errors surfaced with a "Show log" action. Nothing here ever receives report
 * contents or credentials: callers log file names, counts, timings and error messages only.
 */
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('IAM Credential Checks', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string, error?: unknown): void {
    this.channel.error(error === undefined ? message : `${message}: ${describeError(error)}`);
  }

  /** Logs and tells the user, with a button that opens the log. Not awaited: the message stays until dismissed. */
  showError(message: string, error?: unknown): void {
    this.error(message, error);
    void vscode.window.showErrorMessage(error === undefined ? message : `${message}: ${describeError(error)}`, 'Show log').then((choice) => {
      if (choice) this.channel.show(true);
    });
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
