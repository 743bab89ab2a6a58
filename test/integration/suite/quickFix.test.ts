import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { parseSuppressions } from '../../../src/core/run/suppressions';
import { activateExtension, closeAllEditors, codeOf, openWorkspaceReport, removeIfExists, reportDiagnostics, rowOf, waitFor, workspaceUri } from './extensionHelpers';

describe('quick fixes', () => {
  const suppressionsFile = () => workspaceUri('.credcheck', 'suppressions.yaml');
  afterEach(async () => {
    await removeIfExists(workspaceUri('.credcheck'));
    await closeAllEditors();
  });

  it('offers suppress and documentation fixes; suppressing writes the file and clears the diagnostic', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    const ryan = rowOf(document, 'ryan_howard');
    const target = await waitFor('console-user-mfa diagnostic on ryan_howard', () =>
      reportDiagnostics(document.uri).find((diagnostic) => codeOf(diagnostic) === 'console-user-mfa' && diagnostic.range.start.line === ryan),
    );
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, target.range, vscode.CodeActionKind.QuickFix.value);
    const suppress = actions.find((action) => action.title.startsWith('Suppress console-user-mfa for ryan_howard'));
    const docs = actions.find((action) => action.title === 'Open documentation for console-user-mfa');
    assert.ok(suppress?.command, `no suppress action among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(docs?.command, 'no documentation action');

    // The command asks for a reason and an expiry; the test answers through its extra argument.
    await vscode.commands.executeCommand(suppress.command.command, ...(suppress.command.arguments ?? []), { reason: 'shared kiosk account, SEC-42', expires: '2099-12-31' });
    const written = parseSuppressions(fs.readFileSync(suppressionsFile().fsPath, 'utf8'), 'suppressions.yaml');
    assert.deepStrictEqual(written.map((s) => [s.check, s.user, s.key, s.reason, s.expires]), [['console-user-mfa', 'ryan_howard', null, 'shared kiosk account, SEC-42', '2099-12-31']]);
    await waitFor('the diagnostic to clear', () => !reportDiagnostics(document.uri).some((diagnostic) => codeOf(diagnostic) === 'console-user-mfa' && diagnostic.range.start.line === ryan));
    const suppressed = api.getResult(document.uri)!.findings.find((finding) => finding.check === 'console-user-mfa' && finding.user === 'ryan_howard');
    assert.deepStrictEqual(suppressed?.suppressed, { reason: 'shared kiosk account, SEC-42', expires: '2099-12-31' });
    // Still in the tree, shown as suppressed and not counted.
    const node = api.findTreeNode('console-user-mfa', 'ryan_howard');
    assert.ok(node && node.kind === 'finding' && node.item.finding.suppressed);
    // Other users' findings of the same check remain.
    assert.ok(reportDiagnostics(document.uri).some((diagnostic) => codeOf(diagnostic) === 'console-user-mfa'));

    const opened = await vscode.commands.executeCommand<vscode.Uri>(docs.command.command, ...(docs.command.arguments ?? []));
    assert.ok(opened && fs.existsSync(opened.fsPath));
  });
});
