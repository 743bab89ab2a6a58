// What the web suites share: activation, paths in the workspace, a small assert (Node's `assert` is not in a browser),
// and screenshot requests to the launcher through files (the Node suites' screenshots.ts uses Node's fs).
import * as vscode from 'vscode';
import type { CredcheckApi } from '../../src/extension/main';
import { waitFor } from '../integration/waitFor';

export { waitFor };
export const EXTENSION_ID = 'credcheck.credcheck';

export async function activateExtension(): Promise<CredcheckApi> {
  const extension = vscode.extensions.getExtension<CredcheckApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded in this host`);
  return extension.activate();
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

class AssertionError extends Error {
  override name = 'AssertionError';
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

interface WebAssert {
  ok(value: unknown, message?: string): asserts value;
  strictEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
  deepStrictEqual(actual: unknown, expected: unknown, message?: string): void;
  match(actual: string, pattern: RegExp, message?: string): void;
}

export const assert: WebAssert = {
  ok(value: unknown, message?: string): asserts value {
    if (!value) throw new AssertionError(message ?? `expected a truthy value, got ${show(value)}`);
  },
  strictEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
    if (!Object.is(actual, expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  deepStrictEqual(actual: unknown, expected: unknown, message?: string): void {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new AssertionError(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  match(actual: string, pattern: RegExp, message?: string): void {
    if (!pattern.test(actual)) throw new AssertionError(`${message ? `${message}: ` : ''}${show(actual)} does not match ${pattern}`);
  },
};

let requestCount = 0;

/** Asks the launcher for a screenshot of the workbench (see runInCodeServer.mjs) and waits until it is saved. */
export async function requestScreenshot(name: string): Promise<string> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  const folder = vscode.Uri.joinPath(extension.extensionUri, '..', 'screenshot-requests');
  const id = `web-${Date.now()}-${++requestCount}`;
  const request = vscode.Uri.joinPath(folder, `${id}.request.json`);
  const answer = vscode.Uri.joinPath(folder, `${id}.done.json`);
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, `${id}.request.json.tmp`), new TextEncoder().encode(JSON.stringify({ name })));
  await vscode.workspace.fs.rename(vscode.Uri.joinPath(folder, `${id}.request.json.tmp`), request, { overwrite: true });
  const reply = await waitFor(`the launcher's answer to the screenshot request "${name}"`, async () => {
    try {
      return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(answer))) as { path?: string; error?: string };
    } catch {
      return undefined;
    }
  });
  if (reply.error || !reply.path) throw new Error(`screenshot "${name}" failed: ${reply.error ?? 'no path in the answer'}`);
  return reply.path;
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
  assert.ok(index >= 0, `no column ${column}`);
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

export async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export async function removeIfExists(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.workspace.fs.delete(uri, { recursive: true });
  } catch {
    // already gone
  }
}
