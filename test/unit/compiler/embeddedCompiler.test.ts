import * as assert from 'node:assert/strict';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { HOST_SPRINTF } from '../../../src/core/engine/policyEngine';
import { regoSprintf } from '../../../src/core/engine/regoSprintf';
import { EmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { readCompilerCapabilities } from '../../../src/core/compiler/compilerAssets';
import { CompileResult } from '../../../src/core/compiler/regoCompiler';

const POLICY = `# METADATA
# title: MFA checks
# description: Users should use MFA.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html
#     description: AWS MFA
# custom:
#   id: USER-MFA
package user.mfa

# METADATA
# title: User without MFA
# custom:
#   severity: high
deny contains result if {
	some user in input.users
	user.mfa_active == false
	result := {"msg": sprintf("%s has no MFA", [user.user]), "user": user.user}
}

warn_console contains user.user if {
	some user in input.users
	user.password_enabled
}

helper := 1
`;

function errorsOf(result: CompileResult) {
  assert.equal(result.ok, false, 'the compilation must fail');
  return result.ok ? [] : result.errors;
}

describe('embedded Rego compiler (Go built to wasm)', function () {
  this.timeout(60_000);
  const compiler = new EmbeddedCompiler();
  after(() => compiler.dispose());

  it('compiles a policy to wasm that opa-wasm loads and evaluates', async () => {
    const result = await compiler.compile({ modules: [{ file: 'policies/mfa.rego', source: POLICY }] });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    // One entrypoint per decision rule (open-policy-agent/opa#4411 rules out package entrypoints); helper is none.
    assert.deepEqual(result.entrypoints, ['user/mfa/deny', 'user/mfa/warn_console']);
    // Every sprintf is renamed to the engine's Go-compatible one (compiler/sprintf.go); the SDK alone does not know it.
    const policy = await loadPolicy(result.wasm, undefined, { [HOST_SPRINTF]: regoSprintf });
    const input = {
      users: [
        { user: 'alice', mfa_active: false, password_enabled: true },
        { user: 'bob', mfa_active: true, password_enabled: false },
      ],
    };
    assert.deepEqual(policy.evaluate(input, 'user/mfa/deny'), [{ result: [{ msg: 'alice has no MFA', user: 'alice' }] }]);
    assert.deepEqual(policy.evaluate(input, 'user/mfa/warn_console'), [{ result: ['alice'] }]);
  });

  it('returns METADATA annotations and rule locations', async () => {
    const result = await compiler.compile({ modules: [{ file: 'policies/mfa.rego', source: POLICY }] });
    assert.ok(result.ok);
    const pkg = result.annotations.find((annotation) => annotation.scope === 'package');
    assert.deepEqual(pkg, {
      path: 'user/mfa',
      scope: 'package',
      title: 'MFA checks',
      description: 'Users should use MFA.',
      related_resources: [{ ref: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html', description: 'AWS MFA' }],
      custom: { id: 'USER-MFA' },
      file: 'policies/mfa.rego',
      line: 1,
    });
    const rule = result.annotations.find((annotation) => annotation.scope === 'rule');
    assert.equal(rule?.path, 'user/mfa/deny');
    assert.equal(rule?.title, 'User without MFA');
    assert.deepEqual(rule?.custom, { severity: 'high' });
    assert.equal(rule?.line, 11);
    assert.deepEqual(
      result.rules.map((r) => [r.package, r.name, r.file, r.line]),
      [
        ['user/mfa', 'deny', 'policies/mfa.rego', 15],
        ['user/mfa', 'warn_console', 'policies/mfa.rego', 21],
        ['user/mfa', 'helper', 'policies/mfa.rego', 26],
      ],
    );
  });

  it('picks every conftest-style rule (not function) as an entrypoint, and honours explicit ones', async () => {
    const modules = [
      { file: 'a.rego', source: 'package checks.a\n\nviolation_old_key contains "x" if input.old\n' },
      { file: 'b.rego', source: 'package checks.b\n\nexception contains "rule" if input.skip\n' },
      { file: 'lib.rego', source: 'package lib\n\nis_old(x) if x > 90\n\ndeny(x) := x\n' },
      { file: 'c.rego', source: 'package checks.c\n\ndenyish := true\n' },
    ];
    // Made-up input fields: these tests are about entrypoints, not the input schema.
    const auto = await compiler.compile({ modules, schema: false });
    assert.ok(auto.ok, JSON.stringify(!auto.ok && auto.errors));
    assert.deepEqual(auto.entrypoints, ['checks/a/violation_old_key', 'checks/b/exception']);
    const explicit = await compiler.compile({ modules, entrypoints: ['checks/c/denyish'], schema: false });
    assert.ok(explicit.ok);
    assert.deepEqual(explicit.entrypoints, ['checks/c/denyish']);
    const policy = await loadPolicy(explicit.wasm);
    assert.deepEqual(policy.evaluate({}), [{ result: true }]);
  });

  it('reports a syntax error at file:line:column', async () => {
    const errors = errorsOf(await compiler.compile({ modules: [{ file: 'bad/syntax.rego', source: 'package p\n\ndeny contains "x" if {\n  input.a ==\n}\n' }] }));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].file, 'bad/syntax.rego');
    assert.equal(errors[0].code, 'rego_parse_error');
    assert.deepEqual([errors[0].line, errors[0].column], [5, 1]);
  });

  it('reports a type error at the expression', async () => {
    const errors = errorsOf(await compiler.compile({ modules: [{ file: 'bad/type.rego', source: 'package p\n\ndeny contains msg if {\n  msg := concat(",", 1)\n}\n' }] }));
    assert.equal(errors[0].code, 'rego_type_error');
    assert.match(errors[0].message, /concat/);
    assert.deepEqual([errors[0].file, errors[0].line, errors[0].column], ['bad/type.rego', 4, 10]);
  });

  it('rejects builtins the wasm runtime cannot run, at the call', async () => {
    for (const call of ['http.send({"method": "GET", "url": "https://example.com"})', 'crypto.x509.parse_certificates("x")', 'opa.runtime()']) {
      const source = `package p\n\ndeny contains msg if {\n  response := ${call}\n  msg := sprintf("%v", [response])\n}\n`;
      const errors = errorsOf(await compiler.compile({ modules: [{ file: 'net.rego', source }] }));
      const name = call.slice(0, call.indexOf('('));
      assert.deepEqual(
        errors.map((e) => [e.file, e.line, e.column, e.message]),
        [['net.rego', 4, 15, `undefined function ${name}`]],
      );
    }
  });

  it('accepts the time builtins the engine provides and lists them in capabilities.json', async () => {
    const source = 'package p\n\ndeny contains "old" if time.now_ns() - time.parse_rfc3339_ns(input.t) > time.parse_duration_ns("24h")\n';
    const result = await compiler.compile({ modules: [{ file: 'time.rego', source }], schema: false });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    const capabilities = readCompilerCapabilities();
    assert.equal(capabilities.opa_version, '1.22.0');
    for (const name of ['time.now_ns', 'time.parse_rfc3339_ns', 'time.add_date', 'time.weekday']) assert.ok(capabilities.engine.includes(name), name);
    assert.ok(capabilities.native.includes('regex.match'));
    assert.ok(capabilities.sdk.includes('sprintf'));
    assert.ok(capabilities.engine.includes(HOST_SPRINTF));
    assert.ok(!capabilities.builtins.includes('http.send'));
  });

  it('converts columns to UTF-16 when non-ASCII text precedes the error', async () => {
    // "é" is one UTF-16 unit (two UTF-8 bytes); "😀" is two UTF-16 units (four bytes, one code point).
    const source = 'package p\n\ndeny contains msg if {\n  msg := "é😀" + 1\n}\nx := "é😀" + }\n';
    const typeErrors = errorsOf(await compiler.compile({ modules: [{ file: 'utf.rego', source: source.split('x :=')[0] }] }));
    // The type error points at the string literal, the 10th character: no shift, it follows only ASCII.
    assert.deepEqual([typeErrors[0].line, typeErrors[0].column], [4, 10]);
    const parseErrors = errorsOf(await compiler.compile({ modules: [{ file: 'utf.rego', source }] }));
    // "}" follows `x := "é😀" + ` : 12 code points, 13 UTF-16 units, so column 14.
    assert.deepEqual([parseErrors[0].line, parseErrors[0].column], [6, 14]);
    const line = source.split('\n')[5];
    assert.equal(line[parseErrors[0].column - 1], '}');
  });

  it('attaches an error without a location to the package line', async () => {
    const errors = errorsOf(
      await compiler.compile({ modules: [{ file: 'nope.rego', source: '# comment\npackage nope\n\ndeny contains "x" if input.a\n' }], entrypoints: ['nope/missing'], schema: false }),
    );
    assert.deepEqual([errors[0].file, errors[0].line], ['nope.rego', 2]);
    assert.match(errors[0].message, /nope\/missing/);
  });

  it('says so when nothing in the policy is a check', async () => {
    const errors = errorsOf(await compiler.compile({ modules: [{ file: 'lib.rego', source: 'package lib\n\nx := 1\n' }] }));
    assert.equal(errors[0].code, 'no_entrypoint');
    assert.equal(errors[0].line, 1);
  });
});

describe('embedded Rego compiler limits', function () {
  this.timeout(60_000);

  it('terminates a compilation that overruns the time limit and starts afresh on the next call', async () => {
    const compiler = new EmbeddedCompiler({ timeLimitMs: 1 });
    try {
      const started = Date.now();
      const errors = errorsOf(await compiler.compile({ modules: [{ file: 'slow.rego', source: POLICY }] }));
      assert.ok(Date.now() - started < 5_000);
      assert.deepEqual(errors.map((e) => [e.file, e.code, e.message]), [['slow.rego', 'timeout', 'compilation of slow.rego timed out after 0.001 s']]);
    } finally {
      compiler.dispose();
    }
    // A generous limit on a fresh compiler succeeds: the terminated worker left nothing behind.
    const fresh = new EmbeddedCompiler({ timeLimitMs: 30_000 });
    try {
      const result = await fresh.compile({ modules: [{ file: 'ok.rego', source: POLICY }] });
      assert.ok(result.ok);
    } finally {
      fresh.dispose();
    }
  });

  it('answers an aborted compilation at once and keeps the warm compiler', async () => {
    const compiler = new EmbeddedCompiler({ timeLimitMs: 30_000 });
    const workerOf = () => (compiler as unknown as { worker: unknown }).worker;
    try {
      const warm = await compiler.compile({ modules: [{ file: 'a.rego', source: POLICY }] });
      assert.ok(warm.ok);
      const worker = workerOf();
      assert.ok(worker);
      // 200 rules take a few hundred ms to compile: the abort lands while Go is busy. The caller is answered, the
      // compilation finishes and is dropped: terminating the worker would cost the compiler's cold start next time.
      const rules = Array.from({ length: 200 }, (_, i) => `deny_${i} contains u.user if {\n\tsome u in input.users\n\tu.age > ${i}\n}\n`);
      const controller = new AbortController();
      const aborted = compiler.compile({ modules: [{ file: 'big.rego', source: `package big\n\n${rules.join('\n')}` }], signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(aborted, { name: 'AbortError' });
      const after = await compiler.compile({ modules: [{ file: 'c.rego', source: POLICY }] });
      assert.ok(after.ok);
      assert.ok(workerOf() === worker, 'the same warm worker answered the next compilation');
    } finally {
      compiler.dispose();
    }
  });

  it('reports a compiler that does not start in time, instead of hanging', async () => {
    const compiler = new EmbeddedCompiler({ startLimitMs: 1 });
    try {
      const errors = errorsOf(await compiler.compile({ modules: [{ file: 'p.rego', source: POLICY }] }));
      assert.deepEqual(errors.map((e) => [e.file, e.code, e.message]), [['p.rego', 'compiler_failure', 'the Rego compiler could not start: it did not start within 0.001 s']]);
    } finally {
      compiler.dispose();
    }
  });
});
