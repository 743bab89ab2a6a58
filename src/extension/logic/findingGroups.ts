/**
 * How findings are grouped for a tree (check → user or user → check; above that account → report when several
 * reports are shown), filtered by severity and counted.
 * Pure, so the extension's tree view is a thin shell over it and the grouping is unit-tested in plain Node.
 */
import { Finding, Severity, SEVERITIES } from '../../core/model';

export type GroupingOrder = 'check' | 'user';

/** Rank of a severity: 0 for critical, 4 for info. Unknown severities rank as info so they are never hidden by accident. */
export function severityRank(severity: Severity): number {
  const rank = SEVERITIES.indexOf(severity);
  return rank < 0 ? SEVERITIES.length - 1 : rank;
}

/** The most severe of the given severities (info when there are none). */
export function highestSeverity(severities: Iterable<Severity>): Severity {
  let best: Severity = 'info';
  for (const severity of severities) if (severityRank(severity) < severityRank(best)) best = severity;
  return best;
}

/** Whether a finding is at or above the lowest severity the user wants to see. */
export function passesSeverityFilter(finding: Finding, lowest: Severity): boolean {
  return severityRank(finding.severity) <= severityRank(lowest);
}

/** Findings a person should act on: `skip` (not decidable from the CSV) is kept out of editors and trees. */
export function isActionable(finding: Finding): boolean {
  return finding.status !== 'skip';
}

/** The label of a finding's subject: the user, with the access key when the finding is about one. */
export function subjectLabel(finding: Finding): string {
  const user = finding.user ?? '(report)';
  return finding.key ? `${user} · access key ${finding.key}` : user;
}

/** A stable identity for one finding, unique within a report: survives re-evaluation so a tree keeps selection and expansion. */
export function findingKey(finding: Finding): string {
  return [finding.check, finding.user ?? '', finding.key ?? '', finding.column ?? '', finding.line ?? ''].join('|');
}

export interface FindingGroup {
  kind: 'check' | 'user' | 'account' | 'report';
  /** Stable id, unique in the tree: the parent's id plus this group's name. */
  id: string;
  /** The check id, the user name, the account id or the report's path. */
  name: string;
  /** The check's title when the group is a check and a finding carries one; the account's name for an account. */
  title?: string;
  severity: Severity;
  /** Unsuppressed findings under this group. */
  count: number;
  suppressedCount: number;
  children: FindingGroup[];
  findings: GroupedFinding[];
}

export interface GroupedFinding {
  id: string;
  finding: Finding;
  /** The `key` of the report it comes from, when several reports are grouped (groupReportFindings). */
  report?: string;
}

/**
 * Groups findings two levels deep. Groups are ordered most severe first then by name; findings inside a group by line.
 * Suppressed findings stay in the tree (shown as such) but do not count.
 */
export function groupFindings(findings: readonly Finding[], order: GroupingOrder, idPrefix = ''): FindingGroup[] {
  const outerOf = (finding: Finding) => (order === 'check' ? finding.check : finding.user ?? '(report)');
  const innerOf = (finding: Finding) => (order === 'check' ? finding.user ?? '(report)' : finding.check);
  const innerKind: FindingGroup['kind'] = order === 'check' ? 'user' : 'check';
  const outer = new Map<string, Finding[]>();
  for (const finding of findings) {
    const name = outerOf(finding);
    outer.set(name, [...(outer.get(name) ?? []), finding]);
  }
  const groups = [...outer].map(([name, members]) => {
    const id = `${idPrefix}${order}:${name}`;
    const inner = new Map<string, Finding[]>();
    for (const finding of members) {
      const innerName = innerOf(finding);
      inner.set(innerName, [...(inner.get(innerName) ?? []), finding]);
    }
    const children = [...inner].map(([innerName, innerMembers]) => {
      const innerId = `${id}/${innerKind}:${innerName}`;
      return makeGroup(innerKind, innerId, innerName, innerMembers, [], innerMembers.map((finding) => ({ id: `${innerId}/${findingKey(finding)}`, finding })));
    });
    return makeGroup(order, id, name, members, sortGroups(children), []);
  });
  return sortGroups(groups);
}

