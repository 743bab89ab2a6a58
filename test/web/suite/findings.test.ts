// The bundled checks in the browser: the sample's findings on their cells, the tree, the status bar, export.
import * as vscode from 'vscode';
import { activateExtension, assert, cellOf, closeAllEditors, codeOf, openWorkspaceReport, readText, removeIfExists, reportDiagnostics, requestScreenshot, rowOf, waitFor, workspaceUri } from '../webHelpers';

describe('web: bundled checks on the sample report', () => {
  afterEach(closeAllEditors);

  it('puts each finding on the exact cell of its column, with the check id as code and the mapped severity', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    const diagnostics = await waitFor('diagnostics on the sample', () => reportDiagnostics(document.uri).length > 0 && reportDiagnostics(document.uri));
    const result = api.getResult(document.uri)!;
    assert.ok(result, 'no result for the sample');
    const shown = result.findings.filter((finding) => finding.status !== 'skip' && !finding.suppressed);
    assert.strictEqual(diagnostics.length, shown.length, 'one diagnostic per actionable finding');
    const kelly = rowOf(document, 'kelly_kapoor');
    const mfa = diagnostics.find((diagnostic) => codeOf(diagnostic) === 'console-user-mfa' && diagnostic.range.start.line === kelly);
    assert.ok(mfa, 'no console-user-mfa diagnostic on kelly_kapoor');
    assert.ok(mfa.range.isEqual(cellOf(document, kelly, 'mfa_active').range), `range ${JSON.stringify(mfa.range)} is not kelly_kapoor's mfa_active cell`);
    assert.strictEqual(document.getText(mfa.range), 'false');
    assert.strictEqual(mfa.severity, vscode.DiagnosticSeverity.Error, 'high maps to Error');
    for (const diagnostic of diagnostics) {
      const finding = shown.find((candidate) => candidate.check === codeOf(diagnostic) && candidate.location?.line === diagnostic.range.start.line + 1 && candidate.location.startColumn === diagnostic.range.start.character);
      assert.ok(finding, `diagnostic ${codeOf(diagnostic)} at line ${diagnostic.range.start.line} matches no finding`);
      assert.strictEqual(document.getText(diagnostic.range), cellOf(document, diagnostic.range.start.line, finding.column!).text, `${finding.check} cell`);
    }
    // The status bar counts what the diagnostics show.
    assert.match(api.statusBarText(), /\d/, 'the status bar shows no count');
    // The bundled checks need no compiler: its 40 MB of wasm is read only for a workspace policy or a query.
    assert.strictEqual(api.compilerLoaded(), false, 'the Rego compiler was loaded for the bundled checks');
  });

  it('shows the compliance summary in a webview', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(document.uri));
    await vscode.commands.executeCommand('credcheck.showSummary');
    const html = await waitFor('the summary page', () => api.summaryHtml());
    assert.match(html, /console-user-mfa|1\.9/);
    assert.match(html, /nonce-[A-Za-z0-9+/=]{20,}/, 'no CSP nonce in the page');
  });

  it('opens the shipped sample from the extension\'s files, and recognises a report pasted into an untitled document', async () => {
    const api = await activateExtension();
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('credcheck.openSample');
    assert.match(editor.document.uri.path, /\/samples\/sample-credential-report\.csv$/);
    await waitFor('diagnostics on the shipped sample', () => reportDiagnostics(editor.document.uri).length > 0);
    const untitled = await vscode.workspace.openTextDocument({ content: editor.document.getText(), language: 'plaintext' });
    await vscode.window.showTextDocument(untitled);
    await waitFor('diagnostics on the untitled copy', () => reportDiagnostics(untitled.uri).some((diagnostic) => codeOf(diagnostic) === 'console-user-mfa'));
    assert.strictEqual(api.getResult(untitled.uri)!.findings.length, api.getResult(editor.document.uri)!.findings.length);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('lists the findings in the tree by check, with the user under it, and reveals one', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(document.uri));
    const checks = await waitFor('tree roots', () => api.getTreeRoots().length > 0 && api.getTreeRoots());
    const node = await waitFor('kelly_kapoor under console-user-mfa', () => api.findTreeNode('console-user-mfa', 'kelly_kapoor'));
    assert.ok(checks.length >= 3, `only ${checks.length} tree roots`);
    await vscode.commands.executeCommand('workbench.view.extension.credcheck');
    await waitFor('the findings view visible', () => api.treeView.visible, { events: [api.treeView.onDidChangeVisibility] });
    await api.revealInTree(node);
    await waitFor('the finding selected', () => api.treeView.selection.length === 1, { events: [api.treeView.onDidChangeSelection] });
    await requestScreenshot('web-findings');
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await requestScreenshot('web-problems');
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it('exports the findings to a file through the workspace file system', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('the sample evaluated', () => api.getResult(document.uri));
    const target = workspaceUri('web-export.json');
    try {
      const written = await vscode.commands.executeCommand<vscode.Uri>('credcheck.exportFindings', 'json', target);
      assert.ok(written, 'the export wrote nothing');
      const exported = JSON.parse(await readText(target)) as unknown;
      const text = JSON.stringify(exported);
      assert.match(text, /console-user-mfa/);
      assert.match(text, /kelly_kapoor/);
    } finally {
      await removeIfExists(target);
    }
  });
});
