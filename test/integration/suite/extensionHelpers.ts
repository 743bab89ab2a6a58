// Shared by the extension's integration suites, the Node ones and the web ones (test/web/webHelpers.ts re-exports it):
// activation, waiting, and reading cells of the report under test. It imports nothing from Node (no `assert`), so it
// also bundles for the browser.
import * as vscode from 'vscode';
import type { CredcheckApi } from '../../../src/extension/main';

export { waitFor } from '../waitFor';

export const EXTENSION_ID = 'credcheck.credcheck';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export async function activateExtension(): Promise<CredcheckApi> {
  const extension = vscode.extensions.getExtension<CredcheckApi>(EXTENSION_ID);
  check(extension, `extension ${EXTENSION_ID} is not installed in this host`);
  return extension.activate();
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  check(folder, 'no workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export function reportDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'credcheck');
}

export function codeOf(diagnostic: vscode.Diagnostic): string {
  return typeof diagnostic.code === 'object' ? String(diagnostic.code.value) : String(diagnostic.code);
}

/** The cell text of one column in one line of a CSV document, and its range, computed independently of the extension. */
export function cellOf(document: vscode.TextDocument, line: number, column: string): { text: string; range: vscode.Range } {
  const header = document.lineAt(0).text.split(',');
  const index = header.indexOf(column);
  check(index >= 0, `no column ${column}`);
  const cells = document.lineAt(line).text.split(',');
  const start = cells.slice(0, index).reduce((sum, cell) => sum + cell.length + 1, 0);
  return { text: cells[index]!, range: new vscode.Range(line, start, line, start + cells[index]!.length) };
}

/** The 0-based line of a user's row. */
export function rowOf(document: vscode.TextDocument, user: string): number {
  for (let line = 1; line < document.lineCount; line++) if (document.lineAt(line).text.startsWith(`${user},`)) return line;
  throw new Error(`no row for ${user}`);
}

export async function openWorkspaceReport(): Promise<{ document: vscode.TextDocument; editor: vscode.TextEditor }> {
  const document = await vscode.workspace.openTextDocument(workspaceUri('sample-credential-report.csv'));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  return { document, editor };
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export async function removeIfExists(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.workspace.fs.delete(uri, { recursive: true });
  } catch {
    // already gone
  }
}
