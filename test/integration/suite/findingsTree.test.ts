import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/extension/findingsTree';
import { requestScreenshot } from '../screenshots';
import type { CredcheckApi } from '../../../src/extension/main';
import { activateExtension, cellOf, closeAllEditors, openWorkspaceReport, reportDiagnostics, rowOf, waitFor } from './extensionHelpers';

type GroupNode = Extract<TreeNode, { kind: 'group' }>;

/**
 * Reveals a finding's node until the tree's selection holds it. A rebuild of the tree (a late re-evaluation on a busy
 * machine) can drop a selection just made; then the node of the current tree is revealed again. Waits for states only.
 */
async function selectInTree(api: CredcheckApi, check: string, user: string): Promise<TreeNode> {
  let revealing: Promise<void> | undefined;
  return waitFor(
    `the ${check} / ${user} node to be selected in the tree`,
    () => {
      const node = api.findTreeNode(check, user);
      assert.ok(node, `no tree node for ${check} / ${user}`);
      if (api.treeView.selection.some((selected) => selected.id === node.id)) return node;
      revealing ??= api.revealInTree(node).finally(() => (revealing = undefined));
      return undefined;
    },
    { events: [api.treeView.onDidChangeSelection] },
  );
}

describe('findings tree', () => {
  afterEach(async () => {
    await vscode.commands.executeCommand('credcheck.tree.groupByCheck');
    await vscode.workspace.getConfiguration('credcheck').update('severityFilter', undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  it('groups by check then user with counts that match the findings', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('tree roots', () => api.getTreeRoots().length > 0);
    const findings = api.getResult(document.uri)!.findings.filter((finding) => finding.status !== 'skip');
    const roots = api.getTreeRoots() as GroupNode[];
    const checks = [...new Set(findings.map((finding) => finding.check))].sort();
    assert.deepStrictEqual(roots.map((root) => root.group.name).sort(), checks);
    for (const root of roots) {
      assert.strictEqual(root.group.kind, 'check');
      assert.strictEqual(root.group.count, findings.filter((finding) => finding.check === root.group.name).length, `count of ${root.group.name}`);
      const users = api.getTreeChildren(root) as GroupNode[];
      assert.deepStrictEqual(users.map((user) => user.group.name).sort(), [...new Set(findings.filter((f) => f.check === root.group.name).map((f) => f.user))].sort());
      for (const user of users) {
        const leaves = api.getTreeChildren(user);
        assert.ok(leaves.length > 0 && leaves.every((leaf) => leaf.kind === 'finding' && leaf.parent === user), `leaves of ${user.id}`);
        assert.strictEqual(api.treeView && user.parent, root, 'getParent of a user group is its check');
      }
    }
    // Most severe first: console-user-mfa (high) before any medium check.
    assert.strictEqual(roots[0]!.group.name, 'console-user-mfa');
  });

  it('regroups by user then check and filters by severity', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('tree roots', () => api.getTreeRoots().length > 0);
    await vscode.commands.executeCommand('credcheck.tree.groupByUser');
    const byUser = api.getTreeRoots() as GroupNode[];
    assert.ok(byUser.every((root) => root.group.kind === 'user'));
    const dwight = byUser.find((root) => root.group.name === 'dwight_schrute')!;
    const findings = api.getResult(document.uri)!.findings.filter((finding) => finding.status !== 'skip' && finding.user === 'dwight_schrute');
    assert.strictEqual(dwight.group.count, findings.length);
    assert.deepStrictEqual((api.getTreeChildren(dwight) as GroupNode[]).map((child) => child.group.name).sort(), [...new Set(findings.map((f) => f.check))].sort());

    await vscode.commands.executeCommand('credcheck.tree.filterSeverity', 'high');
    await waitFor('the filter to apply', () => (api.getTreeRoots() as GroupNode[]).every((root) => ['critical', 'high'].includes(root.group.severity)) && api.getTreeRoots().length > 0);
    const high = api.getResult(document.uri)!.findings.filter((finding) => finding.status !== 'skip' && ['critical', 'high'].includes(finding.severity));
    assert.strictEqual((api.getTreeRoots() as GroupNode[]).reduce((sum, root) => sum + root.group.count, 0), high.length);
    await waitFor('diagnostics filtered too', () => reportDiagnostics(document.uri).length === high.length);
  });

  it('reveals a finding in the tree and its cell in the editor', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('tree roots', () => api.getTreeRoots().length > 0);
    // Re-evaluations still running (a previous test's settings reset) would rebuild the tree under the selection.
    await api.whenIdle();
    await vscode.commands.executeCommand('credcheck.findings.focus');
    await waitFor('the tree view to be visible', () => api.treeView.visible, { events: [api.treeView.onDidChangeVisibility] });
    const node = await selectInTree(api, 'two-active-keys', 'pam_beasly');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('credcheck.revealFinding', node);
    assert.ok(editor);
    const cell = cellOf(document, rowOf(document, 'pam_beasly'), 'access_key_2_active');
    assert.ok(editor.selection.isEqual(new vscode.Selection(cell.range.start, cell.range.end)), `selection ${JSON.stringify(editor.selection)} is not the cell`);
    assert.strictEqual(editor.document.getText(editor.selection), 'true');
  });

  it('shows the findings view next to the Problems panel (screenshot)', async () => {
    const api = await activateExtension();
    const { document } = await openWorkspaceReport();
    await waitFor('tree roots', () => api.getTreeRoots().length > 0);
    await api.whenIdle();
    await vscode.commands.executeCommand('credcheck.findings.focus');
    await waitFor('the tree view to be visible', () => api.treeView.visible, { events: [api.treeView.onDidChangeVisibility] });
    // Expand the first check so the screenshot shows users and findings too.
    const first = api.getTreeRoots()[0]!;
    const child = api.getTreeChildren(first)[0]!;
    await api.revealInTree(api.getTreeChildren(child)[0] ?? child);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await waitFor('the report diagnostics the Problems panel lists', () => reportDiagnostics(document.uri).length > 0);
    // The launcher waits for the workbench to paint before it takes the picture (screenshots.ts).
    const shot = await requestScreenshot('findings-tree-and-problems');
    if (shot) assert.ok(fs.statSync(shot).size > 10_000, 'the screenshot is suspiciously small');
    assert.ok(api.statusBarText().includes('IAM'), `status bar: ${api.statusBarText()}`);
  });
});
