import * as assert from 'node:assert/strict';
import { AuditCache, auditReports } from '../../../src/core/run/audit';
import { CompilerCache } from '../../../src/core/compiler/compilerCache';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { CompileRequest, RegoCompiler, RegoModule } from '../../../src/core/compiler/regoCompiler';
import { splitPolicyUnits } from '../../../src/core/run/policyUnits';

/**
 * Issue 13 point 5: each workspace policy file is compiled and evaluated on its own. A compile error, a runaway or a
 * runtime error costs only that file's findings and is a problem on that file; a runaway says what stopped it and in
 * which rule; while a policy does not compile, the editor's cache keeps its last good findings, marked stale.
 */

const REPORT = 'user,arn,mfa_active,password_enabled\nalice,arn:aws:iam::111122223333:user/alice,false,true\n';
const NOW = new Date('2024-06-01T00:00:00Z');

const GOOD: RegoModule = {
  file: 'policies/no_mfa.rego',
  source: 'package custom.no_mfa\nimport rego.v1\ndeny contains {"msg": sprintf("%s has no MFA", [u.user]), "user": u.user} if {\n  some u in input.users\n  u.mfa_active == false\n}\n',
};
/** No arithmetic, no allocation: only the clock stops it. */
const SPIN: RegoModule = {
  file: 'policies/loop.rego',
  source: 'package custom.loop\nimport rego.v1\nr := numbers.range(1, 100000)\ndeny contains "never" if {\n  some i in r\n  some j in r\n  i > j\n  j > i\n}\n',
};
/** CPU-heavy and allocating: OPA's wasm frees nothing during an evaluation, so memory runs out first. */
const HEAVY: RegoModule = {
  file: 'policies/heavy.rego',
  source: 'package custom.heavy\nimport rego.v1\ndeny contains "many" if {\n  total := count([x | some u in input.users; some x in numbers.range(1, 2000000); x % 7 == u.line])\n  total < 0\n}\n',
};
const SYNTAX_ERROR: RegoModule = { file: 'policies/broken.rego', source: 'package custom.broken\nimport rego.v1\ndeny contains "x" if {\n  input.users[_].user ==\n' };
/** Conflicting function values fail the rule at run time (a builtin error would only make its call undefined). */
const RUNTIME_ERROR: RegoModule = {
  file: 'policies/conflict.rego',
  source: 'package custom.conflict\nimport rego.v1\nf(u) := 1 if u.user\nf(u) := 2 if u.user\ndeny contains "x" if {\n  some u in input.users\n  f(u) > 0\n}\n',
};

/** A compiler that counts what it compiles (file lists), to see which units an edit recompiles. */
class CountingCompiler implements RegoCompiler {
  readonly compiled: string[][] = [];
  constructor(private readonly inner: RegoCompiler) {}
  compile(request: CompileRequest) {
    this.compiled.push(request.modules.map((module) => module.file));
    return this.inner.compile(request);
  }
  dispose(): void {}
}

