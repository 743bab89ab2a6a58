/**
 * Typed settings read from `credcheck.*`, validated by the core, re-read only when one of our own keys changes.
 */
import * as vscode from 'vscode';
import { EditorSettings, SETTING_KEYS, SettingKey, validateSettings } from './logic/editorSettings';
import { Log } from './logging';

export class Config implements vscode.Disposable {
  private current: EditorSettings;
  private readonly changed = new vscode.EventEmitter<EditorSettings>();
  private readonly subscription: vscode.Disposable;
  /** Fires with the new settings after a `credcheck.*` setting changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: Log) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('credcheck')) return;
      this.current = this.read();
      this.changed.fire(this.current);
    });
  }

  get settings(): EditorSettings {
    return this.current;
  }

  private read(): EditorSettings {
    const section = vscode.workspace.getConfiguration('credcheck');
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of SETTING_KEYS) raw[key] = section.get(key);
    const { settings, problems } = validateSettings(raw);
    for (const problem of problems) this.log.warn(problem);
    if (problems.length) {
      void vscode.window.showWarningMessage(`IAM credential checks: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
    }
    return settings;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
