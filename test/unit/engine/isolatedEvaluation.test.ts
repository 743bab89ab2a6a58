import * as assert from 'node:assert/strict';
import { auditReports } from '../../../src/core/audit';
import { hasNativeOpa, OpaCompilerForTests } from './opaCompilerForTests';

const REPORT = 'user,arn,mfa_active\nalice,arn:aws:iam::111122223333:user/alice,false\n';

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
          // 25 million comparisons that allocate nothing: slow, not memory-hungry.
          source: 'package slow\nimport rego.v1\nr := numbers.range(1, 5000)\ndeny contains "x" if {\n  some i in r\n  some j in r\n  i > j\n  j > i\n}\n',
        },
      ],
    });
    assert.ok(Date.now() - started < 5000, 'the worker was terminated at the limit');
    assert.equal(result.findings.length, 0);
    assert.equal(result.policyProblems.length, 1);
    assert.equal(result.policyProblems[0]!.message, 'policy slow/spin.rego exceeded the 0.5 s evaluation limit');
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
    assert.match(result.policyProblems[0]!.message, /^policy big\/alloc\.rego evaluating big: exceeded the 32 MiB policy memory limit/);
  });

  it('reports a builtin failing at run time against the policy', async () => {
    const result = await auditReports({
      reports: [{ file: 'r.csv', text: REPORT }],
      now: new Date('2024-01-01T00:00:00Z'),
      bundledChecks: false,
      compiler: new OpaCompilerForTests(),
      userPolicies: [{ file: 'bad/time.rego', source: 'package badtime\nimport rego.v1\ndeny contains "x" if {\n  time.parse_duration_ns("soon") > 0\n}\n' }],
    });
    assert.equal(result.findings.length, 0);
    assert.equal(result.policyProblems.length, 1);
    assert.match(result.policyProblems[0]!.message, /^policy bad\/time\.rego evaluating badtime: .*invalid duration "soon"/);
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
});
