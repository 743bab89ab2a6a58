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
    const table = await waitFor('the answer', async () => {
      const result = await api.getQueryResult();
      // Thrown while waiting: a failure then names what the query answered instead.
      if (result && !result.table) throw new Error(`query errors: ${JSON.stringify(result.errors)}`);
      return result?.table;
    });
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

  it('stops a runaway query at the time limit, and an edit stops a running query and answers the new one', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));
    // 1.6 billion comparisons that allocate nothing: only the time limit (5 s, as policies) ends it.
    const runaway = 'r := numbers.range(1, 40000)\nsome i in r; some j in r\ni > j; j > i';
    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.query', runaway);
    const stopped = await waitFor('the time limit', async () => {
      const result = await api.getQueryResult();
      return result && result.queryVersion === query.version && result.errors.length > 0 && result;
    });
    assert.strictEqual(stopped.errors[0]!.code, 'eval_timeout');
    assert.match(stopped.errors[0]!.message, /the query was stopped by the time limit \(5 s\)$/);
    const workers = stopped.workersStarted!;

    await replaceText(query, `${runaway}\n# again`);
    await waitFor('the runaway evaluating', () => api.queryHtml().includes('evaluating…'));
    await replaceText(query, 'some u in input.users; u.mfa_active == false; user := u.user');
    const answered = await waitFor('the edited query answered', async () => {
      const result = await api.getQueryResult();
      return result && result.queryVersion === query.version && result.table && result;
    });
    assert.deepStrictEqual(answered.errors, []);
    assert.deepStrictEqual(answered.table!.columns, ['u', 'user']);
    // One Web Worker for the stopped runaway, one for the edited query: the runaway's was terminated, not left to run.
    assert.strictEqual(answered.workersStarted, workers + 2);
  });
  it('runs a shipped example query, read from the extension\'s files', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));
    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.runExampleQuery', 'top10-08-users-without-mfa');
    assert.ok(query, 'the example was not found');
    assert.match(query.getText(), /package credcheck\.queries/);
    const table = await waitFor('the example answered', async () => (await api.getQueryResult())?.table);
    assert.ok(table.rows.length > 0, 'the example answered no rows');
  });
});

async function replaceText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
}
