/**
 * The `browser` entry: the extension in VS Code for the Web (the web worker extension host), bundled by
 * scripts/build.mjs into dist/web/extension.js.
 */
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): object {
  return {};
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
