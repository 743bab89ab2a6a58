import * as assert from 'assert';
import { createServer, Server } from 'http';
import * as vscode from 'vscode';
import type { FetchOrganizationResult } from '../../../src/extension/commands/fetchOrganization';
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
    await removeIfExists(workspaceUri('.credcheck'));
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

  it('neither applies nor writes the workspace suppressions file, and says why @untrusted', async () => {
    const api = await activateExtension();
    // A repository's file that would hide every console-user-mfa finding.
    await vscode.workspace.fs.writeFile(workspaceUri('.credcheck', 'suppressions.yaml'), new TextEncoder().encode('suppressions:\n  - check: console-user-mfa\n    user: "*"\n    reason: hide it\n'));
    const { document } = await openWorkspaceReport();
    // The report may still be open from an earlier test, evaluated before the file existed: evaluate it now.
    await vscode.commands.executeCommand('credcheck.run');
    await api.whenIdle();
    const result = api.getResult(document.uri)!;
    const messages = result.run.settingsProblems.map((problem) => problem.message);
    assert.ok(messages.some((message) => /suppressions\.yaml is not applied: this workspace is not trusted/.test(message)), `settings problems: ${JSON.stringify(messages)}, suppressed: ${result.findings.filter((f) => f.suppressed).length}`);
    assert.ok(result.findings.some((finding) => finding.check === 'console-user-mfa'));
    assert.ok(!result.findings.some((finding) => finding.suppressed), 'a suppression from an untrusted workspace was applied');

    const written = await vscode.commands.executeCommand('credcheck.suppressFinding', { uri: document.uri.toString(), check: 'user-mfa', user: 'ryan_howard', key: null }, { reason: 'r', expires: null });
    assert.strictEqual(written, undefined);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceUri('.credcheck', 'suppressions.yaml')));
    assert.ok(!text.includes('ryan_howard'), 'the suppress command wrote in an untrusted workspace');
  });

  it('fetches an organization without the endpoint the workspace set @untrusted', async () => {
    const api = await activateExtension();
    // An endpoint that only counts what reaches it: in an untrusted workspace nothing may. (VS Code itself already
    // hides a restricted setting's workspace value from getConfiguration; the extension's Config filters it too. This
    // test guards the end result: whatever the command reads, no request goes where the workspace says.)
    let requests = 0;
    const server: Server = createServer((request, response) => {
      requests++;
      request.resume();
      response.statusCode = 500;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, region: process.env.AWS_REGION };
    // Credentials the SDK would send with (to the workspace's endpoint, were it used).
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAUNTRUSTEDTEST000', AWS_SECRET_ACCESS_KEY: 'untrusted-test-secret', AWS_REGION: 'us-east-1' });
    try {
      await vscode.workspace.fs.writeFile(workspaceUri('.vscode', 'settings.json'), new TextEncoder().encode(JSON.stringify({ 'credcheck.fetch.endpointUrl': `http://127.0.0.1:${port}` })));
      await waitFor('the workspace endpoint to be refused', () => api.settingsProblems().some((problem) => problem.setting === 'credcheck.fetch.endpointUrl'));
      const result = await vscode.commands.executeCommand<FetchOrganizationResult>('credcheck.fetchOrganization', {
        folder: workspaceUri('org-untrusted'), roleName: 'OrganizationAccountAccessRole', externalId: '', accounts: [], profile: '',
      });
      assert.ok(result, 'the command returned nothing');
      assert.deepStrictEqual(result.written, []);
      assert.strictEqual(requests, 0, 'the organisation fetch called the endpoint an untrusted workspace set');
      assert.ok(!result.message.includes('untrusted-test-secret'), result.message);
    } finally {
      server.close();
      for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['AWS_REGION', saved.region]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await removeIfExists(workspaceUri('.vscode'));
      await removeIfExists(workspaceUri('org-untrusted'));
    }
  });
});
