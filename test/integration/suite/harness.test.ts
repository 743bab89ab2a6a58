// Smoke test of the harness itself: if this fails, no other integration result means anything.
// It proves the suite runs inside a real extension host, that the launcher opened the test workspace,
// that workspace trust is what the pass claims, and that screenshots round-trip to the launcher.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { requestScreenshot } from '../screenshots';

function workspaceFolder(): vscode.WorkspaceFolder {
  const folders = vscode.workspace.workspaceFolders ?? [];
  assert.strictEqual(folders.length, 1, `expected exactly one workspace folder, got ${folders.length}`);
  return folders[0];
}

describe('integration harness', () => {
  it('runs inside a VS Code extension host with the vscode API', async () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    // A built-in command answering proves the API is wired to a live workbench, not just importable.
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('workbench.action.closeAllEditors'), 'workbench commands are missing');
  });

  it('opens the test workspace with the sample credential report', async () => {
    const folder = workspaceFolder();
    const report = vscode.Uri.joinPath(folder.uri, 'sample-credential-report.csv');
    const stat = await vscode.workspace.fs.stat(report);
    assert.strictEqual(stat.type, vscode.FileType.File);
    const document = await vscode.workspace.openTextDocument(report);
    assert.match(document.lineAt(0).text, /^user,arn,user_creation_time,/i);
  });

  it('runs in a trusted workspace on the trusted pass', () => {
    assert.strictEqual(vscode.workspace.isTrusted, true);
  });

  it('saves a screenshot of the workbench through the launcher', async function () {
    const folder = workspaceFolder();
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'sample-credential-report.csv'));
    await vscode.window.showTextDocument(document);
    const screenshot = await requestScreenshot('harness-workbench');
    if (screenshot === undefined) {
      this.skip(); // the Electron launcher takes no screenshots
    }
    const header = fs.readFileSync(screenshot).subarray(0, 8);
    assert.deepStrictEqual([...header], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG file');
  });
});

describe('integration harness in an untrusted workspace @untrusted', () => {
  it('runs with workspace trust withheld', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    workspaceFolder();
    await requestScreenshot('harness-untrusted-workbench');
  });
});
