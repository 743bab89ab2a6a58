/** Fetching credential reports from AWS, one or several profiles (accounts) at a time. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ProfileFetchOutcome } from '../../core/fetch/multiAccountFetcher';
import { writeWholeFile } from '../../core/files/atomicFile';
import { listProfileNames } from '../logic/awsProfiles';
import type { Command, Services } from './services';

const LAST_PROFILES_KEY = 'credcheck.fetch.lastProfiles';

export interface FetchReportOptions {
  profiles?: string[];
  saveTo?: vscode.Uri;
  endpointUrl?: string;
}

export function fetchReport({ context, config, log, auditor, reports }: Pick<Services, 'context' | 'config' | 'log' | 'auditor' | 'reports'>): Command {
  return async (options?: FetchReportOptions): Promise<vscode.TextEditor[]> => {
    const settings = config.settings;
    const endpointUrl = options?.endpointUrl ?? settings.fetchEndpointUrl;
    let profiles = options?.profiles;
    if (!profiles) {
      const known = listProfileNames(readIfExists(process.env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config')), readIfExists(process.env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials')));
      const last = context.globalState.get<string[]>(LAST_PROFILES_KEY, []);
      // No shared config: the SDK's default chain (environment, instance role) decides, with no profile named.
      if (known.length === 0) {
        profiles = [];
      } else {
        const picked = await vscode.window.showQuickPick(
          known.map((name) => ({ label: name, picked: last.includes(name) })),
          { canPickMany: true, title: 'Fetch credential reports from AWS', placeHolder: 'Profiles (accounts) to fetch from' },
        );
        if (!picked || picked.length === 0) return [];
        profiles = picked.map((item) => item.label);
        await context.globalState.update(LAST_PROFILES_KEY, profiles);
      }
    }
    const chosenProfiles = profiles;
    // The AWS SDK is the largest part of the bundle: initialised on the first fetch, not at activation.
    const { fetchCredentialReport } = await import('../../core/fetch/credentialReportFetcher');
    const { fetchCredentialReports } = await import('../../core/fetch/multiAccountFetcher');
    const outcomes = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Fetching credential report', cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const shared = {
          ...(endpointUrl ? { endpointUrl } : {}),
          ...(settings.fetchRegion ? { region: settings.fetchRegion } : {}),
          signal: controller.signal,
        };
        const report = (profile: string | null, message: string) => {
          progress.report({ message: profile ? `${profile}: ${message}` : message });
          log.info(`fetch ${profile || '(default credentials)'}: ${message}`);
        };
        if (chosenProfiles.length > 0) return fetchCredentialReports(chosenProfiles, { ...shared, onProgress: report });
        return fetchCredentialReport({ ...shared, onProgress: (message) => report('', message) }).then(
          (fetched): ProfileFetchOutcome[] => [{ profile: '', report: fetched }],
          (error: unknown): ProfileFetchOutcome[] => [{ profile: '', error: error as ProfileFetchOutcome['error'] }],
        );
      },
    );
    const editors: vscode.TextEditor[] = [];
    for (const outcome of outcomes) {
      if (outcome.error) {
        log.showError(`Could not fetch the credential report${outcome.profile ? ` for profile ${outcome.profile}` : ''}`, outcome.error);
        continue;
      }
      if (!outcome.report) continue;
      const { csv, generatedTime, mfaDevices, accountId } = outcome.report;
      let document: vscode.TextDocument;
      const saveTo = options?.saveTo && outcomes.length === 1 ? options.saveTo : undefined;
      if (saveTo) {
        // A credential report is sensitive: on disk it is owner-only (0600, also over an existing file) and written whole
        // or not at all, as the CLI and the organisation fetch write it. A virtual file system has no modes.
        if (saveTo.scheme === 'file') writeWholeFile(saveTo.fsPath, csv, { mode: 0o600, forceMode: true });
        else await vscode.workspace.fs.writeFile(saveTo, new TextEncoder().encode(csv));
        auditor.setMetadata(saveTo, { generatedTime, ...(mfaDevices ? { mfaDevices } : {}) });
        document = await vscode.workspace.openTextDocument(saveTo);
      } else {
        document = await vscode.workspace.openTextDocument({ content: csv, language: 'csv' }).then(
          (opened) => opened,
          () => vscode.workspace.openTextDocument({ content: csv }),
        );
        auditor.setMetadata(document.uri, { generatedTime, ...(mfaDevices ? { mfaDevices } : {}) });
      }
      log.info(`fetched the credential report of account ${accountId ?? 'unknown'} (generated ${generatedTime})`);
      editors.push(await vscode.window.showTextDocument(document, { preview: false }));
      await reports.evaluate(document);
    }
    return editors;
  };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
