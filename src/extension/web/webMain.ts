/**
 * The `browser` entry: the extension in VS Code for the Web (the web worker extension host), bundled by
 * scripts/build-web.mjs into dist/web/extension.js. It makes the extension's own files readable to the core (through
 * `workspace.fs`, the only file access here), then activates the same extension as the desktop entry, told it runs in
 * a browser. The Rego compiler's 40 MB of wasm is only listed: it is read when a workspace policy or a query needs it.
 */
import * as vscode from 'vscode';
import { listFile, preloadFile, setFileLoader, VIRTUAL_ROOT } from '../../web/files';
import { activate as activateExtension, CredcheckApi } from '../main';

export async function activate(context: vscode.ExtensionContext): Promise<CredcheckApi> {
  setFileLoader(async (relativePath) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, relativePath)));
  const queries = (await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(context.extensionUri, 'queries')).then(undefined, () => []))
    .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.rego'))
    .map(([name]) => `queries/${name}`);
  // What the core reads synchronously: the bundled checks, the compiler's capabilities, the example queries.
  await Promise.all(['package.json', 'dist/policies/catalog.json', 'dist/policies/bundle.wasm', 'dist/compiler/capabilities.json', ...queries].map((file) => preloadFile(file)));
  // Read when a worker starts. The web workers stand where the core looks for the Node ones (beside the bundle).
  listFile('dist/web/evaluationWorker.js', `${VIRTUAL_ROOT}/dist/evaluationWorker.js`);
  listFile('dist/web/compilerWorker.js', `${VIRTUAL_ROOT}/dist/compilerWorker.js`);
  for (const file of ['compiler.wasm', 'wasm_exec.js', 'policy-input.schema.json']) listFile(`dist/compiler/${file}`);
  return activateExtension(context, { web: true });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
