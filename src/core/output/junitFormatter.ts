import { Finding } from '../model';
import { Formatter } from './formatter';

function escapeXml(text: string): string {
  // Control characters other than tab/newline are not allowed in XML 1.0 at all.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function caseName(finding: Finding): string {
  const who = finding.user ?? '(report)';
  return `${who}${finding.key ? ` key ${finding.key}` : ''} (${finding.file}${finding.line !== null ? `:${finding.line}` : ''})`;
}

/** One test suite per check, one test case per finding: fail is a failure, warn/info pass with output, skip is skipped. */
export const junitFormatter: Formatter = {
  name: 'junit',
  format(context) {
    const byCheck = new Map<string, Finding[]>();
    for (const finding of context.findings) byCheck.set(finding.check, [...(byCheck.get(finding.check) ?? []), finding]);
    const failures = (list: Finding[]) => list.filter((f) => f.status === 'fail' && !f.suppressed).length;
    const skipped = (list: Finding[]) => list.filter((f) => f.status === 'skip' || (f.status === 'fail' && f.suppressed)).length;
    const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
    lines.push(`<testsuites name="credcheck" tests="${context.findings.length}" failures="${failures(context.findings)}" skipped="${skipped(context.findings)}" timestamp="${escapeXml(context.evaluationTime)}">`);
    for (const [check, list] of [...byCheck.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`  <testsuite name="${escapeXml(check)}" tests="${list.length}" failures="${failures(list)}" skipped="${skipped(list)}">`);
      for (const finding of list) {
        const open = `    <testcase classname="${escapeXml(check)}" name="${escapeXml(caseName(finding))}">`;
        const message = escapeXml(finding.message);
        if (finding.suppressed) lines.push(open, `      <skipped message="suppressed: ${escapeXml(finding.suppressed.reason)}"/>`, '    </testcase>');
        else if (finding.status === 'fail') lines.push(open, `      <failure message="${message}" type="${escapeXml(finding.severity)}">${message}</failure>`, '    </testcase>');
        else if (finding.status === 'skip') lines.push(open, `      <skipped message="${message}"/>`, '    </testcase>');
        else lines.push(open, `      <system-out>${escapeXml(finding.status)}: ${message}</system-out>`, '    </testcase>');
      }
      lines.push('  </testsuite>');
    }
    lines.push('</testsuites>');
    return `${lines.join('\n')}\n`;
  },
};
