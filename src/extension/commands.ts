/**
 * The command table: every palette command and every command the tree, quick fixes and welcome view call.
 * Each command can also be driven with arguments instead of prompts, which is how the integration tests run them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { listProfileNames } from '../core/awsProfiles';
import { buildComplianceView, knownFrameworks } from '../core/compliance';
import type { ProfileFetchOutcome } from '../core/fetch/multiAccountFetcher';
import { GroupingOrder } from '../core/findingGroups';
import { Severity, SEVERITIES } from '../core/model';
import { FORMAT_NAMES, OutputContext, getFormatter } from '../core/output/formatter';
import { collectRunProblems } from '../core/output/problemText';
import { expiryAfterDays } from '../core/suppressionEditor';
import { FindingReference } from './codeActions';
import { CheckDocumentation, cellRange } from './diagnostics';
import { FindingsTree, TreeNode } from './findingsTree';
import { Log, describeError } from './logging';
import { PolicyWatcher } from './policyWatcher';
import { ReportAuditor, ReportResult } from './reportAuditor';
import { ReportWatcher } from './reportWatcher';
import { SummaryWebview } from './summaryWebview';
import { SuppressionStore } from './suppressionStore';
import { Config } from './config';
import { policyTemplate, policyTestTemplate } from './policyTemplate';
import { QueryPanel } from './queryPanel';
import { loadExampleQueries } from '../core/query/exampleQueries';

export interface Services {
  context: vscode.ExtensionContext;
  log: Log;
  config: Config;
  auditor: ReportAuditor;
  reports: ReportWatcher;
  policies: PolicyWatcher;
  tree: FindingsTree;
  summary: SummaryWebview;
  suppressions: SuppressionStore;
  documentation: CheckDocumentation;
  queryPanel: QueryPanel;
}

type CommandTable = Record<string, (...args: never[]) => unknown>;

const LAST_PROFILES_KEY = 'credcheck.fetch.lastProfiles';

export function commandTable(services: Services): CommandTable {
  const { context, log, config, auditor, reports, tree, summary, suppressions, documentation, queryPanel } = services;

  /** The report a command applies to: the active editor's, else the one the tree shows. */
  const currentReport = (): ReportResult | undefined => {
    const active = vscode.window.activeTextEditor?.document.uri;
    return (active && auditor.get(active)) || tree.currentReport;
  };
  const requireReport = (): ReportResult | undefined => {
    const report = currentReport();
    if (!report) void vscode.window.showInformationMessage('Open a credential report first (or the bundled sample).', 'Open Sample').then((choice) => choice && vscode.commands.executeCommand('credcheck.openSample'));
    return report;
  };

  return {
    'credcheck.run': async (): Promise<number> => {
      const open = vscode.workspace.textDocuments.filter(ReportWatcher.isReport);
      if (open.length === 0) {
        requireReport();
        return 0;
      }
      const results = await Promise.all(open.map((document) => reports.evaluate(document)));
      const count = results.reduce((sum, result) => sum + (result?.findings.filter((finding) => !finding.suppressed && finding.status !== 'skip').length ?? 0), 0);
      vscode.window.setStatusBarMessage(`IAM credential checks: ${count} finding(s) in ${open.length} report(s)`, 5000);
      return count;
    },

    'credcheck.openSample': async (): Promise<vscode.TextEditor> => {
      const sample = vscode.Uri.joinPath(context.extensionUri, 'samples', 'sample-credential-report.csv');
      const document = await vscode.workspace.openTextDocument(sample);
      return vscode.window.showTextDocument(document, { preview: false });
    },

    'credcheck.openReport': async (target?: vscode.Uri): Promise<vscode.TextEditor | undefined> => {
      const uri = target ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Credential reports': ['csv'], 'All files': ['*'] }, openLabel: 'Open Report' }))?.[0];
      if (!uri) return undefined;
      return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
    },

    'credcheck.fetchReport': async (options?: { profiles?: string[]; saveTo?: vscode.Uri; endpointUrl?: string }): Promise<vscode.TextEditor[]> => {
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
      // The AWS SDK is the largest part of the bundle: initialised on the first fetch, not at activation.
      const { fetchCredentialReport } = await import('../core/fetch/credentialReportFetcher');
      const { fetchCredentialReports } = await import('../core/fetch/multiAccountFetcher');
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
          if (profiles!.length > 0) return fetchCredentialReports(profiles!, { ...shared, onProgress: report });
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
          await vscode.workspace.fs.writeFile(saveTo, new TextEncoder().encode(csv));
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
    },

    'credcheck.newPolicy': async (name?: string): Promise<vscode.Uri | undefined> => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showWarningMessage('Open a folder first: custom policies live in the workspace.');
        return undefined;
      }
      const chosen =
        name ??
        (await vscode.window.showInputBox({
          title: 'New custom policy',
          prompt: 'A name for the check (letters, digits and underscores)',
          value: 'stale_console_users',
          validateInput: (value) => (/^[a-z][a-z0-9_]*$/.test(value) ? undefined : 'Use lower-case letters, digits and underscores, starting with a letter'),
        }));
      if (!chosen || !/^[a-z][a-z0-9_]*$/.test(chosen)) return undefined;
      const policyFolder = vscode.Uri.joinPath(folder.uri, config.settings.policyFolders[0] ?? 'policies');
      const policy = vscode.Uri.joinPath(policyFolder, `${chosen}.rego`);
      const test = vscode.Uri.joinPath(policyFolder, `${chosen}_test.rego`);
      if (await exists(policy)) {
        void vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(policy)} already exists.`);
        return undefined;
      }
      await vscode.workspace.fs.createDirectory(policyFolder);
      await vscode.workspace.fs.writeFile(policy, new TextEncoder().encode(policyTemplate(chosen)));
      if (!(await exists(test))) await vscode.workspace.fs.writeFile(test, new TextEncoder().encode(policyTestTemplate(chosen)));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(policy), { preview: false });
      return policy;
    },

    'credcheck.showPolicyInput': async (): Promise<vscode.TextDocument | undefined> => {
      const report = requireReport();
      const input = report?.outcome.reports[0]?.input;
      if (!input) return undefined;
      const document = await vscode.workspace.openTextDocument({ content: `${JSON.stringify(input, null, 2)}\n`, language: 'json' });
      await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
      return document;
    },

    'credcheck.exportFindings': async (format?: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> => {
      const report = requireReport();
      if (!report) return undefined;
      const chosenFormat = format ?? (await vscode.window.showQuickPick([...FORMAT_NAMES], { title: 'Export findings', placeHolder: 'Format' }));
      const formatter = chosenFormat ? getFormatter(chosenFormat) : undefined;
      if (!formatter) return undefined;
      const extension = { table: 'txt', json: 'json', sarif: 'sarif', junit: 'xml', csv: 'csv', markdown: 'md' }[formatter.name] ?? 'txt';
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const base = path.basename(report.uri.path).replace(/\.[^.]*$/, '') || 'credential-report';
      const uri = target ?? (await vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${base}-findings.${extension}`) } : {}), title: 'Export findings' }));
      if (!uri) return undefined;
      const framework = config.settings.framework;
      const compliance = knownFrameworks(report.outcome.catalog).includes(framework) ? buildComplianceView(framework, report.findings, report.outcome.catalog) : undefined;
      const outputContext: OutputContext = {
        reports: report.outcome.reports.map((entry) => ({ file: entry.file, layout: entry.parsed.layout, accountId: entry.input.report.account_id, users: entry.input.users.length, problems: entry.problems })),
        findings: compliance ? compliance.findings : report.findings,
        policyProblems: report.policyProblems,
        catalog: report.outcome.catalog,
        evaluationTime: report.evaluationTime,
        toolVersion: String(context.extension.packageJSON.version ?? '0.0.0'),
        ...(compliance ? { compliance } : {}),
        ...collectRunProblems(report.outcome.reports, report.policyProblems),
      };
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(formatter.format(outputContext)));
      log.info(`exported ${report.findings.length} findings as ${formatter.name} to ${vscode.workspace.asRelativePath(uri)}`);
      if (!target) void vscode.window.showInformationMessage(`Exported ${report.findings.length} findings to ${vscode.workspace.asRelativePath(uri)}.`);
      return uri;
    },

    'credcheck.showSummary': (): boolean => {
      const report = requireReport();
      if (!report) return false;
      summary.show(report.uri);
      return true;
    },

    'credcheck.tree.groupByUser': () => tree.setGrouping('user' satisfies GroupingOrder),
    'credcheck.tree.groupByCheck': () => tree.setGrouping('check' satisfies GroupingOrder),

    'credcheck.tree.filterSeverity': async (severity?: Severity): Promise<void> => {
      const chosen =
        severity ??
        ((await vscode.window.showQuickPick(
          SEVERITIES.map((value) => ({ label: value, description: value === config.settings.severityFilter ? 'current' : '' })),
          { title: 'Show findings of at least this severity' },
        ))?.label as Severity | undefined);
      if (!chosen || !SEVERITIES.includes(chosen)) return;
      const section = vscode.workspace.getConfiguration('credcheck');
      const target = section.inspect('severityFilter')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await section.update('severityFilter', chosen, target);
    },

    'credcheck.revealFinding': async (node?: TreeNode): Promise<vscode.TextEditor | undefined> => {
      if (!node || node.kind !== 'finding') return undefined;
      const document = await vscode.workspace.openTextDocument(node.uri);
      const range = cellRange(node.item.finding.location, node.item.finding.line, document);
      const editor = await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false, preview: false });
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return editor;
    },

    'credcheck.suppressFinding': async (reference?: FindingReference | TreeNode, answers?: { reason?: string; expires?: string | null }): Promise<vscode.Uri | undefined> => {
      const ref: FindingReference | undefined =
        reference && 'kind' in reference
          ? reference.kind === 'finding'
            ? { uri: reference.uri.toString(), check: reference.item.finding.check, user: reference.item.finding.user, key: reference.item.finding.key }
            : undefined
          : reference;
      if (!ref || ref.user === null) return undefined;
      const reason =
        answers?.reason ??
        (await vscode.window.showInputBox({
          title: `Suppress ${ref.check} for ${ref.user}`,
          prompt: 'Why is this finding accepted? (kept in the suppressions file)',
          validateInput: (value) => (value.trim() ? undefined : 'A reason is required'),
        }));
      if (!reason?.trim()) return undefined;
      let expires = answers?.expires;
      if (expires === undefined) {
        const now = new Date();
        const picked = await vscode.window.showQuickPick(
          [
            { label: '30 days', expires: expiryAfterDays(now, 30) },
            { label: '90 days', expires: expiryAfterDays(now, 90) },
            { label: '1 year', expires: expiryAfterDays(now, 365) },
            { label: 'Never expires', expires: null },
          ].map((item) => ({ ...item, description: item.expires ?? '' })),
          { title: 'Suppression expiry' },
        );
        if (!picked) return undefined;
        expires = picked.expires;
      }
      try {
        const uri = await suppressions.add({ check: ref.check, user: ref.user, key: ref.key, reason, expires: expires ?? null });
        const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === ref.uri);
        if (document) await reports.evaluate(document);
        return uri;
      } catch (error) {
        log.showError('Could not write the suppression', error);
        return undefined;
      }
    },

    'credcheck.openCheckDocumentation': async (check?: string | TreeNode): Promise<vscode.Uri | undefined> => {
      const id = typeof check === 'string' ? check : check?.kind === 'finding' ? check.item.finding.check : check?.kind === 'group' && check.group.kind === 'check' ? check.group.name : undefined;
      if (!id) return undefined;
      const uri = documentation.uriFor(id);
      if (!uri) {
        void vscode.window.showInformationMessage(`${id} is not a bundled check: its documentation is the METADATA of its policy.`);
        return undefined;
      }
      try {
        await vscode.commands.executeCommand('markdown.showPreview', uri);
      } catch (error) {
        log.warn(`markdown preview unavailable (${describeError(error)}); opening the source`);
        await vscode.window.showTextDocument(uri, { preview: true });
      }
      return uri;
    },

    'credcheck.showLog': () => log.channel.show(),

    'credcheck.query': async (text?: string): Promise<vscode.TextDocument | undefined> => {
      // The report is chosen before the query editor takes the focus; a query editor already open keeps its report.
      const report = currentReport()?.uri ?? queryPanel.reportUri;
      if (!report) {
        requireReport();
        return undefined;
      }
      const examples = loadExampleQueries(vscode.Uri.joinPath(context.extensionUri, 'queries').fsPath);
      const starter = examples.find((example) => example.name === 'top10-08-users-without-mfa') ?? examples[0];
      return queryPanel.open(text ?? starter?.query ?? '[u.user | some u in input.users; u.mfa_active == false]', report);
    },

    'credcheck.runExampleQuery': async (name?: string): Promise<vscode.TextDocument | undefined> => {
      const examples = loadExampleQueries(vscode.Uri.joinPath(context.extensionUri, 'queries').fsPath);
      const chosen = name
        ? examples.find((example) => example.name === name)
        : (await vscode.window.showQuickPick(
            examples.map((example) => ({ label: example.title, description: example.name, detail: example.question, example })),
            { title: 'Run an example query', placeHolder: 'A question about the credential report', matchOnDescription: true, matchOnDetail: true },
          ))?.example;
      if (!chosen) return undefined;
      return vscode.commands.executeCommand<vscode.TextDocument | undefined>('credcheck.query', chosen.query);
    },
  };
}

/** Finds the tree node of a finding of the current report, for tests and for "reveal in tree". */
export function findTreeNode(tree: FindingsTree, check: string, user: string | null, key: 1 | 2 | null = null): TreeNode | undefined {
  return tree.findNode((item) => item.finding.check === check && item.finding.user === user && (key === null || item.finding.key === key));
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
