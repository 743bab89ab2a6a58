/**
 * Every value the project takes from the AWS SDK, and nothing else: the SDK is about half of the bundled code and only
 * `fetch` (and `publish`) use it, so the other commands and the extension's activation must not load it. Import it only
 * through loadAwsSdk (types may come straight from the SDK packages with `import type`). scripts/build.mjs bundles this
 * module alone into dist/aws.js, which dist/cli.js and dist/extension.js require on first use; from out/ it is an
 * ordinary module. A command that needs another SDK client adds its exports here.
 */
export { GenerateCredentialReportCommand, GetCredentialReportCommand, IAMClient, ListVirtualMFADevicesCommand } from '@aws-sdk/client-iam';
export { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
export { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
export { BatchImportFindingsCommand, BatchUpdateFindingsCommand, GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
export { booleanSelector, CONFIG_PREFIX_SEPARATOR, getProfileName, loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS, SelectorType } from '@smithy/core/config';
