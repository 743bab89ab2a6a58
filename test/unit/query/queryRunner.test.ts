import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { CompileRequest, CompileResult, RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { PolicyInput } from '../../../src/core/model';
import { buildQueryModule, mapToQuery } from '../../../src/core/query/queryModule';
import { QueryRunner } from '../../../src/core/query/queryRunner';
import { loadReport } from '../../../src/core/report/reportLoader';

const SAMPLE = join(__dirname, '../../../../samples/sample-credential-report.csv');
const POST_TIME = new Date('2021-02-09T08:42:56Z');

/** The real compiler, with its calls counted: the cache under test must spare it. */
class CountingCompiler implements RegoCompiler {
  calls = 0;
  constructor(private readonly inner: RegoCompiler) {}
  compile(request: CompileRequest): Promise<CompileResult> {
    this.calls++;
    return this.inner.compile(request);
  }
  dispose(): void {
    this.inner.dispose();
  }
}

describe('query module', () => {
  it('wraps an expression as result := <expression>, a rule list under the query package, a module as it is', () => {
    assert.equal(buildQueryModule('[u.user | some u in input.users]').mode, 'expression');
    assert.equal(buildQueryModule('count(input.users) > 2').mode, 'expression');
    assert.equal(buildQueryModule('input.users[0]').mode, 'expression');
    assert.equal(buildQueryModule('{u.user: u.mfa_active | some u in input.users}').mode, 'expression');
    // Statement lines of a comprehension body that look like rules do not count: only the first line decides.
    assert.equal(buildQueryModule('[x |\nx := input.users[_].user\n]').mode, 'expression');
    assert.equal(buildQueryModule('# root only\nresult := [u | some u in input.users; u.is_root]').mode, 'rules');
    assert.equal(buildQueryModule('stale(u) if u.password_last_used_days > 90\nresult := [u.user | some u in input.users; stale(u)]').mode, 'rules');
    assert.equal(buildQueryModule('default result := []\nresult := [1]').mode, 'rules');
    const module = buildQueryModule('# package commented.out\npackage mine.q\nresult := 1');
    assert.equal(module.mode, 'module');
    assert.equal(module.entrypoint, 'mine/q/credcheck_ordered_result');
    assert.equal(buildQueryModule('1 + 1').entrypoint, 'credcheck/query/credcheck_ordered_result');
  });

  it('maps module positions back to the query, shifting only the first line of an expression sideways', () => {
    const expression = buildQueryModule('[u |\n  u >> 1]');
    assert.deepEqual(mapToQuery(expression, 2, 11), { line: 1, column: 1 });
    assert.deepEqual(mapToQuery(expression, 2, 14), { line: 1, column: 4 });
    assert.deepEqual(mapToQuery(expression, 3, 6), { line: 2, column: 6 });
    assert.deepEqual(mapToQuery(expression, 1, 1), { line: 1, column: 1 }); // the wrapper's package line
    const rules = buildQueryModule('result := x\nx := 1');
    assert.deepEqual(mapToQuery(rules, 2, 11), { line: 1, column: 11 });
    assert.deepEqual(mapToQuery(buildQueryModule('package p\nresult := 1'), 2, 3), { line: 2, column: 3 });
  });
});

describe('query runner (embedded compiler, opa-wasm)', function () {
  this.timeout(60_000);
  let compiler: CountingCompiler;
  let runner: QueryRunner;
  let input: PolicyInput;

  before(async () => {
    compiler = new CountingCompiler(new EmbeddedCompiler());
    runner = new QueryRunner(compiler);
    const loaded = await loadReport(SAMPLE, POST_TIME);
    assert.ok(loaded.input);
    input = loaded.input;
  });
  after(() => compiler.dispose());

  it('answers an expression query against the normalised input', async () => {
    const outcome = await runner.run('[u.user | some u in input.users; u.mfa_active == true]', [input]);
    assert.ok(outcome.ok);
    assert.equal(outcome.mode, 'expression');
    assert.deepEqual(outcome.results, [{ file: SAMPLE, defined: true, value: ['<root_account>', 'pam_beasly'] }]);
  });

  it('answers a multi-line expression and a query made of rules', async () => {
    const multiLine = await runner.run('{u.user |\n  some u in input.users\n  u.password_last_used_status == "never_used"\n}', [input]);
    assert.ok(multiLine.ok);
    assert.deepEqual(multiLine.results[0]!.value, ['dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    const rules = await runner.run('has_key(u) if u.access_key_1_active == true\n\nresult := count([u | some u in input.users; has_key(u)])', [input]);
    assert.ok(rules.ok);
    assert.equal(rules.mode, 'rules');
    assert.equal(rules.results[0]!.value, 3);
  });

  it('uses each input\'s own evaluation time for time.now_ns()', async () => {
    const later = { ...input, evaluation_time: '2022-02-09T08:42:56Z', report: { ...input.report, file: 'later.csv' } };
    const outcome = await runner.run('time.now_ns()', [input, later]);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.results.map((result) => result.value), [POST_TIME.getTime() * 1e6, Date.parse('2022-02-09T08:42:56Z') * 1e6]);
    assert.deepEqual(outcome.results.map((result) => result.file), [SAMPLE, 'later.csv']);
  });

  it('says undefined when the query has no value', async () => {
    const outcome = await runner.run('input.users[99]', [input]);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.results, [{ file: SAMPLE, defined: false, value: undefined }]);
  });

  it('locates a syntax error in the query text, not in the wrapper', async () => {
    const outcome = await runner.run('[u.user | some u in input.users\n  u.mfa_active >> 1]', [input]);
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok);
    assert.ok(outcome.errors.length > 0);
    for (const error of outcome.errors) {
      assert.equal(error.file, '<query>');
      assert.equal(error.line, 2);
      assert.equal(error.column, 17); // the second `>` of `>>`
      assert.equal(error.code, 'rego_parse_error');
    }
    const firstLine = await runner.run('count(input.users) >>> 2', [input]);
    assert.ok(!firstLine.ok);
    assert.deepEqual([firstLine.errors[0]!.line, firstLine.errors[0]!.column], [1, 21]);
  });

  it('locates a compile error (an unknown function) in a rules query', async () => {
    const outcome = await runner.run('result := [u |\n\tsome u in input.users\n\tnot_a_builtin(u)\n]', [input]);
    assert.ok(!outcome.ok);
    const error = outcome.errors.find((candidate) => candidate.message.includes('not_a_builtin'));
    assert.ok(error, JSON.stringify(outcome.errors));
    assert.deepEqual([error.file, error.line, error.column], ['<query>', 3, 2]);
  });

  it('asks for a result rule when a rules query has none', async () => {
    const outcome = await runner.run('x := 1', [input]);
    assert.ok(!outcome.ok);
    assert.equal(outcome.errors[0]!.code, 'missing_result');
  });

  it('compiles a query text once: a re-run (a keystroke that changed nothing) reuses the loaded wasm', async () => {
    const text = '[u.user | some u in input.users; u.password_enabled == false]';
    const before = compiler.calls;
    const first = await runner.run(text, [input]);
    const second = await runner.run(text, [input]);
    assert.ok(first.ok && second.ok);
    assert.equal(compiler.calls - before, 1);
    assert.equal(first.timing.cached, false);
    assert.equal(second.timing.cached, true);
    assert.deepEqual(second.results, first.results);
    // Compile errors are cached too: typing on past an error does not recompile the same broken text.
    await runner.run('[u |', [input]);
    await runner.run('[u |', [input]);
    assert.equal(compiler.calls - before, 2);
  });
});
