import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RegoCompiler } from '../../core/compiler/regoCompiler';
import { PolicyInput, PolicyProblem } from '../../core/model';
import { formatProblem, reportRunProblem } from '../../core/output/problemText';
import { ExampleQuery, loadExampleQueries } from '../../core/query/exampleQueries';
import { QUERY_FILE } from '../../core/query/queryModule';
import { QueryLimits, QueryRunner } from '../../core/query/queryRunner';
import { columnOrderOf, combineReportTables, QueryTable, tableOfAnswer } from '../../core/query/queryTable';
import { formatQueryTable, QUERY_TABLE_FORMATS, QueryTableFormat } from '../../core/query/queryTableFormat';
import { isFatalReport, maxReportBytesFrom, TOO_LARGE_HINT } from '../../core/report/reportLoader';
import { prepareRunInputs, RunRequestError } from '../../core/run';
import { escapeTerminalText } from '../../core/text/terminalText';
import { createDefaultCompiler } from '../compilerFactory';
import { defineCommand, readCommandLine, usageOf } from '../commandLine';
import { CliIo, stdoutDisplay, UsageError } from '../io';
import { evaluationTimeFrom, reportRequestsFrom } from '../runArguments';

export const definition = defineCommand({
  name: 'query',
  operands: "<report.csv>... ['<rego query>']",
  summary: 'answer a Rego query over reports, as a table, JSON or CSV',
  description:
    'Answers one Rego query over one or more reports (each report is the query\'s input, as credcheck input prints ' +
    'it) and prints the answer as a table (one record at a time when it is wider than the terminal), JSON (the ' +
    'Rego value itself) or CSV. The query is the last operand, or ' +
    'comes from --example or --query-file.',
  options: {
    now: { value: '<time>', description: "the evaluation time: ISO 8601 (2024-04-22T19:47:52Z) or 'report' (each report's generation time); default: now" },
    format: { value: '<name>', description: `output format: ${QUERY_TABLE_FORMATS.join(', ')} (default: table)` },
    example: { value: '<name>', description: 'run a shipped example query (see --list-examples)' },
    'query-file': { value: '<file.rego>', description: 'read the query from a file' },
    'list-examples': { description: 'list the shipped example queries (table or json)' },
  },
  examples: [
    ['users without MFA', "credcheck query r.csv '[u.user | some u in input.users; not u.mfa_active]'"],
    ['a shipped example over every account, as CSV', 'credcheck query *.csv --example top10-08-users-without-mfa --format csv'],
  ],
  exitCodes: [
    [0, 'answered (an empty or undefined answer included)'],
    [2, 'a usage error, a report that cannot be read or has an error, or an error in the query'],
  ],
});

const USAGE = usageOf(definition);

/** What tests may replace: the Rego compiler, and the evaluation limits (those of policies by default). */
export interface QueryDependencies {
  createCompiler?: () => Promise<RegoCompiler>;
  limits?: QueryLimits;
}

/**
 * `credcheck query`: answers one Rego query over one or more reports and prints the answer as a table, JSON or CSV.
 * Exit 0: answered (an empty or undefined answer included); 2: a usage error, an unreadable report or an error in the
 * query (printed as `<query>:line:column: message`).
 */
