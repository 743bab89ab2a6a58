/**
 * "Fetch credential reports of an organization": every active account of the caller's AWS organisation (or the
 * accounts given), each through a role assumed in it, written into a workspace folder as `credcheck fetch
 * --organization --out <folder>` writes them (accountReportFiles: one owner-only report and sidecar per account,
 * atomically), then audited and shown together in the findings tree, grouped by account.
 *
 * One account failing never stops the others: the summary message names each failed account and why, the log has the
 * whole message. Nothing here logs credentials or report contents: the core's progress and error messages hold
 * account ids, role ARNs and AWS error codes only. The endpoint and region come from `config.settings`, which in an
 * untrusted workspace leaves out what the workspace set (both settings are restricted), as the one-account fetch does.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AccountFetchOutcome } from '../../core/fetch/organizationFetcher';
import { externalIdProblem, parseAccountIds, roleNameProblem, writeAccountReport } from '../../core/fetch/accountReportFiles';
import { redactSecrets } from '../../core/fetch/secretRedaction';
import { describeError } from '../logging';
import { listProfileNames } from '../logic/awsProfiles';
import { AccountFailure, summarizeOrganizationFetch } from '../logic/organizationFetchSummary';
import type { Command, Services } from './services';

/** The organisation role Organizations creates in member accounts. Kept here so the palette does not load the AWS SDK. */
const DEFAULT_ROLE = 'OrganizationAccountAccessRole';
const LAST_ROLE_KEY = 'credcheck.fetchOrganization.lastRoleName';

/** Every prompt can be answered by an argument instead (tests, other commands). */
export interface FetchOrganizationOptions {
  /** A workspace folder or a folder inside one (created when missing). */
  folder?: vscode.Uri;
  roleName?: string;
  /** '' for none. */
  externalId?: string;
  /** Only these accounts; [] or undefined: every active account. */
  accounts?: string[];
  /** The profile that lists the organisation and assumes the roles; '' or undefined: the default credential chain. */
  profile?: string;
  endpointUrl?: string;
  concurrency?: number;
}

export interface FetchOrganizationResult {
  /** The reports written, in the order the organisation lists the accounts. */
  written: vscode.Uri[];
  failures: AccountFailure[];
  skipped: { accountId: string; reason: string }[];
  /** The message shown at the end. */
  message: string;
}

