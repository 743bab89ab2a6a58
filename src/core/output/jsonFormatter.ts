import { Formatter, ReportSummary } from './outputModel';
import { toFindingRecord } from './findingFields';

/**
 * `{"reports": [...], "findings": [...]}` (plus policy problems and the compliance summary when there are any), then
 * `problems` (every problem of the run) and `complete` (false when an error left part of the audit undone).
 */
export const jsonFormatter: Formatter = {
  name: 'json',
  format(context) {
    const document: Record<string, unknown> = {
      evaluation_time: context.evaluationTime,
      reports: context.reports.map(toReportRecord),
      findings: context.findings.map(toFindingRecord),
    };
    if (context.policyProblems.length > 0) document.policy_problems = context.policyProblems;
    if (context.compliance) document.compliance = { framework: context.compliance.framework, controls: context.compliance.controls };
    // Last, after the fields consumers already read: every problem of the run, and whether the findings are the whole answer.
    document.problems = context.problems;
    document.complete = context.complete;
    return `${JSON.stringify(document, null, 2)}\n`;
  },
};

/** A report as the JSON contract spells it (shared with the streamed output of `check --jobs`). */
export function toReportRecord(r: ReportSummary): Record<string, unknown> {
  return {
    file: r.file, layout: r.layout, account: r.accountId, users: r.users, problems: r.problems,
    ...(r.generatedTime ? { generated_time: r.generatedTime } : {}),
  };
}
