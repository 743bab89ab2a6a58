/**
 * Every `.rego` file of the workspace with its outline, the editor's unsaved text winning over the disk: the modules
 * the compiler checks and tests together, and what go-to-definition and `lib.` completion look through.
 */
import * as vscode from 'vscode';
import type { RegoModule } from '../../core/compiler/regoCompiler';
import { RegoModuleOutline, scanRegoModule } from '../../core/authoring/regoScanner';
import type { LanguageLog } from './languageFeatures';

export interface IndexedRegoFile {
  uri: vscode.Uri;
  /** The name the compiler sees (workspace-relative, as `credcheck check` and the policy watcher name files). */
  file: string;
  source: string;
  outline: RegoModuleOutline;
}

/** Folders that hold copies or dependencies, not the user's policies. */
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/out/**,**/dist/**,**/.vscode-test/**}';
const MAX_FILES = 2000;

export class RegoWorkspace implements vscode.Disposable {
  private readonly files = new Map<string, IndexedRegoFile>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires with the file that changed, or undefined after a full rescan. */
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  private loading: Promise<void>;

  constructor(private readonly log: LanguageLog) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.rego');
    // Deleting or renaming a folder reports the folder, not the .rego files in it: a stale module would keep being
    // compiled with the others (and break their checks and tests).
    // A folder deleted and created again soon after is reported as changed (the watcher coalesces the two events), with
    // nothing about the files that went with it: a change of a folder holding indexed files checks they still exist.
    const folders = vscode.workspace.createFileSystemWatcher('**', true, false, false);
    this.subscriptions.push(
      watcher,
      folders,
      watcher.onDidCreate((uri) => void this.reloadFromDisk(uri)),
      watcher.onDidChange((uri) => void this.reloadFromDisk(uri)),
      watcher.onDidDelete((uri) => this.remove(uri)),
      folders.onDidDelete((uri) => this.removeUnder(uri)),
      folders.onDidChange((uri) => void this.removeMissingUnder(uri)),
      vscode.workspace.onDidOpenTextDocument((document) => this.update(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.update(event.document)),
      // Closing without saving drops the unsaved text: the disk is the truth again.
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.languageId === 'rego' && document.uri.scheme === 'file') void this.reloadFromDisk(document.uri);
        else if (document.languageId === 'rego') this.remove(document.uri);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()),
    );
    this.loading = this.rescan();
  }

  /** Resolves when the first scan of the workspace is done. */
  ready(): Promise<void> {
    return this.loading;
  }

  all(): IndexedRegoFile[] {
    return [...this.files.values()];
  }

  get(uri: vscode.Uri): IndexedRegoFile | undefined {
    return this.files.get(uri.toString());
  }

  /**
   * The entry for a document with its current text. Untitled and other non-file documents are not indexed (they would
   * otherwise be compiled with, and could break, every other file's checks): they get an entry of their own.
   */
  ensure(document: vscode.TextDocument): IndexedRegoFile {
    const known = this.get(document.uri);
    if (known?.source === document.getText()) return known;
    if (document.uri.scheme !== 'file') {
      const source = document.getText();
      return { uri: document.uri, file: this.fileName(document.uri), source, outline: scanRegoModule(source) };
    }
    return this.update(document) ?? { uri: document.uri, file: this.fileName(document.uri), source: document.getText(), outline: scanRegoModule(document.getText()) };
  }

  uriOf(file: string): vscode.Uri | undefined {
    return this.all().find((entry) => entry.file === file)?.uri;
  }

  /** Every module, for a compile or test run; `extra` (the document being checked) is included even outside the workspace. */
  modules(extra?: IndexedRegoFile): RegoModule[] {
    const entries = this.all();
    if (extra && !this.files.has(extra.uri.toString())) entries.push(extra);
    return entries.sort((a, b) => a.file.localeCompare(b.file)).map((entry) => ({ file: entry.file, source: entry.source }));
  }

  /** Rules by package name, for completion after an imported package's alias. */
  rulesByPackage(): Map<string, IndexedRegoFile['outline']['rules']> {
    const packages = new Map<string, IndexedRegoFile['outline']['rules']>();
    for (const entry of this.all()) {
      const name = entry.outline.package?.name;
      if (name) packages.set(name, [...(packages.get(name) ?? []), ...entry.outline.rules]);
    }
    return packages;
  }

  private fileName(uri: vscode.Uri): string {
    if (uri.scheme !== 'file' || !vscode.workspace.getWorkspaceFolder(uri)) return uri.scheme === 'file' ? uri.fsPath : uri.toString();
    return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  }

  private set(uri: vscode.Uri, source: string): IndexedRegoFile {
    const entry = { uri, file: this.fileName(uri), source, outline: scanRegoModule(source) };
    this.files.set(uri.toString(), entry);
    this.changed.fire(uri);
    return entry;
  }

  private update(document: vscode.TextDocument): IndexedRegoFile | undefined {
    if (document.languageId !== 'rego' || document.uri.scheme !== 'file') return undefined;
    if (this.files.get(document.uri.toString())?.source === document.getText()) return this.files.get(document.uri.toString());
    return this.set(document.uri, document.getText());
  }

  private remove(uri: vscode.Uri): void {
    if (this.files.delete(uri.toString())) this.changed.fire(uri);
  }

  private removeUnder(folder: vscode.Uri): void {
    const prefix = `${folder.toString().replace(/\/+$/, '')}/`;
    for (const key of [...this.files.keys()]) if (key.startsWith(prefix)) this.remove(this.files.get(key)!.uri);
  }

  /** Drops the indexed files under `folder` that no longer exist (a changed file under it matches none: cheap). */
  private async removeMissingUnder(folder: vscode.Uri): Promise<void> {
    const prefix = `${folder.toString().replace(/\/+$/, '')}/`;
    for (const [key, entry] of [...this.files]) {
      if (!key.startsWith(prefix)) continue;
      try {
        await vscode.workspace.fs.stat(entry.uri);
      } catch {
        if (this.files.get(key) === entry) this.remove(entry.uri);
      }
    }
  }

  private async reloadFromDisk(uri: vscode.Uri): Promise<void> {
    // An open document's text wins over the disk.
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
    if (open && open.isDirty) return;
    try {
      this.set(uri, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      this.remove(uri);
    }
  }

  private async rescan(): Promise<void> {
    try {
      const uris = await vscode.workspace.findFiles('**/*.rego', EXCLUDE, MAX_FILES + 1);
      if (uris.length > MAX_FILES) this.log.warn(`more than ${MAX_FILES} .rego files in the workspace: only the first ${MAX_FILES} are indexed for Rego authoring`);
      this.files.clear();
      const open = new Map(vscode.workspace.textDocuments.map((document) => [document.uri.toString(), document]));
      for (const uri of uris.slice(0, MAX_FILES)) {
        const document = open.get(uri.toString());
        const source = document ? document.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        this.files.set(uri.toString(), { uri, file: this.fileName(uri), source, outline: scanRegoModule(source) });
      }
      for (const document of vscode.workspace.textDocuments) this.update(document);
      this.log.info(`Rego authoring: indexed ${this.files.size} .rego file(s)`);
    } catch (error) {
      this.log.error('Rego authoring: could not list the workspace .rego files', error);
    }
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
