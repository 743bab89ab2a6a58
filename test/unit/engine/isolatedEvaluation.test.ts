import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AuditCache, auditReports } from '../../../src/core/run/audit';
import { evaluateIsolated, storedInputCount } from '../../../src/core/engine/isolatedEvaluation';
import { RegoModule } from '../../../src/core/compiler/regoCompiler';
import { hasNativeOpa, OpaCompilerForTests } from './opaCompilerForTests';

const REPORT = 'user,arn,mfa_active\nalice,arn:aws:iam::111122223333:user/alice,false\n';
/** Two definitions of a function giving different values: an eval_conflict_error in OPA too, not a builtin error. */
const CONFLICT = 'package conflict\nimport rego.v1\nf(u) := 1 if u.user\nf(u) := 2 if u.user\ndeny contains "x" if {\n  some u in input.users\n  f(u) > 0\n}\n';

describe('user policies run isolated in a worker', function () {
  before(function () {
    if (!hasNativeOpa) {
      console.log('    skipped: .tools/bin/opa is missing (CI installs it)');
      this.skip();
    }
  });

  it('terminates a policy that overruns the time limit with a clear PolicyProblem', async () => {
    const started = Date.now();
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: REPORT }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler: new OpaCompilerForTests(),
      userPolicyLimits: { timeoutMs: 500 },
      userPolicies: [
        {
          file: 'slow/spin.rego',
          // 400 million comparisons that allocate nothing: slow, not memory-hungry.
          source: 'package slow\nimport rego.v1\nr := numbers.range(1, 20000)\ndeny contains "x" if {\n  some i in r\n  some j in r\n  i > j\n  j > i\n}\n',
        },
      ],
    });
    assert.ok(Date.now() - started < 5000, 'the worker was terminated at the limit');
    assert.equal(result.findings.length, 0);
    assert.equal(result.policyProblems.length, 1);
    assert.equal(result.policyProblems[0]!.message, 'policy slow/spin.rego: rule slow.deny (slow/spin.rego:4) stopped by the time limit (0.5 s)');
    assert.equal(result.policyProblems[0]!.file, 'slow/spin.rego');
    assert.equal(result.policyProblems[0]!.code, 'evaluation-timeout');
  });

  it('stops a policy that exhausts its memory with a clear PolicyProblem', async () => {
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: REPORT }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler: new OpaCompilerForTests(),
      userPolicyLimits: { timeoutMs: 30000, maxWasmMemoryMb: 32 },
      userPolicies: [{ file: 'big/alloc.rego', source: 'package big\nimport rego.v1\ndeny contains "x" if {\n  count([x | some x in numbers.range(1, 1000000000)]) > 0\n}\n' }],
    });
    assert.equal(result.findings.length, 0);
    assert.equal(result.policyProblems.length, 1);
    assert.match(result.policyProblems[0]!.message, /^policy big\/alloc\.rego: rule big\.deny \(big\/alloc\.rego:3\) stopped by the 32 MiB wasm memory limit/);
  });

  it('a builtin failing at run time makes only its expression undefined, as OPA does (strict builtin errors off)', async () => {
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: REPORT }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler: new OpaCompilerForTests(),
      userPolicies: [{ file: 'bad/time.rego', source: 'package badtime\nimport rego.v1\ndeny contains "kept" if true\ndeny contains "x" if {\n  time.parse_duration_ns("soon") > 0\n}\n' }],
    });
    assert.deepEqual(result.policyProblems, []);
    assert.deepEqual(result.findings.map((f) => f.message), ['kept']);
  });

  it('reports a failure at run time (conflicting function values) against the policy', async () => {
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: REPORT }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler: new OpaCompilerForTests(),
      userPolicies: [{ file: 'bad/conflict.rego', source: CONFLICT }],
    });
    assert.equal(result.findings.length, 0);
    assert.equal(result.policyProblems.length, 1);
    assert.match(result.policyProblems[0]!.message, /^policy bad\/conflict\.rego: rule conflict\.deny \(bad\/conflict\.rego:5\) failed: .*conflict/);
  });

  it('gives time.now_ns the evaluation time, not the wall clock', async () => {
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: REPORT }],
      now: new Date('2001-02-03T04:05:06Z'),
      bundledChecks: false,
      compiler: new OpaCompilerForTests(),
      userPolicies: [{ file: 'now.rego', source: 'package now\nimport rego.v1\ninfo contains sprintf("%d-%d-%d", time.date(time.now_ns())) if true\n' }],
    });
    assert.deepEqual(result.policyProblems, []);
    assert.deepEqual(result.findings.map((f) => f.message), ['2001-2-3']);
  });

  it('keeps the worker warm across policy edits against a cached report, and recovers after a timeout', async () => {
    const compiler = new OpaCompilerForTests();
    const cache = new AuditCache();
    const text = 'user,arn,mfa_active,password_enabled\nalice,arn:aws:iam::111122223333:user/alice,false,true\nbob,arn:aws:iam::111122223333:user/bob,true,false\n';
    const policy = (condition: string): RegoModule => ({
      file: 'edit.rego',
      source: `package edit\nimport rego.v1\ndeny contains {"msg": u.user, "user": u.user} if {\n  some u in input.users\n  ${condition}\n}\n`,
    });
    const now = new Date('2024-01-01T00:00:00Z');
    const run = (module: RegoModule, timeoutMs = 5000) =>
      auditReports({ reports: [{ file: 'r.csv', text }], now, cache, compiler, bundledChecks: false, userPolicies: [module], userPolicyLimits: { timeoutMs } });
    const users = (result: Awaited<ReturnType<typeof run>>) => result.findings.map((f) => f.user);

    const first = await run(policy('u.mfa_active == false'));
    const edited = await run(policy('u.password_enabled == false'));
    assert.deepEqual(users(first), ['alice']);
    assert.deepEqual(users(edited), ['bob']);
    // The report was not parsed again: the same input object went to the worker, which already held it.
    assert.equal(edited.reports[0]!.input, first.reports[0]!.input);

    // 400 million comparisons that allocate nothing: only the time limit stops it.
    const spin = 'package edit\nimport rego.v1\nr := numbers.range(1, 20000)\ndeny contains "x" if {\n  some i in r\n  some j in r\n  i > j\n  j > i\n}\n';
    const spinning = await run({ file: 'edit.rego', source: spin }, 300);
    assert.deepEqual(spinning.policyProblems.map((p) => [p.code, p.message]), [['evaluation-timeout', 'policy edit.rego: rule edit.deny (edit.rego:4) stopped by the time limit (0.3 s)']]);
    // The terminated worker is replaced, and the cached input is sent to the new one.
    const afterTimeout = await run(policy('u.mfa_active == true'));
    assert.deepEqual(afterTimeout.policyProblems, []);
    assert.deepEqual(users(afterTimeout), ['bob']);
  });
});

