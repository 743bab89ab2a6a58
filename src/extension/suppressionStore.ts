/**
 * The workspace's suppressions file: read for every evaluation, extended by the "suppress" quick fix.
 *
 * The file and its path belong to the repository, so both are held at arm's length: the path must stay inside the
 * workspace folder once symbolic links are followed (else nothing is read and nothing written there), and in an
 * untrusted workspace the file is not applied at all (it would hide findings) and cannot be written. Each refusal is a
 * problem of the run, shown like a rejected setting.
 */
import * as vscode from 'vscode';
import { NewSuppression, addSuppression } from './logic/suppressionEditor';
import { SettingsProblem } from './logic/editorSettings';
import { resolveInsideFolder } from './logic/workspacePath';
import { Suppression, SUPPRESSION_LIMITS, parseSuppressions } from '../core/run/suppressions';
import { Config } from './config';
import { Log } from './logging';

const SETTING = 'credcheck.suppressionsFile';

export class SuppressionStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the suppressions file changed on disk or was written here. */
  readonly onDidChange = this.changed.event;
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The latest text parsed and its entries: the file is read on every evaluation, parsed only when it changed. */
  private parsed: { file: string; text: string; suppressions: Suppression[] } | undefined;
  private currentProblems: SettingsProblem[] = [];
  private readonly reported = new Set<string>();

  constructor(
    private readonly config: Config,
    private readonly log: Log,
  ) {
    this.subscriptions.push(this.changed, config.onDidChange(() => this.watch()), vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
    this.watch();
  }

  /** Why the file was not applied at the latest load (untrusted workspace, a path leaving the folder), for the run. */
  get problems(): readonly SettingsProblem[] {
    return this.currentProblems;
  }

  /** The file's URI, in the first workspace folder; undefined without a workspace. */
  get uri(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && vscode.Uri.joinPath(folder.uri, this.config.settings.suppressionsFile);
  }

  /** The URI when the path stays inside the workspace folder through any symbolic link, else why not. */
  private checkedUri(): { uri: vscode.Uri } | { problem: string } | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return undefined;
    const relativePath = this.config.settings.suppressionsFile;
    const uri = vscode.Uri.joinPath(folder.uri, relativePath);
    // Links can only be followed on a local disk; other file systems get the path check the settings already made.
    if (folder.uri.scheme !== 'file') return { uri };
    const inside = resolveInsideFolder(folder.uri.fsPath, relativePath);
    return inside.inside ? { uri } : { problem: `the suppressions file ${JSON.stringify(relativePath)} is not inside the workspace folder: ${inside.reason}; no suppressions are applied or written` };
  }

  /** The suppressions in force; a missing file is none, a broken or refused file is reported and counts as none. */
  async load(): Promise<Suppression[]> {
    const checked = this.checkedUri();
    if (!checked) return this.settle([]);
    if ('problem' in checked) return this.settle([], checked.problem);
    const file = vscode.workspace.asRelativePath(checked.uri, false);
    let text: string | undefined;
    try {
      text = await this.read(checked.uri);
    } catch (error) {
      return this.settle([], `${file} is ${(error as FileTooLarge).size} bytes, more than the ${SUPPRESSION_LIMITS.fileBytes} a suppressions file may hold; no suppressions are applied`);
    }
    if (text === undefined) return this.settle([]);
    if (!vscode.workspace.isTrusted) {
      return this.settle([], `${file} is not applied: this workspace is not trusted, and its suppressions would hide findings; trust the workspace to apply them`);
    }
    try {
      if (this.parsed?.file !== file || this.parsed.text !== text) this.parsed = { file, text, suppressions: parseSuppressions(text, file) };
      return this.settle(this.parsed.suppressions);
    } catch (error) {
      this.parsed = undefined;
      this.log.showError('The suppressions file is not valid', error);
      return this.settle([]);
    }
  }

  /** Appends one suppression and saves the file (creating it and its folder when needed). */
  async add(entry: NewSuppression): Promise<vscode.Uri> {
    if (!vscode.workspace.isTrusted) throw new Error('suppressing a finding writes to the workspace: trust the workspace first');
    const checked = this.checkedUri();
    if (!checked) throw new Error('suppressions are kept in the workspace: open a folder first');
    if ('problem' in checked) throw new Error(checked.problem);
    const uri = checked.uri;
    const text = (await this.read(uri)) ?? '';
    const updated = addSuppression(text, entry, vscode.workspace.asRelativePath(uri, false));
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(updated));
    this.log.info(`suppressed ${entry.check} for one user in ${vscode.workspace.asRelativePath(uri, false)}`);
    this.changed.fire();
    return uri;
  }

  private settle(suppressions: Suppression[], problem?: string): Suppression[] {
    this.currentProblems = problem ? [{ setting: SETTING, value: this.config.settings.suppressionsFile, message: problem }] : [];
    if (problem && !this.reported.has(problem)) {
      this.reported.add(problem);
      this.log.warn(`suppressions: ${problem}`);
      void vscode.window.showWarningMessage(`IAM credential checks: ${problem}`, 'Show log').then((choice) => {
        if (choice) this.log.channel.show(true);
      });
    }
    return suppressions;
  }

  private async read(uri: vscode.Uri): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      // A file far over the limit is not read into memory (parseSuppressions locates a smaller excess itself).
      const { size } = await vscode.workspace.fs.stat(uri);
      if (size > SUPPRESSION_LIMITS.fileBytes * 4) throw new FileTooLarge(size);
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch (error) {
      if (error instanceof FileTooLarge) throw error;
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

class FileTooLarge extends Error {
  constructor(readonly size: number) {
    super(`${size} bytes`);
  }
}
