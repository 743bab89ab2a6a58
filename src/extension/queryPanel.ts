/**
 * Ad-hoc Rego queries against the open credential report: a `.rego` scratch document holds the query, a webview shows
 * the answer as a table. The query re-runs (debounced) as it is edited and when the report's result changes; a run
 * that a newer one overtook is dropped, so a slow compile never paints an older answer over a newer one. Queries are
 * evaluated in a worker thread (QueryRunner) under the time and memory limits of policies, never on the extension
 * host's thread, and an edit stops the running evaluation at once.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { PolicyProblem } from '../core/model';
import { renderQueryPage } from './logic/queryPage';
import type { RegoCompiler } from '../core/compiler/regoCompiler';
import type { QueryRunner } from '../core/query/queryRunner';
import { QueryTable, columnOrderOf, combineReportTables, tableOfAnswer, userColumnIndex } from '../core/query/queryTable';
import { QueryTableFormat, formatQueryTable } from '../core/query/queryTableFormat';
import { Log, describeError } from './logging';
import { ReportAuditor } from './reportAuditor';

/** What the panel last showed, for the integration tests. */
export interface QueryResultView {
  queryVersion: number;
  table: QueryTable | undefined;
  errors: PolicyProblem[];
  /** Evaluation worker threads started so far: a query stopped (time limit, or an edit) costs one. */
  workersStarted?: number;
}

const DEBOUNCE_MS = 300;

