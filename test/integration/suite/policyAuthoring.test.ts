import * as assert from 'assert';
import * as vscode from 'vscode';
import { findingDescription } from '../../../src/extension/logic/staleFindings';
import { activateExtension, cellOf, closeAllEditors, codeOf, openWorkspaceReport, removeIfExists, reportDiagnostics, rowOf, waitFor, workspaceUri } from './extensionHelpers';

const policy = (days: number) => `# METADATA
# title: Keys older than ${days} days
# custom:
#   id: custom-old-keys
#   severity: high
package custom.old_keys

deny contains result if {
	some u in input.users
	u.access_key_1_active == true
	u.access_key_1_last_rotated_days > ${days}
	result := {"msg": sprintf("key 1 of %s is older than ${days} days", [u.user]), "user": u.user, "field": "access_key_1_last_rotated"}
}
`;

async function write(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

describe('live policy authoring', () => {
  const file = () => workspaceUri('policies', 'old_keys.rego');
  afterEach(async () => {
    await removeIfExists(workspaceUri('policies'));
    await closeAllEditors();
    const api = await activateExtension();
    await api.whenIdle();
  });

  it('a workspace policy edited on disk changes the findings of the open report', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('bundled findings', () => reportDiagnostics(document.uri).length > 0);
    await write(file(), policy(100000));
    // Nobody's key is 100000 days old: the policy compiles and adds nothing.
    await waitFor('the policy to be evaluated', () => api.getResult(document.uri)?.usedWorkspacePolicies);
    assert.ok(!api.getResult(document.uri)!.findings.some((finding) => finding.check === 'custom-old-keys'));

    await write(file(), policy(30));
    const custom = await waitFor('custom findings after the edit', () => {
      const found = api.getResult(document.uri)?.findings.filter((finding) => finding.check === 'custom-old-keys');
      return found && found.length > 0 && found;
    });
    const darryl = custom.find((finding) => finding.user === 'darryl_philbin');
    assert.ok(darryl, 'darryl_philbin has an active key from 2021');
    const diagnostic = await waitFor('a custom diagnostic', () => reportDiagnostics(document.uri).find((d) => codeOf(d) === 'custom-old-keys' && d.range.start.line === rowOf(document, 'darryl_philbin')));
    assert.ok(diagnostic.range.isEqual(cellOf(document, rowOf(document, 'darryl_philbin'), 'access_key_1_last_rotated').range));
    assert.strictEqual(diagnostic.severity, vscode.DiagnosticSeverity.Error, 'METADATA severity high maps to Error');
    // The related information points at the workspace rule.
    assert.match(diagnostic.relatedInformation?.[0]?.location.uri.path ?? '', /policies\/old_keys\.rego$/);
    // Bundled findings are still there.
    assert.ok(reportDiagnostics(document.uri).some((d) => codeOf(d) === 'console-user-mfa'));
  });

  it('a broken policy shows a diagnostic at its line in the .rego file', async () => {
    const api = await activateExtension();
    await write(file(), policy(30).replace('u.access_key_1_active == true', 'u.access_key_1_active == == true'));
    const brokenLine = policy(30).split('\n').findIndex((line) => line.includes('u.access_key_1_active == true'));
    const document = await vscode.workspace.openTextDocument(file());
    await vscode.window.showTextDocument(document);
    const diagnostics = await waitFor('a compile error', () => {
      const found = vscode.languages.getDiagnostics(file()).filter((d) => d.source === 'credcheck-policy');
      return found.length > 0 && found;
    });
    assert.strictEqual(diagnostics[0]!.range.start.line, brokenLine, `error at line ${diagnostics[0]!.range.start.line + 1}: ${diagnostics[0]!.message}`);
    assert.strictEqual(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(api.policyDiagnostics(file()).length > 0);
    assert.strictEqual(document.languageId, 'rego');

    // Fixing it in the editor (unsaved) clears the error: feedback while typing.
    const editor = vscode.window.activeTextEditor!;
    const line = document.lineAt(brokenLine);
    await editor.edit((edit) => edit.replace(line.range, '\tu.access_key_1_active == true'));
    await waitFor('the error to clear', () => vscode.languages.getDiagnostics(file()).filter((d) => d.source === 'credcheck-policy').length === 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a broken policy leaves another policy\'s findings in place; stale findings while invalid', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    const other = workspaceUri('policies', 'no_console_mfa.rego');
    await write(
      other,
      '# METADATA\n# custom:\n#   id: custom-no-console-mfa\n#   severity: medium\npackage custom.no_console_mfa\n\n' +
        'warn contains {"msg": sprintf("%s has no MFA", [u.user]), "user": u.user, "field": "mfa_active"} if {\n' +
        '\tsome u in input.users\n\tu.mfa_active == false\n}\n',
    );
    await write(file(), policy(30));
    const findingsOf = (check: string) => api.getResult(document.uri)?.findings.filter((finding) => finding.check === check) ?? [];
    await waitFor('findings of both policies', () => findingsOf('custom-old-keys').length > 0 && findingsOf('custom-no-console-mfa').length > 0);
    const otherCount = findingsOf('custom-no-console-mfa').length;

    // Half-typed in the editor (unsaved): old_keys.rego does not compile.
    const policyDocument = await vscode.workspace.openTextDocument(file());
    const editor = await vscode.window.showTextDocument(policyDocument);
    const brokenLine = policyDocument.lineAt(policy(30).split('\n').findIndex((line) => line.includes('u.access_key_1_active == true')));
    await editor.edit((edit) => edit.replace(brokenLine.range, '\tu.access_key_1_active == == true'));
    const stale = await waitFor('the old_keys findings to be kept, marked stale', () => {
      const found = findingsOf('custom-old-keys');
      return found.length > 0 && found.every((finding) => finding.stale) && found;
    });
    // The other policy is evaluated as before, current.
    assert.strictEqual(findingsOf('custom-no-console-mfa').length, otherCount);
    assert.ok(findingsOf('custom-no-console-mfa').every((finding) => !finding.stale));
    const darryl = stale.find((finding) => finding.user === 'darryl_philbin');
    assert.ok(darryl, 'the last good findings are the ones before the edit');
    const diagnostic = await waitFor('a stale diagnostic', () =>
      reportDiagnostics(document.uri).find((d) => codeOf(d) === 'custom-old-keys' && d.range.start.line === rowOf(document, 'darryl_philbin') && d.message.includes('(stale:')),
    );
    assert.match(diagnostic.message, /\(stale: \S*policies\/old_keys\.rego does not compile\)$/);
    const node = await waitFor('the stale finding in the tree', () => {
      const found = api.findTreeNode('custom-old-keys', 'darryl_philbin');
      return found?.kind === 'finding' && found.item.finding.stale && found;
    });
    assert.ok(node.kind === 'finding' && findingDescription(node.item.finding).startsWith('stale'));
    // The compile error is on the broken file.
    await waitFor('the compile error on old_keys.rego', () => vscode.languages.getDiagnostics(file()).some((d) => d.source === 'credcheck-policy'));

    // Valid again: current findings, nothing stale.
    await editor.edit((edit) => edit.replace(policyDocument.lineAt(brokenLine.lineNumber).range, '\tu.access_key_1_active == true'));
    await waitFor('current findings again', () => {
      const found = findingsOf('custom-old-keys');
      return found.length > 0 && found.every((finding) => !finding.stale);
    });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
