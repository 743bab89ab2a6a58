import { PolicyProblem } from '../model';
import { EmbeddedCompiler, EmbeddedCompilerOptions } from './embeddedCompiler';
import { RegoModule } from './regoCompiler';
import { BuiltinDoc, CheckRequest, FormatResult, RegoDiagnostic, RegoTestResult, RegoTooling, TestRequest, TestRunResult } from './regoTooling';

/** What `opa test` and `opa test -v` print for a run: the CLI mirrors the native output shape with these. */
export interface TestRunReport extends TestRunResult {
  report: string;
  verboseReport: string;
}

export interface EmbeddedToolingOptions extends EmbeddedCompilerOptions {
  /**
   * Share this compiler (its worker and 40 MB wasm instance) instead of starting a second one. The extension passes
   * the one that compiles workspace policies: one instance is half the memory and one start-up, and typing
   * produces check requests and compilations of the same file that would otherwise race two warm instances.
   */
  compiler?: EmbeddedCompiler;
}

const DEFAULT_TEST_TIME_LIMIT_MS = 30_000;

/** The Rego authoring services (check, format, test, builtin docs) of the embedded compiler: no opa binary. */
export class EmbeddedTooling implements RegoTooling {
  private readonly compiler: EmbeddedCompiler;
  private readonly ownsCompiler: boolean;
  private builtinDocs: Promise<BuiltinDoc[]> | undefined;

  constructor(options: EmbeddedToolingOptions = {}) {
    this.ownsCompiler = !options.compiler;
    this.compiler = options.compiler ?? new EmbeddedCompiler(options);
  }

  async check(request: CheckRequest): Promise<RegoDiagnostic[]> {
    const body = { op: 'check', modules: request.modules, schema: request.schema ?? true, lint: request.lint ?? true };
    const answer = await this.compiler.request(request.modules, body, { signal: request.signal, what: 'checking' });
    if ('error' in answer) return [asDiagnostic(answer.error)];
    return (JSON.parse(answer.json) as { diagnostics: RegoDiagnostic[] }).diagnostics.map(withDefaults);
  }

  async format(module: RegoModule): Promise<FormatResult> {
    const answer = await this.compiler.request([module], { op: 'format', module }, { what: 'formatting' });
    if ('error' in answer) return { ok: false, errors: [asDiagnostic(answer.error)] };
    const response = JSON.parse(answer.json) as { ok: boolean; formatted?: string; errors?: RegoDiagnostic[] };
    if (response.ok && typeof response.formatted === 'string') return { ok: true, formatted: response.formatted };
    return { ok: false, errors: (response.errors ?? []).map(withDefaults) };
  }

  async test(request: TestRequest): Promise<TestRunResult> {
    const { results, errors } = await this.testWithReport(request);
    return { results, errors };
  }

  /**
   * Runs the tests and also returns `opa test`'s text. Hitting the time limit stops the compiler: the tests that had
   * reported are kept, and every other test of the modules is an `error` naming the limit.
   */
  async testWithReport(request: TestRequest): Promise<TestRunReport> {
    const timeLimitMs = request.timeoutMs ?? DEFAULT_TEST_TIME_LIMIT_MS;
    const arrived: RegoTestResult[] = [];
    const body = { op: 'test', modules: request.modules, run: request.run ?? '', timeoutMs: timeLimitMs };
    const answer = await this.compiler.request(request.modules, body, {
      signal: request.signal,
      timeLimitMs,
      what: 'the test run',
      onProgress: (json) => arrived.push(JSON.parse(json) as RegoTestResult),
    });
    if ('error' in answer) {
      if (answer.error.code !== 'timeout') return { results: arrived, errors: [asDiagnostic(answer.error)], report: '', verboseReport: '' };
      const stopped = unreportedTests(request, arrived).map(
        (test): RegoTestResult => ({
          ...test,
          status: 'error',
          durationMs: 0,
          output: [],
          failure: { message: `not run: the test run exceeded its ${timeLimitMs / 1000} s time limit`, file: test.file, line: test.line, column: 1 },
        }),
      );
      return { results: [...arrived, ...stopped], errors: [], report: '', verboseReport: '' };
    }
    const response = JSON.parse(answer.json) as TestRunReport;
    return { results: response.results, errors: (response.errors ?? []).map(withDefaults), report: response.report, verboseReport: response.verboseReport };
  }

  builtins(): Promise<BuiltinDoc[]> {
    this.builtinDocs ??= this.compiler.request([], { op: 'builtins' }, { what: 'listing builtins' }).then((answer) => {
      if ('error' in answer) {
        this.builtinDocs = undefined;
        throw new Error(answer.error.message);
      }
      return JSON.parse(answer.json) as BuiltinDoc[];
    });
    return this.builtinDocs;
  }

  dispose(): void {
    if (this.ownsCompiler) this.compiler.dispose();
  }
}

/** The authoring services on their own compiler instance, or on a shared one (`options.compiler`). */
export function createEmbeddedTooling(options: EmbeddedToolingOptions = {}): EmbeddedTooling {
  return new EmbeddedTooling(options);
}

function withDefaults(diagnostic: RegoDiagnostic): RegoDiagnostic {
  return { ...diagnostic, severity: diagnostic.severity ?? 'error' };
}

function asDiagnostic(problem: PolicyProblem): RegoDiagnostic {
  return { ...problem, severity: 'error' };
}

/** The test rules of the modules that have not reported (a cheap textual scan: only used after a runaway). */
function unreportedTests(request: TestRequest, arrived: RegoTestResult[]): Omit<RegoTestResult, 'status' | 'durationMs' | 'output'>[] {
  const filter = request.run ? new RegExp(request.run) : undefined;
  const out: Omit<RegoTestResult, 'status' | 'durationMs' | 'output'>[] = [];
  for (const module of request.modules) {
    const pkg = /^package\s+([\w.]+)/m.exec(module.source)?.[1];
    if (!pkg) continue;
    module.source.split('\n').forEach((text, index) => {
      const name = /^(test_\w+)/.exec(text)?.[1];
      if (!name || (filter && !filter.test(`data.${pkg}.${name}`))) return;
      if (arrived.some((result) => result.package === pkg && result.name === name)) return;
      if (out.some((test) => test.package === pkg && test.name === name)) return;
      out.push({ package: pkg, name, file: module.file, line: index + 1 });
    });
  }
  return out;
}
