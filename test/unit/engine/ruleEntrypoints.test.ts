import * as assert from 'node:assert/strict';
import { auditReports } from '../../../src/core/run/audit';
import { createEmbeddedCompiler } from '../../../src/core/compiler/embeddedCompiler';
import { RegoCompiler } from '../../../src/core/compiler/regoCompiler';
import { PolicyEngine, PolicyEvaluationError } from '../../../src/core/engine/policyEngine';
import { groupEntrypoints, packageOfRule } from '../../../src/core/engine/ruleEntrypoints';

/** Functions calling functions of the same package: a package entrypoint fails to build here (open-policy-agent/opa#4411). */
const POLICY = `package acme.keys

import rego.v1

limit := 2

count_of(u) := count(u.keys)

too_many(u) if count_of(u) > limit

deny contains sprintf("%s has %d keys", [u.user, count_of(u)]) if {
	some u in input.users
	too_many(u)
}

deny_flag := "flagged" if input.flag

warn_empty contains u.user if {
	some u in input.users
	count_of(u) == 0
}

exception contains [""] if input.except_bare

info_conflict := v if some v in input.conflict
`;

const REPORT = [
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated',
  'alice,arn:aws:iam::111122223333:user/alice,2021-01-25T19:12:26+00:00,true,N/A,2021-01-25T19:12:26+00:00,N/A,false,true,2021-01-25T19:12:26+00:00,N/A,N/A,N/A,true,2021-01-26T19:12:26+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
  'bob,arn:aws:iam::111122223333:user/bob,2021-01-25T19:10:51+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  '',
].join('\n');

describe('per-rule entrypoints', function () {
  this.timeout(60000);
  let compiler: RegoCompiler;
  before(() => (compiler = createEmbeddedCompiler()));
  after(() => compiler.dispose());

  it('groups rule entrypoints per package and leaves other entrypoints alone', () => {
    assert.equal(packageOfRule('a/b/deny_old'), 'a/b');
    assert.equal(packageOfRule('a/b/exception'), 'a/b');
    assert.equal(packageOfRule('credcheck/query/result'), undefined);
    assert.equal(packageOfRule('a/denyish'), undefined);
    assert.equal(packageOfRule('deny'), undefined);
    const groups = groupEntrypoints(['a/deny', 'b/warn', 'a/exception', 'credcheck/query/result']);
    assert.deepEqual([...groups.keys()], ['a', 'b', 'credcheck/query/result']);
    assert.deepEqual([...groups.get('a')!.rules!], [['deny', 'a/deny'], ['exception', 'a/exception']]);
    assert.equal(groups.get('credcheck/query/result')!.rules, undefined);
  });

  it('compiles functions calling functions of the same package, and evaluates every rule back into one package document', async () => {
    const compiled = await compiler.compile({ modules: [{ file: 'keys.rego', source: POLICY }], schema: false });
    assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.errors));
    assert.deepEqual(compiled.entrypoints, ['acme/keys/deny', 'acme/keys/deny_flag', 'acme/keys/warn_empty', 'acme/keys/exception', 'acme/keys/info_conflict']);
    const engine = await PolicyEngine.load(compiled.wasm);
    assert.deepEqual(engine.documents, ['acme/keys']);
    const input = { users: [{ user: 'a', keys: [1, 2, 3] }, { user: 'b', keys: [] }], except_bare: true };
    // Undefined complete rules (deny_flag) are absent, as in `opa eval data.acme.keys`; empty sets are [].
    assert.deepEqual(engine.evaluate(input, new Date(0)), {
      'acme/keys': { deny: ['a has 3 keys'], warn_empty: ['b'], exception: [['']] },
    });
    assert.deepEqual(engine.evaluate({ users: [], flag: true }, new Date(0)), { 'acme/keys': { deny: [], deny_flag: 'flagged', warn_empty: [], exception: [] } });
    // A raw wasm entrypoint can still be asked for on its own.
    assert.deepEqual(engine.evaluate(input, new Date(0), ['acme/keys/deny']), { 'acme/keys/deny': ['a has 3 keys'] });
    // A run-time error names the package (as with package entrypoints) and keeps the failing rule.
    assert.throws(
      () => engine.evaluate({ users: [], conflict: [1, 2] }, new Date(0)),
      (error: unknown) => error instanceof PolicyEvaluationError && error.entrypoint === 'acme/keys' && error.rule === 'acme/keys/info_conflict' && /^evaluating acme\.keys: /.test(error.message),
    );
  });

  it('applies the exception rule with per-rule entrypoints, in the isolated worker', async () => {
    // Keys counted from the report's columns; the exception excepts warn_empty only (its bare-rule clause is false).
    const source = `${POLICY}\nexception contains ["empty"] if count([u | some u in input.users; count_of(u) == 0]) > 0\n`
      .replace('count_of(u) := count(u.keys)', 'count_of(u) := count([n | some n in [1, 2]; u[sprintf("access_key_%d_active", [n])]])')
      .replace('limit := 2', 'limit := 1');
    const result = await auditReports({
      reports: [{ file: 'report.csv', text: REPORT }],
      now: new Date('2021-06-01T00:00:00Z'),
      userPolicies: [{ file: 'keys.rego', source }],
      // The policy reads made-up input fields (input.flag, ...) that are undefined on a real report on purpose: this
      // test is about entrypoints, so the input schema check is off.
      compiler: { compile: (request) => compiler.compile({ ...request, schema: false }), dispose: () => undefined },
      bundledChecks: false,
    });
    assert.deepEqual(result.policyProblems, []);
    assert.deepEqual(
      result.findings.map((f) => [f.check, f.status, f.message, f.source?.line]),
      [
        ['acme.keys', 'fail', 'alice has 2 keys', 11],
        ['acme.keys', 'skip', 'excepted by an exception rule: bob', 18],
      ],
    );
  });
});
