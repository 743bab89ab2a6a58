import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { requestScreenshot } from '../screenshots';
import { activateExtension, cellOf, closeAllEditors, openWorkspaceReport, removeIfExists, rowOf, waitFor, workspaceUri } from './extensionHelpers';

/** The users of the CSV whose `column` cell reads `value`, read from the document itself (not through the extension). */
function usersWhere(document: vscode.TextDocument, column: string, value: string): string[] {
  const users: string[] = [];
  for (let line = 1; line < document.lineCount; line++) {
    const name = document.lineAt(line).text.split(',')[0]!;
    if (name && cellOf(document, line, column).text === value) users.push(name);
  }
  return users;
}

function queryDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'credcheck-query');
}

async function replaceText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
}

describe('query editor', function () {
  // The scratch query documents are untitled and dirty: reverted first, so closing them asks nothing.
  afterEach(async () => {
    for (const document of vscode.workspace.textDocuments.filter((candidate) => candidate.isUntitled && candidate.languageId === 'rego')) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
  });

  it('answers a query on the open report as a table, updates it as the query is edited, exports and reveals rows', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));

    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.query', '[u.user | some u in input.users; u.mfa_active == false]');
    assert.ok(query, 'the command returned no query document');
    assert.strictEqual(query.languageId, 'rego');
    assert.ok(query.isUntitled, 'the query document is not a scratch document');

    const withoutMfa = usersWhere(report, 'mfa_active', 'false');
    assert.deepStrictEqual(withoutMfa, ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    const first = await waitFor('the first answer', async () => (await api.getQueryResult())?.table);
    assert.deepStrictEqual(first.columns, ['value']);
    assert.deepStrictEqual(first.rows, withoutMfa.map((user) => [user]));
    assert.match(api.queryHtml(), /<td>kelly_kapoor<\/td>/);
    assert.match(api.queryHtml(), /Content-Security-Policy" content="default-src 'none'/);

    // Editing the query re-runs it (debounced): a list of objects becomes one column per key, in the order written.
    await replaceText(query, '[{"user": u.user, "password_enabled": u.password_enabled} |\n  some u in input.users\n  u.mfa_active == false\n]');
    const edited = await waitFor('the answer to the edited query', async () => {
      const result = await api.getQueryResult();
      return result && result.queryVersion === query.version && result.table;
    });
    assert.deepStrictEqual(edited.columns, ['user', 'password_enabled']);
    assert.deepStrictEqual(
      edited.rows,
      withoutMfa.map((user) => [user, cellOf(report, rowOf(report, user), 'password_enabled').text === 'true']),
    );
    assert.strictEqual(queryDiagnostics(query.uri).length, 0);

    // The launcher waits for the workbench to paint before it takes the picture (screenshots.ts).
    const shot = await requestScreenshot('query-table');
    if (shot) assert.ok(fs.statSync(shot).size > 0);

    // Export writes what the CLI would (CSV through the same formatter), and a row reveals its user in the report.
    const csvTarget = workspaceUri('query-export.csv');
    const jsonTarget = workspaceUri('query-export.json');
    try {
      assert.ok(await api.exportQueryResult('csv', csvTarget));
      const csv = fs.readFileSync(csvTarget.fsPath, 'utf8');
      assert.strictEqual(csv.split('\r\n')[0], 'user,password_enabled');
      assert.strictEqual(csv.split('\r\n').filter((line) => line !== '').length, withoutMfa.length + 1);
      assert.ok(await api.exportQueryResult('json', jsonTarget));
      const json = JSON.parse(fs.readFileSync(jsonTarget.fsPath, 'utf8')) as { user: string }[];
      assert.deepStrictEqual(json.map((record) => record.user), withoutMfa);
    } finally {
      await removeIfExists(csvTarget);
      await removeIfExists(jsonTarget);
    }
    const kelly = withoutMfa.indexOf('kelly_kapoor');
    const line = await api.revealQueryRow(kelly);
    assert.strictEqual(line, rowOf(report, 'kelly_kapoor'));
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.uri.toString(), report.uri.toString());
    assert.strictEqual(editor.selection.start.line, line);
  });

  it('puts a syntax error of the query on its line as a diagnostic and in the panel', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));
    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.query', '[u.user |\n  some u in input.users\n  u.mfa_active >> 1\n]');
    const diagnostics = await waitFor('a query diagnostic', () => queryDiagnostics(query.uri).length > 0 && queryDiagnostics(query.uri));
    // `>>` on line 3: the parser stops at the second `>` (column 17, 1-based).
    assert.ok(diagnostics.every((diagnostic) => diagnostic.range.start.line === 2), JSON.stringify(diagnostics.map((diagnostic) => diagnostic.range.start)));
    assert.strictEqual(diagnostics[0]!.range.start.character, 16);
    assert.strictEqual(diagnostics[0]!.severity, vscode.DiagnosticSeverity.Error);
    const result = await api.getQueryResult();
    assert.ok(result && result.errors.length > 0 && result.table === undefined);
    assert.match(api.queryHtml(), /Query error/);

    // Fixing the query clears the diagnostic.
    await replaceText(query, '[u.user |\n  some u in input.users\n  u.mfa_active == true\n]');
    await waitFor('the diagnostic cleared', () => queryDiagnostics(query.uri).length === 0);
    const fixed = await api.getQueryResult();
    assert.deepStrictEqual(fixed?.table?.rows, usersWhere(report, 'mfa_active', 'true').map((user) => [user]));
  });

  it('runs a shipped example chosen by name', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));
    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.runExampleQuery', 'top10-08-users-without-mfa');
    assert.ok(query, 'no query document');
    assert.match(query.getText(), /^package /m);
    const result = await waitFor('the example answer', async () => (await api.getQueryResult())?.table);
    assert.ok(result.rows.length > 0, 'the example answered nothing on the sample');
    assert.strictEqual(queryDiagnostics(query.uri).length, 0);
  });

  it('answers a body as opa eval does, stops a runaway query at the time limit, and stops a running query when it is edited', async () => {
    const api = await activateExtension();
    const { document: report } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(report.uri));
    // 1.6 billion comparisons that allocate nothing (a third nested loop would exhaust the wasm memory first): only the
    // time limit (5 s, as policies) ends it.
    const runaway = 'r := numbers.range(1, 40000)\nsome i in r; some j in r\ni > j; j > i';
    const query = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.query', runaway);
    const stopped = await waitFor('the time limit', async () => {
      const result = await api.getQueryResult();
      return result && result.queryVersion === query.version && result.errors.length > 0 && result;
    });
    assert.strictEqual(stopped.errors[0]!.code, 'eval_timeout');
    assert.match(stopped.errors[0]!.message, /the query was stopped by the time limit \(5 s\)$/);
    assert.strictEqual(queryDiagnostics(query.uri)[0]?.range.start.line, 0);
    assert.match(api.queryHtml(), /Query error/);
    const workers = stopped.workersStarted!;

    // The same runaway again: once it is evaluating, an edit terminates its worker and the edited query answers.
    await replaceText(query, `${runaway}\n# again`);
    await waitFor('the runaway evaluating', () => api.queryHtml().includes('evaluating…'));
    await replaceText(query, 'some u in input.users; u.mfa_active == false; user := u.user');
    const answered = await waitFor('the edited query answered', async () => {
      const result = await api.getQueryResult();
      return result && result.queryVersion === query.version && result.table && result;
    });
    assert.deepStrictEqual(answered.errors, []);
    assert.deepStrictEqual(answered.table!.columns, ['u', 'user']);
    assert.deepStrictEqual(answered.table!.rows.map((row) => row[1]), usersWhere(report, 'mfa_active', 'false'));
    // One worker for the stopped runaway, one for the edited query: the runaway's was terminated, not left to run.
    assert.strictEqual(answered.workersStarted, workers + 2);
  });
});
