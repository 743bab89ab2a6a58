import { createHash } from 'node:crypto';
import { InputProjection, projectInput } from '../engine/inputProjection';
import { PolicyInput, PolicyProblem } from '../model';
import { RegoCompiler } from '../compiler/regoCompiler';
import { IsolatedEvaluationError, IsolatedEvaluator, IsolationLimits } from '../engine/isolatedEvaluation';
import { buildQueryModule, mapToQuery, mentionsWrapper, QUERY_FILE, QueryModule, QueryMode } from './queryModule';
import { QueryBody } from './queryBody';

/**
 * The answer of a query for one report. `defined: false` is Rego's "undefined" (no value, or a body that never
 * succeeds), not an error. A body answers rows, as `opa eval` prints them: `columns` are its variables (plus the
 * expressions that are not true/false), or its expressions when it has no variables, and `value` is the rows as
 * objects; a body that succeeds once without variables answers its expression's value, like a rule does.
 */
export interface QueryReportResult {
  file: string;
  defined: boolean;
  value: unknown;
  /** For rows: the column titles in order (variable names, expression texts) and the cells. */
  columns?: string[];
  rows?: unknown[][];
}

export type QueryOutcome =
  | {
      ok: true;
      mode: QueryMode;
      results: QueryReportResult[];
      /** Milliseconds spent; `cached` when the compiled query came from the cache. */
      timing: { compileMs: number; evaluateMs: number; cached: boolean };
    }
  | {
      ok: false;
      /** Compile errors located in the query text, or an evaluation error (on the query's first line). */
      errors: PolicyProblem[];
    };

export interface QueryRunOptions {
  /** Cancels the run; an evaluation under way is stopped (its worker terminated), not left to finish. */
  signal?: AbortSignal;
  /** Called when the evaluation starts in the worker (after compiling and sending the inputs). */
  onEvaluationStarted?: () => void;
}

/** The limits of a query's evaluation: those of policies (5 s, 256 MiB worker heap, 256 MiB wasm memory by default). */
export type QueryLimits = Omit<IsolationLimits, 'signal' | 'stopOnCancel' | 'onStarted'>;

type CompiledQuery = { ok: true; module: QueryModule; wasm: Uint8Array; projection?: InputProjection } | { ok: false; errors: PolicyProblem[] };

/** Compiled queries kept; a user editing a query revisits a handful of texts, not hundreds. */
const CACHE_SIZE = 64;

/**
 * Compiles ad-hoc queries with a long-lived compiler and evaluates them against reports in a worker thread of its
 * own, under the time and memory limits of policies: a runaway query is stopped with a located error, and a cancelled
 * one (its text changed) terminates the worker at once. The editor re-runs the query on every debounced keystroke, so
 * compiled queries (and compile errors) are cached by the hash of the module text, and the worker keeps the inputs
 * and the last compiled queries between runs.
 */
export class QueryRunner {
  private readonly cache = new Map<string, Promise<CompiledQuery>>();
  private readonly evaluator: IsolatedEvaluator;

  constructor(
    private readonly compiler: RegoCompiler,
    private readonly limits: QueryLimits = {},
  ) {
    this.evaluator = new IsolatedEvaluator(limits.maxMemoryMb ?? 256);
  }

  /** Worker threads started so far (a cancelled or runaway query costs one). */
  get workersStarted(): number {
    return this.evaluator.workersStarted;
  }

  /** Runs the query against each input (one per report), at each input's own `evaluation_time`. */
  async run(queryText: string, inputs: PolicyInput[], options: QueryRunOptions = {}): Promise<QueryOutcome> {
    const compileStart = performance.now();
    const { compiled, cached } = await this.compile(queryText, options.signal);
    const compileMs = performance.now() - compileStart;
    if (!compiled.ok) return { ok: false, errors: compiled.errors };
    options.signal?.throwIfAborted();

    const evaluateStart = performance.now();
    const { module } = compiled;
    let raw;
    try {
      raw = await this.evaluator.run(
        { wasm: compiled.wasm, data: {}, documents: [module.entrypoint], inputs: inputs.map((input) => ({ input: projectInput(input, compiled.projection), evaluationTime: input.evaluation_time })) },
        { ...this.limits, signal: options.signal, stopOnCancel: true, onStarted: options.onEvaluationStarted },
      );
    } catch (error) {
      if (error instanceof IsolatedEvaluationError && error.kind === 'aborted') throw error;
      return { ok: false, errors: [evaluationProblem(error, inputs, queryText)] };
    }
    const results = inputs.map((input, index): QueryReportResult => {
      const document = raw[index]!;
      const defined = Object.prototype.hasOwnProperty.call(document, module.entrypoint);
      const value = defined ? document[module.entrypoint] : undefined;
      if (module.body) return { file: input.report.file, ...answerOfBody(module.body, value as unknown[][]) };
      return { file: input.report.file, defined, value };
    });
    return { ok: true, mode: module.mode, results, timing: { compileMs, evaluateMs: performance.now() - evaluateStart, cached } };
  }

