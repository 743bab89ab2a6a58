/**
 * Typed settings read from `credcheck.*`, validated against the bundled checks, re-read only when one of our own keys
 * changes. A rejected value is never applied: its default is, and the problem stays visible (log, a message when it
 * first appears, and the status bar's warning state) until the setting is fixed.
 */
import { readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import { loadBundledPolicies } from '../core/checks/catalog';
import {
  EditorSettings,
  RESTRICTED_SETTING_KEYS,
  SETTING_KEYS,
  SettingKey,
  SettingOrigins,
  SettingsProblem,
  SettingsVocabulary,
  settingsVocabulary,
  validateSettings,
  withoutUntrustedWorkspaceValues,
  WorkspaceSetting,
} from './logic/editorSettings';
import { settingsInFile } from './logic/workspaceSettingsFile';
import { Log, describeError } from './logging';

/** A workspace settings file larger than this is not searched for our keys (it is the repository's, not ours). */
const MAX_SETTINGS_FILE_BYTES = 1024 * 1024;

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
    const reread = () => {
      this.current = this.read();
      this.changed.fire(this.current);
    };
    this.subscription = vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('credcheck')) reread();
      }),
      // Trusting the workspace lets its restricted values apply.
      vscode.workspace.onDidGrantWorkspaceTrust(reread),
    );
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
    const untrusted = vscode.workspace.isTrusted ? { raw, problems: [] } : this.withoutWorkspaceValues(section, raw);
    const validated = validateSettings(untrusted.raw, this.checkVocabulary());
    const settings = validated.settings;
    const problems = [...untrusted.problems, ...validated.problems];
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

  /**
   * In an untrusted workspace: the raw values without what the workspace set for a restricted setting, and a problem
   * for each one it set (found through `inspect` and in the workspace's settings files).
   */
  private withoutWorkspaceValues(section: vscode.WorkspaceConfiguration, raw: Partial<Record<SettingKey, unknown>>) {
    const origins: Partial<Record<SettingKey, SettingOrigins>> = {};
    for (const key of RESTRICTED_SETTING_KEYS) origins[key] = section.inspect(key);
    const inFiles: WorkspaceSetting[] = [];
    const read = (uri: vscode.Uri, section?: string) => {
      // Local files only, read synchronously so the settings stay a plain getter; a remote one is left to VS Code.
      if (uri.scheme !== 'file') return;
      try {
        if (statSync(uri.fsPath).size > MAX_SETTINGS_FILE_BYTES) return;
        inFiles.push(...settingsInFile(readFileSync(uri.fsPath, 'utf8'), vscode.workspace.asRelativePath(uri, false), section));
      } catch {
        // No settings file: nothing set.
      }
    };
    for (const folder of vscode.workspace.workspaceFolders ?? []) read(vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'));
    if (vscode.workspace.workspaceFile) read(vscode.workspace.workspaceFile, 'settings');
    return withoutUntrustedWorkspaceValues(raw, origins, inFiles);
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
