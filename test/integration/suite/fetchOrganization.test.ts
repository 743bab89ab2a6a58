/**
 * "Fetch credential reports of an organization" in a real VS Code against moto on loopback (Organizations, STS and
 * IAM per account), with moto's IAM authorisation on so policies are enforced:
 * - prod and staging: the role Organizations created, allowed everything: their reports hold their own users only;
 * - sandbox: the role deleted (moto then answers IAM calls made with the role's session with a 500; AWS would refuse
 *   the AssumeRole): that account fails alone, after the fetcher's few retries;
 * - locked: the role kept but allowed nothing (a role stripped of its policy): AccessDenied on GenerateCredentialReport.
 * The caller is an administrator of the management account, whose own report is fetched with the caller's credentials.
 * The command is driven through its arguments (no prompts); the tree must show one group per account.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { request } from 'http';
import * as vscode from 'vscode';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, DeleteRoleCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { FetchOrganizationResult } from '../../../src/extension/commands/fetchOrganization';
import type { TreeNode } from '../../../src/extension/findingsTree';
import { MotoServer, MOTO_SERVER_BINARY } from '../../support/motoServer';
import { isProcessAlive } from '../../support/trackedProcesses';
import { activateExtension, closeAllEditors, openWorkspaceReport, removeIfExists, waitFor, workspaceUri } from './extensionHelpers';

type GroupNode = Extract<TreeNode, { kind: 'group' }>;

const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
const setupCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Member {
  name: string;
  id: string;
  users: string[];
  kind: 'ok' | 'no-role' | 'no-permission';
}

function postText(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every finding under a tree node (its users), walking the tree as VS Code would, through getChildren. */
function usersUnder(api: { getTreeChildren(node: TreeNode): TreeNode[] }, node: TreeNode): Set<string> {
  const users = new Set<string>();
  const visit = (current: TreeNode) => {
    if (current.kind === 'finding') {
      if (current.item.finding.user) users.add(current.item.finding.user);
      return;
    }
    api.getTreeChildren(current).forEach(visit);
  };
  visit(node);
  return users;
}

