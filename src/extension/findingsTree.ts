/**
 * The findings of the current report in the activity-bar view: grouped by check then user, or user then check. After
 * an organisation fetch it shows the fetched reports together (showReports), under one group per account when they
 * belong to more than one, until a report outside them becomes the active editor.
 * The grouping itself is `groupReportFindings` (pure, in logic/); this file only turns groups into tree items.
 */
import * as vscode from 'vscode';
import { FindingGroup, GroupedFinding, GroupingOrder, groupReportFindings, isActionable, passesSeverityFilter, ReportFindings, subjectLabel } from './logic/findingGroups';
import { findingDescription, findingDiagnosticMessage } from './logic/staleFindings';
import { Severity } from '../core/model';
import { Config } from './config';
import { ReportAuditor, ReportResult, displayPath } from './reportAuditor';

export const FINDINGS_VIEW_ID = 'credcheck.findings';

export type TreeNode =
  | { kind: 'group'; id: string; group: FindingGroup; parent?: TreeNode }
  | { kind: 'finding'; id: string; item: GroupedFinding; uri: vscode.Uri; parent: TreeNode };

export class FindingsTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<TreeNode>;
  private readonly subscriptions: vscode.Disposable[] = [];
  private roots: TreeNode[] = [];
  private readonly nodes = new Map<string, TreeNode>();
  /** The report the tree shows: the last report editor that was active and is still evaluated. */
  private current: vscode.Uri | undefined;
  /** The reports shown together (an organisation fetch's), as URI strings; undefined: the current report only. */
  private shown: string[] | undefined;
  /** Called when the tree stops showing them together. */
  private onLeave: (() => void) | undefined;

  constructor(
    private readonly auditor: ReportAuditor,
    private readonly config: Config,
    private readonly state: vscode.Memento,
  ) {
    this.view = vscode.window.createTreeView(FINDINGS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.subscriptions.push(
      this.view,
      this.changed,
      auditor.onDidChangeResults((uri) => {
        // The active editor's report, evaluated (it may become active before its first result): it is the current one.
        if (auditor.get(uri) && vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) this.makeCurrent(uri);
        else if (!this.current || this.current.toString() === uri.toString() || !auditor.get(this.current)) this.pickCurrent(uri);
        this.rebuild();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor && auditor.get(editor.document.uri) && editor.document.uri.toString() !== this.current?.toString()) {
          this.makeCurrent(editor.document.uri);
          this.rebuild();
        }
      }),
      config.onDidChange(() => this.rebuild()),
    );
    void vscode.commands.executeCommand('setContext', 'credcheck.grouping', this.grouping);
  }

  get grouping(): GroupingOrder {
    return this.state.get<GroupingOrder>('credcheck.grouping', 'check');
  }

  async setGrouping(order: GroupingOrder): Promise<void> {
    await this.state.update('credcheck.grouping', order);
    await vscode.commands.executeCommand('setContext', 'credcheck.grouping', order);
    this.rebuild();
  }

  /** The report shown, if any (with several shown together: the first of them that is evaluated). */
  get currentReport(): ReportResult | undefined {
    return this.current ? this.auditor.get(this.current) : undefined;
  }

  /**
   * Shows these reports together (grouped by account when they belong to several), each as soon as it is evaluated,
   * until a report outside them becomes the active editor.
   */
  showReports(uris: readonly vscode.Uri[], onLeave?: () => void): void {
    if (uris.length === 0) return;
    this.leaveShownReports();
    this.shown = uris.map((uri) => uri.toString());
    this.onLeave = onLeave;
    this.current = uris.find((uri) => this.auditor.get(uri)) ?? uris[0];
    this.rebuild();
  }

  getRoots(): TreeNode[] {
    return this.roots;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.kind === 'group' ? groupItem(node) : findingItem(node);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (!node) return this.roots;
    if (node.kind === 'finding') return [];
    return [...node.group.children, ...node.group.findings].map((child) => this.nodes.get(child.id)).filter((child): child is TreeNode => child !== undefined);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }

  /** The tree node of a finding (matched by check, user, key and line), for reveal. */
  findNode(predicate: (item: GroupedFinding) => boolean): TreeNode | undefined {
    return [...this.nodes.values()].find((node) => node.kind === 'finding' && predicate(node.item));
  }

  /**
   * Reveals and selects a finding's node. Right after the view becomes visible, or while it renders a rebuilt tree,
   * VS Code may not know the node yet ("Data tree node not found"); then it tries again once the view is visible and
   * the tree has changed, with the node of the same id from the current tree. It gives up only when that node is gone
   * (the finding no longer exists), never after a fixed time: a busy machine only makes the states come later.
   */
  async reveal(node: TreeNode): Promise<void> {
    for (;;) {
      const current = this.nodes.get(node.id);
      if (!current) throw new Error(`the tree no longer shows ${node.id}`);
      if (!this.view.visible) await nextEvent(this.view.onDidChangeVisibility);
      const changed = nextEvent(this.changed.event);
      try {
        await this.view.reveal(current, { select: true, focus: false, expand: true });
        changed.cancel();
        return;
      } catch {
        // Not rendered yet: the next tree change (or a short pause, if the tree is already complete) comes first.
        await Promise.race([changed, new Promise((resolve) => setTimeout(resolve, 100))]);
        changed.cancel();
      }
    }
  }

  /** A report the user turned to; one outside the set shown together takes the tree back to one report. */
  private makeCurrent(uri: vscode.Uri): void {
    this.current = uri;
    if (this.shown && !this.shown.includes(uri.toString())) this.leaveShownReports();
  }

  private leaveShownReports(): void {
    const onLeave = this.onLeave;
    this.shown = undefined;
    this.onLeave = undefined;
    onLeave?.();
  }

  private pickCurrent(changed: vscode.Uri): void {
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && this.auditor.get(active)) this.current = active;
    else if (this.auditor.get(changed)) this.current = changed;
    else this.current = this.auditor.all()[0]?.uri;
  }

  /** The evaluated reports the tree shows: those shown together, else the current one. */
  private shownResults(): ReportResult[] {
    if (this.shown) {
      const results = this.shown.map((key) => this.auditor.all().find((result) => result.uri.toString() === key)).filter((result): result is ReportResult => result !== undefined);
      if (results.length > 0) return results;
    }
    const result = this.currentReport;
    return result ? [result] : [];
  }

  private rebuild(): void {
    this.nodes.clear();
    const results = this.shownResults();
    const lowest: Severity = this.config.settings.severityFilter;
    const reports: ReportFindings[] = results.map((result) => {
      const metadata = this.auditor.metadataOf(result.uri);
      return {
        key: result.uri.toString(),
        file: displayPath(result.uri),
        accountId: metadata.accountId ?? result.outcome.reports[0]?.input?.report.account_id ?? null,
        accountName: metadata.accountName ?? null,
        findings: result.findings.filter((finding) => isActionable(finding) && passesSeverityFilter(finding, lowest)),
      };
    });
    const uris = new Map(results.map((result) => [result.uri.toString(), result.uri]));
    const groups = groupReportFindings(reports, this.grouping);
    const add = (group: FindingGroup, parent: TreeNode | undefined): TreeNode => {
      // Group ids already nest (account:A/check:X/user:Y), so they are unique in the tree and stable across evaluations.
      const node: TreeNode = { kind: 'group', id: group.id, group, ...(parent ? { parent } : {}) };
      this.nodes.set(group.id, node);
      group.children.forEach((child) => add(child, node));
      for (const item of group.findings) this.nodes.set(item.id, { kind: 'finding', id: item.id, item, uri: uris.get(item.report ?? '') ?? results[0]!.uri, parent: node });
      return node;
    };
    this.roots = groups.map((group) => add(group, undefined));
    const live = reports.reduce((sum, report) => sum + report.findings.filter((finding) => !finding.suppressed).length, 0);
    const accounts = new Set(reports.map((report) => report.accountId)).size;
    const shownAs = results.length === 1 ? displayPath(results[0]!.uri) : accounts > 1 ? `${accounts} accounts` : `${results.length} reports`;
    this.view.description = results.length ? `${shownAs} · ${live}` : undefined;
    this.view.badge = results.length && live ? { value: live, tooltip: `${live} findings in ${shownAs}` } : undefined;
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.subscriptions.forEach((subscription) => subscription.dispose());
  }
}