export async function run(args: string[], io: CliIo, dependencies: QueryDependencies = {}): Promise<number> {
  const { values, positionals } = readArguments(args);
  const format = (values.format ?? 'table') as QueryTableFormat;
  if (!QUERY_TABLE_FORMATS.includes(format)) throw new UsageError(`unknown --format "${values.format}" (expected one of ${QUERY_TABLE_FORMATS.join(', ')})`);

  if (values['list-examples']) {
    io.stdout(listExamples(loadExampleQueries(), format));
    return 0;
  }

  const { text, label, reports } = chooseQuery(values, positionals, io.cwd);
  if (reports.length === 0) throw new UsageError(`expected at least one report file\n${USAGE}`);
  let prepared;
  try {
    // The run layer's loader, as `check` uses it: working directory, size limit, `.meta.json` sidecar, evaluation time.
    prepared = prepareRunInputs({
      reports: await reportRequestsFrom(io, reports, maxReportBytesFrom(io.env)), cwd: io.cwd, maxReportBytes: maxReportBytesFrom(io.env), tooLargeHint: TOO_LARGE_HINT,
      now: evaluationTimeFrom(values.now),
    });
  } catch (error) {
    if (error instanceof RunRequestError) throw new UsageError(error.message);
    throw error;
  }
  const inputs: PolicyInput[] = [];
  let unreadable = false;
  // A report with an error (rows lost) is still queried, but the answer is incomplete: exit 2 after printing it.
  let incomplete = false;
  for (const report of prepared.reports) {
    for (const problem of report.problems) io.stderr(`${escapeTerminalText(formatProblem(reportRunProblem(problem)))}\n`);
    if (isFatalReport(report.parsed)) unreadable = true;
    else inputs.push(report.input);
    if (report.problems.some((problem) => problem.severity === 'error')) incomplete = true;
  }
  if (unreadable) return 2;
  const answered = incomplete ? 2 : 0;

  const compiler = await (dependencies.createCompiler ?? createDefaultCompiler)();
  // Evaluated in a worker under the limits of policies: a runaway query is stopped with an error (exit 2).
  const runner = new QueryRunner(compiler, dependencies.limits);
  try {
    const outcome = await runner.run(text, inputs);
    if (!outcome.ok) {
      for (const problem of outcome.errors) io.stderr(`${escapeTerminalText(formatQueryProblem(problem, label))}\n`);
      return 2;
    }
    if (format === 'json') {
      // JSON keeps the Rego value itself (what `opa eval` would print), not the table made of it; the rows of a body
      // are objects keyed by their columns.
      const single = outcome.results.length === 1 ? outcome.results[0]! : undefined;
      const document = single ? (single.defined ? single.value : undefined) : outcome.results.map((r) => ({ report: r.file, defined: r.defined, value: r.defined ? r.value : null }));
      if (document === undefined) io.stderr('undefined (the query has no value)\n');
      else io.stdout(`${JSON.stringify(document, null, 2)}\n`);
      return answered;
    }
    const columnOrder = columnOrderOf(text);
    const tables = outcome.results.map((result) => ({ file: result.file, table: tableOfAnswer(result, { columnOrder }) }));
    const table: QueryTable = tables.length === 1 ? tables[0]!.table : combineReportTables(tables);
    io.stdout(formatQueryTable(table, format, stdoutDisplay(io).width));
    return answered;
  } finally {
    runner.dispose();
    compiler.dispose();
  }
}

function readArguments(args: string[]) {
  return readCommandLine(definition, args);
}

/** The query comes from --example, --query-file, or the last positional argument (after the reports). */
function chooseQuery(values: { example?: string; 'query-file'?: string }, positionals: string[], cwd: string): { text: string; label: string; reports: string[] } {
  if (values.example !== undefined && values['query-file'] !== undefined) throw new UsageError('give --example or --query-file, not both');
  if (values.example !== undefined) {
    const examples = loadExampleQueries();
    const example = examples.find((candidate) => candidate.name === values.example);
    if (!example) {
      const names = examples.map((candidate) => candidate.name).join(', ');
      throw new UsageError(`unknown --example "${values.example}"${names ? ` (expected one of ${names})` : ' (no examples are installed)'}`);
    }
    return { text: example.query, label: example.file, reports: positionals };
  }
  if (values['query-file'] !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, values['query-file']), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --query-file ${values['query-file']}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { text, label: values['query-file'], reports: positionals };
  }
  if (positionals.length < 2) throw new UsageError(`expected report files and a query\n${USAGE}`);
  return { text: positionals[positionals.length - 1]!, label: QUERY_FILE, reports: positionals.slice(0, -1) };
}

/** `<query>:line:column: code: message`, the form compilers use; an error with no location names the query only. */
export function formatQueryProblem(problem: PolicyProblem, label: string = QUERY_FILE): string {
  const where = problem.line > 0 ? `${label}:${problem.line}:${Math.max(1, problem.column)}` : label;
  return `${where}: ${problem.code ? `${problem.code}: ` : ''}${problem.message}`;
}

function listExamples(examples: ExampleQuery[], format: QueryTableFormat): string {
  if (format === 'json') {
    return `${JSON.stringify(examples.map(({ name, title, source, question, query }) => ({ name, title, source, question, query })), null, 2)}\n`;
  }
  const rows = examples.map((example) => [example.name, example.title, example.question]);
  return formatQueryTable({ kind: 'records', columns: ['name', 'title', 'question'], rows }, format);
}
