// What works differently in a browser: suppressions written through workspace.fs; fetch from AWS says why it cannot.
import * as vscode from 'vscode';
import { activateExtension, assert, closeAllEditors, openWorkspaceReport, readText, removeIfExists, reportDiagnostics, requestScreenshot, waitFor, workspaceUri } from '../webHelpers';

describe('web: suppressions and what a browser cannot do', () => {
  afterEach(async () => {
    await removeIfExists(workspaceUri('.credcheck'));
    await closeAllEditors();
  });

  it('suppresses a finding into the workspace suppressions file, and the finding is shown as suppressed', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('bundled findings', () => reportDiagnostics(document.uri).length > 0);
    const written = await vscode.commands.executeCommand<vscode.Uri>(
      'credcheck.suppressFinding',
      { uri: document.uri.toString(), check: 'console-user-mfa', user: 'kelly_kapoor', key: null },
      { reason: 'reviewed in the browser', expires: null },
    );
    assert.ok(written, 'no suppressions file was written');
    assert.match(await readText(workspaceUri('.credcheck', 'suppressions.yaml')), /reviewed in the browser/);
    await waitFor('the finding suppressed', () =>
      api.getResult(document.uri)?.findings.some((finding) => finding.check === 'console-user-mfa' && finding.user === 'kelly_kapoor' && finding.suppressed),
    );
  });

  it('fetch from AWS says in one message why it cannot run in a browser', async () => {
    await activateExtension();
    for (const command of ['credcheck.fetchReport', 'credcheck.fetchOrganization']) {
      const answer = await vscode.commands.executeCommand<{ unavailable?: string }>(command);
      assert.ok(answer?.unavailable, `${command} answered ${JSON.stringify(answer)}`);
      assert.match(answer.unavailable, /not available in VS Code for the Web/);
      assert.match(answer.unavailable, /CORS/);
      assert.match(answer.unavailable, /aws iam get-credential-report/);
    }
    await requestScreenshot('web-fetch-message');
    await vscode.commands.executeCommand('notifications.clearAll');
  });
});
