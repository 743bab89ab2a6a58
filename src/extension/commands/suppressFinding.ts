/** "Suppress finding...": writes a reason and an expiry to the suppressions file, then re-evaluates the report. */
import * as vscode from 'vscode';
import type { FindingReference } from '../codeActions';
import type { TreeNode } from '../findingsTree';
import { expiryAfterDays } from '../logic/suppressionEditor';
import type { Command, Services } from './services';

export interface SuppressionAnswers {
  reason?: string;
  expires?: string | null;
}

export function suppressFinding({ log, reports, suppressions }: Pick<Services, 'log' | 'reports' | 'suppressions'>): Command {
  return async (reference?: FindingReference | TreeNode, answers?: SuppressionAnswers): Promise<vscode.Uri | undefined> => {
    const ref: FindingReference | undefined =
      reference && 'kind' in reference
        ? reference.kind === 'finding'
          ? { uri: reference.uri.toString(), check: reference.item.finding.check, user: reference.item.finding.user, key: reference.item.finding.key }
          : undefined
        : reference;
    if (!ref || ref.user === null) return undefined;
    // Suppressing writes a file the workspace chose: not before the user trusts it (the store refuses too).
    if (!vscode.workspace.isTrusted) {
      log.warn(`suppress ${ref.check}: refused, the workspace is not trusted`);
      void vscode.window.showWarningMessage('IAM credential checks: suppressing a finding writes to the workspace; trust the workspace first.', 'Manage Workspace Trust').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return undefined;
    }
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
  };
}