describe('fetch the credential reports of an organization (moto)', function () {
  let moto: MotoServer | undefined;
  let secretKey = '';
  const members: Member[] = [
    { name: 'prod', id: '', users: ['prod-alice', 'prod-deployer'], kind: 'ok' },
    { name: 'staging', id: '', users: ['staging-bob'], kind: 'ok' },
    { name: 'sandbox', id: '', users: ['sandbox-carol'], kind: 'no-role' },
    { name: 'locked', id: '', users: ['locked-dave'], kind: 'no-permission' },
  ];
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, region: process.env.AWS_REGION };
  const folder = () => workspaceUri('org-reports');

  before(async () => {
    assert.ok(MotoServer.isInstalled(), `moto is not installed at ${MOTO_SERVER_BINARY}: run scripts/setup.sh --test`);
    moto = await MotoServer.start();
    const common = { region: 'us-east-1', endpoint: moto.url, credentials: setupCredentials };
    const organizations = new OrganizationsClient(common);
    const sts = new STSClient(common);
    const managementIam = new IAMClient(common);
    try {
      await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      for (const member of members) {
        const created = await organizations.send(new CreateAccountCommand({ AccountName: member.name, Email: `${member.name}@example.com` }));
        member.id = created.CreateAccountStatus?.AccountId ?? '';
        assert.match(member.id, /^\d{12}$/);
        const session = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member.id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'setup' }));
        const iam = new IAMClient({
          ...common,
          credentials: { accessKeyId: session.Credentials!.AccessKeyId!, secretAccessKey: session.Credentials!.SecretAccessKey!, sessionToken: session.Credentials!.SessionToken! },
        });
        try {
          // Console users without MFA: console-user-mfa fails for each, so each user shows in the tree.
          for (const user of member.users) {
            await iam.send(new CreateUserCommand({ UserName: user }));
            await iam.send(new CreateLoginProfileCommand({ UserName: user, Password: 'Correct-Horse-9-Battery' }));
          }
          if (member.kind === 'ok') await iam.send(new PutRolePolicyCommand({ RoleName: 'OrganizationAccountAccessRole', PolicyName: 'all', PolicyDocument: ALLOW_ALL }));
          if (member.kind === 'no-role') await iam.send(new DeleteRoleCommand({ RoleName: 'OrganizationAccountAccessRole' }));
        } finally {
          iam.destroy();
        }
      }
      await managementIam.send(new CreateUserCommand({ UserName: 'org-admin' }));
      await managementIam.send(new PutUserPolicyCommand({ UserName: 'org-admin', PolicyName: 'all', PolicyDocument: ALLOW_ALL }));
      const key = (await managementIam.send(new CreateAccessKeyCommand({ UserName: 'org-admin' }))).AccessKey!;
      // The extension uses the default credential chain of its host: the environment, as a user's shell would set it.
      process.env.AWS_ACCESS_KEY_ID = key.AccessKeyId!;
      process.env.AWS_SECRET_ACCESS_KEY = key.SecretAccessKey!;
      process.env.AWS_REGION = 'us-east-1';
      secretKey = key.SecretAccessKey!;
    } finally {
      organizations.destroy();
      sts.destroy();
      managementIam.destroy();
    }
    await postText(`${moto.url}/moto-api/reset-auth`, '0');
  });

  after(async () => {
    await closeAllEditors();
    await removeIfExists(folder());
    const pid = moto?.process.pid;
    await moto?.stop();
    assert.strictEqual(isProcessAlive(pid), false, 'moto_server still running');
    for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret], ['AWS_REGION', saved.region]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('writes the reports of the good accounts, names the failing ones, and the tree groups the findings by account', async () => {
    const api = await activateExtension();
    const result = await vscode.commands.executeCommand<FetchOrganizationResult>('credcheck.fetchOrganization', {
      folder: folder(),
      roleName: 'OrganizationAccountAccessRole',
      externalId: '',
      accounts: [],
      profile: '',
      endpointUrl: moto!.url,
      concurrency: 2,
    });
    assert.ok(result, 'the command returned nothing');
    const byKind = (kind: Member['kind']) => members.filter((member) => member.kind === kind);
    const failedIds = [...byKind('no-role'), ...byKind('no-permission')].map((member) => member.id).sort();

    // The good accounts' reports (and the management account's), named and written as `credcheck fetch --organization` does.
    const files = fs.readdirSync(folder().fsPath).sort();
    const reportFiles = files.filter((name) => name.endsWith('.csv'));
    assert.strictEqual(reportFiles.length, 3, `files: ${files.join(', ')}`);
    assert.deepStrictEqual(files, reportFiles.flatMap((name) => [name, `${name}.meta.json`]).sort(), 'one sidecar per report, no temporary file left');
    assert.deepStrictEqual(result.written.map((uri) => uri.fsPath).sort(), reportFiles.map((name) => vscode.Uri.joinPath(folder(), name).fsPath));
    const everyUser = members.flatMap((member) => member.users);
    for (const member of byKind('ok')) {
      const file = vscode.Uri.joinPath(folder(), `${member.id}-credential-report.csv`).fsPath;
      assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600, `${file} is owner-only`);
      const users = fs.readFileSync(file, 'utf8').split('\n').slice(1).map((line) => line.split(',')[0]);
      assert.deepStrictEqual(users.filter((user) => everyUser.includes(user!)).sort(), [...member.users].sort(), `${member.name}'s report holds its own users only`);
      const sidecar = JSON.parse(fs.readFileSync(`${file}.meta.json`, 'utf8'));
      assert.strictEqual(sidecar.account_id, member.id);
      assert.strictEqual(sidecar.account_name, member.name);
      assert.strictEqual(fs.statSync(`${file}.meta.json`).mode & 0o777, 0o600);
    }
    for (const id of failedIds) assert.ok(!files.some((name) => name.startsWith(id)), `no report for the failed account ${id}`);

    // The failing accounts, each named with why; nothing secret in what the user is shown.
    assert.deepStrictEqual(result.failures.map((failure) => failure.accountId).sort(), failedIds);
    const locked = byKind('no-permission')[0]!;
    const sandbox = byKind('no-role')[0]!;
    assert.match(result.message, /^Fetched the credential reports of 3 of 5 accounts into org-reports\. Failed: /);
    assert.ok(result.message.includes(`${locked.id} (locked): access denied (iam:GenerateCredentialReport)`), result.message);
    assert.ok(result.message.includes(`${sandbox.id} (sandbox): `), result.message);
    assert.ok(!result.message.includes(secretKey) && !result.message.includes(process.env.AWS_ACCESS_KEY_ID!), 'credentials in the message');

    // Audited and shown together: one account group per fetched account (id, the organisation's name as its title),
    // each holding the findings of its own users.
    const roots = await waitFor(
      'the tree to show the three accounts',
      () => {
        const groups = api.getTreeRoots() as GroupNode[];
        return groups.length === 3 && groups.every((root) => root.kind === 'group' && root.group.kind === 'account') && groups;
      },
    );
    assert.deepStrictEqual(roots.map((root) => root.group.name).sort(), reportFiles.map((name) => name.slice(0, 12)).sort());
    for (const member of byKind('ok')) {
      const group = roots.find((root) => root.group.name === member.id);
      assert.ok(group, `no group for ${member.name}`);
      assert.strictEqual(group.group.title, member.name);
      const users = usersUnder(api, group);
      assert.deepStrictEqual([...users].filter((user) => everyUser.includes(user)).sort(), [...member.users].sort(), `users under ${member.name}`);
      assert.ok(api.getTreeChildren(group).every((child) => child.kind === 'group' && child.group.kind === 'check' && child.parent === group));
    }
    assert.match(String(api.treeView.description), /^3 accounts · \d+$/);
    for (const uri of result.written) assert.ok(api.getResult(uri), `${uri.fsPath} was audited`);

    // One report active again: the tree is as before (no account level), and the organisation's reports, which have
    // no tab, are closed with their findings.
    const { document } = await openWorkspaceReport();
    await waitFor('the tree to show the one report', () => {
      const groups = api.getTreeRoots() as GroupNode[];
      return groups.length > 0 && groups.every((root) => root.group.kind === 'check') && api.getResult(document.uri);
    });
    await waitFor('the organisation reports to be closed', () => result.written.every((uri) => api.getResult(uri) === undefined));
  });
});
