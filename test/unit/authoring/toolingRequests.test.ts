import * as assert from 'assert';
import type { CheckRequest, RegoDiagnostic, RegoTooling, TestRequest, TestRunResult } from '../../../src/core/compiler/regoTooling';
import type { RegoModule } from '../../../src/core/compiler/regoCompiler';
import { checkFile, formatModule, runTests } from '../../../src/core/authoring/toolingRequests';

/** A RegoTooling that records its requests and answers what the test says. */
class FakeTooling implements RegoTooling {
  checks: CheckRequest[] = [];
  tests: TestRequest[] = [];
  constructor(private readonly answers: { check?: RegoDiagnostic[]; format?: Awaited<ReturnType<RegoTooling['format']>>; test?: TestRunResult }) {}
  async check(request: CheckRequest) {
    this.checks.push(request);
    return this.answers.check ?? [];
  }
  async format() {
    return this.answers.format ?? { ok: true as const, formatted: '' };
  }
  async test(request: TestRequest) {
    this.tests.push(request);
    return this.answers.test ?? { results: [], errors: [] };
  }
  async builtins() {
    return [];
  }
  dispose() {}
}

const modules: RegoModule[] = [
  { file: 'policies/a.rego', source: 'package a\n' },
  { file: 'policies/b.rego', source: 'package b\n' },
];

describe('authoring: requests to the embedded compiler', () => {
  it('check: keeps the file own problems and reports errors elsewhere that may hide some', async () => {
    const typo: RegoDiagnostic = { file: 'policies/a.rego', line: 3, column: 4, message: 'undefined ref', severity: 'error', suggestions: ['mfa_active'] };
    const lint: RegoDiagnostic = { file: 'policies/a.rego', line: 5, column: 1, message: 'sprintf arity', severity: 'warning', code: 'sprintf-arity' };
    const other: RegoDiagnostic = { file: 'policies/b.rego', line: 1, column: 1, message: 'parse error', severity: 'error' };
    const otherLint: RegoDiagnostic = { file: 'policies/b.rego', line: 2, column: 1, message: 'print', severity: 'warning' };
    const tooling = new FakeTooling({ check: [typo, lint, other, otherLint] });
    const signal = new AbortController().signal;
    const result = await checkFile(tooling, modules, 'policies/a.rego', signal);
    assert.deepStrictEqual(result.own, [typo, lint]);
    assert.deepStrictEqual(result.blockingElsewhere, [other]);
    assert.strictEqual(tooling.checks[0]!.signal, signal, 'the abort signal reaches the compiler');
    assert.deepStrictEqual(tooling.checks[0]!.modules, modules);
    await assert.rejects(checkFile(tooling, modules, 'policies/c.rego'), /not among the modules/);
  });

  it('format: new text, no change, or located problems and no text', async () => {
    assert.deepStrictEqual(await formatModule(new FakeTooling({ format: { ok: true, formatted: 'package a\n\nx := 1\n' } }), { file: 'a.rego', source: 'package a\nx:=1' }), { changed: true, formatted: 'package a\n\nx := 1\n' });
    assert.deepStrictEqual(await formatModule(new FakeTooling({ format: { ok: true, formatted: 'package a\n' } }), { file: 'a.rego', source: 'package a\n' }), { changed: false });
    const failed = await formatModule(new FakeTooling({ format: { ok: false, errors: [{ file: '', line: 2, column: 7, message: 'unexpected }', severity: 'error' }] } }), { file: 'a.rego', source: 'package a\nx := }' });
    assert.deepStrictEqual(failed, { changed: false, problems: ['a.rego:2:7: unexpected }'] });
    const silent = await formatModule(new FakeTooling({ format: { ok: false, errors: [] } }), { file: 'a.rego', source: 'x' });
    assert.strictEqual('problems' in silent && silent.problems.length, 1, 'a failure without errors is still said');
  });

  it('tests: one call with a pattern for exactly the requested tests; each gets its outcome', async () => {
    const tooling = new FakeTooling({
      test: {
        errors: [],
        results: [
          { package: 'a_test', name: 'test_pass', file: 'policies/a_test.rego', line: 3, status: 'pass', durationMs: 1, output: ['printed'] },
          { package: 'a_test', name: 'test_fail', file: 'policies/a_test.rego', line: 6, status: 'fail', durationMs: 1, failure: { message: 'count(deny) == 2', file: 'policies/a_test.rego', line: 7, column: 2 }, output: [] },
        ],
      },
    });
    const answer = await runTests(tooling, modules, [
      { file: 'policies/a_test.rego', package: 'a_test', name: 'test_pass' },
      { file: 'policies/a_test.rego', package: 'a_test', name: 'test_fail' },
      { file: 'policies/a_test.rego', package: 'a_test', name: 'test_missing' },
    ], { timeoutMs: 1000 });
    assert.strictEqual(tooling.tests.length, 1);
    const pattern = new RegExp(tooling.tests[0]!.run!);
    assert.ok(pattern.test('data.a_test.test_pass') && pattern.test('a_test.test_fail') && !pattern.test('a_test.test_other'));
    assert.strictEqual(tooling.tests[0]!.timeoutMs, 1000);
    assert.deepStrictEqual(answer.outcomes.map((entry) => entry.outcome.state), ['passed', 'failed', 'errored']);
    assert.deepStrictEqual(answer.outcomes[0]!.outcome.output, ['printed']);
    assert.deepStrictEqual((await runTests(tooling, modules, [])).outcomes, []);
    assert.strictEqual(tooling.tests.length, 1, 'nothing requested, nothing run');
  });
});
