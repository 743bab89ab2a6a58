import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RegoCompiler } from '../../core/compiler/regoCompiler';
import { PolicyInput, PolicyProblem } from '../../core/model';
import { formatProblem, reportRunProblem } from '../../core/output/problemText';
import { ExampleQuery, loadExampleQueries } from '../../core/query/exampleQueries';
import { QUERY_FILE } from '../../core/query/queryModule';
import { QueryRunner } from '../../core/query/queryRunner';
import { columnOrderOf, combineReportTables, QueryTable, shapeQueryTable } from '../../core/query/queryTable';
import { formatQueryTable, QUERY_TABLE_FORMATS, QueryTableFormat } from '../../core/query/queryTableFormat';
import { isFatalReport, maxReportBytesFrom, TOO_LARGE_HINT } from '../../core/report/reportLoader';
import { prepareRunInputs, RunRequestError } from '../../core/run';
import { escapeTerminalText } from '../../core/text/terminalText';
import { createDefaultCompiler } from '../compilerFactory';
import { CliIo, readCommandArguments, UsageError } from '../io';
import { evaluationTimeFrom } from '../runArguments';

const USAGE =
  "usage: credcheck query <report.csv>... '<rego query>' [--now <ISO 8601>] [--format table|json|csv]\n" +
  '       credcheck query <report.csv>... --example <name> | --query-file <file.rego> [--now ...] [--format ...]\n' +
  '       credcheck query --list-examples [--format table|json]';

/** What tests may replace: the Rego compiler. */
export interface QueryDependencies {
  createCompiler?: () => Promise<RegoCompiler>;
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
      reports: reports.map((file) => ({ file })), cwd: io.cwd, maxReportBytes: maxReportBytesFrom(io.env), tooLargeHint: TOO_LARGE_HINT,
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
  try {
    const outcome = await new QueryRunner(compiler).run(text, inputs);
    if (!outcome.ok) {
      for (const problem of outcome.errors) io.stderr(`${escapeTerminalText(formatQueryProblem(problem, label))}\n`);
      return 2;
    }
    if (format === 'json') {
      // JSON keeps the Rego value itself (what `opa eval` would print), not the table made of it.
      const single = outcome.results.length === 1 ? outcome.results[0]! : undefined;
      const document = single ? (single.defined ? single.value : undefined) : outcome.results.map((r) => ({ report: r.file, defined: r.defined, value: r.defined ? r.value : null }));
      if (document === undefined) io.stderr('undefined (the query has no value)\n');
      else io.stdout(`${JSON.stringify(document, null, 2)}\n`);
      return answered;
    }
    const columnOrder = columnOrderOf(text);
    const tables = outcome.results.map((result) => ({ file: result.file, table: shapeQueryTable(result.defined ? result.value : undefined, { columnOrder }) }));
    const table: QueryTable = tables.length === 1 ? tables[0]!.table : combineReportTables(tables);
    io.stdout(formatQueryTable(table, format));
    return answered;
  } finally {
    compiler.dispose();
  }
}

function readArguments(args: string[]) {
  return readCommandArguments(
    args,
    { now: { type: 'string' }, format: { type: 'string' }, example: { type: 'string' }, 'query-file': { type: 'string' }, 'list-examples': { type: 'boolean' } },
    USAGE,
  );
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
