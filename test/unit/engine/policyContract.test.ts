import * as assert from 'node:assert/strict';
import { auditReports } from '../../../src/core/run/audit';
import { RegoModule } from '../../../src/core/compiler/regoCompiler';
import { deriveCheckId } from '../../../src/core/engine/resultMapper';
import { hasNativeOpa, OpaCompilerForTests } from './opaCompilerForTests';

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const REPORT = [
  HEADER,
  '<root_account>,arn:aws:iam::111122223333:root,2019-07-15T14:44:33+00:00,not_supported,2019-07-17T04:49:39+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  'alice,arn:aws:iam::111122223333:user/alice,2021-01-25T19:12:26+00:00,true,2021-03-01T00:00:00+00:00,2021-01-25T19:12:26+00:00,N/A,false,true,2021-01-25T19:12:26+00:00,N/A,N/A,N/A,true,2021-01-26T19:12:26+00:00,N/A,N/A,N/A,false,N/A,false,N/A',
  'bob,arn:aws:iam::111122223333:user/bob,2021-01-25T19:10:51+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  '',
].join('\n');
const NOW = new Date('2021-06-01T00:00:00Z');

async function audit(source: string, file = 'policies/user.rego') {
  const modules: RegoModule[] = [{ file, source }];
  return auditReports({ reports: [{ file: 'report.csv', text: REPORT }], now: NOW, userPolicies: modules, compiler: new OpaCompilerForTests(), bundledChecks: false });
}

describe('policy contract (conftest-compatible result mapping)', function () {
  before(function () {
    if (!hasNativeOpa) {
      console.log('    skipped: .tools/bin/opa is missing (these tests compile with the native opa; CI installs it)');
      this.skip();
    }
  });

  it('maps a deny object with user, key and field to a located fail finding with METADATA id and severity', async () => {
    const result = await audit(`# METADATA
# title: Keys of console users
# custom:
#   id: my-console-keys
#   severity: high
package acme.keys
import rego.v1

deny contains {"msg": sprintf("%s has key %d", [u.user, n]), "user": u.user, "key": n, "field": sprintf("access_key_%d_active", [n])} if {
	some u in input.users
	u.password_enabled == true
	some n in [1, 2]
	u[sprintf("access_key_%d_active", [n])] == true
}
`);
    assert.deepEqual(result.policyProblems, []);
    assert.equal(result.findings.length, 2);
    const [first, second] = result.findings;
    assert.equal(first!.check, 'my-console-keys');
    assert.equal(first!.status, 'fail');
    assert.equal(first!.severity, 'high');
    assert.equal(first!.title, 'Keys of console users');
    assert.equal(first!.user, 'alice');
    assert.equal(first!.arn, 'arn:aws:iam::111122223333:user/alice');
    assert.equal(first!.account, '111122223333');
    assert.equal(first!.line, 3);
    assert.equal(first!.key, 1);
    assert.equal(first!.column, 'access_key_1_active');
    assert.equal(first!.message, 'alice has key 1');
    // The cell location of access_key_1_active on alice's row (9th column).
    const row = REPORT.split('\n')[2]!;
    const cells = row.split(',');
    assert.deepEqual(first!.location, { line: 3, startColumn: cells.slice(0, 8).join(',').length + 1, endColumn: cells.slice(0, 9).join(',').length });
    assert.equal(second!.key, 2);
    assert.deepEqual(first!.source, { file: 'policies/user.rego', line: 9 });
  });

  it('maps warn/violation/info/skip and suffixed rules, string results, defaults id from the package and severity to medium', async () => {
    const result = await audit(`package acme.misc
import rego.v1
violation contains "a violation" if true
warn_old contains {"msg": "old", "user": "bob"} if true
info contains {"msg": "info", "line": 2} if true
skip contains "cannot decide" if true
helper := 3
`);
    assert.deepEqual(result.policyProblems, []);
    const byMessage = Object.fromEntries(result.findings.map((f) => [f.message, f]));
    assert.equal(byMessage['a violation']!.status, 'fail');
    assert.equal(byMessage['a violation']!.user, null);
    assert.equal(byMessage['a violation']!.line, null);
    assert.equal(byMessage.old!.status, 'warn');
    assert.equal(byMessage.old!.line, 4);
    assert.equal(byMessage.info!.status, 'info');
    assert.equal(byMessage.info!.user, '<root_account>');
    assert.equal(byMessage['cannot decide']!.status, 'skip');
    for (const f of result.findings) {
      assert.equal(f.check, 'acme.misc');
      assert.equal(f.severity, 'medium');
    }
  });

  it('lets a result override the severity, and exception rules except the named suffixes', async () => {
    const result = await audit(`package acme.exc
import rego.v1
deny_a contains {"msg": "a", "severity": "LOW"} if true
deny_b contains "b" if true
deny contains "plain" if true
exception contains ["b", ""] if true
`);
    assert.deepEqual(result.policyProblems, []);
    const byMessage = Object.fromEntries(result.findings.map((f) => [f.message.replace(/^excepted by an exception rule: /, ''), f]));
    assert.equal(byMessage.a!.status, 'fail');
    assert.equal(byMessage.a!.severity, 'low');
    assert.equal(byMessage.b!.status, 'skip');
    assert.equal(byMessage.plain!.status, 'skip');
  });

  for (const [name, rule, expected] of [
    ['a number result', 'deny contains 42 if true', /deny: a result must be a string or an object with msg, got a number \(42\)/],
    ['an object without msg', 'deny contains {"user": "bob"} if true', /must have a string msg, got none/],
    ['a key that is not 1 or 2', 'deny contains {"msg": "m", "key": 3} if true', /key must be 1, 2 or absent/],
    ['an unknown severity', 'deny contains {"msg": "m", "severity": "urgent"} if true', /severity must be one of/],
    ['a deny that is not a set', 'deny := true', /must be a set of results/],
  ] as const) {
    it(`reports ${name} as a PolicyProblem located at the rule`, async () => {
      const result = await audit(`package acme.bad\nimport rego.v1\n${rule}\n`, 'mine/bad.rego');
      assert.equal(result.findings.length, 0);
      assert.equal(result.policyProblems.length, 1);
      const [problem] = result.policyProblems;
      assert.match(problem!.message, expected);
      assert.equal(problem!.file, 'mine/bad.rego');
      assert.equal(problem!.line, 3);
      assert.equal(problem!.column, 1);
    });
  }

  it('gives compile errors with file, line and column', async () => {
    const result = await audit('package acme.syntax\nimport rego.v1\ndeny contains x if {\n  x := \n}\n', 'mine/syntax.rego');
    assert.equal(result.findings.length, 0);
    assert.ok(result.policyProblems.length >= 1);
    assert.equal(result.policyProblems[0]!.file, 'mine/syntax.rego');
    assert.ok(result.policyProblems[0]!.line >= 4);
  });

  it('derives check ids from package paths', () => {
    assert.equal(deriveCheckId('credcheck/checks/root_mfa'), 'root-mfa');
    assert.equal(deriveCheckId('acme/keys'), 'acme.keys');
    assert.equal(deriveCheckId('data.acme.keys'), 'acme.keys');
  });
});