  /** Compiles a query once so the compiler is loaded before the first keystroke needs it. */
  async warmUp(): Promise<void> {
    await this.compile('input.users', undefined);
  }

  /** Compile errors only (for diagnostics while typing, without a report). */
  async check(queryText: string, signal?: AbortSignal): Promise<PolicyProblem[]> {
    const { compiled } = await this.compile(queryText, signal);
    return compiled.ok ? [] : compiled.errors;
  }

  private async compile(queryText: string, signal: AbortSignal | undefined): Promise<{ compiled: CompiledQuery; cached: boolean }> {
    const module = buildQueryModule(queryText);
    const key = createHash('sha256').update(module.entrypoint).update('\0').update(module.source).digest('hex');
    const hit = this.cache.get(key);
    if (hit) {
      // Re-insert so the map's insertion order is least-recently-used first.
      this.cache.delete(key);
      this.cache.set(key, hit);
      try {
        return { compiled: await hit, cached: true };
      } catch (error) {
        // The compilation was another run's, cancelled since (an edit, a settings change): not an answer for this run,
        // which compiles the text itself.
        if (signal?.aborted || (error as Error)?.name !== 'AbortError') throw error;
        if (this.cache.get(key) === hit) this.cache.delete(key);
        return this.compile(queryText, signal);
      }
    }
    const pending = this.compileModule(queryText, module, signal);
    this.cache.set(key, pending);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    try {
      return { compiled: await pending, cached: false };
    } catch (error) {
      // An aborted or crashed compile says nothing about the query: let the next run try again.
      this.cache.delete(key);
      throw error;
    }
  }

  private async compileModule(text: string, first: QueryModule, signal: AbortSignal | undefined): Promise<CompiledQuery> {
    const missing = missingResultRule(first) ?? emptyBody(first);
    if (missing) return { ok: false, errors: [missing] };
    const uncaptured = new Set<number>();
    for (let module = first; ; ) {
      const compile = (source: string) => this.compiler.compile({ modules: [{ file: QUERY_FILE, source }], entrypoints: [module.entrypoint], signal });
      const result = await compile(module.source);
      if (result.ok) return { ok: true, module, wasm: result.wasm, projection: result.projection };
      const errors = locateErrors(module, result.errors, text);
      if (!module.body) return { ok: false, errors };
      // A call with an output argument (`count(x, n)`, `walk(x, [path, value])`) has no value of its own: once
      // captured it is one argument too many. OPA does not capture it either.
      const outputCall = module.body.expressions.findIndex((expression, index) => {
        const at = positionOf(text, expression.start);
        return expression.captured && !uncaptured.has(index) && errors.some((error) => /arity mismatch/.test(error.message) && error.line === at.line && error.column === at.column);
      });
      if (outputCall >= 0) {
        uncaptured.add(outputCall);
        module = buildQueryModule(text, { uncaptured });
        continue;
      }
      // A text that ends inside a bracket or after an operator: what the parser says of the text followed by the end
      // of input, as `opa eval` parses it, not of the wrapper's lines it would read on into.
      if (module.body.incomplete && module.sourceUpToQueryEnd !== undefined) {
        const cut = await compile(module.sourceUpToQueryEnd);
        if (!cut.ok) return { ok: false, errors: locateErrors(module, cut.errors, text) };
      }
      return { ok: false, errors };
    }
  }

  /** Drops the compiled queries (the compiler belongs to the caller and is not disposed here). */
  clear(): void {
    this.cache.clear();
  }

  /** Terminates the evaluation worker (the compiler belongs to the caller). */
  dispose(): void {
    this.cache.clear();
    this.evaluator.dispose();
  }
}

/** A rules or module query must define `result`; saying so beats the compiler's "unknown entrypoint". */
function missingResultRule(module: QueryModule): PolicyProblem | undefined {
  if (module.mode === 'body') return undefined;
  if (/^[ \t]*(?:default[ \t]+)?result\b/m.test(module.source)) return undefined;
  return {
    file: QUERY_FILE,
    line: 1,
    column: 1,
    code: 'missing_result',
    message: 'a query made of rules must define a rule named result (for example: result := [u.user | some u in input.users])',
  };
}

/** 1-based line and column of an offset in the text. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function emptyBody(module: QueryModule): PolicyProblem | undefined {
  if (!module.body || module.body.expressions.length > 0) return undefined;
  return { file: QUERY_FILE, line: 1, column: 1, code: 'empty_query', message: 'the query is empty (for example: input.users[_].user)' };
}

/**
 * Compile errors of the module, located in the query text and worded without the wrapper's names. An error the
 * wrapper's own lines also raised (an unsafe variable is reported where the body binds it and where the row reads it)
 * is kept once, at its place in the text.
 */
