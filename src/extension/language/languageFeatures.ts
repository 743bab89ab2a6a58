/**
 * Rego language features with no external binary: VS Code providers over src/core/authoring (pure, tested in Node) and
 * the embedded compiler's authoring services (RegoTooling). Providers rather than an in-process language server:
 * the core functions are already editor-independent (a web build or a server can wrap them later), and the providers
 * avoid a second process and a protocol layer for one client.
 */
import * as vscode from 'vscode';
import type { PolicyInput } from '../../core/model';
import type { RegoTooling } from '../../core/compiler/regoTooling';
import { BuiltinCatalog, RegoCompletionProvider, RegoDefinitionProvider, RegoHoverProvider, RegoSymbolProvider } from './editorProviders';
import { RegoCheckDiagnostics } from './regoDiagnostics';
import { RegoFormattingProvider } from './regoFormatting';
import { RegoTestController } from './regoTestController';
import { RegoWorkspace } from './regoWorkspace';

/** The part of the extension's Log these features use. */
export interface LanguageLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
  showError(message: string, error?: unknown): void;
}

export interface LanguageDeps {
  /** The embedded compiler's authoring services, loaded on first use. */
  tooling: () => Promise<RegoTooling>;
  log: LanguageLog;
  /** The open report's policy input, for example values in hovers and completion. */
  openReportInput?: () => PolicyInput | undefined;
}

export const RUN_TESTS_COMMAND = 'credcheck.rego.runTests';
/** Not in the palette: returns the last test run's outcomes (integration tests). */
export const LAST_TEST_RUN_COMMAND = 'credcheck.rego.lastTestRun';

const REGO: vscode.DocumentSelector = [{ language: 'rego' }];

export function registerRegoLanguageFeatures(context: vscode.ExtensionContext, deps: LanguageDeps): vscode.Disposable {
  const log = deps.log;
  const workspace = new RegoWorkspace(log);
  const builtins = new BuiltinCatalog(deps, log);
  const diagnostics = new RegoCheckDiagnostics(workspace, deps, log);
  const tests = new RegoTestController(workspace, deps, log);
  const disposables: vscode.Disposable[] = [
    workspace,
    diagnostics,
    tests,
    vscode.languages.registerCompletionItemProvider(REGO, new RegoCompletionProvider(workspace, builtins, deps), '.'),
    vscode.languages.registerHoverProvider(REGO, new RegoHoverProvider(builtins, deps)),
    vscode.languages.registerDocumentSymbolProvider(REGO, new RegoSymbolProvider(workspace), { label: 'Rego' }),
    vscode.languages.registerDefinitionProvider(REGO, new RegoDefinitionProvider(workspace)),
    vscode.languages.registerDocumentFormattingEditProvider(REGO, new RegoFormattingProvider(deps, log)),
    vscode.languages.registerCodeActionsProvider(REGO, diagnostics, { providedCodeActionKinds: RegoCheckDiagnostics.kinds }),
    vscode.commands.registerCommand(RUN_TESTS_COMMAND, () => tests.runAll()),
    vscode.commands.registerCommand(LAST_TEST_RUN_COMMAND, () => tests.recorded),
  ];
  const registration = vscode.Disposable.from(...disposables);
  context.subscriptions.push(registration);
  return registration;
}
