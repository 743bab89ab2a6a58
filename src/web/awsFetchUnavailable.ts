/**
 * The AWS fetchers in the web build: the browser entry replaces the fetch command with a message saying why it cannot
 * run there (extension/web/webLimits.ts), so the AWS SDK (about 700 KiB) stays out of the web bundle. Never called.
 */
function unavailable(): Promise<never> {
  return Promise.reject(new Error('fetching a credential report from AWS is not available in VS Code for the Web'));
}

export const fetchCredentialReport = unavailable;
export const fetchCredentialReports = unavailable;
