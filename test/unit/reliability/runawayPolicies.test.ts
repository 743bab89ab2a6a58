import * as assert from 'node:assert/strict';
import { auditReports, AuditResult } from '../../../src/core/run/audit';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler, RegoModule } from '../../../src/core/compiler/regoCompiler';

/**
 * User policies are someone else's code: an endless loop or a memory bomb must end as a PolicyProblem on the policy,
 * the host must keep answering while it runs, and the next evaluation must work. Compiled with the embedded compiler,
 * the one the CLI and the extension use.
 */

const REPORT = 'user,arn,mfa_active,password_enabled\nalice,arn:aws:iam::111122223333:user/alice,false,true\n';
const NOW = new Date('2024-06-01T00:00:00Z');

const NORMAL_POLICY: RegoModule = {
  file: 'policies/no_mfa.rego',
  source: 'package acme.no_mfa\nimport rego.v1\ndeny contains {"msg": sprintf("%s has no MFA", [u.user]), "user": u.user, "line": u.line} if {\n  some u in input.users\n  u.mfa_active == false\n}\n',
};

/** Largest gap between timer ticks while `work` runs: how long the host's event loop was blocked. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number; elapsedMs: number }> {
  let last = Date.now();
  let stallMs = 0;
  const ticker = setInterval(() => {
    const now = Date.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  const started = Date.now();
  try {
    const value = await work();
    return { value, stallMs: Math.max(stallMs, Date.now() - last), elapsedMs: Date.now() - started };
  } finally {
    clearInterval(ticker);
  }
}

describe('runaway user policies are stopped, and the process stays usable', function () {
  this.timeout(180_000);
  let compiler: RegoCompiler;

  before(async function () {
    compiler = createEmbeddedCompiler();
    // Warm up once so the limits measured below are the evaluation's, not the compiler's start-up.
    const warm = await compiler.compile({ modules: [NORMAL_POLICY] });
    assert.ok(warm.ok, JSON.stringify(!warm.ok && warm.errors));
  });
  after(() => compiler.dispose());

  const audit = (policy: RegoModule, limits: { timeoutMs?: number; maxMemoryMb?: number; maxWasmMemoryMb?: number }) =>
    auditReports({ reports: [{ file: 'r.csv', text: REPORT }], now: NOW, bundledChecks: false, compiler, userPolicies: [policy], userPolicyLimits: limits });

  async function expectNormalEvaluationWorks(): Promise<void> {
    const result = await audit(NORMAL_POLICY, {});
    assert.deepEqual(result.policyProblems, []);
    assert.deepEqual(result.findings.map((f) => [f.user, f.message, f.line]), [['alice', 'alice has no MFA', 2]]);
  }

  function onlyProblem(result: AuditResult, file: string): string {
    assert.deepEqual(result.findings, []);
    assert.equal(result.policyProblems.length, 1, JSON.stringify(result.policyProblems));
    assert.equal(result.policyProblems[0]!.file, file);
    assert.ok(result.policyProblems[0]!.line >= 1, 'the problem points into the policy');
    return result.policyProblems[0]!.message;
  }

  it('stops a policy spinning over numbers.range at the time limit, without blocking the host', async () => {
    const spin: RegoModule = {
      file: 'policies/spin.rego',
      // 10^10 comparisons that allocate nothing (no arithmetic, whose results the wasm heap would keep): only the
      // clock can stop it.
      source: 'package acme.spin\nimport rego.v1\nr := numbers.range(1, 100000)\ndeny contains "never" if {\n  some i in r\n  some j in r\n  i > j\n  j > i\n}\n',
    };
    const limitMs = 1000;
    const { value, stallMs, elapsedMs } = await longestStall(() => audit(spin, { timeoutMs: limitMs }));
    const message = onlyProblem(value, 'policies/spin.rego');
    assert.equal(message, 'policy policies/spin.rego: rule acme.spin.deny (policies/spin.rego:4) stopped by the time limit (1 s)');
    assert.equal(value.policyProblems[0]!.code, 'evaluation-timeout');
    console.log(`      runaway loop: limit ${limitMs} ms, stopped after ${elapsedMs} ms (overshoot ${elapsedMs - limitMs} ms); longest event-loop stall ${stallMs} ms`);
    // Unbounded, the loop runs for minutes. The bound is loose: compiling the policy and starting a cold worker thread
    // (not counted in the limit, which starts once the policy is loaded) take seconds on a busy machine.
    assert.ok(elapsedMs < limitMs + 15_000, `stopped after ${elapsedMs} ms`);
    assert.ok(stallMs < 500, `the host was blocked for ${stallMs} ms`);
    await expectNormalEvaluationWorks();
  });

  it('stops a policy over numbers.range(1, 1e9) with a clear problem on the policy', async () => {
    const huge: RegoModule = {
      file: 'policies/billion.rego',
      source: 'package acme.billion\nimport rego.v1\ndeny contains "x" if {\n  some i in numbers.range(1, 1000000000)\n  i < 0\n}\n',
    };
    const started = Date.now();
    const result = await audit(huge, { timeoutMs: 5000 });
    const message = onlyProblem(result, 'policies/billion.rego');
    console.log(`      numbers.range(1, 1e9): stopped after ${Date.now() - started} ms: ${message}`);
    assert.match(message, /^policy policies\/billion\.rego: rule acme\.billion\.deny \(policies\/billion\.rego:3\) stopped by the (time limit \(5 s\)|256 MiB wasm memory limit)/);
    await expectNormalEvaluationWorks();
  });

  it('stops a huge comprehension at the policy memory limit', async () => {
    const bomb: RegoModule = {
      file: 'policies/bomb.rego',
      source: 'package acme.bomb\nimport rego.v1\ndeny contains "x" if {\n  big := [sprintf("%d", [x]) | some x in numbers.range(1, 100000000)]\n  count(big) > 0\n}\n',
    };
    const started = Date.now();
    const result = await audit(bomb, { timeoutMs: 60_000, maxWasmMemoryMb: 64 });
    const message = onlyProblem(result, 'policies/bomb.rego');
    console.log(`      comprehension memory bomb (64 MiB cap): stopped after ${Date.now() - started} ms`);
    assert.match(message, /^policy policies\/bomb\.rego: rule acme\.bomb\.deny \(policies\/bomb\.rego:3\) stopped by the 64 MiB wasm memory limit: OPA's wasm keeps every intermediate value/);
    await expectNormalEvaluationWorks();
  });

  it('stops a policy whose results flood memory at a memory limit (wasm cap or worker heap, whichever comes first)', async () => {
    // Twenty 4 MB results: the wasm heap must hold them and the worker must decode them; either limit may end it.
    const flood: RegoModule = {
      file: 'policies/flood.rego',
      source:
        'package acme.flood\nimport rego.v1\nmega := sprintf("%04000000d", [0])\n' +
        'deny contains sprintf("%d %s", [i, mega]) if {\n  some i in numbers.range(1, 20)\n}\n',
    };
    const started = Date.now();
    const result = await audit(flood, { timeoutMs: 60_000, maxMemoryMb: 32, maxWasmMemoryMb: 512 });
    const message = onlyProblem(result, 'policies/flood.rego');
    console.log(`      result flood (32 MiB worker heap): stopped after ${Date.now() - started} ms: ${message.slice(0, 120)}`);
    assert.match(message, /stopped by the (32 MiB worker memory|512 MiB wasm memory) limit/);
    await expectNormalEvaluationWorks();
  });

  it('bounds a pathological compilation by its time limit, and the compiler works again afterwards', async () => {
    const slowCompiler = createEmbeddedCompiler({ timeLimitMs: 2000 });
    try {
      // Thousands of rules, each with its own comprehension: far more than a policy needs, and slow to plan.
      const rules = Array.from({ length: 20_000 }, (_, i) => `deny contains "r${i}" if {\n  count([x | some x in input.users; x.user == "u${i}"]) > ${i}\n}`);
      const pathological: RegoModule = { file: 'policies/generated.rego', source: `package acme.generated\nimport rego.v1\n${rules.join('\n')}\n` };
      await slowCompiler.compile({ modules: [NORMAL_POLICY] });
      const started = Date.now();
      const result = await slowCompiler.compile({ modules: [pathological] });
      const elapsed = Date.now() - started;
      console.log(`      pathological compile (${pathological.source.length} characters, limit 2 s): ended after ${elapsed} ms`);
      assert.equal(result.ok, false, 'the compilation should not have finished within 2 s');
      assert.ok(!result.ok);
      assert.equal(result.errors[0]!.code, 'timeout');
      assert.equal(result.errors[0]!.message, 'compilation of policies/generated.rego timed out after 2 s');
      assert.ok(elapsed < 6000, `ended after ${elapsed} ms`);
      const again = await slowCompiler.compile({ modules: [NORMAL_POLICY] });
      assert.ok(again.ok, 'a fresh compiler took over');
    } finally {
      slowCompiler.dispose();
    }
  });
});
