/**
 * What cannot work in VS Code for the Web, said once and clearly instead of failing somewhere inside.
 */
import * as vscode from 'vscode';
import type { Log } from '../logging';

/** Why fetching from AWS cannot run in a browser (IAM answers no CORS preflight, so the browser blocks every call). */
export const WEB_FETCH_MESSAGE =
  'Fetching a credential report from AWS is not available in VS Code for the Web: the IAM API does not allow calls from a browser (it sends no CORS headers), ' +
  'and a browser tab cannot read your AWS credentials. Run `aws iam generate-credential-report` and `aws iam get-credential-report` ' +
  '(or `credcheck fetch`) on your machine, then open the CSV here.';

/** Why a configured `opa` binary is not used in a browser. */
export function webOpaPathMessage(opaPath: string): string {
  return `credcheck.opaPath is set (${opaPath}), but VS Code for the Web cannot run a program: workspace policies are compiled with the embedded compiler instead.`;
}

/** `credcheck.fetchReport` in a browser: the message, with nothing fetched; it returns what it said. */
export function fetchUnavailableInBrowser(log: Log): () => { unavailable: string } {
  return () => {
    log.warn(WEB_FETCH_MESSAGE);
    void vscode.window.showErrorMessage(WEB_FETCH_MESSAGE);
    return { unavailable: WEB_FETCH_MESSAGE };
  };
}
