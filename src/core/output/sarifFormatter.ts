import { CatalogEntry } from '../checks/catalog';
import { Finding } from '../model';
import { Formatter } from './outputModel';

const LEVEL: Record<Finding['status'], 'error' | 'warning' | 'note' | 'none'> = { fail: 'error', warn: 'warning', info: 'note', skip: 'none' };
const SECURITY_SEVERITY: Record<Finding['severity'], string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** The rule's help: the same text the check's docs page is made of (description, remediation, references). */
function helpText(entry: CatalogEntry): { text: string; markdown: string } {
  const references = entry.relatedResources.map((r) => `- ${r.description ? `${r.description}: ` : ''}${r.ref}`);
  const parts = [entry.description.trim()];
  if (entry.remediation) parts.push(`Remediation:\n${entry.remediation.trim()}`);
  if (references.length > 0) parts.push(`References:\n${references.join('\n')}`);
  const markdownParts = [entry.description.trim()];
  if (entry.remediation) markdownParts.push(`**Remediation**\n\n\`\`\`\n${entry.remediation.trim()}\n\`\`\``);
  if (references.length > 0) markdownParts.push(`**References**\n\n${references.join('\n')}`);
  markdownParts.push(`Documentation: ${entry.docs}`);
  return { text: parts.join('\n\n'), markdown: markdownParts.join('\n\n') };
}

/** SARIF 2.1.0: each result located at file:line:column of the CSV cell the finding is about. */
export const sarifFormatter: Formatter = {
  name: 'sarif',
  format(context) {
    const checkIds = [...new Set(context.findings.map((f) => f.check))].sort();
    const rules = checkIds.map((id) => {
      const entry = context.catalog.find((c) => c.id === id);
      const finding = context.findings.find((f) => f.check === id)!;
      const rule: Record<string, unknown> = {
        id,
        name: id.replace(/(^|[-_.])(\w)/g, (_m, _s, c: string) => c.toUpperCase()),
        shortDescription: { text: entry?.title ?? finding.title ?? id },
        properties: { 'security-severity': SECURITY_SEVERITY[entry?.severity ?? finding.severity], tags: ['security', 'aws-iam'] },
      };
      if (entry) {
        rule.fullDescription = { text: entry.description.trim() || entry.title };
        rule.help = helpText(entry);
        rule.helpUri = entry.relatedResources[0]?.ref;
        if (!rule.helpUri) delete rule.helpUri;
      } else if (id === 'suppression') {
        rule.shortDescription = { text: 'Suppression entry expired or unused' };
        rule.help = { text: 'Renew an expired suppression with a reason, or remove a suppression that no longer matches any finding.' };
      }
      return rule;
    });
    const results = context.findings.map((f) => {
      const region: Record<string, number> = {};
      if (f.line !== null) {
        region.startLine = f.line;
        if (f.location) {
          region.startColumn = f.location.startColumn + 1;
          // SARIF columns are 1-based and endColumn is exclusive, like our 0-based exclusive endColumn plus one.
          region.endColumn = f.location.endColumn + 1;
        }
      }
      const result: Record<string, unknown> = {
        ruleId: f.check,
        ruleIndex: checkIds.indexOf(f.check),
        level: LEVEL[f.status],
        kind: f.status === 'skip' ? 'notApplicable' : f.status === 'info' ? 'informational' : 'fail',
        message: { text: f.message },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: encodeURI(f.file.split('\\').join('/')) }, ...(f.line !== null ? { region } : {}) },
            ...(f.user ? { logicalLocations: [{ name: f.user, fullyQualifiedName: f.arn ?? f.user, kind: 'member' }] } : {}),
          },
        ],
        properties: { severity: f.severity, user: f.user, key: f.key, column: f.column, account: f.account, ...(f.controls ? { controls: f.controls } : {}) },
      };
      // SARIF: only kind "fail" carries a level other than none.
      if (result.kind !== 'fail') result.level = 'none';
      if (f.suppressed) result.suppressions = [{ kind: 'external', justification: f.suppressed.reason }];
      return result;
    });
    // Every problem of the run, so a report that could not be read never looks like a clean run to a SARIF consumer.
    const notifications = context.problems.map((p) => {
      const region = p.line !== null ? { region: { startLine: p.line, ...(p.column !== null ? { startColumn: p.column } : {}) } } : {};
      return {
        level: p.severity,
        message: { text: p.message },
        descriptor: { id: p.code },
        ...(p.file ? { locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(p.file.split('\\').join('/')) }, ...region } }] } : {}),
      };
    });
    const sarif = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'credcheck', version: context.toolVersion, informationUri: 'https://github.com/credcheck/credcheck', rules } },
          invocations: [{ executionSuccessful: context.complete, toolExecutionNotifications: notifications }],
          results,
          properties: { evaluationTime: context.evaluationTime },
        },
      ],
    };
    return `${JSON.stringify(sarif, null, 2)}\n`;
  },
};
