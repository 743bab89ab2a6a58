/**
 * Issue 15, classes 6 and 9, end to end through the CLI: report times outside what policies can read are located
 * bad-time problems in every output; policy results that lie about where they are (a user or line not in the report,
 * a field named after an Object.prototype property, a bundled check's id) are located policy problems, never findings;
 * a host builtin failing on its argument costs only that expression, as in OPA.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { reportText, userLine } from '../report/reportText';

const NOW = '2024-06-01T00:00:00Z';
const arn = (user: string) => `arn:aws:iam::111122223333:user/${user}`;

interface JsonOutput {
  findings: { check: string; file: string; user: string | null; line: number | null; column: string | null; message: string }[];
  problems: { source: string; file: string; line: number | null; column: number | null; code: string; message: string }[];
  complete: boolean;
}

interface SarifOutput {
  runs: {
    results: { ruleId: string; locations: { physicalLocation: { region?: Record<string, unknown> } }[] }[];
    invocations: { toolExecutionNotifications: { message: { text: string }; locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: Record<string, unknown> } }[] }[] }[];
  }[];
}

/** Every number in a region is a positive integer: SARIF readers drop or misplace a result with a null or NaN column. */
function assertRegionValid(region: Record<string, unknown> | undefined, what: string): void {
  if (!region) return;
  for (const [key, value] of Object.entries(region)) {
    if (key === 'snippet' || key === 'message') continue;
    assert.ok(typeof value === 'number' && Number.isInteger(value) && value >= 1, `${what}: ${key} is ${JSON.stringify(value)}`);
  }
}