function locateErrors(module: QueryModule, errors: PolicyProblem[], text: string): PolicyProblem[] {
  const located = errors.map((problem) => {
    const message = withoutWrapperNames(problem.message, module.body);
    const at = problem.line > 0 ? mapToQuery(module, problem.line, problem.column) : { line: 1, column: 1, inText: false };
    if (!at.inText && module.body) {
      // An unsafe variable is reported where the row reads it (the wrapper): place it where the query first has it.
      const variable = /^var (\w+) is unsafe/.exec(message)?.[1];
      const index = variable === undefined ? -1 : module.body.variables.indexOf(variable);
      if (index >= 0) return { problem: { ...problem, file: QUERY_FILE, ...positionOf(text, module.body.variableStarts[index]!), message }, inText: true };
    }
    return { problem: { ...problem, file: QUERY_FILE, line: at.line, column: at.column, message }, inText: at.inText };
  });
  const placed = new Set(located.filter(({ inText }) => inText).map(({ problem }) => problem.message));
  // The parser's hints that name the wrapper's rule ("expected rule value term (e.g., <rule> := ...)") say nothing
  // about the query when a plain error is at hand.
  const plain = errors.some((problem) => !mentionsWrapper(problem.message));
  const seen = new Set<string>();
  return located
    .filter((_, index) => !plain || !mentionsWrapper(errors[index]!.message))
    .filter(({ problem, inText }) => inText || !placed.has(problem.message))
    .map(({ problem }) => problem)
    .filter((problem) => {
      const key = `${problem.line}:${problem.column}:${problem.code}:${problem.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** The wrapper's names in a message become what the user wrote (an expression's text) or "the query". */
function withoutWrapperNames(message: string, body: QueryBody | undefined): string {
  if (!mentionsWrapper(message)) return message;
  return message
    .replace(/credcheck_value_(\d+)/g, (_, index: string) => body?.expressions[Number(index)]?.text ?? 'the expression')
    .replace(/(?:data\.credcheck\.query\.)?credcheck_(?:rows|ordered_result)/g, 'the query')
    .replace(/(?:data\.credcheck\.query\.)?credcheck_sorted/g, 'the query');
}

/**
 * The rows of a body as `opa eval` presents them (internal/presentation/presentation.go, prettyResult): no rows is
 * undefined; one row without variables whose expressions are one, or all true/false, is the first expression's value;
 * otherwise a table whose columns are the expressions that are not true/false in the first row (all of them when there
 * are no variables), in order, then the variables sorted by name.
 */
function answerOfBody(body: QueryBody, rows: unknown[][] | undefined): Omit<QueryReportResult, 'file'> {
  if (!rows || rows.length === 0) return { defined: false, value: undefined };
  const results = rows.map((cells) => {
    let next = body.variables.length;
    return { bindings: cells.slice(0, next), expressions: body.expressions.map((expression) => (expression.captured ? cells[next++] : true)) };
  });
  const first = results[0]!;
  if (results.length === 1 && body.variables.length === 0 && (first.expressions.length === 1 || first.expressions.every((value) => typeof value === 'boolean'))) {
    return { defined: true, value: first.expressions[0] };
  }
  const expressionColumns = body.expressions
    .map((expression, index) => ({ title: expression.text, index }))
    .filter(({ index }) => body.variables.length === 0 || typeof first.expressions[index] !== 'boolean');
  const variableColumns = body.variables.map((name, index) => ({ title: name, index })).sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  const columns = [...expressionColumns.map(({ title }) => title), ...variableColumns.map(({ title }) => title)];
  const table = results.map((result) => [...expressionColumns.map(({ index }) => result.expressions[index]), ...variableColumns.map(({ index }) => result.bindings[index])]);
  return {
    defined: true,
    value: table.map((cells) => Object.fromEntries(columns.map((column, index) => [column, cells[index]]))),
    columns,
    rows: table,
  };
}

/**
 * An evaluation that did not finish (the time or memory limit, a builtin that failed) is an error of the query, never
 * an empty answer. It is placed on the builtin it names when the query calls it, else on the query's first character.
 */
function evaluationProblem(error: unknown, inputs: PolicyInput[], text: string): PolicyProblem {
  const kind = error instanceof IsolatedEvaluationError ? error.kind : 'failed';
  const detail = withoutWrapperNames(error instanceof Error ? error.message : String(error), undefined);
  const reports = inputs.length === 1 ? `${inputs[0]!.report.file}: ` : '';
  const code = kind === 'timeout' ? 'eval_timeout' : kind === 'memory' ? 'eval_memory' : 'eval_error';
  const message = kind === 'failed' ? `${reports}evaluation failed: ${detail}` : `${reports}the query was ${detail}`;
  const builtin = /^([A-Za-z_][\w.]*): /.exec(detail)?.[1];
  const at = builtin ? text.indexOf(`${builtin}(`) : -1;
  return { file: QUERY_FILE, ...(at < 0 ? { line: 1, column: 1 } : positionOf(text, at)), code, message };
}
