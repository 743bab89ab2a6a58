/** "New custom policy": a policy and its test from the template, in the first policy folder. */
import * as vscode from 'vscode';
import { policyTemplate, policyTestTemplate } from '../policyTemplate';
import type { Command, Services } from './services';

const POLICY_NAME = /^[a-z][a-z0-9_]*$/;

export function newPolicy({ config }: Pick<Services, 'config'>): Command {
  return async (name?: string): Promise<vscode.Uri | undefined> => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showWarningMessage('Open a folder first: custom policies live in the workspace.');
      return undefined;
    }
    const chosen =
      name ??
      (await vscode.window.showInputBox({
        title: 'New custom policy',
        prompt: 'A name for the check (letters, digits and underscores)',
        value: 'unused_access_keys',
        validateInput: (value) => (POLICY_NAME.test(value) ? undefined : 'Use lower-case letters, digits and underscores, starting with a letter'),
      }));
    if (!chosen || !POLICY_NAME.test(chosen)) return undefined;
    const policyFolder = vscode.Uri.joinPath(folder.uri, config.settings.policyFolders[0] ?? 'policies');
    const policy = vscode.Uri.joinPath(policyFolder, `${chosen}.rego`);
    const test = vscode.Uri.joinPath(policyFolder, `${chosen}_test.rego`);
    if (await exists(policy)) {
      void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(policy)} already exists.`);
      return undefined;
    }
    await vscode.workspace.fs.createDirectory(policyFolder);
    await vscode.workspace.fs.writeFile(policy, new TextEncoder().encode(policyTemplate(chosen)));
    if (!(await exists(test))) await vscode.workspace.fs.writeFile(test, new TextEncoder().encode(policyTestTemplate(chosen)));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(policy), { preview: false });
    return policy;
  };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
