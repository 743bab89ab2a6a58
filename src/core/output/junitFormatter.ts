import { Finding } from '../model';
import { escapeTerminalText } from '../text/terminalText';
import { Formatter, RunProblem } from './outputModel';
import { formatProblem } from './problemText';

/**
 * Report text as XML 1.0 character data and attribute values. XML 1.0 allows only tab, line feed, carriage return,
 * U+0020-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF: the C0 controls, unpaired surrogates, U+FFFE and U+FFFF make a
 * document ill-formed, so escapeTerminalText shows them (and the C1 controls and bidi characters a CI log would pass
 * to a terminal) as visible escapes. Tab and line feed stay, as character references (an attribute value would turn
 * them into spaces).
 */
function escapeXml(text: string): string {
  return escapeTerminalText(text, { keepLineBreaks: true })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function caseName(finding: Finding): string {
  const who = finding.user ?? '(report)';
  return `${who}${finding.key ? ` key ${finding.key}` : ''} (${finding.file}${finding.line !== null ? `:${finding.line}` : ''})`;
}

/** A problem's test case: an error stops part of the audit (`<error>`), a warning passes with its text as output. */
function problemCase(problem: RunProblem): string[] {
  const open = `    <testcase classname="credcheck.problems" name="${escapeXml(formatProblem({ ...problem, message: problem.code }))}">`;
  const message = escapeXml(formatProblem(problem));
  if (problem.severity === 'error') return [open, `      <error message="${message}" type="${escapeXml(problem.code)}">${message}</error>`, '    </testcase>'];
  return [open, `      <system-out>${message}</system-out>`, '    </testcase>'];
}

/**
 * One test suite per check, one test case per finding: fail is a failure, warn/info pass with output, skip is skipped.
 * The run's problems come first as a suite of their own, so a run that could not read a report is never "0 tests".
 */
export const junitFormatter: Formatter = {
  name: 'junit',
  format(context) {
    const byCheck = new Map<string, Finding[]>();
    for (const finding of context.findings) {
      const list = byCheck.get(finding.check);
      if (list) list.push(finding);
      else byCheck.set(finding.check, [finding]);
    }
    const failures = (list: Finding[]) => list.filter((f) => f.status === 'fail' && !f.suppressed).length;
    const skipped = (list: Finding[]) => list.filter((f) => f.status === 'skip' || (f.status === 'fail' && f.suppressed)).length;
    const errors = context.problems.filter((p) => p.severity === 'error').length;
    const errorsAttribute = errors > 0 ? ` errors="${errors}"` : '';
    const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
    lines.push(`<testsuites name="credcheck" tests="${context.findings.length + context.problems.length}" failures="${failures(context.findings)}"${errorsAttribute} skipped="${skipped(context.findings)}" timestamp="${escapeXml(context.evaluationTime)}">`);
    if (context.problems.length > 0) {
      lines.push(`  <testsuite name="credcheck.problems" tests="${context.problems.length}" failures="0" errors="${errors}" skipped="0">`);
      for (const problem of context.problems) for (const line of problemCase(problem)) lines.push(line);
      lines.push('  </testsuite>');
    }
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
