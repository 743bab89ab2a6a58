import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CompilationAbortedError, EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { CompileRequest, CompileResult, RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { PolicyInput } from '../../../src/core/model';
import { readQueryBody } from '../../../src/core/query/queryBody';
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

/** Abandons a compilation when its caller's signal fires, as the extension's shared compiler does. */
class AbandoningCompiler implements RegoCompiler {
  constructor(private readonly inner: RegoCompiler) {}
  compile(request: CompileRequest): Promise<CompileResult> {
    const { signal, ...shared } = request;
    const result = this.inner.compile(shared);
    if (!signal) return result;
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new CompilationAbortedError()), { once: true });
      result.then(resolve, reject);
    });
  }
  dispose(): void {
    // The inner compiler belongs to the suite.
  }
}

describe('query module', () => {
  it('wraps a body as opa eval reads it, a rule list under the query package, a module as it is', () => {
    assert.equal(buildQueryModule('[u.user | some u in input.users]').mode, 'body');
    assert.equal(buildQueryModule('count(input.users) > 2').mode, 'body');
    assert.equal(buildQueryModule('input.users[_].user').mode, 'body');
    assert.equal(buildQueryModule('some u in input.users; u.mfa_active == false').mode, 'body');
    // `name := ...` is an expression of a body (opa eval binds it), not a rule.
    assert.equal(buildQueryModule('x := input.users[i].user; i < 2').mode, 'body');
    assert.equal(buildQueryModule('[x |\nx := input.users[_].user\n]').mode, 'body');
    assert.equal(buildQueryModule('contains(input.users[0].user, "root")').mode, 'body');
    assert.equal(buildQueryModule('count(input.users) = n').mode, 'body');
    assert.equal(buildQueryModule('f(x) = y if y := x + 1\nresult := f(1)').mode, 'rules');
    assert.equal(buildQueryModule('# root only\nresult := [u | some u in input.users; u.is_root]').mode, 'rules');
    assert.equal(buildQueryModule('stale(u) if u.password_last_used_days > 90\nresult := [u.user | some u in input.users; stale(u)]').mode, 'rules');
    assert.equal(buildQueryModule('x := 1\nf(u) := u + x\nresult := f(1)').mode, 'rules');
    assert.equal(buildQueryModule('default result := []\nresult := [1]').mode, 'rules');
    const module = buildQueryModule('# package commented.out\npackage mine.q\nresult := 1');
    assert.equal(module.mode, 'module');
    assert.equal(module.entrypoint, 'mine/q/credcheck_ordered_result');
  });

  it('reads the expressions, variables and iteration of a body', () => {
    const body = readQueryBody('some u in input.users; not u.mfa_active\nname := u.user # x := 1\n[v | some v in input.users]; every w in input.users { w.user != k }');
    assert.deepEqual(body.expressions.map((expression) => [expression.text, expression.captured]), [
      ['some u in input.users', false],
      ['not u.mfa_active', false],
      ['name := u.user', false],
      ['[v | some v in input.users]', true],
      ['every w in input.users { w.user != k }', false],
    ]);
    // v and w are local to their comprehension and every; count and time are functions.
    assert.deepEqual(body.variables, ['u', 'name']);
    assert.equal(body.iterates, false);
    assert.deepEqual(readQueryBody('x := input.users[i].user; count(x) > time.now_ns()').variables, ['x', 'i']);
    assert.equal(readQueryBody('input.users[_].user').iterates, true);
    assert.equal(readQueryBody('input.users[0].user').iterates, false);
    // An operator at the end of a line, or at the start of the next, goes on to the next line (OPA's parser does).
    assert.deepEqual(readQueryBody('x := 1 +\n  2\ny := 3\n  - 1').expressions.map((expression) => expression.text), ['x := 1 +\n  2', 'y := 3\n  - 1']);
    assert.equal(readQueryBody('[1, 2').incomplete, true);
    assert.equal(readQueryBody('x == ').incomplete, true);
    assert.equal(readQueryBody('x == 1 # ==').incomplete, false);
  });

  it('maps module positions back to the query: the body starts on line 3, captures are taken out of the columns', () => {
    const body = buildQueryModule('x := 1; input.users[x] >> 1\ncount(1)');
    // Line 1 of the query holds one capture (`credcheck_value_1 := `, 21 characters) before its second expression.
    assert.deepEqual(mapToQuery(body, 3, 4), { line: 1, column: 4, inText: true });
    assert.deepEqual(mapToQuery(body, 3, 9), { line: 1, column: 9, inText: true });
    assert.deepEqual(mapToQuery(body, 3, 15), { line: 1, column: 9, inText: true }); // inside the capture
    assert.deepEqual(mapToQuery(body, 3, 30), { line: 1, column: 9, inText: true });
    assert.deepEqual(mapToQuery(body, 3, 45), { line: 1, column: 24, inText: true });
    assert.deepEqual(mapToQuery(body, 4, 22), { line: 2, column: 1, inText: true });
    assert.deepEqual(mapToQuery(body, 1, 1), { line: 1, column: 1, inText: false }); // the wrapper's package line
    assert.deepEqual(mapToQuery(body, 9, 1), { line: 2, column: 1, inText: false }); // the wrapper's helper rules
    const rules = buildQueryModule('result := x\nx := 1');
    assert.deepEqual(mapToQuery(rules, 2, 11), { line: 1, column: 11, inText: true });
    assert.deepEqual(mapToQuery(buildQueryModule('package p\nresult := 1'), 2, 3), { line: 2, column: 3, inText: true });
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

  after(() => runner.dispose());

  it('answers an expression query against the normalised input', async () => {
    const outcome = await runner.run('[u.user | some u in input.users; u.mfa_active == true]', [input]);
    assert.ok(outcome.ok);
    assert.equal(outcome.mode, 'body');
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
    const outcome = await runner.run('f(u) := u\nx := 1', [input]);
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
    const afterFirst = compiler.calls;
    await runner.run('[u |', [input]);
    assert.equal(compiler.calls, afterFirst);
  });

  it('a run that joined a compilation of a run cancelled since compiles the text itself instead of failing', async () => {
    const shared = new QueryRunner(new AbandoningCompiler(compiler));
    try {
      const text = '[u.user | some u in input.users; u.password_enabled == true]';
      const first = new AbortController();
      const cancelled = shared.run(text, [input], { signal: first.signal });
      // Same text: the second run waits on the first run's compilation, which its cancellation abandons.
      const second = shared.run(text, [input]);
      first.abort();
      await assert.rejects(cancelled, /compilation aborted/);
      const outcome = await second;
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.deepEqual(outcome.results[0], { file: SAMPLE, defined: true, value: ['dwight_schrute', 'kelly_kapoor', 'ryan_howard'] });
    } finally {
      shared.dispose();
    }
  });

  it('answers the bodies of issue #16 as opa eval does: expression values without variables, bindings as columns', async () => {
    const users = await runner.run('input.users[_].user', [input]);
    assert.ok(users.ok, JSON.stringify(users));
    assert.deepEqual(users.results[0]!.columns, ['input.users[_].user']);
    assert.deepEqual(users.results[0]!.rows, [['<root_account>'], ['darryl_philbin'], ['dwight_schrute'], ['kelly_kapoor'], ['pam_beasly'], ['ryan_howard']]);
    const withoutMfa = await runner.run('some u in input.users; u.mfa_active == false', [input]);
    assert.ok(withoutMfa.ok, JSON.stringify(withoutMfa));
    assert.deepEqual(withoutMfa.results[0]!.columns, ['u']);
    assert.deepEqual(withoutMfa.results[0]!.rows!.map(([u]) => (u as { user: string }).user), ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    const two = await runner.run('x := input.users[i].user\ni < 2', [input]);
    assert.ok(two.ok);
    assert.deepEqual(two.results[0]!.value, [{ i: 0, x: '<root_account>' }, { i: 1, x: 'darryl_philbin' }]);
  });

  it('locates an unsafe variable, an unclosed bracket and a dangling operator in the query\'s own text, without wrapper names', async () => {
    const cases: [string, number, number][] = [
      ['input.users[_].user; y', 1, 22],
      ['some u in input.users; u.mfa_active == ', 1, 39],
      ['x := 1\n[u.user | some u in input.users', 2, 31],
    ];
    for (const [text, line, column] of cases) {
      const outcome = await runner.run(text, [input]);
      assert.ok(!outcome.ok, text);
      assert.deepEqual([outcome.errors[0]!.line, outcome.errors[0]!.column], [line, column], `${text}: ${JSON.stringify(outcome.errors)}`);
      for (const error of outcome.errors) assert.doesNotMatch(error.message, /credcheck_/);
    }
  });

  it('reports an evaluation that fails (conflicting function values) as a located error, not as an empty answer', async () => {
    const outcome = await runner.run('f(x) := 1\nf(x) := 2\nresult := f(1)', [input]);
    assert.ok(!outcome.ok);
    assert.equal(outcome.errors.length, 1);
    assert.equal(outcome.errors[0]!.code, 'eval_error');
    assert.match(outcome.errors[0]!.message, /sample-credential-report\.csv: evaluation failed: <query>:3:1: var assignment conflict$/);
  });

  it('a builtin given a bad argument makes its expression undefined, as opa eval does (strict builtin errors off)', async () => {
    const outcome = await runner.run('x := 1\nd := time.parse_duration_ns("soon")', [input]);
    assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.errors));
    assert.deepEqual(outcome.results.map((result) => result.defined), [false]);
  });
});

describe('query runner isolation: the time and memory limits of policies, stopped on cancel', function () {
  this.timeout(120_000);
  // 400 million comparisons that allocate nothing: slow, not memory-hungry (as the policy isolation test).
  const RUNAWAY = 'r := numbers.range(1, 20000); some i in r; some j in r; i > j; j > i';
  let compiler: EmbeddedCompiler;
  let input: PolicyInput;

  before(async () => {
    compiler = new EmbeddedCompiler();
    const loaded = await loadReport(SAMPLE, POST_TIME);
    assert.ok(loaded.input);
    input = loaded.input;
  });
  after(() => compiler.dispose());

  it('answers the catastrophic regular expression of issue #15 within the limit: the wasm regex engine is RE2 (linear time)', async () => {
    const runner = new QueryRunner(compiler, { timeoutMs: 30_000 });
    try {
      const outcome = await runner.run('regex.match("(a+)+$", concat("", ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"]))', [input]);
      assert.ok(outcome.ok, JSON.stringify(outcome));
      assert.deepEqual(outcome.results[0]!.value, false);
    } finally {
      runner.dispose();
    }
  });

  it('stops a runaway query at the time limit with a located error', async () => {
    const runner = new QueryRunner(compiler, { timeoutMs: 300 });
    try {
      const outcome = await runner.run(RUNAWAY, [input]);
      assert.ok(!outcome.ok);
      assert.deepEqual(outcome.errors, [
        { file: '<query>', line: 1, column: 1, code: 'eval_timeout', message: `${SAMPLE}: the query was stopped by the time limit (0.3 s)` },
      ]);
      // The worker was terminated; the next query runs in a new one and answers.
      const next = await runner.run('count(input.users)', [input]);
      assert.ok(next.ok);
      assert.equal(next.results[0]!.value, 6);
      assert.equal(runner.workersStarted, 2);
    } finally {
      runner.dispose();
    }
  });

  it('stops a query that exhausts its wasm memory with a located error', async () => {
    const runner = new QueryRunner(compiler, { timeoutMs: 60_000, maxWasmMemoryMb: 32 });
    try {
      const outcome = await runner.run('n := count([x | some x in numbers.range(1, 1000000000)])', [input]);
      assert.ok(!outcome.ok);
      assert.equal(outcome.errors[0]!.code, 'eval_memory');
      assert.match(outcome.errors[0]!.message, /the query was stopped by the 32 MiB wasm memory limit/);
    } finally {
      runner.dispose();
    }
  });

  it('terminates a running query when it is cancelled (the text changed), so the next one does not wait for it', async () => {
    // A time limit no test waits for: only termination lets the next query answer.
    const runner = new QueryRunner(compiler, { timeoutMs: 600_000 });
    try {
      const controller = new AbortController();
      const running = runner.run(RUNAWAY, [input], { signal: controller.signal, onEvaluationStarted: () => controller.abort() });
      await assert.rejects(running, (error: Error & { kind?: string }) => error.kind === 'aborted');
      assert.equal(runner.workersStarted, 1);
      const next = await runner.run('count(input.users)', [input]);
      assert.ok(next.ok);
      assert.equal(next.results[0]!.value, 6);
      assert.equal(runner.workersStarted, 2);
    } finally {
      runner.dispose();
    }
  });
});
