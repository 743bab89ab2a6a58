import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { IamStubServer, STUB_GENERATED_TIME } from '../../support/iamStubServer';
import { requestScreenshot } from '../screenshots';
import { activateExtension, closeAllEditors, openWorkspaceReport, removeIfExists, reportDiagnostics, waitFor, workspaceUri } from './extensionHelpers';

describe('commands', () => {
  afterEach(closeAllEditors);

  it('Run IAM credential checks evaluates the open reports and returns the finding count', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    const count = await vscode.commands.executeCommand<number>('credcheck.run');
    const result = api.getResult(document.uri)!;
    assert.strictEqual(count, result.findings.filter((finding) => !finding.suppressed && finding.status !== 'skip').length);
    assert.ok(count > 0);
  });

  it('Open sample credential report opens the shipped sample and evaluates it', async () => {
    const api = await activateExtension();
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('credcheck.openSample');
    assert.match(editor.document.uri.path, /\/samples\/sample-credential-report\.csv$/);
    await waitFor('findings on the sample', () => api.getResult(editor.document.uri)?.findings.length);
    assert.ok(reportDiagnostics(editor.document.uri).length > 0);
  });

  it('Show policy input opens the normalised JSON the policies see', async () => {
    await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('evaluation', () => reportDiagnostics(document.uri).length > 0);
    const json = await vscode.commands.executeCommand<vscode.TextDocument>('credcheck.showPolicyInput');
    assert.strictEqual(json.languageId, 'json');
    const input = JSON.parse(json.getText());
    assert.strictEqual(input.users.length, document.lineCount - 1 - (document.lineAt(document.lineCount - 1).text === '' ? 1 : 0));
    assert.ok(input.users.some((user: { user: string; is_root: boolean }) => user.user === '<root_account>' && user.is_root));
    assert.match(input.evaluation_time, /^\d{4}-\d{2}-\d{2}T/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Export findings writes every CLI format', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('evaluation', () => api.getResult(document.uri));
    const findings = api.getResult(document.uri)!.findings;
    for (const format of ['table', 'json', 'sarif', 'junit', 'csv', 'markdown', 'ocsf', 'asff']) {
      const target = workspaceUri('exports', `findings.${format}`);
      const written = await vscode.commands.executeCommand<vscode.Uri>('credcheck.exportFindings', format, target);
      assert.ok(written, `${format} was not written`);
      const text = fs.readFileSync(target.fsPath, 'utf8');
      assert.ok(text.length > 0, `${format} is empty`);
      if (format === 'json') assert.strictEqual(JSON.parse(text).findings.length, findings.length);
      if (format === 'sarif') {
        const results = JSON.parse(text).runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[];
        assert.ok(results.length > 0);
        // Relative to the workspace folder (the repository root code scanning resolves against), not the server's cwd.
        const location = results[0]!.locations[0]!.physicalLocation.artifactLocation;
        assert.strictEqual(location.uriBaseId, '%SRCROOT%');
        assert.strictEqual(location.uri, vscode.workspace.asRelativePath(document.uri, false).split('/').map(encodeURIComponent).join('/'));
      }
      if (format === 'ocsf' || format === 'asff') assert.ok(JSON.parse(text).length > 0, `${format} has no findings`);
      if (format === 'junit') assert.match(text, /<testsuites?/);
    }
    await removeIfExists(workspaceUri('exports'));
  });

  it('Show compliance summary opens a webview with charts and pass/fail (screenshot)', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('evaluation', () => api.getResult(document.uri));
    assert.strictEqual(await vscode.commands.executeCommand('credcheck.showSummary'), true);
    const html = await waitFor('summary html', () => api.summaryHtml());
    assert.match(html, /Content-Security-Policy/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /<svg[^>]*aria-label="Active access key age/);
    assert.match(html, /<svg[^>]*aria-label="Days since last console sign-in/);
    assert.match(html, /console-user-mfa/);
    assert.match(html, /cis-5\.0/);
    // The launcher waits for the workbench to paint before it takes the picture (screenshots.ts).
    await requestScreenshot('compliance-summary');
  });

  it('New custom policy writes a policy with METADATA and a test, and its findings join the bundled ones', async () => {
    const api = await activateExtension();
    const policy = await vscode.commands.executeCommand<vscode.Uri>('credcheck.newPolicy', 'unused_access_keys');
    try {
      assert.ok(policy);
      const text = fs.readFileSync(policy.fsPath, 'utf8');
      assert.match(text, /^# METADATA/);
      assert.ok(fs.existsSync(policy.fsPath.replace(/\.rego$/, '_test.rego')));
      const { document } = await openWorkspaceReport();
      // Either state ends the wait: the policy's findings, or a problem with a workspace policy (which fails the test at
      // once with its message instead of waiting for findings that will not come).
      const evaluated = await waitFor('findings of the new policy, or a policy problem', () => {
        const result = api.getResult(document.uri);
        return result && (result.policyProblems.length > 0 || result.findings.some((finding) => finding.check === 'custom-unused-access-keys')) && result;
      });
      assert.deepStrictEqual(evaluated.policyProblems, []);
      // The template finds the sample's never-used key on its cell, whatever the evaluation time.
      const custom = api.getResult(document.uri)!.findings.filter((finding) => finding.check === 'custom-unused-access-keys');
      assert.deepStrictEqual(
        custom.map((finding) => [finding.user, finding.column, Boolean(finding.location)]),
        [['darryl_philbin', 'access_key_1_last_used_date', true]],
      );
    } finally {
      await removeIfExists(workspaceUri('policies'));
      await api.whenIdle();
    }
  });

  it('Fetch credential report from AWS opens the fetched report and evaluates it at once', async () => {
    const api = await activateExtension();
    const stub = await IamStubServer.start();
    // Dummy credentials for the local stub only.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDSTUBSTUBSTUB';
    process.env.AWS_SECRET_ACCESS_KEY = 'stub-secret-for-local-server';
    try {
      const editors = await vscode.commands.executeCommand<vscode.TextEditor[]>('credcheck.fetchReport', { profiles: [], endpointUrl: stub.url });
      assert.strictEqual(editors.length, 1);
      const document = editors[0]!.document;
      assert.strictEqual(document.uri.scheme, 'untitled');
      assert.match(document.lineAt(0).text, /^user,arn,/);
      const result = await waitFor('evaluation of the fetched report', () => api.getResult(document.uri));
      assert.strictEqual(result.outcome.reports[0]!.input.report.generated_time, STUB_GENERATED_TIME);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      await stub.stop();
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });
});
