/**
 * The extension's "Fetch credential report from AWS" against a real IAM endpoint: moto in server mode on loopback,
 * started and stopped by this suite, holding users created through the real SDK.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { MotoServer, MOTO_SERVER_BINARY } from '../../support/motoServer';
import { isProcessAlive } from '../../support/trackedProcesses';
import { activateExtension, closeAllEditors, waitFor } from './extensionHelpers';

describe('fetch from a real IAM endpoint (moto)', function () {
  let moto: MotoServer | undefined;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  before(async () => {
    assert.ok(MotoServer.isInstalled(), `moto is not installed at ${MOTO_SERVER_BINARY}: run scripts/setup.sh --test`);
    moto = await MotoServer.start();
    // Dummy credentials, meaningful only to the local moto server.
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    const client = new IAMClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      // A console user without MFA (console-user-mfa fails) who also has an access key (console-and-access-keys fails).
      await client.send(new CreateUserCommand({ UserName: 'moto-console-user' }));
      await client.send(new CreateLoginProfileCommand({ UserName: 'moto-console-user', Password: 'Correct-Horse-9-Battery' }));
      await client.send(new CreateAccessKeyCommand({ UserName: 'moto-console-user' }));
      await client.send(new CreateUserCommand({ UserName: 'moto-api-user' }));
      await client.send(new CreateAccessKeyCommand({ UserName: 'moto-api-user' }));
    } finally {
      client.destroy();
    }
  });

  after(async () => {
    await closeAllEditors();
    const pid = moto?.process.pid;
    await moto?.stop();
    assert.strictEqual(isProcessAlive(pid), false, 'moto_server still running');
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
  });

  it('fetches the report from moto, opens it and shows the findings of its users', async () => {
    const api = await activateExtension();
    const editors = await vscode.commands.executeCommand<vscode.TextEditor[]>('credcheck.fetchReport', { profiles: [], endpointUrl: moto!.url });
    assert.strictEqual(editors.length, 1);
    const document = editors[0]!.document;
    const text = document.getText();
    assert.match(text, /^user,arn,/);
    assert.match(text, /\nmoto-console-user,/);
    assert.match(text, /\nmoto-api-user,/);
    const result = await waitFor('evaluation of the fetched report', () => api.getResult(document.uri));
    const failing = result.findings.filter((finding) => finding.status === 'fail').map((finding) => `${finding.check}:${finding.user}`);
    assert.ok(failing.includes('console-user-mfa:moto-console-user'), `findings: ${failing.join(', ')}`);
    assert.ok(failing.includes('console-and-access-keys:moto-console-user'), `findings: ${failing.join(', ')}`);
    assert.ok(!failing.some((entry) => entry.startsWith('console-user-mfa:moto-api-user')), 'an API-only user has no console password');
    const diagnostics = await waitFor('diagnostics on the fetched report', () => vscode.languages.getDiagnostics(document.uri).length > 0 && vscode.languages.getDiagnostics(document.uri));
    assert.ok(diagnostics.length > 0, 'the fetched report has diagnostics');
  });

  it('saves a fetched report owner-only (0600), also over an existing readable file', async () => {
    await activateExtension();
    const saveTo = vscode.Uri.file(path.join(os.tmpdir(), `credcheck-fetched-${process.pid}.csv`));
    fs.writeFileSync(saveTo.fsPath, 'old,content\n', { mode: 0o644 });
    try {
      const editors = await vscode.commands.executeCommand<vscode.TextEditor[]>('credcheck.fetchReport', { profiles: [], endpointUrl: moto!.url, saveTo });
      assert.strictEqual(editors.length, 1);
      assert.strictEqual(editors[0]!.document.uri.fsPath, saveTo.fsPath);
      assert.match(fs.readFileSync(saveTo.fsPath, 'utf8'), /^user,arn,[^]*\nmoto-console-user,/);
      assert.strictEqual(fs.statSync(saveTo.fsPath).mode & 0o777, 0o600);
    } finally {
      await closeAllEditors();
      fs.rmSync(saveTo.fsPath, { force: true });
    }
  });
});
