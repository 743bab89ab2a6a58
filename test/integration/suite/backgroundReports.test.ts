import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, closeAllEditors, codeOf, openWorkspaceReport, removeIfExists, reportDiagnostics, waitFor, workspaceUri } from './extensionHelpers';

/** The text tab showing `uri`, in any group. */
function tabOf(uri: vscode.Uri): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString());
}

describe('reports in background tabs', () => {
  const background = () => workspaceUri('background-credential-report.csv');
  const notAReport = () => workspaceUri('background-not-a-report.csv');
  afterEach(async () => {
    await closeAllEditors();
    await removeIfExists(background());
    await removeIfExists(notAReport());
  });

  // After a window reload VS Code restores every tab but loads only the active one's document; a tab opened in the
  // background is in the same state (a tab without a document). Its findings must come without clicking it.
  it('evaluates a report in a background tab without a click, as after a window reload', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    const foreground = await waitFor('diagnostics on the active report', () => reportDiagnostics(document.uri).length > 0 && reportDiagnostics(document.uri));
    const uri = background();
    await vscode.workspace.fs.writeFile(uri, Buffer.from(document.getText(), 'utf8'));

    // `background: true` opens the editor as an inactive tab: nothing shows it, so VS Code does not load its document.
    await vscode.commands.executeCommand('vscode.open', uri, { background: true, preserveFocus: true, preview: false });
    const tab = await waitFor('the background tab', () => tabOf(uri));
    assert.strictEqual(tab.isActive, false, 'the report tab was opened in the foreground');

    const diagnostics = await waitFor('diagnostics on the background report', () => reportDiagnostics(uri).length > 0 && reportDiagnostics(uri), {
      events: [vscode.languages.onDidChangeDiagnostics],
    });
    // Never clicked: the first report is still the active editor and the tab is still inactive.
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.toString(), document.uri.toString());
    assert.strictEqual(tabOf(uri)?.isActive, false);
    // The same text gives the same findings, on the same cells.
    const describe = (list: vscode.Diagnostic[]) => list.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}`).sort();
    assert.deepStrictEqual(describe(diagnostics), describe(foreground));
    assert.strictEqual(api.getResult(uri)?.findings.length, api.getResult(document.uri)?.findings.length);

    // Closing its tab closes the report (the document the extension opened stays loaded for minutes, the findings
    // do not); showing it again evaluates it again, though VS Code reports no new document.
    await vscode.window.tabGroups.close(tabOf(uri)!);
    await waitFor('findings gone with the tab', () => reportDiagnostics(uri).length === 0 && api.getResult(uri) === undefined, {
      events: [vscode.languages.onDidChangeDiagnostics],
    });
    // Running the checks counts the reports that are open, not the closed one's document VS Code still holds.
    const count = await vscode.commands.executeCommand<number>('credcheck.run');
    assert.strictEqual(count, api.getResult(document.uri)!.findings.filter((finding) => !finding.suppressed && finding.status !== 'skip').length);
    assert.strictEqual(api.getResult(uri), undefined, 'running the checks brought the closed report back');
    await vscode.window.showTextDocument(uri, { preview: false });
    await waitFor('diagnostics on the report shown again', () => reportDiagnostics(uri).length === foreground.length, { events: [vscode.languages.onDidChangeDiagnostics] });
  });

  it('leaves a background tab that is not a report unopened and unevaluated', async () => {
    const api = await activateExtension();
    await openWorkspaceReport();
    const uri = notAReport();
    await vscode.workspace.fs.writeFile(uri, Buffer.from('name,value\nalice,1\n', 'utf8'));
    await vscode.commands.executeCommand('vscode.open', uri, { background: true, preserveFocus: true, preview: false });
    await waitFor('the background tab', () => tabOf(uri));
    await api.whenIdle();
    assert.strictEqual(api.getResult(uri), undefined);
    assert.ok(!vscode.workspace.textDocuments.some((candidate) => candidate.uri.toString() === uri.toString()), 'a file that is not a report was opened');
  });
});
