/**
 * Live policy authoring: the `.rego` files under the configured policy folders are compiled on every change (typing
 * included, debounced), their errors shown at their exact range, and open reports re-evaluated with them.
 * In an untrusted workspace there are no workspace policies at all.
 */
import * as vscode from 'vscode';
import { RegoCompiler, RegoModule } from '../core/compiler/regoCompiler';
import { PolicyProblem } from '../core/model';
import { Config } from './config';
import { POLICY_DIAGNOSTIC_SOURCE } from './diagnostics';
import { Log } from './logging';
import { ReportAuditor } from './reportAuditor';
import { TrustGate } from './trust';

const TYPING_PAUSE_MS = 400;

/** What the auditor needs from the workspace's policies. */
export interface PolicySources {
  /** The workspace policy files to evaluate (empty when untrusted or when there are none). */
  workspaceModules(): Promise<RegoModule[]>;
  readonly compiler: RegoCompiler;
}

export class PolicyWatcher implements PolicySources, vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(POLICY_DIAGNOSTIC_SOURCE);
  private readonly subscriptions: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the policy set changed and was compiled: open reports should be evaluated again. */
  readonly onDidChangePolicies = this.changed.event;
  /** Module file name (as the compiler and findings show it) to its URI. */
  private readonly uris = new Map<string, vscode.Uri>();
  private modules: Promise<RegoModule[]> | undefined;
  private compileProblems: PolicyProblem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private compiling: AbortController | undefined;
  private lastCompile: Promise<void> = Promise.resolve();
  private auditor: ReportAuditor | undefined;

  constructor(
    readonly compiler: RegoCompiler,
    private readonly config: Config,
    private readonly trust: TrustGate,
    private readonly log: Log,
  ) {
    this.subscriptions.push(
      this.collection,
      this.changed,
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length && this.isPolicyFile(event.document.uri)) this.schedule(TYPING_PAUSE_MS);
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

  /** Hooks the auditor in after construction (the auditor needs this watcher first). */
  attach(auditor: ReportAuditor): void {
    this.subscriptions.push(auditor.onDidChangeResults(() => this.publish(auditor)));
    this.auditor = auditor;
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

  /** Compile errors and policy problems by file, for tests. */
  problemsFor(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
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
      this.compileProblems = [];
    } else {
      const started = Date.now();
      try {
        const result = await this.compiler.compile({ modules, signal: controller.signal });
        if (controller.signal.aborted) return;
        this.compileProblems = result.ok ? [] : result.errors;
        this.log.info(`compiled ${modules.length} workspace policy file(s) in ${Date.now() - started} ms: ${result.ok ? 'ok' : `${result.errors.length} error(s)`}`);
      } catch (error) {
        if (controller.signal.aborted) return;
        this.log.showError('Could not compile the workspace policies', error);
        this.compileProblems = [];
      }
    }
    if (this.auditor) this.publish(this.auditor);
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
      const source = open.get(uri.toString())?.getText() ?? new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
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

  /** Compile errors plus the problems the latest evaluations found (contract breaches, run-time errors), per file. */
  private publish(auditor: ReportAuditor): void {
    const problems = [...this.compileProblems, ...auditor.all().flatMap((result) => result.policyProblems)];
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const seen = new Set<string>();
    for (const problem of problems) {
      const uri = this.uris.get(problem.file);
      if (!uri) continue; // a bundled check's problem: not the user's file to fix
      const identity = `${problem.file}:${problem.line}:${problem.column}:${problem.message}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      const list = byFile.get(uri.toString()) ?? [];
      list.push(problemDiagnostic(problem, uri));
      byFile.set(uri.toString(), list);
    }
    this.collection.clear();
    for (const uri of this.uris.values()) this.collection.set(uri, byFile.get(uri.toString()) ?? []);
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

function problemDiagnostic(problem: PolicyProblem, uri: vscode.Uri): vscode.Diagnostic {
  const line = Math.max(0, problem.line - 1);
  const column = Math.max(0, problem.column - 1);
  const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === uri.toString());
  let range = new vscode.Range(line, column, line, column + 1);
  if (document && line < document.lineCount) {
    // The compiler gives a point; the diagnostic covers the token there, or the rest of the line.
    range = document.getWordRangeAtPosition(new vscode.Position(line, column)) ?? new vscode.Range(line, column, line, Math.max(column + 1, document.lineAt(line).text.length));
  }
  const diagnostic = new vscode.Diagnostic(range, problem.message, vscode.DiagnosticSeverity.Error);
  diagnostic.source = POLICY_DIAGNOSTIC_SOURCE;
  if (problem.code) diagnostic.code = problem.code;
  return diagnostic;
}
