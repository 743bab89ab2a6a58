/** The AWS SDK's values (src/core/aws/awsSdk.ts), loaded on first use: see there why. */
export type AwsSdk = typeof import('./awsSdk');

let loading: Promise<AwsSdk> | undefined;

export function loadAwsSdk(): Promise<AwsSdk> {
  // The specifier stays a literal: scripts/build.mjs turns exactly this import into a require of dist/aws.js.
  loading ??= import('./awsSdk');
  return loading;
}
