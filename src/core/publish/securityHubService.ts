/**
 * The Security Hub calls of a publish, through the AWS SDK (@aws-sdk/client-securityhub, the same @aws-sdk/core as
 * the IAM, STS and Organizations clients of a fetch). The region and endpoint come from the flags, else from the
 * profile's shared configuration, read as a fetch reads them (sharedConfigSettings: AWS_ENDPOINT_URL_SECURITYHUB, a
 * services section, endpoint_url). Security Hub is regional and has no default region: without one, nothing is sent.
 *
 * The SDK's retries are off (maxAttempts 1): the publisher's loop decides what is retried, says so, and stops at its
 * deadline. Every message that leaves here (errors, FailedFindings) is redacted with the credentials in hand.
 *
 * The SDK comes through loadAwsSdk (dist/aws.js), loaded when `publish` runs, not at start-up.
 */
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { loadAwsSdk } from '../aws/loadAwsSdk';
import { userinfoSecrets, withoutUserinfo } from '../fetch/credentialReportFetcher';
import { classifyAwsError } from '../fetch/awsErrorClassification';
import { SecretRedactor } from '../fetch/secretRedaction';
import { resolveServiceEndpointSettings, SharedConfigError } from '../fetch/sharedConfigSettings';
import { AsffFinding, SecurityHubService } from './securityHubPublisher';

export interface SecurityHubSettings {
  /** A profile from the shared config; unset: the SDK's default chain. */
  profile?: string;
  /** --region: wins over AWS_REGION and the profile's region. */
  region?: string;
  /** --endpoint-url: wins over every configured endpoint. */
  endpointUrl?: string;
  /** No single request waits longer than this (ms). */
  requestTimeoutMs?: number;
}

/** The connection could not be set up: no region, a broken shared config, no usable credentials. Nothing was sent. */
export class SecurityHubSetupError extends Error {}

export interface OpenedSecurityHub {
  service: SecurityHubService;
  region: string;
  /** Where the calls go, as messages show it (no password), and where that came from. */
  endpoint: string;
  destroy(): void;
}

const SERVICE_ID = 'SecurityHub';
const CONNECTION_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const WORKFLOW_NOTE = 'credcheck publish: no longer found in the audited credential report';

export async function openSecurityHub(settings: SecurityHubSettings): Promise<OpenedSecurityHub> {
  let resolved;
  try {
    resolved = await resolveServiceEndpointSettings(
      {
        ...(settings.profile !== undefined ? { profile: settings.profile } : {}),
        ...(settings.region !== undefined ? { region: settings.region } : {}),
        ...(settings.endpointUrl !== undefined ? { endpointUrl: settings.endpointUrl } : {}),
      },
      SERVICE_ID,
    );
  } catch (error) {
    if (error instanceof SharedConfigError) throw new SecurityHubSetupError(`${error.message}; nothing was sent`);
    throw error;
  }
  const region = resolved.region;
  if (!region) {
    throw new SecurityHubSetupError(
      'Security Hub is regional and no region is set: give --region, set AWS_REGION, or set the region of the profile; nothing was sent',
    );
  }
  const endpointUrl = resolved.endpoint;
  const shown = endpointUrl ? withoutUserinfo(endpointUrl) : `Security Hub (${region})`;
  const endpoint = resolved.endpointSource && resolved.endpointSource !== '--endpoint-url' ? `${shown} (${resolved.endpointSource})` : shown;
  const requestTimeout = settings.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const { BatchImportFindingsCommand, BatchUpdateFindingsCommand, GetFindingsCommand, SecurityHubClient } = await loadAwsSdk();
  const client = new SecurityHubClient({
    region,
    ...(endpointUrl ? { endpoint: endpointUrl } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeout), requestTimeout },
  });
  let redactor = new SecretRedactor(endpointUrl ? userinfoSecrets(endpointUrl) : []);
  try {
    const identity = await client.config.credentials();
    redactor = new SecretRedactor([...(endpointUrl ? userinfoSecrets(endpointUrl) : []), identity.secretAccessKey, identity.sessionToken ?? ''].filter((value) => value.length > 0));
  } catch (error) {
    client.destroy();
    const classified = classifyAwsError(error);
    const who = settings.profile ? `profile '${settings.profile}'` : 'the default AWS credentials';
    throw new SecurityHubSetupError(
      `no usable AWS credentials for ${who}: ${redactor.redact(classified.message)}. If it is an SSO profile, run \`aws sso login\`; ` +
        'otherwise set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or give --profile; nothing was sent',
    );
  }

  /** Sends one command; an error leaves with its message redacted (a proxy may echo the signed request). */
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw readableError(error, redactor);
    }
  };
  const service: SecurityHubService = {
    async importFindings(findings, signal) {
      const answer = await send(() => client.send(new BatchImportFindingsCommand({ Findings: findings as unknown as AwsSecurityFinding[] }), { abortSignal: signal }));
      const failed = (answer.FailedFindings ?? []).map((rejected) => ({
        id: rejected.Id ?? '',
        code: rejected.ErrorCode ?? 'Unknown',
        message: redactor.redact(rejected.ErrorMessage ?? ''),
      }));
      return { failedCount: answer.FailedCount ?? failed.length, failed };
    },
    async listFindingsPage(query, nextToken, signal) {
      const page = await send(() =>
        client.send(
          new GetFindingsCommand({
            Filters: {
              AwsAccountId: [{ Value: query.accountId, Comparison: 'EQUALS' }],
              ProductArn: [{ Value: query.productArn, Comparison: 'EQUALS' }],
              GeneratorId: [{ Value: query.generatorPrefix, Comparison: 'PREFIX' }],
              RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
            },
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      return { findings: (page.Findings ?? []) as unknown as AsffFinding[], ...(page.NextToken ? { nextToken: page.NextToken } : {}) };
    },
    async resolveWorkflow(findings, signal) {
      const answer = await send(() =>
        client.send(
          new BatchUpdateFindingsCommand({
            FindingIdentifiers: findings.map((finding) => ({ Id: finding.id, ProductArn: finding.productArn })),
            Workflow: { Status: 'RESOLVED' },
            Note: { Text: WORKFLOW_NOTE, UpdatedBy: 'credcheck' },
          }),
          { abortSignal: signal },
        ),
      );
      return {
        failed: (answer.UnprocessedFindings ?? []).map((rejected) => ({
          id: rejected.FindingIdentifier?.Id ?? '',
          code: rejected.ErrorCode ?? 'Unknown',
          message: redactor.redact(rejected.ErrorMessage ?? ''),
        })),
      };
    },
  };
  return { service, region, endpoint, destroy: () => client.destroy() };
}

/**
 * The error as the user should read it, redacted. An endpoint that answers something other than Security Hub's JSON
 * (an emulator without the action, a proxy's error page) makes the SDK throw a parse error about `<!doctype`; what
 * matters is the HTTP status, so that is what the error says.
 */
function readableError(error: unknown, redactor: SecretRedactor): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $response?: { statusCode?: number } }).$response?.statusCode;
  if (error.name === 'SyntaxError' && status !== undefined) {
    const unexpected = new Error(`the endpoint answered HTTP ${status} without a Security Hub answer (does it implement this action?)`);
    unexpected.name = 'UnexpectedAnswer';
    Object.assign(unexpected, { $metadata: { httpStatusCode: status } });
    return unexpected;
  }
  error.message = redactor.redact(error.message);
  return error;
}
