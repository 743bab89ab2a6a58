/**
 * `--profile X` must send its requests where the AWS SDK (and the AWS CLI) send them for AWS_PROFILE=X: the profile's
 * endpoint_url, its services section, AWS_ENDPOINT_URL_IAM, its region (issue #15, class 7). The SDK only does that for
 * AWS_PROFILE, so each case is resolved both ways and the request the client would send is compared: captured before
 * it leaves the process, so no case ever reaches a network, public or not.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCredentialReportCommand, IAMClient, IAMClientConfig } from '@aws-sdk/client-iam';
import { fetchCredentialReport } from '../../../src/core/fetch/credentialReportFetcher';
import { FetchError } from '../../../src/core/fetch/fetchError';
import { resolveIamEndpointSettings } from '../../../src/core/fetch/sharedConfigSettings';
import { IamStubServer } from '../../support/iamStubServer';

const credentials = { accessKeyId: 'AKIAPROFILETEST00001', secretAccessKey: 'profile-test-secret-000000000000000000' };
const AWS_VARIABLES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_IAM', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_EC2_METADATA_DISABLED', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];

/** Where the client would send GetCredentialReport: stopped in the finalize step, before any connection. */
async function requestTarget(config: IAMClientConfig): Promise<string> {
  const client = new IAMClient({ credentials, maxAttempts: 1, ...config });
  let target = '';
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { protocol: string; hostname: string; port?: number; path: string };
      target = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`;
      throw new Error('captured');
    },
    { step: 'finalizeRequest', priority: 'low' },
  );
  try {
    await client.send(new GetCredentialReportCommand({}));
  } catch (error) {
    if ((error as Error).message !== 'captured') throw error;
  } finally {
    client.destroy();
  }
  return target;
}

describe('profile settings resolved as the AWS SDK resolves them (sharedConfigSettings)', function () {
  this.timeout(30_000);
  let directory: string;
  const saved: Record<string, string | undefined> = {};
  let fileNumber = 0;

  /** A fresh file name each time: the SDK caches the shared files by path for the life of the process. */
  function configFiles(config: string, credentialsFile = ''): void {
    fileNumber++;
    const configPath = join(directory, `config-${fileNumber}`);
    const credentialsPath = join(directory, `credentials-${fileNumber}`);
    writeFileSync(configPath, config);
    writeFileSync(credentialsPath, credentialsFile);
    process.env.AWS_CONFIG_FILE = configPath;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsPath;
  }

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-profiles-'));
    for (const name of AWS_VARIABLES) saved[name] = process.env[name];
  });
  beforeEach(() => {
    for (const name of AWS_VARIABLES) delete process.env[name];
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  });
  after(() => {
    for (const name of AWS_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    rmSync(directory, { recursive: true, force: true });
  });

  const cases: Array<{ name: string; config: string; credentials?: string; env?: Record<string, string>; expected: string }> = [
    { name: 'endpoint_url of the profile', config: '[profile t]\nendpoint_url = http://127.0.0.1:7001\n', expected: 'http://127.0.0.1:7001/' },
    {
      name: 'iam endpoint_url of its services section, over its own endpoint_url',
      config: '[profile t]\nservices = local\nendpoint_url = http://127.0.0.1:7003\n\n[services local]\niam =\n  endpoint_url = http://127.0.0.1:7002/iam\ns3 =\n  endpoint_url = http://127.0.0.1:7009\n',
      expected: 'http://127.0.0.1:7002/iam/',
    },
    {
      name: 'its endpoint_url when the services section has none for IAM',
      config: '[profile t]\nservices = local\nendpoint_url = http://127.0.0.1:7004\n\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:7009\n',
      expected: 'http://127.0.0.1:7004/',
    },
    { name: 'AWS_ENDPOINT_URL_IAM over the profile', config: '[profile t]\nendpoint_url = http://127.0.0.1:7005\n', env: { AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:7006' }, expected: 'http://127.0.0.1:7006/' },
    { name: 'endpoint_url in the credentials file', config: '', credentials: '[t]\nendpoint_url = http://127.0.0.1:7007\n', expected: 'http://127.0.0.1:7007/' },
    { name: 'the region of the profile (China partition)', config: '[profile t]\nregion = cn-north-1\n', expected: 'https://iam.cn-north-1.amazonaws.com.cn/' },
    { name: 'ignore_configured_endpoint_urls', config: '[profile t]\nignore_configured_endpoint_urls = true\nendpoint_url = http://127.0.0.1:7008\n', expected: 'https://iam.amazonaws.com/' },
  ];

  for (const testCase of cases) {
    it(`--profile t goes where AWS_PROFILE=t goes: ${testCase.name}`, async () => {
      configFiles(testCase.config, testCase.credentials);
      Object.assign(process.env, testCase.env ?? {});
      const settings = await resolveIamEndpointSettings({ profile: 't' });
      const ours = await requestTarget({ region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}), profile: 't' });
      process.env.AWS_PROFILE = 't';
      // The SDK has no default region (credcheck's is us-east-1, IAM's home): given where the profile sets none.
      const sdk = await requestTarget(/region/.test(testCase.config) ? {} : { region: 'us-east-1' });
      assert.equal(ours, sdk, 'credcheck and the SDK disagree');
      assert.equal(ours, testCase.expected);
    });
  }

  it('the client given only `profile` ignores its endpoint_url (the SDK behaviour this module works around)', async () => {
    configFiles('[profile t]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:7001\n');
    // If this starts failing, the SDK resolves a client's profile itself now, and sharedConfigSettings may go.
    assert.equal(await requestTarget({ profile: 't' }), 'https://iam.amazonaws.com/');
  });

  it('--endpoint-url and --region win over the profile; a profile without either gets us-east-1 and no endpoint', async () => {
    configFiles('[profile t]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:7001\n[profile bare]\n');
    assert.deepEqual(await resolveIamEndpointSettings({ profile: 't', region: 'us-west-2', endpointUrl: 'http://127.0.0.1:9' }), {
      region: 'us-west-2', regionSource: '--region', endpoint: 'http://127.0.0.1:9', endpointSource: '--endpoint-url',
    });
    assert.deepEqual(await resolveIamEndpointSettings({ profile: 't' }), {
      region: 'eu-west-1', regionSource: "the region of profile 't'", endpoint: 'http://127.0.0.1:7001', endpointSource: "endpoint_url of profile 't'",
    });
    assert.deepEqual(await resolveIamEndpointSettings({ profile: 'bare' }), { region: 'us-east-1', regionSource: 'the default' });
  });

  it('fetchCredentialReport --profile sends every request to the endpoint_url of that profile, not to AWS', async () => {
    const stub = await IamStubServer.start({});
    try {
      configFiles(
        `[default]\nendpoint_url = http://127.0.0.1:1\n\n[profile staging]\nendpoint_url = ${stub.url}\n` +
          `aws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n`,
      );
      const progress: string[] = [];
      const report = await fetchCredentialReport({ profile: 'staging', timeoutMs: 10_000, onProgress: (line) => progress.push(line) });
      assert.equal(report.profile, 'staging');
      assert.deepEqual([...new Set(stub.requests.map((request) => request.action))].sort(), ['GenerateCredentialReport', 'GetCredentialReport', 'ListVirtualMFADevices']);
      assert.ok(stub.requests.every((request) => request.accessKeyId === credentials.accessKeyId));
      assert.ok(progress.some((line) => line.includes(`sending requests to ${stub.url}`) && line.includes("(endpoint_url of profile 'staging')")), progress.join('\n'));
    } finally {
      await stub.stop();
    }
  });

  it('a profile whose endpoint_url does not answer fails fast naming that endpoint: nothing goes to the public endpoint', async () => {
    configFiles('[profile offline]\nendpoint_url = http://127.0.0.1:1\naws_access_key_id = AKIAOFFLINE000000001\naws_secret_access_key = offline-secret-0000000000000000000000\n');
    const started = Date.now();
    await assert.rejects(fetchCredentialReport({ profile: 'offline', timeoutMs: 20_000, backoff: { baseMs: 10, maxMs: 20 } }), (error: unknown) => {
      assert.ok(error instanceof FetchError);
      assert.equal(error.code, 'network');
      assert.match(error.message, /cannot reach http:\/\/127\.0\.0\.1:1 \(endpoint_url of profile 'offline'\) for GenerateCredentialReport/);
      assert.doesNotMatch(error.message, /amazonaws/);
      return true;
    });
    assert.ok(Date.now() - started < 15_000);
  });

  it('a services section that is named but missing stops the fetch before anything is sent (the SDK would go to AWS)', async () => {
    configFiles('[profile typo]\nservices = locla\naws_access_key_id = AKIATYPO000000000001\naws_secret_access_key = typo-secret-00000000000000000000000000\n\n[services local]\niam =\n  endpoint_url = http://127.0.0.1:1\n');
    await assert.rejects(fetchCredentialReport({ profile: 'typo' }), (error: unknown) => {
      assert.ok(error instanceof FetchError);
      assert.equal(error.code, 'configuration');
      assert.match(error.message, /profile 'typo' names the services section 'locla', which is not in the shared config file; nothing was sent/);
      return true;
    });
  });

  it('an endpoint URL with a password is shown without it, and its password is never in a message', async () => {
    const stub = await IamStubServer.start({ GenerateCredentialReport: [(request) => ({ error: 'AccessDenied', message: `denied for ${String(request.headers.authorization)} via http://operator:Pa55-w0rd-Secret@${request.headers.host}/` })] });
    try {
      const url = stub.url.replace('http://', 'http://operator:Pa55-w0rd-Secret@');
      await assert.rejects(fetchCredentialReport({ endpointUrl: url, credentials, timeoutMs: 10_000 }), (error: unknown) => {
        assert.ok(error instanceof FetchError);
        assert.doesNotMatch(error.message, /Pa55-w0rd-Secret/);
        return true;
      });
      configFiles('');
      await assert.rejects(fetchCredentialReport({ endpointUrl: url.replace(/:\d+/, ':1'), credentials, timeoutMs: 10_000, backoff: { baseMs: 10, maxMs: 20 } }), (error: unknown) => {
        assert.ok(error instanceof FetchError);
        assert.equal(error.code, 'network');
        assert.doesNotMatch(error.message, /Pa55-w0rd-Secret|operator/);
        assert.match(error.message, /cannot reach http:\/\/127\.0\.0\.1:1\//);
        return true;
      });
    } finally {
      await stub.stop();
    }
  });
});
