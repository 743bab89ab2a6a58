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

  it('a broken policy shows its compile error once, at its line, closed or open in an editor', async () => {
    const api = await activateExtension();
    await write(file(), policy(30).replace('u.access_key_1_active == true', 'u.access_key_1_active == == true'));
    const brokenLine = policy(30).split('\n').findIndex((line) => line.includes('u.access_key_1_active == true'));
    const errorsOn = () => vscode.languages.getDiagnostics(file()).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    // Saved broken: one compile error at its line (from the policy watcher while the file is not open in an editor,
    // from the check while typing when it is: never both).
    const saved = await waitFor('one compile error on the saved file', () => {
      const found = errorsOn();
      return found.length === 1 && found;
    });
    assert.strictEqual(saved[0]!.range.start.line, brokenLine, `error at line ${saved[0]!.range.start.line + 1}: ${saved[0]!.message}`);

    // Open: the check while typing owns it; the same error is not shown a second time by the policy watcher.
    const document = await vscode.workspace.openTextDocument(file());
    await vscode.window.showTextDocument(document);
    assert.strictEqual(document.languageId, 'rego');
    const open = await waitFor('exactly one compile error, from the check while typing', () => {
      const found = errorsOn();
      return found.length === 1 && found[0]!.source === 'credcheck-rego' && found;
    });
    assert.strictEqual(open[0]!.range.start.line, brokenLine, `error at line ${open[0]!.range.start.line + 1}: ${open[0]!.message}`);
    assert.deepStrictEqual(api.policyDiagnostics(file()).map((d) => d.message), [], 'the policy watcher leaves an open file\'s compile errors to the check while typing');

    // Fixing it in the editor (unsaved) clears the error: feedback while typing, and no error of the saved text lingers.
    const editor = vscode.window.activeTextEditor!;
    const line = document.lineAt(brokenLine);
    await editor.edit((edit) => edit.replace(line.range, '\tu.access_key_1_active == true'));
    await waitFor('every error to clear', () => errorsOn().length === 0);
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
    // The compile error is on the broken file, once (the check while typing owns an open file's compile errors).
    await waitFor('one compile error on old_keys.rego', () => {
      const errors = vscode.languages.getDiagnostics(file()).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      return errors.length === 1 && errors[0]!.source === 'credcheck-rego';
    });

    // Valid again: current findings, nothing stale.
    await editor.edit((edit) => edit.replace(policyDocument.lineAt(brokenLine.lineNumber).range, '\tu.access_key_1_active == true'));
    await waitFor('current findings again', () => {
      const found = findingsOf('custom-old-keys');
      return found.length > 0 && found.every((finding) => !finding.stale);
    });
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