export function fetchOrganization({ context, config, log, auditor, reports, tree }: Pick<Services, 'context' | 'config' | 'log' | 'auditor' | 'reports' | 'tree'>): Command {
  return async (options: FetchOrganizationOptions = {}): Promise<FetchOrganizationResult | undefined> => {
    const folder = options.folder ?? (await pickFolder());
    if (!folder) return undefined;
    const folderProblem = checkFolder(folder);
    if (folderProblem) {
      void vscode.window.showErrorMessage(`Fetch credential reports of an organization: ${folderProblem}`);
      return undefined;
    }
    const roleName = options.roleName ?? (await askRoleName(context.globalState.get<string>(LAST_ROLE_KEY, DEFAULT_ROLE)));
    if (roleName === undefined) return undefined;
    const roleProblem = roleNameProblem(roleName);
    if (roleProblem) {
      void vscode.window.showErrorMessage(`The role name ${roleProblem}`);
      return undefined;
    }
    if (options.roleName === undefined) await context.globalState.update(LAST_ROLE_KEY, roleName);
    const externalId = options.externalId ?? (await askExternalId());
    if (externalId === undefined) return undefined;
    if (externalId !== '' && externalIdProblem(externalId)) {
      void vscode.window.showErrorMessage(`The external id ${externalIdProblem(externalId)}`);
      return undefined;
    }
    const accounts = options.accounts ?? (await askAccounts());
    if (accounts === undefined) return undefined;
    const accountsProblem = accounts.length > 0 ? parseAccountIds(accounts.join(',')) : undefined;
    if (accountsProblem && 'problem' in accountsProblem) {
      void vscode.window.showErrorMessage(`The account list ${accountsProblem.problem}`);
      return undefined;
    }
    const profile = options.profile ?? (await pickProfile());
    if (profile === undefined) return undefined;

    const settings = config.settings;
    const endpointUrl = options.endpointUrl ?? settings.fetchEndpointUrl ?? undefined;
    const region = settings.fetchRegion ?? undefined;
    const shownFolder = vscode.workspace.asRelativePath(folder);
    log.info(
      `fetch organization: into ${shownFolder}, role ${roleName}${externalId ? ', with an external id' : ''}` +
        `${accounts.length ? `, accounts ${accounts.join(', ')}` : ', every active account'}${profile ? `, profile ${profile}` : ''}${endpointUrl ? `, endpoint ${redactSecrets(endpointUrl)}` : ''}`,
    );

    // The AWS SDK is the largest part of the bundle: loaded on the first fetch, not at activation.
    const { createOrganizationServices, fetchOrganizationReports, partitionOf } = await import('../../core/fetch/organizationFetcher');
    let outcomes: AccountFetchOutcome[];
    try {
      outcomes = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Fetching the credential reports of the organization', cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const cancellation = token.onCancellationRequested(() => controller.abort());
          const services = await createOrganizationServices({ ...(profile ? { profile } : {}), ...(region ? { region } : {}), ...(endpointUrl ? { endpointUrl } : {}) });
          try {
            return await fetchOrganizationReports(services, {
              roleName,
              ...(externalId ? { externalId } : {}),
              ...(accounts.length ? { accounts } : {}),
              ...(options.concurrency ? { concurrency: options.concurrency } : {}),
              partition: partitionOf(region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION),
              signal: controller.signal,
              onProgress: (account, message) => {
                progress.report({ message: account ? `${account}: ${message}` : message });
                log.info(`fetch organization${account ? ` [${account}]` : ''}: ${message}`);
              },
            });
          } finally {
            cancellation.dispose();
            services.destroy();
          }
        },
      );
    } catch (error) {
      // The organisation itself could not be listed (FetchError): no account could be fetched.
      log.showError('Could not fetch the credential reports of the organization', error);
      return { written: [], failures: [], skipped: [], message: describeError(error) };
    }

    const written: vscode.Uri[] = [];
    const failures: AccountFailure[] = [];
    const skipped: FetchOrganizationResult['skipped'] = [];
    for (const outcome of outcomes) {
      const account = outcome.accountId;
      if (outcome.status === 'skipped') {
        skipped.push({ accountId: account, reason: outcome.reason ?? 'not active' });
        log.info(`fetch organization [${account}]: skipped: ${outcome.reason ?? 'not active'}`);
        continue;
      }
      if (outcome.status === 'failed' || !outcome.report) {
        const error = outcome.error;
        failures.push({
          accountId: account, accountName: outcome.accountName, code: error?.code ?? 'service-failure', message: error?.message ?? 'not fetched',
          ...(error?.details.permission ? { permission: error.details.permission } : {}),
        });
        log.warn(`fetch organization [${account}]: failed: ${error?.message ?? 'not fetched'}`);
        continue;
      }
      const report = outcome.report;
      try {
        const file = vscode.Uri.file(writeAccountReport(folder.fsPath, { accountId: account, accountName: outcome.accountName, report }));
        auditor.setMetadata(file, {
          generatedTime: report.generatedTime,
          ...(report.mfaDevices ? { mfaDevices: report.mfaDevices } : {}),
          accountId: account,
          accountName: outcome.accountName,
        });
        written.push(file);
        log.info(`fetch organization [${account}]: saved ${vscode.workspace.asRelativePath(file)} (report generated ${report.generatedTime})`);
        for (const note of report.notes) log.info(`fetch organization [${account}]: note: ${note}`);
      } catch (error) {
        failures.push({ accountId: account, accountName: outcome.accountName, code: 'write', message: describeError(error) });
        log.warn(`fetch organization [${account}]: failed: ${describeError(error)}`);
      }
    }

    const summary = summarizeOrganizationFetch({ attempted: outcomes.length - skipped.length, written: written.length, skipped: skipped.length, failures, folder: shownFolder });
    log.info(`fetch organization: ${summary.text}`);
    const show = summary.severity === 'info' ? vscode.window.showInformationMessage : summary.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(summary.text, 'Show log').then((choice) => {
      if (choice) log.channel.show(true);
    });

    // Audit what was written, as the reports of open documents are (no tab each: an organisation may have hundreds),
    // and show them together in the tree. They stay evaluated until a report outside them becomes the active editor.
    const release = reports.keep(written);
    const documents = await Promise.all(written.map((uri) => vscode.workspace.openTextDocument(uri)));
    tree.showReports(written, release);
    await Promise.all(documents.map((document) => reports.evaluate(document)));
    return { written, failures, skipped, message: summary.text };
  };
}

