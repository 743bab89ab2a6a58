// How many accounts one machine fetches and audits per minute (issue 17, point 2): an organisation of K member
// accounts in moto on loopback, each with a few users, then `credcheck fetch --organization` and `credcheck check <dir>`
// timed as a user runs them. Needs `npm run build` and moto (scripts/setup.sh --test: .tools/venv/bin/moto_server).
//
// Usage: node bench/orgFetch.mjs [--accounts K] [--users N] [--concurrency C]   (defaults 20, 5, 4)
// moto answers at once; against AWS the bottleneck is IAM's report generation (seconds per account) and the API rate
// limits, so these figures are an upper bound of what the tool itself costs, not of a real organisation's fetch.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const accountCount = option('--accounts', 20);
const usersPerAccount = option('--users', 5);
const concurrency = option('--concurrency', 4);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const port = await new Promise((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port: free } = server.address();
    server.close(() => resolve(free));
  });
});
const url = `http://127.0.0.1:${port}`;
const moto = spawn(join(root, '.tools', 'venv', 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
const work = mkdtempSync(join(os.tmpdir(), 'credcheck-bench-org-'));
try {
  for (let tries = 0; ; tries++) {
    if (await fetch(`${url}/moto-api/`).then(() => true, () => false)) break;
    if (tries > 200) throw new Error('moto_server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const common = { region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const organizations = new OrganizationsClient(common);
  const sts = new STSClient(common);
  const setupStart = performance.now();
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  for (let index = 0; index < accountCount; index++) {
    const created = await organizations.send(new CreateAccountCommand({ AccountName: `member-${index}`, Email: `member-${index}@example.com` }));
    const id = created.CreateAccountStatus.AccountId;
    const session = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'setup' }))).Credentials;
    const iam = new IAMClient({ ...common, credentials: { accessKeyId: session.AccessKeyId, secretAccessKey: session.SecretAccessKey, sessionToken: session.SessionToken } });
    for (let user = 0; user < usersPerAccount; user++) await iam.send(new CreateUserCommand({ UserName: `user-${index}-${user}` }));
    iam.destroy();
  }
  organizations.destroy();
  sts.destroy();
  const setupSeconds = (performance.now() - setupStart) / 1000;

  const env = { PATH: process.env.PATH, HOME: work, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
  const timed = (cliArgs) => {
    const start = performance.now();
    const result = spawnSync(process.execPath, [join(root, 'bin', 'credcheck'), ...cliArgs], { cwd: work, env, encoding: 'utf8' });
    return { seconds: (performance.now() - start) / 1000, code: result.status, stderr: result.stderr };
  };
  const fetched = timed(['fetch', '--organization', '--endpoint-url', url, '--out', 'reports', '--concurrency', String(concurrency)]);
  if (fetched.code !== 0) throw new Error(`fetch exited ${fetched.code}: ${fetched.stderr.slice(-1000)}`);
  const reports = readdirSync(join(work, 'reports')).filter((name) => name.endsWith('.csv')).length;
  const checked = timed(['check', 'reports', '--format', 'json', '--output', 'findings.json']);
  if (checked.code !== 0 && checked.code !== 1) throw new Error(`check exited ${checked.code}: ${checked.stderr.slice(-1000)}`);

  const perMinute = (seconds) => Math.round((reports / seconds) * 60);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}; moto on loopback`);
  console.log(`organisation: ${reports} accounts (${accountCount} members + the management account), ${usersPerAccount} users per member; setup ${setupSeconds.toFixed(1)} s`);
  console.log(`fetch --organization --concurrency ${concurrency}: ${fetched.seconds.toFixed(1)} s, ${perMinute(fetched.seconds)} accounts/minute`);
  console.log(`check <dir>: ${checked.seconds.toFixed(1)} s, ${perMinute(checked.seconds)} accounts/minute`);
  console.log(`fetch + check: ${perMinute(fetched.seconds + checked.seconds)} accounts/minute`);
} finally {
  moto.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
