// Runs against the .vsix installed into code-server (npm run package, then the launcher's --vsix): what a user gets.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { waitFor } from '../waitFor';

const EXTENSION_ID = 'credcheck.credcheck';

function workspaceUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, ...segments);
}

const credcheckDiagnostics = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'credcheck');
const codeOf = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

describe('the installed .vsix', () => {
  it('is installed from the package, carries its compiler and policies, and no dev tree', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    const root = extension.extensionPath;
    assert.ok(!fs.existsSync(path.join(root, 'src')), 'the TypeScript sources were packaged');
    assert.ok(!fs.existsSync(path.join(root, 'node_modules')), 'node_modules were packaged');
    assert.ok(!fs.existsSync(path.join(root, 'test')), 'the tests were packaged');
    for (const file of ['dist/extension.js', 'dist/compiler/compiler.wasm', 'dist/compiler/wasm_exec.js', 'dist/policies/bundle.wasm', 'dist/policies/catalog.json', 'samples/sample-credential-report.csv', 'syntaxes/rego.tmLanguage.json', 'docs/checks/root-mfa.md']) {
      assert.ok(fs.existsSync(path.join(root, file)), `${file} is missing from the package`);
    }
    // The Rego sources of the checks (for "related information" links) and the example queries, without tests.
    const shipped = fs.readdirSync(path.join(root, 'policies'), { recursive: true, encoding: 'utf8' }).map((name) => name.split(path.sep).join('/'));
    for (const file of ['credcheck/checks/root_mfa/root_mfa.rego', 'credcheck/lib/lib.rego']) assert.ok(shipped.includes(file), `policies/${file} is missing from the package`);
    assert.deepStrictEqual(shipped.filter((name) => name.endsWith('_test.rego') || name.includes('testing')), []);
    assert.ok(fs.existsSync(path.join(root, 'queries', 'top10-08-users-without-mfa.rego')), 'the example queries are missing from the package');
  });

  it('"Run IAM credential checks" evaluates an open report and puts the findings on its cells', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceUri('sample-credential-report.csv'));
    await vscode.window.showTextDocument(document);
    const count = await vscode.commands.executeCommand<number>('credcheck.run');
    assert.ok(typeof count === 'number' && count > 0, `credcheck.run returned ${count}`);
    const diagnostics = await waitFor('diagnostics', () => credcheckDiagnostics(document.uri).length > 0 && credcheckDiagnostics(document.uri));
    assert.strictEqual(diagnostics.length, count);
    const mfa = diagnostics.find((d) => codeOf(d) === 'console-user-mfa');
    assert.ok(mfa, 'no console-user-mfa diagnostic');
    assert.strictEqual(document.getText(mfa.range), 'false');
    assert.strictEqual(mfa.severity, vscode.DiagnosticSeverity.Error);
  });

  it('compiles a workspace policy with the shipped compiler (no opa binary)', async () => {
    const policy = workspaceUri('policies', 'everyone.rego');
    await vscode.workspace.fs.writeFile(policy, new TextEncoder().encode(
      'package custom.everyone\n\ndeny contains result if {\n\tsome u in input.users\n\tnot u.is_root\n\tresult := {"msg": sprintf("saw %s", [u.user]), "user": u.user, "field": "user"}\n}\n',
    ));
    const document = await vscode.workspace.openTextDocument(workspaceUri('sample-credential-report.csv'));
    await vscode.window.showTextDocument(document);
    await waitFor('custom findings', () => credcheckDiagnostics(document.uri).some((d) => codeOf(d) === 'custom.everyone'));
    const users = document.getText().split('\n').filter((line) => line && !line.startsWith('user,') && !line.startsWith('<root_account>')).length;
    assert.strictEqual(credcheckDiagnostics(document.uri).filter((d) => codeOf(d) === 'custom.everyone').length, users);
  });
});
