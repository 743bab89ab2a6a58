/**
 * From a RunResult to what a front end shows: the one place the output context is built, the one writer (formatted or
 * streamed from the spill file, byte for byte the same), and the exit code of the contract.
 */
import { DisplayOptions, Formatter, OutputContext } from '../output/outputModel';
import { RunResult } from './runModel';

export interface OutputOptions {
  toolVersion: string;
  /**
   * False where the front end already shows the problems (the table on a terminal, whose stderr lists them): the
   * context then leaves them out rather than show them twice. Every machine format keeps them.
   */
  showProblems?: boolean;
  /** Where human-readable output is shown (a terminal's width and colours); machine formats ignore it. */
  display?: DisplayOptions;
}

/** The context every formatter reads, built from the result and nothing else. */
export function buildOutputContext(result: RunResult, options: OutputOptions): OutputContext {
  const show = options.showProblems !== false;
  return {
    reports: result.reports.map((r) => ({
      file: r.file, layout: r.layout, accountId: r.accountId, users: r.users, problems: show ? r.problems : [], generatedTime: r.generatedTime,
    })),
    findings: result.findings,
    policyProblems: show ? result.policyProblems : [],
    catalog: result.catalog,
    evaluationTime: result.evaluationTime,
    toolVersion: options.toolVersion,
    compliance: result.compliance,
    problems: show ? result.problems : [],
    complete: result.complete,
  };
}

/**
 * Writes the whole output through `write`: formatted, or for a spilled run copied from the spill file in blocks
 * (bounded memory) around the document the formatter would have written. The spill file is removed either way.
 */
export function writeRunOutput(result: RunResult, formatter: Formatter, options: OutputOptions, write: (chunk: Buffer) => void): void {
  const context = buildOutputContext(result, options);
  if (!result.spill) {
    write(Buffer.from(formatter.format(context, options.display), 'utf8'));
    return;
  }
  if (formatter.name !== result.spill.output.format) {
    result.spill.output.dispose();
    throw new Error(`the findings were spilled as ${result.spill.output.format}, not ${formatter.name}`);
  }
  result.spill.output.finish(
    {
      reports: context.reports, policyProblems: context.policyProblems, evaluationTime: context.evaluationTime,
      lateFindings: result.spill.lateFindings, problems: context.problems, complete: context.complete,
    },
    write,
  );
}

/** Drops a result's spill file without writing it (the output could not be opened). */
export function discardRunOutput(result: RunResult): void {
  result.spill?.output.dispose();
}

/**
 * The exit code of the contract: 2 when a problem of severity error left the audit incomplete (whatever was found is
 * still written), else 1 when an unsuppressed finding fails, else 0.
 */
export function exitCodeOf(result: RunResult): 0 | 1 | 2 {
  if (!result.complete) return 2;
  return result.failing ? 1 : 0;
}
