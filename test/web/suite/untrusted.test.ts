// Workspace trust in the browser, as on the desktop: bundled checks only, no workspace policy, no compiler.
import * as vscode from 'vscode';
import { activateExtension, assert, closeAllEditors, openWorkspaceReport, removeIfExists, reportDiagnostics, waitFor, workspaceUri, writeText } from '../webHelpers';

describe('web: untrusted workspace @untrusted', () => {
  afterEach(async () => {
    await removeIfExists(workspaceUri('policies'));
    await closeAllEditors();
  });

  it('runs the bundled checks but ignores workspace policies, without loading the compiler @untrusted', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'the workspace is trusted');
    const api = await activateExtension();
    await writeText(workspaceUri('policies', 'everyone.rego'), 'package custom.everyone\n\ndeny contains result if {\n\tsome u in input.users\n\tresult := {"msg": "seen", "user": u.user}\n}\n');
    const { document } = await openWorkspaceReport();
    await waitFor('bundled diagnostics', () => reportDiagnostics(document.uri).length > 0);
    await api.whenIdle();
    const result = api.getResult(document.uri)!;
    assert.strictEqual(result.usedWorkspacePolicies, false);
    assert.ok(result.findings.some((finding) => finding.check === 'console-user-mfa'), 'the bundled checks did not run');
    assert.ok(!result.findings.some((finding) => /everyone/.test(finding.check)), 'a workspace policy ran in an untrusted workspace');
    assert.strictEqual(api.compilerLoaded(), false, 'the Rego compiler was loaded for an untrusted workspace');
    assert.match(api.statusBarText(), /workspace-untrusted/);
  });
});