/** Why the fetch cannot write into this folder, or undefined: it must be a local folder inside a workspace folder. */
function checkFolder(folder: vscode.Uri): string | undefined {
  if (folder.scheme !== 'file') return `${folder.toString()} is not a local folder`;
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(folder);
  if (!workspaceFolder) return `${folder.fsPath} is not inside a workspace folder`;
  try {
    if (!fs.statSync(folder.fsPath).isDirectory()) return `${vscode.workspace.asRelativePath(folder)} is not a folder`;
  } catch (error) {
    // A folder that does not exist yet is created, owner-only, when the first report is written.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot use ${folder.fsPath}: ${describeError(error)}`;
  }
  return undefined;
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage('Open a folder first: the reports of the organization are written into a workspace folder.');
    return undefined;
  }
  const choose = { label: '$(folder-opened) Choose a subfolder...', uri: undefined as vscode.Uri | undefined };
  const picked = await vscode.window.showQuickPick([...folders.map((folder) => ({ label: folder.name, description: folder.uri.fsPath, uri: folder.uri as vscode.Uri | undefined })), choose], {
    title: 'Fetch credential reports of an organization (1/5)',
    placeHolder: 'The folder to write one report per account into',
  });
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: folders[0]!.uri, openLabel: 'Write the reports here' });
  return chosen?.[0];
}

function askRoleName(last: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Fetch credential reports of an organization (2/5)',
    prompt: 'The role assumed in each member account',
    value: last,
    validateInput: (value) => roleNameProblem(value.trim()),
  }).then((value) => value?.trim());
}

function askExternalId(): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Fetch credential reports of an organization (3/5)',
    prompt: 'The external id the roles require (leave empty when they require none)',
    validateInput: (value) => (value.trim() === '' ? undefined : externalIdProblem(value.trim())),
  }).then((value) => value?.trim());
}

function askAccounts(): Thenable<string[] | undefined> {
  return vscode.window.showInputBox({
    title: 'Fetch credential reports of an organization (4/5)',
    prompt: 'Only these accounts, ids separated by commas (leave empty for every active account)',
    validateInput: (value) => {
      if (value.trim() === '') return undefined;
      const parsed = parseAccountIds(value);
      return 'problem' in parsed ? `The account list ${parsed.problem}` : undefined;
    },
  }).then((value) => {
    if (value === undefined) return undefined;
    const parsed = value.trim() === '' ? { accounts: [] } : parseAccountIds(value);
    return 'accounts' in parsed ? parsed.accounts : undefined;
  });
}

/** The profile to list the organisation with; '' for the default chain (also when there is no shared config). */
async function pickProfile(): Promise<string | undefined> {
  const known = listProfileNames(readIfExists(process.env.AWS_CONFIG_FILE || path.join(os.homedir(), '.aws', 'config')), readIfExists(process.env.AWS_SHARED_CREDENTIALS_FILE || path.join(os.homedir(), '.aws', 'credentials')));
  if (known.length === 0) return '';
  const picked = await vscode.window.showQuickPick([{ label: '(default credentials)', profile: '' }, ...known.map((name) => ({ label: name, profile: name }))], {
    title: 'Fetch credential reports of an organization (5/5)',
    placeHolder: 'The credentials that list the organization and assume the roles (the management account or a delegated administrator)',
  });
  return picked?.profile;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