describe('hostile report times and policy results (issue 15, classes 6 and 9)', function () {
  this.timeout(180000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'credcheck-hostile-'));
    writeFileSync(
      join(dir, 'times.csv'),
      reportText(
        userLine({ password_last_used: '9999-12-31T23:59:59-23:59' }),
        userLine({ user: 'bob', arn: arn('bob'), user_creation_time: '0000-01-01T00:00:00+14:00' }),
        userLine({ user: 'carol', arn: arn('carol'), access_key_1_last_used_date: '2015-06-30T23:59:60Z', password_last_changed: '2024-02-30T00:00:00Z' }),
        userLine({ user: 'dave', arn: arn('dave'), password_last_used: '0001-01-01T00:00:00Z', access_key_1_last_rotated: '9999-12-31T23:59:59Z' }),
      ),
    );
    writeFileSync(join(dir, 'good.csv'), reportText(userLine(), userLine({ user: 'bob', arn: arn('bob'), mfa_active: 'false' })));
    // A hostile header: a column named __proto__, which a policy may then name as a field.
    writeFileSync(join(dir, 'proto.csv'), `user,arn,mfa_active,__proto__\nalice,${arn('alice')},false,x\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function credcheck(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io: CliIo & { out: string; err: string } = { out: '', err: '', cwd: dir, env: {}, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
    const code = await main(args, io);
    return { code, out: io.out, err: io.err };
  }

  function policy(name: string, source: string): string {
    writeFileSync(join(dir, name), source);
    return name;
  }

  describe('report times (class 6)', () => {
    it('a year outside 0001-9999 after the offset, year 0000, a leap second and Feb 30 are located bad-time problems in JSON, SARIF and the table', async () => {
      const json = await credcheck('check', 'times.csv', '--now', NOW, '--format', 'json');
      const output = JSON.parse(json.out) as JsonOutput;
      const badTimes = output.problems.filter((problem) => problem.code === 'bad-time').map((problem) => `${problem.file}:${problem.line} ${problem.message.replace(/ is ".*/, '')}`);
      assert.deepEqual(badTimes.sort(), [
        'times.csv:2 password_last_used',
        'times.csv:3 user_creation_time',
        'times.csv:4 access_key_1_last_used_date',
        'times.csv:4 password_last_changed',
      ]);
      const year10000 = output.problems.find((problem) => problem.code === 'bad-time' && problem.line === 2)!;
      assert.match(year10000.message, /"9999-12-31T23:59:59-23:59": in UTC \(after the offset -23:59\) it falls outside the years 0001-9999; read as unknown \(null\)/);
      assert.ok(year10000.column !== null && year10000.column > 1, 'located on the cell, not the row');
      // The edges that are valid stay valid: no bad-time on dave's row (0001-01-01 is only before his creation time).
      assert.deepEqual(output.problems.filter((problem) => problem.line === 5).map((problem) => problem.code), ['impossible-time']);

      const input = await credcheck('input', 'times.csv', '--now', NOW);
      const users = (JSON.parse(input.out) as { users: Record<string, unknown>[] }).users;
      assert.equal(users[0]!.password_last_used, null);
      assert.equal(users[1]!.user_creation_time, null);
      assert.equal(users[3]!.password_last_used, '0001-01-01T00:00:00Z');
      assert.equal(users[3]!.access_key_1_last_rotated, '9999-12-31T23:59:59Z');
      assert.doesNotMatch(input.out, /[+-]0\d{5}-/, 'no expanded (six-digit) year reaches the policies');

      const sarif = await credcheck('check', 'times.csv', '--now', NOW, '--format', 'sarif');
      const notifications = (JSON.parse(sarif.out) as SarifOutput).runs[0]!.invocations[0]!.toolExecutionNotifications;
      const located = notifications.filter((n) => /read as unknown/.test(n.message.text));
      assert.equal(located.length, 4);
      for (const notification of located) {
        const region = notification.locations?.[0]?.physicalLocation.region;
        assert.ok(region && typeof region.startColumn === 'number', JSON.stringify(notification));
        assertRegionValid(region, notification.message.text);
      }

      const table = await credcheck('check', 'times.csv', '--now', NOW, '--output', 'out.txt');
      const written = (await import('node:fs')).readFileSync(join(dir, 'out.txt'), 'utf8');
      assert.match(written, /^times\.csv:2:\d+: warning: password_last_used is "9999-12-31T23:59:59-23:59": in UTC/m);
      assert.equal(table.code, json.code);
    });
  });

  describe('policy results (class 9)', () => {
    const cases: [name: string, source: string, problem: RegExp][] = [
      ['ghost.rego', 'package hostile.ghost\nimport rego.v1\ndeny contains {"msg": "ghost", "user": concat("", ["nobody", "_here"])} if true\n', /user "nobody_here" is not a user of good\.csv/],
      ['negline.rego', 'package hostile.negline\nimport rego.v1\ndeny contains {"msg": "negative", "line": 0 - count(input.users)} if true\n', /line -2 is not the line of a user row in good\.csv/],
      ['proto.rego', 'package hostile.proto\nimport rego.v1\ndeny contains {"msg": "proto", "user": "bob", "field": concat("", ["__", "proto__"])} if true\n', /field "__proto__" is not a column of a credential report/],
    ];
    for (const [name, source, problem] of cases) {
      it(`${name}: a located policy problem on the policy file, no finding, exit 2`, async () => {
        const file = policy(name, source);
        const run = await credcheck('check', 'good.csv', '--now', NOW, '--policy', file, '--format', 'json');
        assert.equal(run.code, 2, run.err);
        const output = JSON.parse(run.out) as JsonOutput;
        assert.deepEqual(output.findings.filter((finding) => finding.check.startsWith('hostile.')), []);
        const found = output.problems.filter((p) => p.source !== 'report' && p.file === file);
        assert.equal(found.length, 1, JSON.stringify(output.problems));
        assert.match(found[0]!.message, problem);
        assert.equal(found[0]!.line, 3);
      });
    }

    it('constructor, toString, hasOwnProperty, valueOf and __proto__ as user or field names are problems, never prototype lookups', async () => {
      const names = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];
      const file = policy(
        'prototype.rego',
        `package hostile.prototype\nimport rego.v1\nnames := ${JSON.stringify(names)}\n` +
          'deny contains {"msg": "user", "user": n} if some n in names\n' +
          'deny contains {"msg": "field", "user": "bob", "field": n} if some n in names\n' +
          'deny contains {"msg": "line", "line": count(n)} if some n in names\n',
      );
      const run = await credcheck('check', 'good.csv', '--now', NOW, '--policy', file, '--format', 'json');
      assert.equal(run.code, 2, run.err);
      const output = JSON.parse(run.out) as JsonOutput;
      assert.deepEqual(output.findings.filter((finding) => finding.check === 'hostile.prototype'), []);
      const messages = output.problems.filter((p) => p.file === file).map((p) => p.message).sort();
      for (const name of names) {
        assert.ok(messages.some((m) => m.includes(`user ${JSON.stringify(name)} is not a user of good.csv`)), `user ${name}: ${messages.join('\n')}`);
        assert.ok(messages.some((m) => m.includes(`field ${JSON.stringify(name)} is not a column`)), `field ${name}`);
      }
      // count of the names: 11, 8, 14, 7 and 9 are no user rows of a three-line report.
      assert.equal(messages.filter((m) => /line \d+ is not the line of a user row/.test(m)).length, 5);
    });

    it('a field naming a __proto__ column the report really has is placed on that cell, with a valid column in JSON, SARIF and the table', async () => {
      const file = policy('protocolumn.rego', 'package hostile.protocolumn\nimport rego.v1\ndeny contains {"msg": "odd column", "user": "alice", "field": concat("", ["__", "proto__"])} if true\n');
      const json = JSON.parse((await credcheck('check', 'proto.csv', '--now', NOW, '--policy', file, '--format', 'json')).out) as JsonOutput;
      const finding = json.findings.find((f) => f.check === 'hostile.protocolumn')!;
      assert.ok(finding, JSON.stringify(json));
      assert.deepEqual([finding.line, finding.column], [2, '__proto__']);
      const sarif = JSON.parse((await credcheck('check', 'proto.csv', '--now', NOW, '--policy', file, '--format', 'sarif')).out) as SarifOutput;
      const result = sarif.runs[0]!.results.find((r) => r.ruleId === 'hostile.protocolumn')!;
      assertRegionValid(result.locations[0]!.physicalLocation.region, 'SARIF result');
      // `alice,arn:aws:iam::111122223333:user/alice,false,x`: the x is at column 50.
      assert.equal(result.locations[0]!.physicalLocation.region!.startColumn, 50);
      const table = await credcheck('check', 'proto.csv', '--now', NOW, '--policy', file, '--output', 'table.txt');
      const written = (await import('node:fs')).readFileSync(join(dir, 'table.txt'), 'utf8');
      // The table groups findings under their report (`proto.csv (account ...)`) and locates each as line:column cell.
      assert.match(written, /^proto\.csv \(account 111122223333\)$/m);
      assert.match(written, / 2:50 __proto__ /);
      assert.doesNotMatch(written, /NaN|\d+:(undefined|null)/);
      assert.ok(table.code === 1 || table.code === 2);
    });

    it('a user policy reusing a bundled check id (root-mfa) is a located problem on its METADATA, and none of its results is a finding', async () => {
      const file = policy(
        'impostor.rego',
        '# METADATA\n# title: impostor\n# custom:\n#   id: root-mfa\npackage hostile.impostor\nimport rego.v1\ndeny contains {"msg": "I am root-mfa too", "user": "bob"} if true\n',
      );
      const run = await credcheck('check', 'good.csv', '--now', NOW, '--policy', file, '--format', 'json');
      assert.equal(run.code, 2, run.err);
      const output = JSON.parse(run.out) as JsonOutput;
      assert.deepEqual(output.findings.filter((f) => f.check === 'root-mfa'), []);
      const found = output.problems.filter((p) => p.file === file);
      assert.equal(found.length, 1, JSON.stringify(output.problems));
      assert.equal(found[0]!.line, 1);
      assert.match(found[0]!.message, /hostile\.impostor: check id "root-mfa" is the id of a bundled check; its results are not reported/);
      // Also when the bundled check it impersonates is not run.
      const alone = JSON.parse((await credcheck('check', 'good.csv', '--now', NOW, '--policy', file, '--disable', 'root-mfa', '--format', 'json')).out) as JsonOutput;
      assert.deepEqual(alone.findings.filter((f) => f.check === 'root-mfa'), []);
      assert.equal(alone.problems.filter((p) => p.file === file).length, 1);
    });

    it('a null passed to time.parse_rfc3339_ns, a leap second or Feb 30 makes only that expression undefined: the other findings of the rule stay', async () => {
      const file = policy(
        'nulltime.rego',
        'package hostile.nulltime\nimport rego.v1\n' +
          'deny contains {"msg": "always", "user": "bob"} if true\n' +
          'deny contains {"msg": sprintf("%s parsed", [u.user]), "user": u.user} if {\n  some u in input.users\n  time.parse_rfc3339_ns(u.password_last_changed) > 0\n}\n' +
          'deny contains {"msg": "never", "user": "bob"} if {\n  some t in [input.users[0].password_next_rotation, "2015-06-30T23:59:60Z", "2024-02-30T00:00:00Z"]\n  time.parse_rfc3339_ns(t) > 0\n}\n',
      );
      const run = await credcheck('check', 'good.csv', '--now', NOW, '--policy', file, '--format', 'json');
      const output = JSON.parse(run.out) as JsonOutput;
      assert.deepEqual(output.problems.filter((p) => p.file === file), []);
      const messages = output.findings.filter((f) => f.check === 'hostile.nulltime').map((f) => f.message).sort();
      assert.deepEqual(messages, ['alice parsed', 'always', 'bob parsed']);
    });
  });
});
