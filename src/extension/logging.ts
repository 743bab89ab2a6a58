/**
 * The extension's log: one LogOutputChannel, errors surfaced with a "Show log" action. Nothing here ever receives report
 * contents or credentials: callers log file names, counts, timings and error messages only. The one exception is what a
 * workspace policy's print() prints ("Credcheck: print" lines): its author asked for exactly that text.
 */
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** Integration runs mirror the log to the console, which the test launcher prints. */
  private readonly mirror = process.env.CREDCHECK_LOG_TO_CONSOLE === '1';

  constructor() {
    this.channel = vscode.window.createOutputChannel('IAM Credential Checks', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
    if (this.mirror) console.log(`[credcheck info] ${message}`);
  }

  warn(message: string): void {
    this.channel.warn(message);
    if (this.mirror) console.log(`[credcheck warn] ${message}`);
  }

  error(message: string, error?: unknown): void {
    const line = error === undefined ? message : `${message}: ${describeError(error)}`;
    this.channel.error(line);
    if (this.mirror) console.log(`[credcheck error] ${line}`);
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
