// What the web suites share: activation, paths in the workspace, a small assert (Node's `assert` is not in a browser),
// and screenshot requests to the launcher through files (the Node suites' screenshots.ts uses Node's fs).
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from '../integration/suite/extensionHelpers';

// Activation, workspace paths and report cells: the Node suites' helpers, which bundle for the browser as they are.
export {
  activateExtension,
  cellOf,
  closeAllEditors,
  codeOf,
  EXTENSION_ID,
  openWorkspaceReport,
  removeIfExists,
  reportDiagnostics,
  rowOf,
  waitFor,
  workspaceUri,
} from '../integration/suite/extensionHelpers';

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

export async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}