describe('workspace policies are isolated per file', function () {
  this.timeout(180_000);
  let compiler: RegoCompiler;

  before(() => {
    compiler = createEmbeddedCompiler();
  });
  after(() => compiler.dispose());

  const audit = (userPolicies: RegoModule[], extra: Partial<Parameters<typeof auditReports>[0]> = {}) =>
    auditReports({ reports: [{ file: 'r.csv', text: REPORT }], now: NOW, bundledChecks: false, compiler, userPolicies, ...extra });

  const goodFindings = (findings: { check: string; user: string | null; stale?: true }[]) =>
    findings.filter((finding) => finding.check === 'custom.no_mfa').map((finding) => [finding.user, finding.stale ?? false]);

  it('keeps the findings of one policy when another does not compile, and reports the broken file', async () => {
    const result = await audit([SYNTAX_ERROR, GOOD]);
    assert.deepEqual(goodFindings(result.findings), [['alice', false]]);
    assert.ok(result.policyProblems.length > 0);
    for (const problem of result.policyProblems) assert.equal(problem.file, 'policies/broken.rego', JSON.stringify(problem));
  });

  it('keeps the findings of one policy when another fails at run time, on the failing rule', async () => {
    const result = await audit([GOOD, RUNTIME_ERROR]);
    assert.deepEqual(goodFindings(result.findings), [['alice', false]]);
    assert.equal(result.policyProblems.length, 1, JSON.stringify(result.policyProblems));
    const [problem] = result.policyProblems;
    assert.equal(problem!.file, 'policies/conflict.rego');
    assert.equal(problem!.line, 5);
    assert.match(problem!.message, /^policy policies\/conflict\.rego: rule custom\.conflict\.deny \(policies\/conflict\.rego:5\) failed: .*conflict/);
  });

  it('stops an endless loop at the time limit, names the rule, and keeps the other policy\'s findings', async () => {
    const result = await audit([SPIN, GOOD], { userPolicyLimits: { timeoutMs: 1000 } });
    assert.deepEqual(goodFindings(result.findings), [['alice', false]]);
    assert.deepEqual(
      result.policyProblems.map((problem) => [problem.file, problem.line, problem.code, problem.message]),
      [['policies/loop.rego', 4, 'evaluation-timeout', 'policy policies/loop.rego: rule custom.loop.deny (policies/loop.rego:4) stopped by the time limit (1 s)']],
    );
  });

  it('words a CPU-heavy loop that allocates as the wasm memory limit, with why, on its rule', async () => {
    const result = await audit([HEAVY, GOOD], { userPolicyLimits: { timeoutMs: 60_000, maxWasmMemoryMb: 64 } });
    assert.deepEqual(goodFindings(result.findings), [['alice', false]]);
    assert.equal(result.policyProblems.length, 1, JSON.stringify(result.policyProblems));
    const [problem] = result.policyProblems;
    assert.equal(problem!.code, 'evaluation-memory');
    assert.equal(problem!.file, 'policies/heavy.rego');
    assert.equal(problem!.line, 3);
    assert.equal(
      problem!.message,
      "policy policies/heavy.rego: rule custom.heavy.deny (policies/heavy.rego:3) stopped by the 64 MiB wasm memory limit: OPA's wasm keeps every intermediate value until the evaluation ends, so a large loop exhausts memory",
    );
  });

  it('reports a broken library on the library, and on the policy that uses it, without touching the others', async () => {
    const library: RegoModule = { file: 'lib/users.rego', source: 'package lib.users\nimport rego.v1\nnamed(u) if {\n  u.user !=\n' };
    const user: RegoModule = {
      file: 'policies/uses_lib.rego',
      source: 'package custom.uses_lib\nimport rego.v1\nimport data.lib.users\ndeny contains "named" if {\n  some u in input.users\n  users.named(u)\n}\n',
    };
    const result = await audit([library, user, GOOD]);
    assert.deepEqual(goodFindings(result.findings), [['alice', false]]);
    const files = new Set(result.policyProblems.map((problem) => problem.file));
    assert.deepEqual([...files].sort(), ['lib/users.rego', 'policies/uses_lib.rego']);
    const dependency = result.policyProblems.find((problem) => problem.code === 'dependency-error')!;
    assert.equal(dependency.message, 'policy policies/uses_lib.rego was not evaluated: lib/users.rego, which it uses, does not compile');
    assert.equal(dependency.line, 1);
  });

  it('evaluates a policy with the library it imports, once', async () => {
    const library: RegoModule = { file: 'lib/users.rego', source: 'package lib.users\nimport rego.v1\nnamed(u) if u.user != ""\n' };
    const user: RegoModule = {
      file: 'policies/uses_lib.rego',
      source: 'package custom.uses_lib\nimport rego.v1\ndeny contains sprintf("%s named", [u.user]) if {\n  some u in input.users\n  data.lib.users.named(u)\n}\n',
    };
    const result = await audit([user, library, GOOD]);
    assert.deepEqual(result.policyProblems, []);
    assert.deepEqual(result.findings.map((finding) => [finding.check, finding.message]).sort(), [['custom.no_mfa', 'alice has no MFA'], ['custom.uses_lib', 'alice named']]);
  });

  it('compiles each unit on its own, so an edit recompiles only the edited unit', async () => {
    const counting = new CountingCompiler(compiler);
    const cached = new CompilerCache(counting);
    const other: RegoModule = { file: 'policies/other.rego', source: 'package custom.other\nimport rego.v1\nwarn contains "other" if true\n' };
    await audit([GOOD, other], { compiler: cached });
    assert.deepEqual(counting.compiled, [['policies/no_mfa.rego'], ['policies/other.rego']]);
    const edited = { ...other, source: other.source.replace('"other"', '"other edited"') };
    const result = await audit([GOOD, edited], { compiler: cached });
    assert.deepEqual(counting.compiled.slice(2), [['policies/other.rego']]);
    assert.ok(result.findings.some((finding) => finding.message === 'other edited'));
  });

  it('keeps a policy\'s last good findings, marked stale, while it does not compile, and only with the editor\'s cache', async () => {
    const cache = new AuditCache();
    const other: RegoModule = { file: 'policies/other.rego', source: 'package custom.other\nimport rego.v1\nwarn contains "other" if true\n' };
    const first = await audit([GOOD, other], { cache });
    assert.deepEqual(goodFindings(first.findings), [['alice', false]]);

    const halfTyped: RegoModule = { ...GOOD, source: GOOD.source.replace('u.mfa_active == false', 'u.mfa_active ==') };
    const typing = await audit([halfTyped, other], { cache });
    assert.deepEqual(goodFindings(typing.findings), [['alice', true]]);
    assert.equal(typing.findings.find((finding) => finding.check === 'custom.no_mfa')!.staleFile, 'policies/no_mfa.rego');
    assert.deepEqual(typing.findings.filter((finding) => finding.check === 'custom.other').map((finding) => finding.stale ?? false), [false]);
    assert.ok(typing.policyProblems.some((problem) => problem.file === 'policies/no_mfa.rego'));

    // Without a cache (the CLI) nothing is kept: a policy that does not compile has no findings.
    const withoutCache = await audit([halfTyped, other]);
    assert.deepEqual(goodFindings(withoutCache.findings), []);

    const fixed = { ...GOOD, source: GOOD.source.replace('"%s has no MFA"', '"%s still has no MFA"') };
    const again = await audit([fixed, other], { cache });
    assert.deepEqual(again.findings.filter((finding) => finding.check === 'custom.no_mfa').map((finding) => [finding.message, finding.stale ?? false]), [['alice still has no MFA', false]]);

    // A deleted policy's last findings are not brought back.
    await audit([other], { cache });
    const recreatedBroken = await audit([halfTyped, other], { cache });
    assert.deepEqual(goodFindings(recreatedBroken.findings), []);
  });
});

