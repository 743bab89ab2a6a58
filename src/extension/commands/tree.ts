/** The findings view's commands: grouping, the severity filter, and revealing a finding's cell. */
import * as vscode from 'vscode';
import { Severity, SEVERITIES } from '../../core/model';
import { cellRange } from '../diagnostics';
import { FindingsTree, TreeNode } from '../findingsTree';
import type { GroupingOrder } from '../logic/findingGroups';
import type { Command, Services } from './services';

export function groupTreeBy({ tree }: Pick<Services, 'tree'>, order: GroupingOrder): Command {
  return () => tree.setGrouping(order);
}

export function filterTreeBySeverity({ config }: Pick<Services, 'config'>): Command {
  return async (severity?: Severity): Promise<void> => {
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
  };
}

export function revealFinding(): Command {
  return async (node?: TreeNode): Promise<vscode.TextEditor | undefined> => {
    if (!node || node.kind !== 'finding') return undefined;
    const document = await vscode.workspace.openTextDocument(node.uri);
    const range = cellRange(node.item.finding.location, node.item.finding.line, document);
    const editor = await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false, preview: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return editor;
  };
}

/** Finds the tree node of a finding of the current report, for tests and for "reveal in tree". */
export function findTreeNode(tree: FindingsTree, check: string, user: string | null, key: 1 | 2 | null = null): TreeNode | undefined {
  return tree.findNode((item) => item.finding.check === check && item.finding.user === user && (key === null || item.finding.key === key));
}