function makeGroup(kind: FindingGroup['kind'], id: string, name: string, members: Finding[], children: FindingGroup[], findings: GroupedFinding[]): FindingGroup {
  const live = members.filter((finding) => !finding.suppressed);
  const title = kind === 'check' ? members.find((finding) => finding.title)?.title : undefined;
  return {
    kind,
    id,
    name,
    ...(title ? { title } : {}),
    severity: highestSeverity((live.length ? live : members).map((finding) => finding.severity)),
    count: live.length,
    suppressedCount: members.length - live.length,
    children,
    findings: findings.sort((a, b) => (a.finding.line ?? 0) - (b.finding.line ?? 0) || (a.finding.key ?? 0) - (b.finding.key ?? 0)),
  };
}

function sortGroups(groups: FindingGroup[]): FindingGroup[] {
  return groups.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.name.localeCompare(b.name));
}

/** Counts of unsuppressed findings by severity, for a status bar or a summary line. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of findings) if (!finding.suppressed && finding.severity in counts) counts[finding.severity] += 1;
  return counts;
}

/** One report's findings, with the account it belongs to, as the tree shows several reports (an organisation's). */
export interface ReportFindings {
  /** Unique among the reports (a URI): group ids and GroupedFinding.report are made from it. */
  key: string;
  /** How the report is named in the tree (a workspace-relative path). */
  file: string;
  /** The account the report was fetched from (its sidecar) or that its ARNs name; null when unknown. */
  accountId: string | null;
  /** The account's name in the organisation, when the fetch (the sidecar) knew it. */
  accountName?: string | null;
  findings: readonly Finding[];
}

export const UNKNOWN_ACCOUNT = '(unknown account)';

/**
 * Groups the findings of several reports. One report, or several of one account, stay as groupFindings makes them
 * (several reports of one account get a report level first, so each finding still names its file); findings of more
 * than one account get an account level on top: account → [report, when the account has several] → check/user →
 * findings. Accounts are ordered most severe first, then by id; an account's name is its group's title.
 */
export function groupReportFindings(reports: readonly ReportFindings[], order: GroupingOrder): FindingGroup[] {
  const tag = (groups: FindingGroup[], report: string): FindingGroup[] => {
    const visit = (group: FindingGroup) => {
      group.findings.forEach((item) => (item.report = report));
      group.children.forEach(visit);
    };
    groups.forEach(visit);
    return groups;
  };
  const byReport = (members: readonly ReportFindings[], prefix: string): FindingGroup[] => {
    if (members.length === 1) return tag(groupFindings(members[0]!.findings, order, prefix), members[0]!.key);
    const groups = members.map((report) => {
      const id = `${prefix}report:${report.key}`;
      return makeContainer('report', id, report.file, undefined, tag(groupFindings(report.findings, order, `${id}/`), report.key), report.findings);
    });
    return sortGroups(groups);
  };
  if (reports.length === 0) return [];
  const accounts = new Map<string, ReportFindings[]>();
  for (const report of reports) {
    const account = report.accountId ?? UNKNOWN_ACCOUNT;
    accounts.set(account, [...(accounts.get(account) ?? []), report]);
  }
  if (accounts.size === 1) return byReport(reports, '');
  const groups = [...accounts].map(([account, members]) => {
    const id = `account:${account}`;
    const name = members.map((report) => report.accountName).find((value): value is string => typeof value === 'string' && value.length > 0);
    return makeContainer('account', id, account, name, byReport(members, `${id}/`), members.flatMap((report) => report.findings));
  });
  return groups.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.name.localeCompare(b.name));
}

/** A group that holds groups only (an account or a report): counts and severity from all its findings. */
function makeContainer(kind: 'account' | 'report', id: string, name: string, title: string | undefined, children: FindingGroup[], members: readonly Finding[]): FindingGroup {
  const group = makeGroup(kind, id, name, [...members], children, []);
  if (title) group.title = title;
  return group;
}
