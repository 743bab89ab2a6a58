import * as assert from 'assert';
import * as vscode from 'vscode';
import { activateExtension, closeAllEditors, openWorkspaceReport, waitFor } from './extensionHelpers';

describe('settings validation', () => {
  afterEach(async () => {
    const section = vscode.workspace.getConfiguration('credcheck');
    await section.update('enabledChecks', undefined, vscode.ConfigurationTarget.Global);
    await section.update('thresholds.unusedCredentialDays', undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  it('runs the default checks instead of none for an unknown check id, and says so in the status bar', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('the report to be evaluated', () => api.getResult(document.uri));
    await vscode.workspace.getConfiguration('credcheck').update('enabledChecks', ['root_mfa'], vscode.ConfigurationTarget.Global);
    await waitFor('the settings problem', () => api.settingsProblems().some((problem) => problem.setting === 'credcheck.enabledChecks'));
    await api.whenIdle();
    const problem = api.settingsProblems().find((candidate) => candidate.setting === 'credcheck.enabledChecks')!;
    assert.deepStrictEqual(problem.value, ['root_mfa']);
    assert.match(problem.message, /did you mean "root-mfa"/);
    assert.ok(api.statusBarWarning(), 'the status bar is not in its warning state');
    assert.ok(api.statusBarTooltip().includes('credcheck.enabledChecks'), `tooltip: ${api.statusBarTooltip()}`);
    // The default checks ran: the sample's console users without MFA are still found.
    assert.ok(api.getResult(document.uri)!.findings.some((finding) => finding.check === 'console-user-mfa'));
  });

  it('does not apply an absurd threshold, and clears the warning once the setting is fixed', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('the report to be evaluated', () => api.getResult(document.uri));
    const section = () => vscode.workspace.getConfiguration('credcheck');
    await section().update('thresholds.unusedCredentialDays', 1e308, vscode.ConfigurationTarget.Global);
    await waitFor('the settings problem', () => api.settingsProblems().some((problem) => problem.setting === 'credcheck.thresholds.unusedCredentialDays'));
    await api.whenIdle();
    assert.ok(api.statusBarWarning());
    // Evaluated with the default 45 days: the sample's never-used credentials older than that are still reported.
    assert.ok(api.getResult(document.uri)!.findings.some((finding) => finding.check === 'unused-access-key' || finding.check === 'unused-password'));
    await section().update('thresholds.unusedCredentialDays', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the warning to clear', () => api.settingsProblems().length === 0 && !api.statusBarWarning());
  });
});
