// A query on the open report, compiled and evaluated in the browser.
import * as vscode from 'vscode';
import { activateExtension, assert, closeAllEditors, openWorkspaceReport, waitFor } from '../webHelpers';

describe('web: queries', () => {
  afterEach(async () => {
    for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.isUntitled && candidate.languageId === 'rego')) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
  });

  it('answers a query on the open report as a table', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));
    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.query', '[u.user | some u in input.users; u.mfa_active == false]');
    assert.ok(query, 'the command returned no query document');
    const table = await waitFor('the answer', async () => (await api.getQueryResult())?.table);
    assert.deepStrictEqual(table.columns, ['value']);
    // Read from the CSV itself: the users whose mfa_active cell is false.
    const header = report.lineAt(0).text.split(',');
    const withoutMfa = [];
    for (let line = 1; line < report.lineCount; line++) {
      const cells = report.lineAt(line).text.split(',');
      if (cells[header.indexOf('mfa_active')] === 'false') withoutMfa.push(cells[0]);
    }
    assert.ok(withoutMfa.length > 0);
    assert.deepStrictEqual(table.rows, withoutMfa.map((user) => [user]));
    assert.match(api.queryHtml(), /<td>kelly_kapoor<\/td>/);
  });
});
