import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(__dirname, '../../../..');
const REPORT = join(REPO, 'test/fixtures/cli/report.csv');
const MAIN = join(REPO, 'out/src/cli/main.js');

/**
 * A user policy whose functions call other functions of the same package, the common style OPA's wasm planner cannot
 * plan as a package entrypoint ("function ... used as reference, not called", open-policy-agent/opa#4411). The
 * exception rule also calls a function of the package, and excepts warn_recent.
 */
const POLICY = `# METADATA
# title: Old console passwords
# custom:
#   id: acme-old-password
#   severity: high
package acme.old_passwords

import rego.v1

age(u) := u.password_last_changed_days

is_old(u) if {
	is_number(age(u))
	age(u) > 1200
}

recent(u) if {
	is_number(age(u))
	not is_old(u)
}

deny contains {"msg": sprintf("%s's password is %d days old", [u.user, round(age(u))]), "user": u.user, "field": "password_last_changed"} if {
	some u in input.users
	is_old(u)
}

warn_recent contains {"msg": sprintf("%s's password is recent", [u.user]), "user": u.user} if {
	some u in input.users
	recent(u)
}

exception contains ["recent"] if count([u | some u in input.users; recent(u)]) >= 3
`;

async function credcheck(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const path = [join(process.execPath, '..'), '/usr/bin', '/bin'].join(delimiter);
  const script = `require(${JSON.stringify(MAIN)}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['-e', script, ...args], { cwd, env: { PATH: path, HOME: tmpdir() } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('credcheck check: a user policy whose functions call functions of the same package (opa#4411)', function () {
  this.timeout(120000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-same-package-'));
    writeFileSync(join(dir, 'old_passwords.rego'), POLICY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles with per-rule entrypoints and maps deny, warn_recent and the exception end to end', async () => {
    const result = await credcheck(['check', REPORT, '--policy', dir, '--now', '2024-01-01T00:00:00Z', '--format', 'json'], dir);
    assert.doesNotMatch(result.stderr, /used as reference/);
    assert.equal(result.code, 1, result.stderr);
    const output = JSON.parse(result.stdout) as { findings: Record<string, unknown>[]; policyProblems?: unknown[] };
    const mine = output.findings.filter((f) => f.check === 'acme-old-password');
    // dwight_schrute's password (2020-01-12) is 1449 days old at --now; kelly, pam and ryan's are younger than 1200.
    const fail = mine.filter((f) => f.status === 'fail');
    assert.deepEqual(fail.map((f) => [f.user, f.line, f.column, f.severity, f.message]), [
      ['dwight_schrute', 4, 'password_last_changed', 'high', "dwight_schrute's password is 1449 days old"],
    ]);
    assert.equal(fail[0]!.title, 'Old console passwords');
    // Three recent passwords trigger the exception: the warn_recent findings stay visible as skip.
    const skipped = mine.filter((f) => f.status === 'skip');
    assert.deepEqual(skipped.map((f) => f.user).sort(), ['kelly_kapoor', 'pam_beasly', 'ryan_howard']);
    for (const f of skipped) assert.match(String(f.message), /^excepted by an exception rule: \w+'s password is recent$/);
    assert.equal(mine.length, 4);
  });
});
