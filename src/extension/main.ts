/**
 * Activation: build the services, register the command table, return a small API for the integration tests.
 * Nothing heavy happens here: the bundled checks load on the first report, the Rego compiler on the first workspace policy.
 */
import * as vscode from 'vscode';
import { FindingCodeActions } from './codeActions';
import { createCommands, findTreeNode, Services } from './commands';
import { Config } from './config';
import { CheckDocumentation, ReportDiagnostics } from './diagnostics';
import { FindingsTree, TreeNode } from './findingsTree';
import type { SettingsProblem } from './logic/editorSettings';
import { Log } from './logging';
import { LazyPolicyCompiler } from './policyCompiler';
import { PolicyDiagnostics } from './policyDiagnostics';
import { PolicyWatcher } from './policyWatcher';
import { QueryPanel, QueryResultView } from './queryPanel';
import { ReportAuditor, ReportResult } from './reportAuditor';
import { ReportWatcher } from './reportWatcher';
import { rerunOnChanges } from './rerunTriggers';
import { ReportStatusBar } from './statusBar';
import { SummaryWebview } from './summaryWebview';
import { SuppressionStore } from './suppressionStore';
import { TrustGate } from './trust';
import { registerRegoLanguageFeatures } from './language/languageFeatures';
import type { RegoTooling } from '../core/compiler/regoTooling';
import { fetchUnavailableInBrowser } from './web/webLimits';

/** What activate() returns: read-only views of the state, for the integration tests. */
export interface CredcheckApi {
  getResult(uri: vscode.Uri): ReportResult | undefined;
  getTreeRoots(): TreeNode[];
  getTreeChildren(node: TreeNode): TreeNode[];
  findTreeNode(check: string, user: string | null, key?: 1 | 2 | null): TreeNode | undefined;
  revealInTree(node: TreeNode): Promise<void>;
  /** Resolves when no report evaluation or policy compilation is pending. */
  whenIdle(): Promise<void>;
  policyDiagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[];
  statusBarText(): string;
  statusBarTooltip(): string;
  /** Whether the status bar item is in its warning state (a rejected setting). */
  statusBarWarning(): boolean;
  /** The setting values rejected at the latest read (each replaced by its default). */
  settingsProblems(): readonly SettingsProblem[];
  summaryHtml(): string;
  compilerLoaded(): boolean;
  /** Where the workspace policies' compiler came from, once loaded. */
  compilerProvenance(): string | undefined;
  readonly treeView: vscode.TreeView<TreeNode>;
  /** The answer the query panel shows (after waiting for pending query runs). */
  getQueryResult(): Promise<QueryResultView | undefined>;
  queryHtml(): string;
  exportQueryResult(format: 'csv' | 'json', target: vscode.Uri): Promise<vscode.Uri | undefined>;
  /** Does what clicking row `index` of the query table does; returns the revealed 0-based report line. */
  revealQueryRow(index: number): Promise<number | undefined>;
}

/** What differs where the extension runs; the browser entry (web/webMain.ts) activates with `web: true`. */
export interface ExtensionHostKind {
  web: boolean;
}

export function activate(context: vscode.ExtensionContext, host: ExtensionHostKind = { web: false }): CredcheckApi {
  const started = Date.now();
  const log = new Log();
  const config = new Config(log);
  const trust = new TrustGate(log);
  const compiler = new LazyPolicyCompiler(log, { opaPath: () => config.settings.opaPath, trusted: () => trust.trusted, inBrowser: host.web });
  const policies = new PolicyWatcher(compiler, config, trust, log);
  const suppressions = new SuppressionStore(config, log);
  const auditor = new ReportAuditor(config, policies, suppressions, log);
  const policyDiagnostics = new PolicyDiagnostics(policies, auditor);
  const documentation = new CheckDocumentation(context.extensionUri);
  const diagnostics = new ReportDiagnostics(auditor, config, documentation);
  const tree = new FindingsTree(auditor, config, context.workspaceState);
  const statusBar = new ReportStatusBar(auditor, trust, config);
  const summary = new SummaryWebview(auditor, config);
  const reports = new ReportWatcher(auditor);
  const queryPanel = new QueryPanel(auditor, compiler, log);
  context.subscriptions.push(log, config, trust, compiler, policies, suppressions, auditor, policyDiagnostics, diagnostics, tree, statusBar, summary, reports, queryPanel);

  context.subscriptions.push(
    ...rerunOnChanges({ config, trust, compiler, policies, suppressions, reports }),
    vscode.languages.registerCodeActionsProvider({ scheme: '*' }, new FindingCodeActions(auditor), { providedCodeActionKinds: FindingCodeActions.kinds }),
  );

  const services: Services = { context, log, config, auditor, reports, tree, summary, suppressions, documentation, queryPanel };
  const commands = createCommands(services);
  // A browser cannot call AWS: the command says so instead (and the AWS SDK stays out of the web bundle's work).
  if (host.web) {
    commands['credcheck.fetchReport'] = fetchUnavailableInBrowser(log);
    commands['credcheck.fetchOrganization'] = fetchUnavailableInBrowser(log);
  }
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
  }
  // The Rego language features (check while typing, format, tests, builtin docs) use their own embedded compiler
  // instance, started on first use: a configured opa binary for workspace policies does not offer these services.
  let regoTooling: Promise<RegoTooling> | undefined;
  context.subscriptions.push({ dispose: () => void regoTooling?.then((tooling) => tooling.dispose(), () => undefined) });
  registerRegoLanguageFeatures(context, {
    tooling: () =>
      (regoTooling ??= import('../core/compiler/embeddedTooling').then(
        ({ createEmbeddedTooling }) => createEmbeddedTooling(),
        (error: unknown) => {
          regoTooling = undefined;
          throw error;
        },
      )),
    log,
    openReportInput: () => {
      const visible = new Set(vscode.window.visibleTextEditors.map((editor) => editor.document.uri.toString()));
      const results = auditor.all();
      return (results.find((result) => visible.has(result.uri.toString())) ?? results[0])?.outcome.reports[0]?.input;
    },
  });
  log.info(`activated in ${Date.now() - started} ms (${trust.trusted ? 'trusted' : 'untrusted'} workspace${host.web ? ', VS Code for the Web' : ''})`);

  return {
    getResult: (uri) => auditor.get(uri),
    getTreeRoots: () => tree.getRoots(),
    getTreeChildren: (node) => tree.getChildren(node),
    findTreeNode: (check, user, key = null) => findTreeNode(tree, check, user, key),
    revealInTree: (node) => tree.reveal(node),
    whenIdle: async () => {
      await policies.idle();
      await reports.idle();
    },
    policyDiagnostics: (uri) => policyDiagnostics.problemsFor(uri),
    statusBarText: () => statusBar.text,
    statusBarTooltip: () => statusBar.tooltip,
    statusBarWarning: () => statusBar.warning,
    settingsProblems: () => config.problems,
    summaryHtml: () => summary.html,
    compilerLoaded: () => compiler.loaded,
    compilerProvenance: () => compiler.provenance,
    treeView: tree.view,
    getQueryResult: async () => {
      await queryPanel.idle();
      return queryPanel.result;
    },
    queryHtml: () => queryPanel.html,
    exportQueryResult: (format, target) => queryPanel.export(format, target),
    revealQueryRow: (index) => queryPanel.revealRow(index),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
