/**
 * Rego tests for the editor's Testing view: which tests a file holds (from the scanner, so half-typed files still
 * list their tests), the `run` pattern that selects some of them, and what each requested test's result says.
 */
import type { RegoDiagnostic, RegoTestResult, TestRunResult } from '../compiler/regoTooling';
import { RegoModuleOutline, TextRange } from './regoScanner';

export interface DiscoveredTest {
  name: string;
  range: TextRange;
}

export interface DiscoveredTestFile {
  package: string | undefined;
  tests: DiscoveredTest[];
}

export function isTestFileName(path: string): boolean {
  return /_test\.rego$/.test(path);
}

/** The tests of a module: one per `test_` rule name (incremental definitions of one test are one test, as in opa test). */
export function discoverTests(outline: RegoModuleOutline): DiscoveredTestFile {
  const tests: DiscoveredTest[] = [];
  for (const rule of outline.rules) {
    if (rule.kind !== 'test' || tests.some((test) => test.name === rule.name)) continue;
    tests.push({ name: rule.name, range: rule.range });
  }
  return { package: outline.package?.name, tests };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface TestSelection {
  package: string;
  /** Undefined: every test of the package. */
  test?: string;
}

/**
 * A regular expression that matches exactly the selected tests, whether the runner matches it against
 * `<package>.<name>` or OPA's full `data.<package>.<name>`.
 */
export function runPattern(selections: readonly TestSelection[]): string {
  const alternatives = selections.map((selection) => `${escapeRegex(selection.package)}\\.${selection.test ? escapeRegex(selection.test) : 'test_[A-Za-z0-9_]*'}`);
  return `(^|^data\\.)(${[...new Set(alternatives)].join('|')})$`;
}

export type TestOutcome =
  | { state: 'passed'; durationMs: number; output: string[] }
  | { state: 'skipped'; output: string[] }
  | { state: 'failed' | 'errored'; durationMs?: number; message: string; location?: { file: string; line: number; column: number }; output: string[] };

/**
 * The outcome of one requested test. A test with no result is an error, never a silent pass: compile errors name where
 * they are, and otherwise the runner is said to have returned nothing for it.
 */
export function outcomeOf(file: string, name: string, run: TestRunResult): TestOutcome {
  const result = findResult(file, name, run.results);
  if (!result) {
    if (run.errors.length > 0) {
      const first = run.errors[0]!;
      return { state: 'errored', message: compileErrorsMessage(run.errors), location: { file: first.file, line: first.line, column: first.column }, output: [] };
    }
    return { state: 'errored', message: `${name} did not run: the test runner returned no result for it (is the file saved and its package right?)`, output: [] };
  }
  switch (result.status) {
    case 'pass':
      return { state: 'passed', durationMs: result.durationMs, output: result.output };
    case 'skip':
      return { state: 'skipped', output: result.output };
    default:
      return {
        state: result.status === 'fail' ? 'failed' : 'errored',
        durationMs: result.durationMs,
        message: result.failure?.message ?? (result.status === 'fail' ? `${name} failed` : `${name} could not run`),
        location: result.failure ? { file: result.failure.file, line: result.failure.line, column: result.failure.column } : { file: result.file, line: result.line, column: 1 },
        output: result.output,
      };
  }
}

function findResult(file: string, name: string, results: readonly RegoTestResult[]): RegoTestResult | undefined {
  return results.find((result) => result.file === file && result.name === name);
}

function compileErrorsMessage(errors: readonly RegoDiagnostic[]): string {
  const lines = errors.slice(0, 10).map((error) => `${error.file}:${error.line}:${error.column}: ${error.message}`);
  if (errors.length > 10) lines.push(`... and ${errors.length - 10} more`);
  return `The tests could not run, the policies do not compile:\n${lines.join('\n')}`;
}