export class QueryPanel implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('credcheck-query');
  private readonly subscriptions: vscode.Disposable[] = [];
  private runner: QueryRunner | undefined;
  private panel: vscode.WebviewPanel | undefined;
  private query: vscode.TextDocument | undefined;
  private report: vscode.Uri | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: AbortController | undefined;
  private generation = 0;
  private pending: Promise<void> = Promise.resolve();
  private shown: QueryResultView | undefined;
  /** The last page's HTML, for tests. */
  html = '';

  constructor(
    private readonly auditor: ReportAuditor,
    private readonly compiler: RegoCompiler,
    private readonly log: Log,
  ) {
    this.subscriptions.push(
      this.diagnostics,
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (!this.query || event.document !== this.query) return;
        // The running query answers a text that is gone: stop it now (its worker is terminated), not after the debounce.
        this.running?.abort();
        this.schedule(DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document === this.query) this.diagnostics.delete(document.uri);
      }),
      this.auditor.onDidChangeResults((uri) => {
        if (this.query && this.report && uri.toString() === this.report.toString()) this.schedule(0);
      }),
    );
  }

  /** Opens a scratch query document with `text`, bound to `report`, and the result panel beside it. */
  async open(text: string, report: vscode.Uri): Promise<vscode.TextDocument> {
    this.report = report;
    // VS Code reuses the name of an untitled document that was just closed (Untitled-1) and may hand back that closing
    // document, with its old text: ask again until the document is open and holds this query.
    let document = await vscode.workspace.openTextDocument({ language: 'rego', content: text });
    for (let attempt = 1; (document.isClosed || document.getText() !== text) && attempt < 10; attempt++) {
      document = await vscode.workspace.openTextDocument({ language: 'rego', content: text });
    }
    if (this.query && this.query !== document) this.diagnostics.delete(this.query.uri);
    this.query = document;
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    this.showPanel();
    this.schedule(0);
    await this.idle();
    return document;
  }

  /** The answer currently shown. */
  get result(): QueryResultView | undefined {
    return this.shown;
  }

  /** The report the last query ran against (the query commands fall back to it when no report is active). */
  get reportUri(): vscode.Uri | undefined {
    return this.report && this.auditor.get(this.report) ? this.report : undefined;
  }

  get queryDocument(): vscode.TextDocument | undefined {
    return this.query;
  }

  /** Resolves when no run is scheduled or in flight. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = this.pending;
      await pending;
      if (pending === this.pending && !this.timer) return;
      if (this.timer) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private showPanel(): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('credcheck.query', 'IAM query result', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
        enableScripts: true,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => (this.panel = undefined), undefined, this.subscriptions);
      this.panel.webview.onDidReceiveMessage((message: unknown) => void this.onMessage(message), undefined, this.subscriptions);
    }
    this.panel.reveal(undefined, true);
  }

  private schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pending = this.run();
    }, delay);
  }

  private async run(): Promise<void> {
    const query = this.query;
    const report = this.report && this.auditor.get(this.report);
    if (!query) return;
    if (query.isClosed) {
      this.show({ queryVersion: query.version, table: undefined, errors: [] }, 'the query document was closed: run the query command again');
      return;
    }
    const generation = ++this.generation;
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const text = query.getText();
    const version = query.version;
    if (!report) {
      this.show({ queryVersion: version, table: undefined, errors: [] }, 'the report is closed or not evaluated yet');
      return;
    }
    const inputs = report.outcome.reports.flatMap((parsed) => (parsed.input ? [parsed.input] : []));
    this.render('running…');
    const started = Date.now();
    try {
      this.runner ??= new (await import('../core/query/queryRunner')).QueryRunner(this.compiler);
      const outcome = await this.runner.run(text, inputs, {
        signal: controller.signal,
        onEvaluationStarted: () => {
          if (generation === this.generation) this.render('evaluating…');
        },
      });
      // Overtaken by a newer run, or the text moved on (its own run is scheduled): this answer is stale.
      if (generation !== this.generation || query.version !== version) return;
      if (!outcome.ok) {
        this.setDiagnostics(query, outcome.errors);
        this.show({ queryVersion: version, table: undefined, errors: outcome.errors }, '');
        return;
      }
      this.diagnostics.delete(query.uri);
      const columnOrder = columnOrderOf(text);
      const tables = outcome.results.map((result) => ({ file: result.file, table: tableOfAnswer(result, { columnOrder }) }));
      const table = tables.length === 1 ? tables[0]!.table : combineReportTables(tables);
      this.show({ queryVersion: version, table, errors: [] }, `${Date.now() - started} ms${outcome.timing.cached ? ' (cached)' : ''}`);
    } catch (error) {
      if (generation !== this.generation || controller.signal.aborted) return;
      this.log.warn(`query failed: ${describeError(error)}`);
      const problem: PolicyProblem = { file: '<query>', line: 0, column: 0, code: 'query_failed', message: describeError(error) };
      this.setDiagnostics(query, [problem]);
      this.show({ queryVersion: version, table: undefined, errors: [problem] }, '');
    }
  }

  private setDiagnostics(document: vscode.TextDocument, errors: PolicyProblem[]): void {
    this.diagnostics.set(
      document.uri,
      errors.map((error) => {
        // Line 0 is an evaluation error with no place in the text: it goes on the first line.
        const line = Math.min(Math.max(0, error.line - 1), document.lineCount - 1);
        const column = Math.max(0, error.column - 1);
        const text = document.lineAt(line).text;
        const range =
          error.line > 0
            ? document.getWordRangeAtPosition(new vscode.Position(line, Math.min(column, text.length))) ?? new vscode.Range(line, column, line, Math.max(column + 1, text.length))
            : document.lineAt(line).range;
        const diagnostic = new vscode.Diagnostic(range, error.message, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'credcheck-query';
        diagnostic.code = error.code;
        return diagnostic;
      }),
    );
  }

  private show(view: QueryResultView, status: string): void {
    this.shown = { ...view, workersStarted: this.runner?.workersStarted ?? 0 };
    this.render(status);
  }

  private render(status: string): void {
    if (!this.panel) return;
    const view = this.shown;
    this.html = renderQueryPage(
      {
        report: this.report ? vscode.workspace.asRelativePath(this.report) : undefined,
        table: view?.table,
        errors: view?.errors ?? [],
        userColumn: view?.table ? userColumnIndex(view.table) : -1,
        status,
      },
      { cspSource: this.panel.webview.cspSource, nonce: randomBytes(16).toString('base64') },
    );
    this.panel.webview.html = this.html;
  }

  private async onMessage(message: unknown): Promise<void> {
    if (typeof message !== 'object' || message === null) return;
    const { type, format, row } = message as { type?: unknown; format?: unknown; row?: unknown };
    if (type === 'export' && (format === 'csv' || format === 'json')) await this.export(format);
    if (type === 'reveal' && typeof row === 'number') await this.revealRow(row);
  }

  /** Writes the shown table as CSV or JSON (CSV cells neutralised like the CLI's). Returns where it went. */
  async export(format: Exclude<QueryTableFormat, 'table'>, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const table = this.shown?.table;
    if (!table || table.kind === 'undefined') return undefined;
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
        saveLabel: `Export ${format.toUpperCase()}`,
        title: 'Export the query result',
      }));
    if (!uri) return undefined;
    try {
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(formatQueryTable(table, format)));
      return uri;
    } catch (error) {
      this.log.showError('Could not export the query result', error);
      return undefined;
    }
  }

  /** Reveals the report row of the user named in row `index` of the shown table. Returns the 0-based line, if any. */
  async revealRow(index: number): Promise<number | undefined> {
    const table = this.shown?.table;
    const report = this.report && this.auditor.get(this.report);
    if (!table || !report) return undefined;
    const column = userColumnIndex(table);
    const user = column >= 0 ? table.rows[index]?.[column] : undefined;
    if (typeof user !== 'string') return undefined;
    const found = report.outcome.reports.flatMap((parsed) => parsed.input?.users ?? []).find((candidate) => candidate.user === user);
    if (!found) return undefined;
    const line = found.line - 1;
    const document = await vscode.workspace.openTextDocument(report.uri);
    const existing = vscode.window.visibleTextEditors.find((editor) => editor.document === document);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: existing?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false, preview: false });
    const range = document.lineAt(line).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return line;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.running?.abort();
    this.runner?.dispose();
    this.panel?.dispose();
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}
