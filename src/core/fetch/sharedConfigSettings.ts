/**
 * Where a fetch sends its requests: the region and the IAM endpoint a profile's shared configuration (~/.aws/config,
 * ~/.aws/credentials, AWS_CONFIG_FILE, ...) gives, read by the AWS SDK's own loader (`loadConfig` of @smithy/core, the
 * one the SDK clients use for every other setting), never by a parser of ours.
 *
 * Why not leave it to the client: the SDK resolves `endpoint_url` (and `services` sections) only for the profile named
 * by AWS_PROFILE, not for the `profile` given to the client constructor (@smithy/core 3.41 endpoints
 * `getEndpointFromConfig` calls loadConfig without the client's profile, while region, FIPS and dual-stack get it). So
 * `credcheck fetch --profile test` would sign requests with the test profile's keys and send them to the public IAM
 * endpoint instead of the test endpoint its profile names. The selector below is the SDK's `getEndpointUrlConfig("IAM")`
 * (not exported), run by the SDK's loader with the profile; a differential test holds it to what the SDK resolves for
 * AWS_PROFILE.
 */
import { AwsSdk, loadAwsSdk } from '../aws/loadAwsSdk';

/** IAM is global; without a configured region, its commercial partition is meant. */
export const DEFAULT_IAM_REGION = 'us-east-1';

export interface IamEndpointSettings {
  region: string;
  /** Where the region came from, for messages: `--region`, the shared config or the default. */
  regionSource: string;
  /** A configured endpoint, or undefined: the SDK's endpoint for the region (public IAM). */
  endpoint?: string;
  /** Where the endpoint came from, for messages, e.g. `endpoint_url of profile 'test'`. */
  endpointSource?: string;
}

export interface IamEndpointRequest {
  /** undefined: the profile the SDK picks itself (AWS_PROFILE, else `default`). */
  profile?: string;
  /** --region / the extension setting: wins over the shared config. */
  region?: string;
  /** --endpoint-url / the extension setting: wins over everything. */
  endpointUrl?: string;
}

/** A shared configuration that names something that is not there (a `services` section): the fetch cannot start. */
export class SharedConfigError extends Error {}

/** The SDK's serviceId for IAM, as its endpoint settings are named: AWS_ENDPOINT_URL_IAM, `iam =` in `[services x]`. */
const IAM_SERVICE_ID = 'IAM';
const ENDPOINT_URL = 'endpoint_url';

function ignoreConfiguredEndpointUrls({ booleanSelector, SelectorType }: AwsSdk) {
  return {
    environmentVariableSelector: (env: NodeJS.ProcessEnv) => booleanSelector(env, 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', SelectorType.ENV),
    configFileSelector: (profile: Record<string, string | undefined>) => booleanSelector(profile, 'ignore_configured_endpoint_urls', SelectorType.CONFIG),
    default: false,
  };
}

/**
 * The SDK's `getEndpointUrlConfig("IAM")`, which also notes where the value came from (for messages) and a services
 * section that is named but missing. The SDK's loader swallows that error and falls back to the public endpoint; a fetch
 * must not send a profile's keys there because of a typo, so it stops instead.
 */
function endpointUrlSelectors({ CONFIG_PREFIX_SEPARATOR }: AwsSdk, serviceId: string, profileName: string, found: { source?: string; problem?: string }) {
  const upperService = serviceId.split(' ').map((word) => word.toUpperCase());
  const lowerService = serviceId.split(' ').map((word) => word.toLowerCase()).join('_');
  return {
    environmentVariableSelector: (env: NodeJS.ProcessEnv): string | undefined => {
      const serviceVariable = ['AWS_ENDPOINT_URL', ...upperService].join('_');
      for (const variable of [serviceVariable, 'AWS_ENDPOINT_URL']) {
        if (env[variable]) {
          found.source = variable;
          return env[variable];
        }
      }
      return undefined;
    },
    configFileSelector: (profile: Record<string, string | undefined>, config?: Record<string, Record<string, string | undefined>>): string | undefined => {
      if (profile.services) {
        const section = config?.[['services', profile.services].join(CONFIG_PREFIX_SEPARATOR)];
        if (!section) {
          found.problem = `profile '${profileName}' names the services section '${profile.services}', which is not in the shared config file`;
          throw new Error(found.problem);
        }
        const value = section[[lowerService, ENDPOINT_URL].join(CONFIG_PREFIX_SEPARATOR)];
        if (value) {
          found.source = `${lowerService}.${ENDPOINT_URL} in [services ${profile.services}] (profile '${profileName}')`;
          return value;
        }
      }
      if (profile[ENDPOINT_URL]) {
        found.source = `${ENDPOINT_URL} of profile '${profileName}'`;
        return profile[ENDPOINT_URL];
      }
      return undefined;
    },
    default: undefined,
  };
}

/**
 * The region and endpoint for one profile, in the SDK's order: explicit options, then (unless
 * ignore_configured_endpoint_urls) AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, the profile's services section, its
 * endpoint_url; the region from AWS_REGION or the profile, else us-east-1. The files are read afresh (the extension
 * lives long, and the user may have just edited them).
 */
export async function resolveIamEndpointSettings(request: IamEndpointRequest): Promise<IamEndpointSettings> {
  const settings = await resolveServiceEndpointSettings(request, IAM_SERVICE_ID);
  return settings.region === undefined ? { ...settings, region: DEFAULT_IAM_REGION, regionSource: 'the default' } : (settings as IamEndpointSettings);
}

/**
 * The same for any service, by the SDK's serviceId (`SecurityHub`: AWS_ENDPOINT_URL_SECURITYHUB, `securityhub =` in a
 * services section). A regional service has no default region: `region` is undefined when nothing configures one.
 */
export async function resolveServiceEndpointSettings(
  request: IamEndpointRequest,
  serviceId: string,
): Promise<Omit<IamEndpointSettings, 'region'> & { region: string | undefined }> {
  const sdk = await loadAwsSdk();
  const { getProfileName, loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } = sdk;
  const loaderOptions = { ignoreCache: true, ...(request.profile !== undefined ? { profile: request.profile } : {}) };
  const profileName = request.profile ?? getProfileName({});
  let region = request.region;
  let regionSource = '--region';
  if (region === undefined) {
    try {
      region = await loadConfig(NODE_REGION_CONFIG_OPTIONS, { ...NODE_REGION_CONFIG_FILE_OPTIONS, ...loaderOptions })();
      regionSource = process.env.AWS_REGION ? 'AWS_REGION' : `the region of profile '${profileName}'`;
    } catch {
      regionSource = 'nowhere';
    }
  }
  if (request.endpointUrl !== undefined) return { region, regionSource, endpoint: request.endpointUrl, endpointSource: '--endpoint-url' };

  if (await loadConfig(ignoreConfiguredEndpointUrls(sdk), loaderOptions)()) return { region, regionSource };
  const found: { source?: string; problem?: string } = {};
  const endpoint = await loadConfig(endpointUrlSelectors(sdk, serviceId, profileName, found), loaderOptions)();
  if (found.problem) throw new SharedConfigError(found.problem);
  return endpoint === undefined ? { region, regionSource } : { region, regionSource, endpoint, endpointSource: found.source };
}