describe('the warm evaluation worker', () => {
  before(function () {
    if (!hasNativeOpa) this.skip();
  });

  it('drops an input from the worker once nothing else holds it', async function () {
    this.timeout(60_000);
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const compiled = await new OpaCompilerForTests().compile({ modules: [{ file: 'n.rego', source: 'package n\nimport rego.v1\ninfo contains count(input.users) if true\n' }] });
    assert.ok(compiled.ok);
    // A heap limit no other test uses: this worker is this test's alone.
    const limits = { maxMemoryMb: 200 };
    const evaluate = (input: object) => evaluateIsolated({ wasm: compiled.wasm, data: {}, inputs: [{ input, evaluationTime: '2024-01-01T00:00:00Z' }] }, limits);
    const kept = { users: [{ user: 'kept' }] };
    await evaluate(kept);
    await (async () => {
      const results = await evaluate({ users: [{ user: 'a' }, { user: 'b' }] });
      assert.deepEqual(results[0]!['n'], { info: [2] });
    })();
    assert.equal(storedInputCount(200), 2);
    for (let attempt = 0; attempt < 100 && storedInputCount(200) > 1; attempt++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(storedInputCount(200), 1, 'the dropped input is forgotten, the one still held is kept');
    const again = await evaluate(kept);
    assert.deepEqual(again[0]!['n'], { info: [1] });
  });
});

describe('a cancelled evaluation', () => {
  before(function () {
    if (!hasNativeOpa) this.skip();
  });

  const compile = async (source: string) => {
    const compiled = await new OpaCompilerForTests().compile({ modules: [{ file: 'c.rego', source }] });
    assert.ok(compiled.ok);
    return compiled.wasm;
  };
  const spinning = (size: number) => `package c\nimport rego.v1\nr := numbers.range(1, ${size})\ndeny contains "x" if {\n  some i in r\n  some j in r\n  i > j\n  j > i\n}\n`;
  const evaluationTime = '2024-01-01T00:00:00Z';

  it('is answered at once, finishes in the worker and leaves it warm with its inputs', async function () {
    this.timeout(120_000);
    const count = await compile('package n\nimport rego.v1\ninfo contains count(input.users) if true\n');
    // 9 million comparisons: long enough to be running when the cancel lands, short enough to finish.
    const slow = await compile(spinning(3000));
    // A heap limit no other test uses: this worker is this test's alone.
    const limits = { maxMemoryMb: 201, timeoutMs: 60_000 };
    const input = { users: [{ user: 'a' }] };
    await evaluateIsolated({ wasm: count, data: {}, inputs: [{ input, evaluationTime }] }, limits);
    assert.equal(storedInputCount(201), 1);
    const controller = new AbortController();
    const cancelled = evaluateIsolated({ wasm: slow, data: {}, inputs: [{ input, evaluationTime }] }, { ...limits, signal: controller.signal });
    // The job is posted to the worker within the current turn: the cancel lands while it runs.
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await assert.rejects(cancelled, { kind: 'aborted', message: 'evaluation cancelled' });
    // Terminating the worker would have dropped the inputs it holds.
    assert.equal(storedInputCount(201), 1, 'the worker and its input were kept');
    const after = await evaluateIsolated({ wasm: count, data: {}, inputs: [{ input, evaluationTime }] }, limits);
    assert.deepEqual(after[0]!['n'], { info: [1] });
    assert.equal(storedInputCount(201), 1);
  });

  it('is still stopped by its time limit when it overruns', async function () {
    this.timeout(120_000);
    const count = await compile('package n\nimport rego.v1\ninfo contains count(input.users) if true\n');
    // 10 billion comparisons: minutes of work, only the time limit ends it within the test's timeout.
    const endless = await compile(spinning(100000));
    const limits = { maxMemoryMb: 202 };
    const input = { users: [{ user: 'a' }, { user: 'b' }] };
    const controller = new AbortController();
    const cancelled = evaluateIsolated({ wasm: endless, data: {}, inputs: [{ input, evaluationTime }] }, { ...limits, timeoutMs: 300, signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await assert.rejects(cancelled, { kind: 'aborted' });
    // Queued behind the abandoned job: it runs once the time limit has terminated that worker, in a fresh one.
    const after = await evaluateIsolated({ wasm: count, data: {}, inputs: [{ input, evaluationTime }] }, { ...limits, timeoutMs: 60_000 });
    assert.deepEqual(after[0]!['n'], { info: [2] });
  });
});

describe('AuditCache', () => {
  const sample = readFileSync(join(__dirname, '../../../../samples/sample-credential-report.csv'), 'utf8');
  const now = new Date('2021-02-09T08:42:56Z');
  const audit = (cache: AuditCache, options: { text?: string; at?: Date; params?: Record<string, unknown> } = {}) =>
    auditReports({ reports: [{ file: 'sample.csv', text: options.text ?? sample }], now: options.at ?? now, params: options.params, cache });
  const summary = (result: Awaited<ReturnType<typeof audit>>) => result.findings.map((f) => `${f.check} ${f.user} ${f.key ?? ''} ${f.message}`);

  it('reuses an unchanged report and its bundled findings, and recomputes when the text, the time or a parameter changes', async () => {
    const cache = new AuditCache();
    const uncached = await audit(new AuditCache());
    const first = await audit(cache);
    const again = await audit(cache);
    assert.ok(first.findings.length > 5);
    assert.deepEqual(summary(again), summary(uncached));
    assert.equal(again.reports[0]!.input, first.reports[0]!.input);

    const later = await audit(cache, { at: new Date('2022-02-09T08:42:56Z') });
    assert.notEqual(later.reports[0]!.input, first.reports[0]!.input);
    assert.deepEqual(summary(later), summary(await audit(new AuditCache(), { at: new Date('2022-02-09T08:42:56Z') })));

    const lenient = await audit(cache, { at: new Date('2022-02-09T08:42:56Z'), params: { accessKeyRotationDays: 100000, unusedCredentialDays: 100000, passwordRotationDays: 100000 } });
    assert.equal(lenient.reports[0]!.input, later.reports[0]!.input, 'a parameter does not change the input');
    assert.ok(lenient.findings.length < later.findings.length, `${lenient.findings.length} < ${later.findings.length}`);

    const edited = await audit(cache, { text: sample.split('\n').slice(0, 3).join('\n') + '\n' });
    assert.equal(edited.reports[0]!.input.users.length, 2);
  });
});
