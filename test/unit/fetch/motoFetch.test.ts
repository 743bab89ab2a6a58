/**
 * The whole way from a real IAM endpoint to findings: moto in server mode holds users, login profiles, access keys
 * and an MFA device created through the real SDK; `credcheck fetch` saves their report; `credcheck check` evaluates it.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { isolatedEnvironment, runCli } from '../../support/cliRunner';
import { MotoServer, MOTO_SERVER_BINARY } from '../../support/motoServer';
import { isProcessAlive, runningTrackedProcesses } from '../../support/trackedProcesses';

const MOTO_ACCOUNT = '123456789012';
const fakeCredentials = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

interface CreatedUser {
  name: string;
  password: boolean;
  keys: number;
  mfa: boolean;
}

const USERS: CreatedUser[] = [
  { name: 'alice', password: true, keys: 1, mfa: true },
  { name: 'bob', password: false, keys: 2, mfa: false },
  { name: 'carol', password: true, keys: 0, mfa: false },
  { name: 'deploy-bot', password: false, keys: 1, mfa: false },
];

describe('credcheck fetch against moto (real IAM endpoint)', function () {
  this.timeout(60_000);
  let moto: MotoServer | undefined;
  let workDirectory: string;

  before(async () => {
    if (!MotoServer.isInstalled()) {
      throw new Error(`moto is not installed at ${MOTO_SERVER_BINARY}: run scripts/setup.sh --test`);
    }
    moto = await MotoServer.start();
    workDirectory = mkdtempSync(join(tmpdir(), 'credcheck-moto-'));
    const client = new IAMClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      for (const user of USERS) {
        await client.send(new CreateUserCommand({ UserName: user.name }));
        if (user.password) await client.send(new CreateLoginProfileCommand({ UserName: user.name, Password: 'Correct-Horse-9-Battery' }));
        for (let key = 0; key < user.keys; key++) await client.send(new CreateAccessKeyCommand({ UserName: user.name }));
        if (user.mfa) {
          const created = await client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${user.name}-phone` }));
          const serialNumber = created.VirtualMFADevice?.SerialNumber;
          await client.send(new EnableMFADeviceCommand({ UserName: user.name, SerialNumber: serialNumber, AuthenticationCode1: '123456', AuthenticationCode2: '654321' }));
        }
      }
      await client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'spare-device' }));
    } finally {
      client.destroy();
    }
  });

  after(async () => {
    const pid = moto?.process.pid;
    await moto?.stop();
    if (workDirectory) rmSync(workDirectory, { recursive: true, force: true });
    assert.equal(isProcessAlive(pid), false, 'moto_server still running');
    assert.deepEqual(runningTrackedProcesses(), [], 'a child process outlived the suite');
  });

  it('saves a report holding every user created, with the account and the MFA devices', async () => {
    const result = await runCli(['fetch', '--endpoint-url', (moto as MotoServer).url, '--out', 'report.csv'], {
      env: isolatedEnvironment(fakeCredentials),
      cwd: workDirectory,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /report generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(/);
    assert.match(result.stderr, /saved .*report\.csv \(account 123456789012\)/);

    const lines = readFileSync(join(workDirectory, 'report.csv'), 'utf8').trim().split(/\r?\n/);
    const header = lines[0].split(',');
    assert.deepEqual(header.slice(0, 3), ['user', 'arn', 'user_creation_time']);
    const rows = new Map(
      lines.slice(1).map((line) => {
        const cells = line.split(',');
        return [cells[0], Object.fromEntries(header.map((name, index) => [name, cells[index]]))] as const;
      }),
    );
    for (const user of USERS) {
      const row = rows.get(user.name);
      assert.ok(row, `${user.name} missing from the report`);
      assert.equal(row.arn, `arn:aws:iam::${MOTO_ACCOUNT}:user/${user.name}`);
      assert.equal(row.password_enabled, String(user.password), `${user.name} password_enabled`);
      assert.equal(row.access_key_1_active, String(user.keys >= 1), `${user.name} access_key_1_active`);
      assert.equal(row.access_key_2_active, String(user.keys >= 2), `${user.name} access_key_2_active`);
      assert.equal(row.mfa_active, String(user.mfa), `${user.name} mfa_active`);
    }

    const meta = JSON.parse(readFileSync(join(workDirectory, 'report.csv.meta.json'), 'utf8'));
    assert.equal(meta.account_id, MOTO_ACCOUNT);
    assert.equal(meta.profile, null);
    assert.match(meta.generated_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(
      [...meta.mfa_devices].sort((a: { serial_number: string }, b: { serial_number: string }) => a.serial_number.localeCompare(b.serial_number)),
      [
        { serial_number: `arn:aws:iam::${MOTO_ACCOUNT}:mfa/alice-phone`, user: 'alice', type: 'virtual' },
        { serial_number: `arn:aws:iam::${MOTO_ACCOUNT}:mfa/spare-device`, user: null, type: 'virtual' },
      ],
    );
  });

  it('--profile sends the requests to the endpoint_url configured for that profile (moto), with its keys', async () => {
    const config = join(workDirectory, 'aws-config');
    // The default profile points at a closed port: a fetch that took its endpoint instead of the profile's would fail.
    writeFileSync(
      config,
      `[default]\nendpoint_url = http://127.0.0.1:1\n\n[profile moto]\nendpoint_url = ${(moto as MotoServer).url}\n` +
        'aws_access_key_id = testing\naws_secret_access_key = testing\n\n' +
        '[profile moto-services]\nservices = local\naws_access_key_id = testing\naws_secret_access_key = testing\n\n' +
        `[services local]\niam =\n  endpoint_url = ${(moto as MotoServer).url}\n`,
    );
    for (const profile of ['moto', 'moto-services']) {
      const result = await runCli(['fetch', '--profile', profile, '--out', `${profile}.csv`], { env: isolatedEnvironment({ AWS_CONFIG_FILE: config }), cwd: workDirectory });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`sending requests to ${(moto as MotoServer).url.replace(/[.]/g, '\\.')}`));
      assert.match(result.stderr, /saved .* \(account 123456789012\)/);
      assert.match(readFileSync(join(workDirectory, `${profile}.csv`), 'utf8'), /arn:aws:iam::123456789012:user\/carol/);
      assert.equal(JSON.parse(readFileSync(join(workDirectory, `${profile}.csv.meta.json`), 'utf8')).profile, profile);
    }
    // And with no profile, the default one's endpoint is used: it does not answer, and the message names it.
    const fallback = await runCli(['fetch', '--timeout', '20'], { env: isolatedEnvironment({ ...fakeCredentials, AWS_CONFIG_FILE: config }), cwd: workDirectory });
    assert.equal(fallback.code, 2);
    assert.match(fallback.stderr, /cannot reach http:\/\/127\.0\.0\.1:1 \(endpoint_url of profile 'default'\)/);
    assert.doesNotMatch(fallback.stderr, /amazonaws/);
  });

  it('the saved report is evaluated by credcheck check', async () => {
    const result = await runCli(['check', 'report.csv', '--format', 'json'], { env: isolatedEnvironment({}), cwd: workDirectory });
    // 1: the checks found failing findings (moto's users have keys and passwords without rotation history).
    assert.ok(result.code === 0 || result.code === 1, `exit ${result.code}: ${result.stderr}`);
    const output = JSON.parse(result.stdout) as unknown;
    const findings = collectFindings(output);
    assert.ok(findings.length > 0, 'no findings at all');
    const known = new Set<string | null>([null, '<root_account>', ...USERS.map((user) => user.name)]);
    for (const finding of findings) assert.ok(known.has(finding.user), `finding about an unknown user ${finding.user}`);
    // carol has a console password and no MFA: the one thing every benchmark flags.
    assert.ok(findings.some((finding) => finding.user === 'carol' && finding.status === 'fail'), 'carol (password, no MFA) not flagged');
    assert.ok(findings.every((finding) => finding.account === null || finding.account === MOTO_ACCOUNT));
  });
});

/** The JSON output's exact envelope belongs to the check command; the findings are the objects with a check and a user. */
type FoundFinding = { check: string; status: string; user: string | null; account: string | null };
function collectFindings(value: unknown): FoundFinding[] {
  if (Array.isArray(value)) return value.flatMap(collectFindings);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.check === 'string' && 'user' in record && 'status' in record) return [record as FoundFinding];
    return Object.values(record).flatMap(collectFindings);
  }
  return [];
}
