/**
 * The workspace's suppressions file: read for every evaluation, extended by the "suppress" quick fix.
 */
import * as vscode from 'vscode';
import { NewSuppression, addSuppression } from './logic/suppressionEditor';
import { Suppression, parseSuppressions } from '../core/run/suppressions';
import { Config } from './config';
import { Log } from './logging';

export class SuppressionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the suppressions file changed on disk or was written here. */
  readonly onDidChange = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly config: Config,
    private readonly log: Log,
  ) {
    this.subscriptions.push(this.changed, config.onDidChange(() => this.watch()));
    this.watch();
  }

  /** The file's URI, in the first workspace folder; undefined without a workspace. */
  get uri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && vscode.Uri.joinPath(folder.uri, this.config.settings.suppressionsFile);
  }

  /** The suppressions in force; a missing file is none, a broken file is logged and counts as none. */
  async load(): Promise<Suppression[]> {
    const uri = this.uri;
    if (!uri) return [];
    const text = await this.read(uri);
    if (text === undefined) return [];
    try {
      return parseSuppressions(text, vscode.workspace.asRelativePath(uri, false));
    } catch (error) {
      this.log.showError('The suppressions file is not valid', error);
      return [];
    }
  }

  /** Appends one suppression and saves the file (creating it and its folder when needed). */
  async add(entry: NewSuppression): Promise<vscode.Uri> {
    const uri = this.uri;
    if (!uri) throw new Error('suppressions are kept in the workspace: open a folder first');
    const text = (await this.read(uri)) ?? '';
    const updated = addSuppression(text, entry, vscode.workspace.asRelativePath(uri, false));
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(updated));
    this.log.info(`suppressed ${entry.check} for one user in ${vscode.workspace.asRelativePath(uri, false)}`);
    this.changed.fire();
    return uri;
  }

  private async read(uri: vscode.Uri): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined;
    }
  }

  private watch(): void {
    this.watcher?.dispose();
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, this.config.settings.suppressionsFile));
    const fire = () => this.changed.fire();
    this.watcher.onDidCreate(fire);
    this.watcher.onDidChange(fire);
    this.watcher.onDidDelete(fire);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
