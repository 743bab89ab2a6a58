/**
 * Typed settings read from `credcheck.*`, validated against the bundled checks, re-read only when one of our own keys
 * changes. A rejected value is never applied: its default is, and the problem stays visible (log, a message when it
 * first appears, and the status bar's warning state) until the setting is fixed.
 */
import * as vscode from 'vscode';
import { loadBundledPolicies } from '../core/checks/catalog';
import { EditorSettings, SETTING_KEYS, SettingKey, SettingsProblem, SettingsVocabulary, settingsVocabulary, validateSettings } from './logic/editorSettings';
import { Log, describeError } from './logging';

export class Config implements vscode.Disposable {
  private current: EditorSettings;
  private currentProblems: SettingsProblem[] = [];
  private vocabulary: SettingsVocabulary | undefined;
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

  /** The values rejected at the latest read (each replaced by its default). */
  get problems(): readonly SettingsProblem[] {
    return this.currentProblems;
  }

  private read(): EditorSettings {
    const section = vscode.workspace.getConfiguration('credcheck');
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of SETTING_KEYS) raw[key] = section.get(key);
    const { settings, problems } = validateSettings(raw, this.checkVocabulary());
    for (const problem of problems) this.log.warn(`settings: ${problem.message}`);
    const previous = new Set(this.currentProblems.map((problem) => problem.message));
    this.currentProblems = problems;
    // Told once when a problem appears, not again on every unrelated settings change; the status bar keeps showing it.
    const fresh = problems.filter((problem) => !previous.has(problem.message));
    if (fresh.length) {
      void vscode.window
        .showWarningMessage(`IAM credential checks: ${fresh[0]!.message}${fresh.length > 1 ? ` (and ${fresh.length - 1} more)` : ''}`, 'Open Settings', 'Show log')
        .then((choice) => {
          if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', fresh[0]!.setting);
          if (choice === 'Show log') this.log.channel.show(true);
        });
    }
    return settings;
  }

  /** The ids and frameworks of the bundled checks, read once (the catalog is small; its wasm is loaded by then anyway). */
  private checkVocabulary(): SettingsVocabulary | undefined {
    if (this.vocabulary) return this.vocabulary;
    try {
      this.vocabulary = settingsVocabulary(loadBundledPolicies().checks);
    } catch (error) {
      // Without the bundle nothing can be audited; that failure is reported where the audit runs.
      this.log.warn(`settings: check ids and frameworks not validated, the bundled catalog could not be read: ${describeError(error)}`);
    }
    return this.vocabulary;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
