/**
 * `core/aws/loadAwsSdk` in the web build: the AWS SDK is never loaded in a browser (IAM, STS, Organizations and
 * Security Hub send no CORS headers), so the browser entry replaces every command that would call AWS with a message
 * (extension/web/webLimits.ts) and the SDK stays out of the web bundle. Never called; if it were, it says why.
 */
import type { AwsSdk } from '../core/aws/loadAwsSdk';

export type { AwsSdk };

export function loadAwsSdk(): Promise<AwsSdk> {
  return Promise.reject(new Error('calling AWS is not available in VS Code for the Web: AWS APIs send no CORS headers'));
}
