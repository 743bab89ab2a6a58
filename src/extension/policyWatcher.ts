/**
 * Live policy authoring: the `.rego` files under the configured policy folders are compiled on every change (typing
 * included, debounced), and open reports re-evaluated with them. The compile errors are published by
 * `PolicyDiagnostics`. In an untrusted workspace there are no workspace policies at all.
 */
import * as vscode from 'vscode';
import { RegoCompiler, RegoModule } from '../core/compiler/regoCompiler';
import { PolicyProblem } from '../core/model';
import { Config } from './config';
import { Log } from './logging';
import { POLICY_TYPING_PAUSE_MS } from './logic/policyTyping';
import { PolicySources } from './policySources';
import { TrustGate } from './trust';

export class PolicyWatcher implements PolicySources, vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the policy set changed and was compiled: open reports should be evaluated again. */
  readonly onDidChangePolicies = this.changed.event;
  private readonly compiled = new vscode.EventEmitter<void>();
  /** Fires after each compilation, before `onDidChangePolicies`: `compileProblems` and `uriOf` are up to date. */
  readonly onDidCompile = this.compiled.event;
  /** Module file name (as the compiler and findings show it) to its URI. */
  private readonly uris = new Map<string, vscode.Uri>();
  private modules: Promise<RegoModule[]> | undefined;
  private problems: PolicyProblem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private compiling: AbortController | undefined;
  private lastCompile: Promise<void> = Promise.resolve();

  constructor(
    readonly compiler: RegoCompiler,
    private readonly config: Config,
    private readonly trust: TrustGate,
    private readonly log: Log,
  ) {
    this.subscriptions.push(
      this.changed,
      this.compiled,
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length && this.isPolicyFile(event.document.uri)) this.schedule(POLICY_TYPING_PAUSE_MS);
      }),
      // Opening a policy shows its errors at once, even before any report is open.
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (this.isPolicyFile(document.uri) && !this.uris.has(vscode.workspace.asRelativePath(document.uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1))) this.schedule(0);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        // A closed unsaved edit falls back to the file on disk.
        if (document.isDirty && this.isPolicyFile(document.uri)) this.schedule(0);
      }),
      config.onDidChange(() => this.restart()),
      trust.onDidGrant(() => this.restart()),
    );
    this.watch();
  }

  async workspaceModules(): Promise<RegoModule[]> {
    if (!this.trust.trusted) {
      this.trust.explainIgnoredPolicies(await this.countIgnoredPolicies());
      return [];
    }
    this.modules ??= this.readModules();
    // Tests beside policies (`*_test.rego`, run by `opa test`) are compiled for their errors but never evaluated.
    return (await this.modules).filter((module) => !isTestFile(module.file));
  }

  /** Resolves when the latest scheduled compilation has finished (tests, commands). */
  async idle(): Promise<void> {
    while (this.timer) await new Promise((resolve) => setTimeout(resolve, 50));
    await this.lastCompile;
  }

  /** The errors of the latest compilation of the workspace policies. */
  get compileProblems(): readonly PolicyProblem[] {
    return this.problems;
  }

  /** The URI of a workspace policy file, by the name the compiler and findings give it. */
  uriOf(file: string): vscode.Uri | undefined {
    return this.uris.get(file);
  }

  /** Every workspace policy file read by the latest compilation. */
  policyUris(): vscode.Uri[] {
    return [...this.uris.values()];
  }

  private isPolicyFile(uri: vscode.Uri): boolean {
    if (!uri.path.endsWith('.rego') || !this.trust.trusted) return false;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return false;
    const relative = vscode.workspace.asRelativePath(uri, false);
    return this.config.settings.policyFolders.some((policyFolder) => {
      const prefix = policyFolder.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
      return prefix === '' || prefix === '.' || relative.startsWith(`${prefix}/`);
    });
  }

  private patterns(): vscode.RelativePattern[] {
    const folders = this.config.settings.policyFolders.map((folder) => folder.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, ''));
    const glob = (folder: string) => (folder === '' || folder === '.' ? '**/*.rego' : `${folder}/**/*.rego`);
    return (vscode.workspace.workspaceFolders ?? []).flatMap((workspaceFolder) => folders.map((folder) => new vscode.RelativePattern(workspaceFolder, glob(folder))));
  }

  private watch(): void {
    this.watchers.forEach((watcher) => watcher.dispose());
    this.watchers = [];
    if (!this.trust.trusted) return;
    // Also the policy folders themselves: deleting or renaming a folder reports the folder, not the files in it.
    const folders = (vscode.workspace.workspaceFolders ?? []).flatMap((workspaceFolder) =>
      this.config.settings.policyFolders.map((folder) => new vscode.RelativePattern(workspaceFolder, folder.replace(/\\/g, '/').replace(/\/+$/, ''))),
    );
    for (const pattern of [...this.patterns(), ...folders]) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const onChange = () => this.schedule(0);
      this.watchers.push(watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange), watcher.onDidDelete(onChange));
    }
  }

  private restart(): void {
    this.watch();
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    this.modules = undefined;
    clearTimeout(this.timer);
    this.compiling?.abort();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastCompile = this.compileAndNotify();
    }, delayMs);
  }

  private async compileAndNotify(): Promise<void> {
    const controller = new AbortController();
    this.compiling = controller;
    if (!this.trust.trusted) return;
    this.modules ??= this.readModules();
    const modules = await this.modules;
    if (controller.signal.aborted) return;
    if (modules.length === 0) {
      this.problems = [];
    } else {
      const started = Date.now();
      try {
        const result = await this.compiler.compile({ modules, signal: controller.signal });
        if (controller.signal.aborted) return;
        this.problems = result.ok ? [] : result.errors;
        this.log.info(`compiled ${modules.length} workspace policy file(s) in ${Date.now() - started} ms: ${result.ok ? 'ok' : `${result.errors.length} error(s)`}`);
      } catch (error) {
        if (controller.signal.aborted) return;
        this.log.showError('Could not compile the workspace policies', error);
        this.problems = [];
      }
    }
    this.compiled.fire();
    this.changed.fire();
  }

  private async readModules(): Promise<RegoModule[]> {
    const files = new Map<string, vscode.Uri>();
    for (const pattern of this.patterns()) {
      for (const uri of await vscode.workspace.findFiles(pattern)) files.set(uri.toString(), uri);
    }
    const open = new Map(vscode.workspace.textDocuments.map((document) => [document.uri.toString(), document]));
    this.uris.clear();
    const modules: RegoModule[] = [];
    for (const uri of [...files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
      // What the user sees in the editor wins over the disk: feedback while typing, before saving.
      let source = open.get(uri.toString())?.getText();
      try {
        source ??= new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch (error) {
        // Deleted between the listing and the read: it is gone, and its deletion triggers another read.
        if ((error as { code?: string }).code === 'FileNotFound') continue;
        throw error;
      }
      const file = vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
      this.uris.set(file, uri);
      modules.push({ file, source });
    }
    return modules;
  }

  private async countIgnoredPolicies(): Promise<number> {
    const counts = await Promise.all(this.patterns().map((pattern) => vscode.workspace.findFiles(pattern, undefined, 100).then((files) => files.length)));
    return counts.reduce((sum, count) => sum + count, 0);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.compiling?.abort();
    this.watchers.forEach((watcher) => watcher.dispose());
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}

function isTestFile(file: string): boolean {
  return /_test\.rego$/.test(file);
}