const SEVERITY_ICON: Record<Severity, vscode.ThemeIcon> = {
  critical: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  high: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')),
  medium: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  low: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')),
  info: new vscode.ThemeIcon('lightbulb'),
};

const GROUP_LOOK: Record<FindingGroup['kind'], { icon?: vscode.ThemeIcon; word: string }> = {
  check: { word: 'Check' },
  user: { icon: new vscode.ThemeIcon('person'), word: 'User' },
  account: { icon: new vscode.ThemeIcon('organization'), word: 'Account' },
  report: { icon: new vscode.ThemeIcon('file'), word: 'Report' },
};

function groupItem(node: Extract<TreeNode, { kind: 'group' }>): vscode.TreeItem {
  const { group } = node;
  const empty = group.children.length === 0 && group.findings.length === 0;
  // Accounts and reports (the levels above a report's findings) start open, as the top level does.
  const open = !node.parent || group.kind === 'account' || group.kind === 'report';
  const item = new vscode.TreeItem(group.name, empty ? vscode.TreeItemCollapsibleState.None : open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const suppressed = group.suppressedCount ? ` (+${group.suppressedCount} suppressed)` : '';
  item.description = `${group.title ? `${group.title} · ` : ''}${group.count}${suppressed}`;
  const look = GROUP_LOOK[group.kind];
  item.iconPath = look.icon ?? SEVERITY_ICON[group.severity];
  item.contextValue = group.kind;
  item.tooltip = `${look.word} ${group.name}${group.kind === 'account' && group.title ? ` (${group.title})` : ''}: ${group.count} finding(s), highest severity ${group.severity}${suppressed}`;
  return item;
}

function findingItem(node: Extract<TreeNode, { kind: 'finding' }>): vscode.TreeItem {
  const { finding } = node.item;
  // The two group levels already name the check and the user; the leaf names what about them (a key, a column).
  const label = finding.key ? `access key ${finding.key}` : finding.column ?? subjectLabel(finding);
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = findingDescription(finding);
  item.tooltip = new vscode.MarkdownString(
    [`**${finding.check}** (${finding.severity}, ${finding.status})`, '', findingDiagnosticMessage(finding), finding.suppressed ? `\n\n_Suppressed: ${finding.suppressed.reason}${finding.suppressed.expires ? ` until ${finding.suppressed.expires}` : ''}_` : '']
      .join('\n'),
  );
  item.iconPath = finding.suppressed ? new vscode.ThemeIcon('bell-slash') : SEVERITY_ICON[finding.severity];
  item.contextValue = finding.suppressed ? 'finding.suppressed' : 'finding';
  item.command = { command: 'credcheck.revealFinding', title: 'Reveal the cell', arguments: [node] };
  return item;
}

/** The next firing of an event, as a promise that can be cancelled (its listener removed). */
function nextEvent<T>(event: vscode.Event<T>): Promise<T> & { cancel(): void } {
  let subscription: vscode.Disposable | undefined;
  const promise = new Promise<T>((resolve) => {
    subscription = event((value) => {
      subscription?.dispose();
      resolve(value);
    });
  }) as Promise<T> & { cancel(): void };
  promise.cancel = () => subscription?.dispose();
  return promise;
}
