/**
 * `credcheck fetch --organization` against moto on loopback: an organisation with member accounts created through
 * Organizations (moto creates OrganizationAccountAccessRole in each, as AWS does), users in each member account, and
 * moto's IAM authorisation switched on (/moto-api/reset-auth) so policies are enforced:
 * - two members whose role may do everything: their reports hold their own users only;
 * - one member whose role has no permission (as a role stripped of its policy, or an SCP denying IAM): AccessDenied on
 *   GenerateCredentialReport, that account fails alone;
 * - one member closed (CloseAccount: SUSPENDED): skipped, and a failure when named in --accounts.
 * What moto cannot emulate: AssumeRole succeeds for any role name, trust policy and external id (a missing role only
 * shows later, as a 500 from IAM), and SCPs are not evaluated.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CloseAccountCommand, CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { isolatedEnvironment, runCli } from '../../support/cliRunner';
import { MotoServer, MOTO_SERVER_BINARY } from '../../support/motoServer';
import { isProcessAlive, runningTrackedProcesses } from '../../support/trackedProcesses';

const MANAGEMENT = '123456789012';
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
const setupCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Member {
  name: string;
  id: string;
  users: string[];
  kind: 'ok' | 'denied' | 'closed';
}

describe('credcheck fetch --organization against moto (Organizations, STS, IAM per account)', function () {
  this.timeout(120_000);
  let moto: MotoServer | undefined;
  let workDirectory: string;
  const members: Member[] = [
    { name: 'prod', id: '', users: ['prod-alice', 'prod-deployer'], kind: 'ok' },
    { name: 'staging', id: '', users: ['staging-bob'], kind: 'ok' },
    { name: 'sandbox', id: '', users: ['sandbox-carol'], kind: 'denied' },
    { name: 'retired', id: '', users: ['retired-dave'], kind: 'closed' },
  ];
  let adminEnvironment: NodeJS.ProcessEnv;
  const byKind = (kind: Member['kind']) => members.filter((member) => member.kind === kind);

  before(async () => {
    if (!MotoServer.isInstalled()) throw new Error(`moto is not installed at ${MOTO_SERVER_BINARY}: run scripts/setup.sh --test`);
    moto = await MotoServer.start();
    const url = moto.url;
    workDirectory = mkdtempSync(join(tmpdir(), 'credcheck-moto-org-'));
    const common = { region: 'us-east-1', endpoint: url, credentials: setupCredentials };
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
          for (const user of member.users) await iam.send(new CreateUserCommand({ UserName: user }));
          if (member.kind !== 'denied') await iam.send(new PutRolePolicyCommand({ RoleName: 'OrganizationAccountAccessRole', PolicyName: 'all', PolicyDocument: ALLOW_ALL }));
        } finally {
          iam.destroy();
        }
        if (member.kind === 'closed') await organizations.send(new CloseAccountCommand({ AccountId: member.id }));
      }
      // The caller: an administrator of the management account with its own key (moto's 'testing' key stops working
      // once authorisation is on).
      await managementIam.send(new CreateUserCommand({ UserName: 'org-admin' }));
      await managementIam.send(new PutUserPolicyCommand({ UserName: 'org-admin', PolicyName: 'all', PolicyDocument: ALLOW_ALL }));
      const key = (await managementIam.send(new CreateAccessKeyCommand({ UserName: 'org-admin' }))).AccessKey!;
      adminEnvironment = isolatedEnvironment({ AWS_ACCESS_KEY_ID: key.AccessKeyId!, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey!, AWS_REGION: 'us-east-1' });
    } finally {
      organizations.destroy();
      sts.destroy();
      managementIam.destroy();
    }
    await postText(`${url}/moto-api/reset-auth`, '0');
  });

  after(async () => {
    const pid = moto?.process.pid;
    await moto?.stop();
    if (workDirectory) rmSync(workDirectory, { recursive: true, force: true });
    assert.equal(isProcessAlive(pid), false, 'moto_server still running');
    assert.deepEqual(runningTrackedProcesses(), [], 'a child process outlived the suite');
  });

  it('writes one report per active account, each holding its own users only; the denied account fails alone (exit 2)', async () => {
    const result = await runCli(['fetch', '--organization', '--endpoint-url', (moto as MotoServer).url, '--out', 'org', '--concurrency', '2'], { env: adminEnvironment, cwd: workDirectory });
    assert.equal(result.code, 2, result.stderr);
    const denied = byKind('denied')[0];
    const closed = byKind('closed')[0];
    assert.match(result.stderr, new RegExp(`\\[${denied.id}\\] error: account ${denied.id} \\(role OrganizationAccountAccessRole\\) is not allowed iam:GenerateCredentialReport \\(AccessDenied\\)`));
    assert.match(result.stderr, new RegExp(`\\[${closed.id}\\] skipped: the account is SUSPENDED`));
    assert.match(result.stderr, new RegExp(`3 of 4 accounts fetched \\(1 not active, skipped\\); failed: ${denied.id}\\n`));
    assert.doesNotMatch(result.stderr, /testing|SecretAccessKey|aws_secret/i);

    const expectedFiles = [MANAGEMENT, ...byKind('ok').map((member) => member.id)].map((id) => `${id}-credential-report.csv`).sort();
    assert.deepEqual(readdirSync(join(workDirectory, 'org')).filter((name) => name.endsWith('.csv')).sort(), expectedFiles);
    const everyUser = members.flatMap((member) => member.users);
    for (const member of byKind('ok')) {
      const file = join(workDirectory, 'org', `${member.id}-credential-report.csv`);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const users = usersOf(readFileSync(file, 'utf8'));
      assert.deepEqual(users.filter((user) => everyUser.includes(user)).sort(), [...member.users].sort(), `${member.name}'s report`);
      const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8'));
      assert.equal(meta.account_id, member.id);
      assert.equal(meta.account_name, member.name);
    }
    const management = usersOf(readFileSync(join(workDirectory, 'org', `${MANAGEMENT}-credential-report.csv`), 'utf8'));
    assert.ok(management.includes('org-admin'));
    assert.deepEqual(management.filter((user) => everyUser.includes(user)), [], 'no member user in the management report');
  });

  it('--accounts fetches only those named (exit 0), and a closed account named is a failure (exit 2)', async () => {
    const wanted = byKind('ok').map((member) => member.id);
    const result = await runCli(['fetch', '--organization', '--accounts', wanted.join(','), '--endpoint-url', (moto as MotoServer).url, '--out', 'some'], {
      env: adminEnvironment,
      cwd: workDirectory,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readdirSync(join(workDirectory, 'some')).filter((name) => name.endsWith('.csv')).sort(), wanted.map((id) => `${id}-credential-report.csv`).sort());

    const closed = byKind('closed')[0].id;
    const refused = await runCli(['fetch', '--organization', '--accounts', closed, '--endpoint-url', (moto as MotoServer).url, '--out', 'closed'], { env: adminEnvironment, cwd: workDirectory });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`\\[${closed}\\] error: account ${closed} is SUSPENDED: its report cannot be fetched`));
  });

  it('credcheck check <dir> audits every fetched report, each finding in its own account', async () => {
    const result = await runCli(['check', 'org', '--format', 'json'], { env: isolatedEnvironment({}), cwd: workDirectory });
    assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
    const output = JSON.parse(result.stdout) as { reports: Array<{ file: string }>; findings: Array<{ file: string; user: string | null; account: string | null }> };
    assert.equal(output.reports.length, 3);
    for (const finding of output.findings) {
      const fileAccount = /(\d{12})-credential-report\.csv$/.exec(finding.file)?.[1];
      assert.ok(finding.account === null || finding.account === fileAccount, `${finding.user} in ${finding.file} has account ${finding.account}`);
      const owner = members.find((member) => member.users.includes(finding.user ?? ''));
      if (owner) assert.equal(owner.id, fileAccount, `${finding.user} reported from ${finding.file}`);
    }
  });
});

/** The user column of a report. */
function usersOf(csv: string): string[] {
  return csv.trim().split(/\r?\n/).slice(1).map((line) => line.split(',')[0]);
}

function postText(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`${url} answered ${response.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