describe('splitPolicyUnits', () => {
  const module = (file: string, source: string): RegoModule => ({ file, source });

  it('groups files of one package, leaves tests out, and includes only referenced libraries (transitively)', () => {
    const units = splitPolicyUnits([
      module('a1.rego', 'package custom.a\ndeny contains "x" if data.lib.one.ok\n'),
      module('a2.rego', 'package custom.a\nhelper := 1\n'),
      module('a_test.rego', 'package custom.a_test\ntest_x if true\n'),
      module('b.rego', 'package custom.b\nwarn_old contains "y" if true\n'),
      module('lib1.rego', 'package lib.one\nok if data.lib.two.ok\n'),
      module('lib2.rego', 'package lib.two\nok := true\n'),
      module('unused.rego', 'package lib.unused\nx := 1\n'),
      module('typing.rego', 'packa\ndeny contains "z" if true\n'),
    ]);
    assert.deepEqual(
      units.map((unit) => [unit.ownFiles, unit.modules.map((m) => m.file), unit.decides]),
      [
        [['a1.rego', 'a2.rego'], ['a1.rego', 'a2.rego', 'lib1.rego', 'lib2.rego'], true],
        [['b.rego'], ['b.rego'], true],
        [['unused.rego'], ['unused.rego'], false],
        [['typing.rego'], ['typing.rego'], true],
      ],
    );
  });

  it('includes every package when a policy reads data as a whole, and ignores commented references', () => {
    const units = splitPolicyUnits([
      module('dyn.rego', 'package custom.dyn\ndeny contains k if some k, _ in data\n'),
      module('commented.rego', 'package custom.c\n# uses data.lib.one\ndeny contains "c" if true\n'),
      module('lib1.rego', 'package lib.one\nok := true\n'),
    ]);
    assert.deepEqual(
      units.map((unit) => unit.modules.map((m) => m.file)),
      [['dyn.rego', 'commented.rego', 'lib1.rego'], ['commented.rego']],
    );
  });
});
