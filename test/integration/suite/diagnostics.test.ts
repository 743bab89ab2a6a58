import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { activateExtension, cellOf, closeAllEditors, codeOf, openWorkspaceReport, reportDiagnostics, rowOf, waitFor } from './extensionHelpers';

describe('diagnostics on the report', () => {
  afterEach(closeAllEditors);

  it('puts each finding on the exact cell of its column, with the check id as code and the mapped severity', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    const diagnostics = await waitFor('diagnostics on the sample', () => reportDiagnostics(document.uri).length > 0 && reportDiagnostics(document.uri));
    const result = api.getResult(document.uri)!;
    assert.ok(result, 'no result for the sample');
    const shown = result.findings.filter((finding) => finding.status !== 'skip' && !finding.suppressed);
    assert.strictEqual(diagnostics.length, shown.length, 'one diagnostic per actionable finding');

    // Console user without MFA: high -> Error, on the mfa_active cell of that user's row, whose text is "false".
    const kelly = rowOf(document, 'kelly_kapoor');
    const mfa = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'console-user-mfa' && diagnostic.range.start.line === kelly);
    assert.ok(mfa, 'no console-user-mfa diagnostic on kelly_kapoor');
    const cell = cellOf(document, kelly, 'mfa_active');
    assert.ok(mfa.range.isEqual(cell.range), `range ${JSON.stringify(mfa.range)} is not the mfa_active cell ${JSON.stringify(cell.range)}`);
    assert.strictEqual(document.getText(mfa.range), 'false');
    assert.strictEqual(mfa.severity, vscode.DiagnosticSeverity.Error);

    // Key rotation: medium -> Warning, on access_key_N_last_rotated of the right key.
    const pam = rowOf(document, 'pam_beasly');
    const rotations = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'access-key-rotation' && diagnostic.range.start.line === pam);
    assert.deepStrictEqual(
      rotations.map((diagnostic) => diagnostic.range.start.character).sort((a, b) => a - b),
      [cellOf(document, pam, 'access_key_1_last_rotated').range.start.character, cellOf(document, pam, 'access_key_2_last_rotated').range.start.character],
    );
    assert.ok(rotations.every((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Warning));

    // Low -> Information.
    const low = diagnostics.filter((diagnostic) => codeOf(diagnostic) === 'password-rotation');
    assert.ok(low.length > 0 && low.every((diagnostic) => diagnostic.severity === vscode.DiagnosticSeverity.Information));
    // Every diagnostic names a cell whose column is the finding's column.
    for (const diagnostic of diagnostics) {
      const finding = shown.find((candidate) => candidate.check === codeOf(diagnostic) && candidate.location?.line === diagnostic.range.start.line + 1 && candidate.location.startColumn === diagnostic.range.start.character);
      assert.ok(finding, `diagnostic ${codeOf(diagnostic)} at ${diagnostic.range.start.line} matches no finding`);
      assert.strictEqual(document.getText(diagnostic.range), cellOf(document, diagnostic.range.start.line, finding.column!).text);
    }
  });

  it('links the code to the shipped check documentation and relates the Rego rule that fired', async () => {
    await activateExtension();
    const { document } = await openWorkspaceReport();
    const diagnostics = await waitFor('diagnostics', () => reportDiagnostics(document.uri).length > 0 && reportDiagnostics(document.uri));
    const rotation = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'access-key-rotation')!;
    assert.ok(typeof rotation.code === 'object', 'the code carries no link');
    const target = (rotation.code as { target: vscode.Uri }).target;
    assert.strictEqual(target.scheme, 'file');
    assert.match(target.path, /\/docs\/checks\/access-key-rotation\.md$/);
    assert.ok(fs.existsSync(target.fsPath), `${target.fsPath} does not exist`);
    const related = rotation.relatedInformation?.[0];
    assert.ok(related, 'no related information');
    assert.match(related.location.uri.path, /policies\/credcheck\/checks\/access_key_rotation\/access_key_rotation\.rego$/);
    const rule = fs.readFileSync(related.location.uri.fsPath, 'utf8').split('\n')[related.location.range.start.line]!;
    assert.match(rule, /^(deny|warn|violation|info)/, `the related line is not a rule head: ${rule}`);
  });

  it('recognises a report by its header in an untitled plain-text document and re-evaluates edits', async () => {
    const api = await activateExtension();
    const sample = await openWorkspaceReport();
    const text = sample.document.getText();
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(document);
    const before = await waitFor('diagnostics on the untitled copy', () => reportDiagnostics(document.uri).length > 0 && reportDiagnostics(document.uri).length);
    // Delete kelly_kapoor's row: its findings must go after the debounce.
    const kelly = rowOf(document, 'kelly_kapoor');
    const kellyCount = api.getResult(document.uri)!.findings.filter((finding) => finding.user === 'kelly_kapoor' && finding.status !== 'skip').length;
    assert.ok(kellyCount > 0);
    await editor.edit((edit) => edit.delete(new vscode.Range(kelly, 0, kelly + 1, 0)));
    await waitFor('re-evaluation after the edit', () => reportDiagnostics(document.uri).length === before - kellyCount);
    assert.ok(!api.getResult(document.uri)!.findings.some((finding) => finding.user === 'kelly_kapoor'));
    // Breaking the header makes it stop being a report.
    await editor.edit((edit) => edit.replace(document.lineAt(0).range, 'just,some,text'));
    await waitFor('diagnostics cleared when the header goes', () => reportDiagnostics(document.uri).length === 0);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('clears the diagnostics when the report is closed', async () => {
    const api = await activateExtension();
    const sample = await openWorkspaceReport();
    // An untitled document is disposed as soon as its editor is reverted and closed, so the close event is certain.
    const document = await vscode.workspace.openTextDocument({ content: sample.document.getText() });
    await vscode.window.showTextDocument(document);
    await waitFor('diagnostics', () => reportDiagnostics(document.uri).length > 0);
    const closed = new Promise<void>((resolve) => {
      const subscription = vscode.workspace.onDidCloseTextDocument((closing) => {
        if (closing.uri.toString() === document.uri.toString()) {
          subscription.dispose();
          resolve();
        }
      });
    });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await closed;
    await waitFor('diagnostics cleared on close', () => reportDiagnostics(document.uri).length === 0);
    assert.strictEqual(api.getResult(document.uri), undefined, 'the result outlived its document');
  });
});
