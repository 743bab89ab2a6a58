import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, closeAllEditors, openWorkspaceReport, removeIfExists, reportDiagnostics, waitFor, workspaceUri } from './extensionHelpers';

const POLICY = `package custom.everyone

deny contains result if {
	some u in input.users
	result := {"msg": sprintf("workspace policy saw %s", [u.user]), "user": u.user}
}
`;

describe('untrusted workspace @untrusted', () => {
  afterEach(async () => {
    await removeIfExists(workspaceUri('policies'));
    await closeAllEditors();
  });

  it('runs the bundled checks but ignores workspace policies @untrusted', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const api = await activateExtension();
    await vscode.workspace.fs.writeFile(workspaceUri('policies', 'everyone.rego'), new TextEncoder().encode(POLICY));
    const { document } = await openWorkspaceReport();
    await waitFor('bundled diagnostics', () => reportDiagnostics(document.uri).length > 0);
    await api.whenIdle();
    const result = api.getResult(document.uri)!;
    assert.strictEqual(result.usedWorkspacePolicies, false);
    assert.ok(!result.findings.some((finding) => finding.check === 'custom.everyone'), 'a workspace policy ran in an untrusted workspace');
    assert.ok(result.findings.some((finding) => finding.check === 'console-user-mfa'), 'the bundled checks did not run');
    assert.strictEqual(api.compilerLoaded(), false, 'the Rego compiler was loaded for an untrusted workspace');
    assert.match(api.statusBarText(), /workspace-untrusted/);
  });

  it('does not compile a workspace policy opened in the editor @untrusted', async () => {
    const api = await activateExtension();
    await vscode.workspace.fs.writeFile(workspaceUri('policies', 'broken.rego'), new TextEncoder().encode('package broken\n\ndeny contains x if {\n\t== ==\n}\n'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceUri('policies', 'broken.rego')));
    // The open event reaches the extension before openTextDocument resolves; a compilation it scheduled is what
    // whenIdle() waits for, so no pause is needed to give a wrong compilation its chance.
    await api.whenIdle();
    assert.deepStrictEqual(vscode.languages.getDiagnostics(workspaceUri('policies', 'broken.rego')).filter((d) => d.source === 'credcheck-policy'), []);
    assert.strictEqual(api.compilerLoaded(), false);
  });
});
