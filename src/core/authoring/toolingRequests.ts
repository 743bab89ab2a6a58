/**
 * The editor's three requests to the embedded compiler, with what the answers mean for one file: check (its own
 * problems, and whether other files' errors may hide some), format (new text, or the located reason it was not
 * formatted), tests (one outcome per requested test). Editor-independent, so a web build or the CLI can reuse them.
 */
import type { RegoModule } from '../compiler/regoCompiler';
import type { RegoDiagnostic, RegoTooling } from '../compiler/regoTooling';
import { outcomeOf, runPattern, TestOutcome } from './testPlan';

export interface FileCheck {
  /** Problems located in the checked file. */
  own: RegoDiagnostic[];
  /** Errors in the other modules compiled with it: they can stop the checks of this file, so they must be said. */
  blockingElsewhere: RegoDiagnostic[];
}

export async function checkFile(tooling: RegoTooling, modules: RegoModule[], file: string, signal?: AbortSignal): Promise<FileCheck> {
  if (!modules.some((module) => module.file === file)) throw new Error(`checkFile: ${file} is not among the modules to check`);
  const found = await tooling.check({ modules, ...(signal ? { signal } : {}) });
  return {
    own: found.filter((problem) => problem.file === file),
    blockingElsewhere: found.filter((problem) => problem.file !== file && problem.severity === 'error'),
  };
}

export type FormatAnswer = { changed: false } | { changed: true; formatted: string } | { changed: false; problems: string[] };

/** Formats one module; on failure, every problem as `file:line:col: message` and no new text. */
export async function formatModule(tooling: RegoTooling, module: RegoModule): Promise<FormatAnswer> {
  const result = await tooling.format(module);
  if (!result.ok) {
    const problems = result.errors.map((error) => `${error.file || module.file}:${error.line}:${error.column}: ${error.message}`);
    return { changed: false, problems: problems.length > 0 ? problems : [`${module.file}: the formatter failed without saying why`] };
  }
  return result.formatted === module.source ? { changed: false } : { changed: true, formatted: result.formatted };
}

export interface RequestedTest {
  file: string;
  package: string;
  name: string;
}

export interface TestsAnswer {
  outcomes: { test: RequestedTest; outcome: TestOutcome }[];
  compileErrors: RegoDiagnostic[];
}

/** Runs the requested tests in one call (selected by a `run` pattern) and gives each its outcome. */
export async function runTests(tooling: RegoTooling, modules: RegoModule[], tests: RequestedTest[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TestsAnswer> {
  if (tests.length === 0) return { outcomes: [], compileErrors: [] };
  const run = await tooling.test({ modules, run: runPattern(tests.map((test) => ({ package: test.package, test: test.name }))), ...options });
  return { outcomes: tests.map((test) => ({ test, outcome: outcomeOf(test.file, test.name, run) })), compileErrors: run.errors };
}
