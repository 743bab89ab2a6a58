/**
 * Diagnostics while typing a `.rego` file: the embedded compiler's check (parse and type errors against the input
 * schema, lints) on the unsaved text, debounced, the previous check of that file aborted. One collection
 * (`credcheck-rego`), replaced per file and cleared on close. A "did you mean" suggestion becomes a quick fix.
 */
import * as vscode from 'vscode';
import type { RegoDiagnostic } from '../../core/compiler/regoTooling';
import { diagnosticMessage, diagnosticRange, misspelledName, misspelledRange } from '../../core/authoring/diagnosticRanges';
import { checkFile, FileCheck } from '../../core/authoring/toolingRequests';
import { toRange } from './editorProviders';
import type { LanguageDeps, LanguageLog } from './languageFeatures';
import { RegoWorkspace } from './regoWorkspace';

export const REGO_DIAGNOSTIC_SOURCE = 'credcheck-rego';
const DEBOUNCE_MS = 300;

const SEVERITIES: Record<RegoDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export class RegoCheckDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  readonly collection = vscode.languages.createDiagnosticCollection(REGO_DIAGNOSTIC_SOURCE);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly running = new Map<string, AbortController>();
  /** Suggestions by diagnostic identity: code actions receive copies of the diagnostics, not these objects. */
  private readonly suggestions = new Map<string, string[]>();
  private readonly subscriptions: vscode.Disposable[] = [this.collection];

  constructor(private readonly workspace: RegoWorkspace, private readonly deps: LanguageDeps, private readonly log: LanguageLog) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.schedule(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      // Another file changed (a library edited or saved): the visible policies that compile with it are checked again.
      workspace.onDidChange((uri) => {
        for (const editor of vscode.window.visibleTextEditors) {
          if (editor.document.uri.toString() !== uri?.toString()) this.schedule(editor.document, DEBOUNCE_MS);
        }
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document, 0);
  }

  private schedule(document: vscode.TextDocument, delayMs: number): void {
    if (document.languageId !== 'rego') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.running.get(key)?.abort();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.check(document);
      }, delayMs),
    );
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    const key = document.uri.toString();
    const controller = new AbortController();
    this.running.set(key, controller);
    const version = document.version;
    await this.workspace.ready();
    const current = this.workspace.ensure(document);
    let found: FileCheck;
    try {
      found = await checkFile(await this.deps.tooling(), this.workspace.modules(current), current.file, controller.signal);
    } catch (error) {
      if (controller.signal.aborted || document.isClosed) return;
      // The file was not checked: say so on it rather than show a clean file.
      this.log.error(`Rego authoring: could not check ${current.file}`, error);
      const message = `credcheck could not check this policy: ${error instanceof Error ? error.message : String(error)}`;
      this.publish(document, [Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, document.lineAt(0).text.length), message, vscode.DiagnosticSeverity.Warning), { source: REGO_DIAGNOSTIC_SOURCE })]);
      return;
    } finally {
      if (this.running.get(key) === controller) this.running.delete(key);
    }
    if (controller.signal.aborted || document.isClosed || document.version !== version) return;
    const elsewhere = found.blockingElsewhere;
    const diagnostics = found.own.map((problem) => this.toDiagnostic(document, problem));
    if (elsewhere.length > 0) {
      // Compiled together: errors in another file can stop the checks of this one. Never show that as a clean file.
      const first = elsewhere[0]!;
      const packageLine = this.workspace.ensure(document).outline.package?.range.startLine ?? 0;
      const diagnostic = new vscode.Diagnostic(
        document.lineAt(packageLine).range,
        `Checked together with the workspace's other policies, which have ${elsewhere.length} error(s) (first: ${first.file}:${first.line}:${first.column}: ${first.message}); problems in this file may not show until they are fixed.`,
        vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = REGO_DIAGNOSTIC_SOURCE;
      diagnostic.code = 'other-files-have-errors';
      const uri = this.workspace.uriOf(first.file);
      if (uri) diagnostic.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, new vscode.Position(Math.max(0, first.line - 1), Math.max(0, first.column - 1))), first.message)];
      diagnostics.push(diagnostic);
    }
    this.publish(document, diagnostics);
  }

  private toDiagnostic(document: vscode.TextDocument, problem: RegoDiagnostic): vscode.Diagnostic {
    const located = diagnosticRange(problem, document.getText());
    // With a suggestion, the squiggle goes on the misspelled name itself (and the quick fix replaces just that).
    const suggestion = problem.suggestions?.[0];
    const range = toRange((suggestion && misspelledRange(document.getText(), located, suggestion)) || located);
    const diagnostic = new vscode.Diagnostic(range, diagnosticMessage(problem), SEVERITIES[problem.severity] ?? vscode.DiagnosticSeverity.Error);
    diagnostic.source = REGO_DIAGNOSTIC_SOURCE;
    if (problem.code) diagnostic.code = problem.code;
    if (problem.suggestions && problem.suggestions.length > 0) this.suggestions.set(identity(document.uri, diagnostic), problem.suggestions);
    return diagnostic;
  }

  private publish(document: vscode.TextDocument, diagnostics: vscode.Diagnostic[]): void {
    const prefix = `${document.uri.toString()}|`;
    for (const key of [...this.suggestions.keys()]) if (key.startsWith(prefix) && !diagnostics.some((diagnostic) => identity(document.uri, diagnostic) === key)) this.suggestions.delete(key);
    this.collection.set(document.uri, diagnostics);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.abort();
    this.collection.delete(uri);
    for (const suggestion of [...this.suggestions.keys()]) if (suggestion.startsWith(`${key}|`)) this.suggestions.delete(suggestion);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== REGO_DIAGNOSTIC_SOURCE) continue;
      const suggestions = this.suggestions.get(identity(document.uri, diagnostic)) ?? [];
      const text = document.getText(diagnostic.range);
      suggestions.slice(0, 3).forEach((suggestion, index) => {
        const name = misspelledName(text, suggestion);
        if (!name) return;
        const start = document.offsetAt(diagnostic.range.start);
        const target = new vscode.Range(document.positionAt(start + name.start), document.positionAt(start + name.end));
        const action = new vscode.CodeAction(`Change '${text.slice(name.start, name.end)}' to '${suggestion}'`, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, target, suggestion);
        action.diagnostics = [diagnostic];
        action.isPreferred = index === 0;
        actions.push(action);
      });
    }
    return actions;
  }

  dispose(): void {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.running.forEach((controller) => controller.abort());
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}

function identity(uri: vscode.Uri, diagnostic: vscode.Diagnostic): string {
  const { start, end } = diagnostic.range;
  return `${uri.toString()}|${start.line}:${start.character}-${end.line}:${end.character}|${diagnostic.message}`;
}
