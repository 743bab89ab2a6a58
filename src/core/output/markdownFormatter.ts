import { escapeMarkdownText } from '../text/markdownText';
import { Formatter } from './outputModel';
import { isFailing } from './findingFields';
import { formatProblem } from './problemText';

/** Report and policy text, inert: it renders as itself, never as HTML, a link or a table break (markdownText.ts). */
function cell(text: string | number | null | undefined): string {
  return text === null || text === undefined ? '' : escapeMarkdownText(String(text));
}

export const markdownFormatter: Formatter = {
  name: 'markdown',
  format(context) {
    const failing = context.findings.filter(isFailing).length;
    const lines = ['# credcheck findings', '', `Evaluation time: ${context.evaluationTime}. Reports: ${context.reports.map((r) => cell(r.file)).join(', ') || 'none'}.`, ''];
    lines.push(`**${failing} failing**, ${context.findings.length} findings in all.`, '');
    if (!context.complete) lines.push('**The audit is incomplete**: a problem below kept part of it from running; these findings are not the whole answer.', '');
    if (context.findings.length > 0) {
      lines.push('| Status | Severity | Check | User | Key | Location | Message |', '| --- | --- | --- | --- | --- | --- | --- |');
      for (const f of context.findings) {
        const status = f.suppressed ? `${f.status} (suppressed: ${f.suppressed.reason})` : f.status;
        const check = f.controls ? `${f.check} (${f.controls.join(', ')})` : f.check;
        lines.push(`| ${cell(status)} | ${cell(f.severity)} | ${cell(check)} | ${cell(f.user)} | ${cell(f.key)} | ${cell(f.line === null ? f.file : `${f.file}:${f.line}`)}${f.column ? ` ${cell(f.column)}` : ''} | ${cell(f.message)} |`);
      }
      lines.push('');
    }
    if (context.compliance) {
      lines.push(`## ${cell(context.compliance.framework)}`, '', '| Control | Status | Checks | Failing | Suppressed |', '| --- | --- | --- | --- | --- |');
      for (const c of context.compliance.controls) lines.push(`| ${cell(c.control)} | ${c.status} | ${cell(c.checks.join(', '))} | ${c.failing} | ${c.suppressed} |`);
      lines.push('');
    }
    if (context.problems.length > 0) {
      lines.push('## Problems', '');
      // One by one: a report can have more problems than push(...) takes arguments.
      for (const problem of context.problems) lines.push(`- ${cell(formatProblem(problem))}`);
      lines.push('');
    }
    return `${lines.join('\n')}`;
  },
};
