import { createHash } from 'node:crypto';
import { PolicyInput, PolicyProblem } from '../model';
import { RegoCompiler } from '../compiler/regoCompiler';
import { PolicyEngine } from '../engine/policyEngine';
import { buildQueryModule, mapToQuery, QUERY_FILE, QueryModule, QueryMode } from './queryModule';

/** The answer of a query for one report. `defined: false` is Rego's "undefined" (no value), not an error. */
export interface QueryReportResult {
  file: string;
  defined: boolean;
  value: unknown;
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
      /** Compile errors located in the query text (file `<query>`), or an evaluation error (line 0). */
      errors: PolicyProblem[];
    };

export interface QueryRunOptions {
  signal?: AbortSignal;
}

type CompiledQuery = { ok: true; module: QueryModule; engine: PolicyEngine } | { ok: false; errors: PolicyProblem[] };

/** Compiled queries kept; a user editing a query revisits a handful of texts, not hundreds. */
const CACHE_SIZE = 64;

/**
 * Compiles ad-hoc queries with a long-lived compiler and evaluates them against reports. The editor re-runs the query
 * on every debounced keystroke, so compiled queries (and compile errors) are cached by the hash of the module text,
 * and the loaded wasm instance is reused across evaluations.
 */
export class QueryRunner {
  private readonly cache = new Map<string, Promise<CompiledQuery>>();

  constructor(private readonly compiler: RegoCompiler) {}

  /** Runs the query against each input (one per report), at each input's own `evaluation_time`. */
  async run(queryText: string, inputs: PolicyInput[], options: QueryRunOptions = {}): Promise<QueryOutcome> {
    const compileStart = performance.now();
    const { compiled, cached } = await this.compile(queryText, options.signal);
    const compileMs = performance.now() - compileStart;
    if (!compiled.ok) return { ok: false, errors: compiled.errors };

    const evaluateStart = performance.now();
    const results: QueryReportResult[] = [];
    for (const input of inputs) {
      options.signal?.throwIfAborted();
      let raw;
      try {
        raw = compiled.engine.evaluate(input, new Date(input.evaluation_time), [compiled.module.entrypoint]);
      } catch (error) {
        return { ok: false, errors: [{ file: QUERY_FILE, line: 0, column: 0, code: 'eval_error', message: `${input.report.file}: ${describe(error)}` }] };
      }
      const defined = Object.prototype.hasOwnProperty.call(raw, compiled.module.entrypoint);
      results.push({ file: input.report.file, defined, value: defined ? raw[compiled.module.entrypoint] : undefined });
    }
    return { ok: true, mode: compiled.module.mode, results, timing: { compileMs, evaluateMs: performance.now() - evaluateStart, cached } };
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
      return { compiled: await hit, cached: true };
    }
    const pending = this.compileModule(module, signal);
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

  private async compileModule(module: QueryModule, signal: AbortSignal | undefined): Promise<CompiledQuery> {
    const missing = missingResultRule(module);
    if (missing) return { ok: false, errors: [missing] };
    const result = await this.compiler.compile({ modules: [{ file: QUERY_FILE, source: module.source }], entrypoints: [module.entrypoint], signal });
    if (!result.ok) {
      return {
        ok: false,
        errors: result.errors.map((problem) => {
          if (problem.line <= 0) return { ...problem, file: QUERY_FILE };
          const at = mapToQuery(module, problem.line, problem.column);
          return { ...problem, file: QUERY_FILE, line: at.line, column: at.column };
        }),
      };
    }
    return { ok: true, module, engine: await PolicyEngine.load(result.wasm) };
  }

  /** Drops the compiled queries (the compiler belongs to the caller and is not disposed here). */
  clear(): void {
    this.cache.clear();
  }
}

/** A rules or module query must define `result`; saying so beats the compiler's "unknown entrypoint". */
function missingResultRule(module: QueryModule): PolicyProblem | undefined {
  if (module.mode === 'expression') return undefined;
  if (/^[ \t]*(?:default[ \t]+)?result\b/m.test(module.source)) return undefined;
  return {
    file: QUERY_FILE,
    line: 1,
    column: 1,
    code: 'missing_result',
    message: 'a query made of rules must define a rule named result (for example: result := [u.user | some u in input.users])',
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
