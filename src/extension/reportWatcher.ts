/**
 * Finds credential reports among open documents by their header (any file name, any language mode) and keeps them
 * evaluated: on open at once, on edit after a pause in typing, with the stale run cancelled. A report in a tab that
 * was never shown (restored in the background after a window reload, or opened in the background) has no document
 * yet: its file's first line is read, and a report is opened as a document so it is evaluated without a click.
 */
import { open } from 'node:fs/promises';
import * as vscode from 'vscode';
import { looksLikeCredentialReport } from '../core/report/reportParser';
import { ReportAuditor, ReportResult } from './reportAuditor';

const TYPING_PAUSE_MS = 300;

/** How much of a background tab's file is read to find its first line: a report header is about 400 bytes. */
const HEADER_BYTES = 16 * 1024;

export class ReportWatcher implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();
  private readonly pending = new Map<string, Promise<ReportResult | undefined>>();
  /** Background tabs being looked at (their header read, their document opened). */
  private readonly tabScans = new Set<Promise<void>>();
  /**
   * Reports kept evaluated without a tab (an organisation fetch's, shown together in the tree): VS Code unloading
   * their documents does not close them, until released.
   */
  private readonly kept = new Set<string>();
  private keptGeneration = 0;

  constructor(private readonly auditor: ReportAuditor) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.consider(document, 0)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length) this.consider(event.document, TYPING_PAUSE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        // VS Code unloads the document of a tab in the background (and the one opened below, after a few minutes);
        // the report is still open for the user, so its findings stay until the tab closes.
        if (!tabUris().has(document.uri.toString()) && !this.kept.has(document.uri.toString())) this.close(document.uri);
      }),
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        if (event.opened.length) this.scanTabs(event.opened);
        if (event.closed.length) this.closeTablessReports(event.closed);
      }),
    );
    // What is already open: documents, and tabs restored without one (only the active tab of a group is loaded).
    for (const document of vscode.workspace.textDocuments) this.consider(document, 0);
    this.scanTabs(vscode.window.tabGroups.all.flatMap((group) => group.tabs));
  }

  /** Whether a document is a credential report, judged by its first line (the header). */
  static isReport(document: vscode.TextDocument): boolean {
    if (document.lineCount === 0 || document.uri.scheme === 'output' || document.uri.scheme === 'vscode-settings') return false;
    return looksLikeCredentialReport(document.lineAt(0).text);
  }

  /**
   * Re-evaluates every open report now (settings, policies, suppressions or trust changed), including a report whose
   * background tab VS Code has unloaded the document of: that document is opened again.
   */
  async refreshAll(): Promise<void> {
    const documents = this.openReports();
    const loaded = new Set(vscode.workspace.textDocuments.map((document) => document.uri.toString()));
    const unloaded = this.auditor.all().filter((result) => !loaded.has(result.uri.toString()) && result.uri.scheme === 'file');
    const reopened = await Promise.all(unloaded.map((result) => vscode.workspace.openTextDocument(result.uri).then((document) => document, () => undefined)));
    const all = [...documents, ...reopened.filter((document): document is vscode.TextDocument => document !== undefined && ReportWatcher.isReport(document))];
    await Promise.all(all.map((document) => this.evaluate(document)));
  }

  /**
   * The report documents that are open for the user: shown in a tab, or evaluated since they were opened or edited
   * (a document opened without an editor). A document whose last tab closed is not, though VS Code keeps a document
   * an extension opened loaded for minutes.
   */
  openReports(): vscode.TextDocument[] {
    const tabs = tabUris();
    return vscode.workspace.textDocuments.filter((document) => {
      const key = document.uri.toString();
      return ReportWatcher.isReport(document) && (tabs.has(key) || this.auditor.get(document.uri) !== undefined || this.running.has(key) || this.timers.has(key));
    });
  }

  /**
   * Keeps these reports evaluated without a tab (see `kept`), in place of those kept before, which are released.
   * Returns the function that releases them.
   */
  keep(uris: readonly vscode.Uri[]): () => void {
    this.release();
    uris.forEach((uri) => this.kept.add(uri.toString()));
    // A later keep() (the same folder fetched again) is not released by this one's function.
    const generation = ++this.keptGeneration;
    return () => {
      if (generation === this.keptGeneration) this.release();
    };
  }

  /** Closes the kept reports that have no tab (their findings go), and stops keeping any. */
  release(): void {
    const tabs = tabUris();
    const released = [...this.kept];
    this.kept.clear();
    for (const key of released) {
      if (tabs.has(key)) continue;
      const result = this.auditor.all().find((candidate) => candidate.uri.toString() === key);
      if (result || this.running.has(key) || this.timers.has(key)) this.close(result?.uri ?? vscode.Uri.parse(key));
    }
  }

  /** Evaluates one document now, cancelling any run in flight for it. */
  evaluate(document: vscode.TextDocument): Promise<ReportResult | undefined> {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.abort();
    const controller = new AbortController();
    this.running.set(key, controller);
    const run = this.auditor.audit(document, controller.signal).finally(() => {
      if (this.running.get(key) === controller) this.running.delete(key);
      if (this.pending.get(key) === run) this.pending.delete(key);
    });
    this.pending.set(key, run);
    return run;
  }

  /** Resolves when no evaluation is scheduled or running (for tests and commands that need the fresh result). */
  async idle(): Promise<void> {
    while (this.timers.size || this.pending.size || this.tabScans.size) {
      await Promise.all([...this.pending.values(), ...this.tabScans]);
      if (this.timers.size) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Evaluates the report of every tab that has no result: a loaded document at once (shown again after its tab was
   * closed, it fires no open event); a file tab without a document is opened when its first line is a report header
   * (opening fires onDidOpenTextDocument, which evaluates it). Other files are never opened, only their first bytes read.
   */
  private scanTabs(tabs: readonly vscode.Tab[]): void {
    const loaded = new Map(vscode.workspace.textDocuments.map((document) => [document.uri.toString(), document]));
    for (const tab of tabs) {
      if (!(tab.input instanceof vscode.TabInputText)) continue;
      const uri = tab.input.uri;
      const key = uri.toString();
      const document = loaded.get(key);
      if (document) {
        if (!this.auditor.get(uri) && !this.pending.has(key) && !this.timers.has(key)) this.consider(document, 0);
        continue;
      }
      // Files only: an untitled tab's text lives in VS Code's backups, and opening its URI would create an empty one.
      if (uri.scheme !== 'file') continue;
      const scan = (async () => {
        if (!looksLikeCredentialReport(await firstLine(uri.fsPath))) return;
        // The tab may have closed while its file was read.
        if (tabUris().has(key)) await vscode.workspace.openTextDocument(uri);
      })()
        .catch(() => {
          // Unreadable or gone: clicking the tab shows VS Code's own error, and nothing is evaluated either way.
        })
        .finally(() => this.tabScans.delete(scan));
      this.tabScans.add(scan);
    }
  }

  /**
   * A report whose last tab closed is closed, whether or not its document is still loaded: VS Code keeps a document
   * an extension opened for minutes, and its findings would linger in the Problems view.
   */
  private closeTablessReports(closed: readonly vscode.Tab[]): void {
    const remaining = tabUris();
    for (const tab of closed) {
      if (!(tab.input instanceof vscode.TabInputText) || remaining.has(tab.input.uri.toString()) || this.kept.has(tab.input.uri.toString())) continue;
      const uri = tab.input.uri;
      if (this.auditor.get(uri) || this.running.has(uri.toString()) || this.timers.has(uri.toString())) this.close(uri);
    }
  }

  private consider(document: vscode.TextDocument, delayMs: number): void {
    const key = document.uri.toString();
    if (!ReportWatcher.isReport(document)) {
      // A document that stopped being a report (header deleted) loses its findings.
      if (this.auditor.get(document.uri)) {
        this.running.get(key)?.abort();
        this.auditor.forget(document.uri);
      }
      return;
    }
    clearTimeout(this.timers.get(key));
    if (delayMs === 0) {
      void this.evaluate(document);
      return;
    }
    // Stop the run in flight now: its answer would be stale before it arrives.
    this.running.get(key)?.abort();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.evaluate(document);
      }, delayMs),
    );
  }

  private close(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.running.get(key)?.abort();
    this.auditor.close(uri);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
    this.timers.forEach((timer) => clearTimeout(timer));
    this.running.forEach((controller) => controller.abort());
  }
}

/** The URIs shown in a text tab of any editor group. */
function tabUris(): Set<string> {
  const uris = new Set<string>();
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputText) uris.add(tab.input.uri.toString());
  }
  return uris;
}

/** The file's first line, from its first HEADER_BYTES bytes (a line cut there is not a report header anyway). */
async function firstLine(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  } finally {
    await file.close();
  }
}
