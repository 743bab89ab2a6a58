import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyInput } from '../../../src/core/model';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';

/** `credcheck input`, run as a user runs it: the built CLI (dist/cli.js, from `npm run build`) in a child process. */

const root = join(__dirname, '..', '..', '..', '..');
const realworld = 'test/fixtures/reports/realworld';

function credcheck(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'credcheck'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('credcheck input', () => {
  before(() => {
    assert.ok(existsSync(join(root, 'dist', 'cli.js')), 'dist/cli.js is missing: run `npm run build` first');
  });

  it('prints the exact policy input of a real report, pretty with 2 spaces, and exits 0', () => {
    const file = `${realworld}/c7n__test_iam_user_unused_keys.csv`;
    const run = credcheck('input', file, '--now', '2016-11-25T14:30:42Z');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    const expected = normalizeReport(parseReport(readFileSync(join(root, file), 'utf8'), file), new Date('2016-11-25T14:30:42Z'));
    assert.equal(run.stdout, `${JSON.stringify(expected, null, 2)}\n`);
    const input = JSON.parse(run.stdout) as PolicyInput;
    assert.equal(input.evaluation_time, '2016-11-25T14:30:42Z');
    assert.equal(input.report.account_id, '619193117841');
    assert.equal(input.users.length, 8);
    const root_ = input.users[0];
    assert.equal(root_.is_root, true);
    assert.equal(root_.access_key_2_status, 'inactive');
    assert.equal(root_.password_last_used_days, (Date.parse('2016-11-25T14:30:42Z') - Date.parse('2016-11-25T14:19:48Z')) / 86_400_000);
  });

  it('accepts --now with an offset and prints the instant in UTC', () => {
    const run = credcheck('input', '--now', '2021-02-09T09:42:56+01:00', 'samples/sample-credential-report.csv');
    assert.equal(run.status, 0, run.stderr);
    const input = JSON.parse(run.stdout) as PolicyInput;
    assert.equal(input.evaluation_time, '2021-02-09T08:42:56Z');
    assert.equal(input.users.length, 6);
  });

  it('reads the wall clock once when --now is absent', () => {
    const before = Date.now();
    const run = credcheck('input', 'samples/sample-credential-report.csv');
    const after = Date.now();
    assert.equal(run.status, 0, run.stderr);
    const input = JSON.parse(run.stdout) as PolicyInput;
    const evaluation = Date.parse(input.evaluation_time);
    assert.ok(evaluation >= before - 1000 && evaluation <= after, input.evaluation_time);
    for (const user of input.users) {
      assert.equal(user.user_creation_time_days, (evaluation - Date.parse(user.user_creation_time as string)) / 86_400_000);
    }
  });

  it('prints row problems to stderr as file:line:column: severity: message and still exits 0', () => {
    const file = `${realworld}/c7n__test_account_credential_report.csv`;
    const run = credcheck('input', file, '--now', '2016-11-25T20:27:00Z');
    assert.equal(run.status, 0);
    assert.equal(run.stderr, `${file}:10:1: warning: user "christopher" already appears on line 9; both rows are checked\n`);
    const input = JSON.parse(run.stdout) as PolicyInput;
    assert.equal(input.users.filter((user) => user.user === 'christopher').length, 2);
  });

  it('exits 2 with one error naming the file when the file is not a credential report', () => {
    const run = credcheck('input', 'test/fixtures/reports/not-a-report.csv');
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^test\/fixtures\/reports\/not-a-report\.csv:1: error: not a credential report: /);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });

  it('exits 2 naming a file that does not exist', () => {
    const run = credcheck('input', 'no/such/report.csv');
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'no/such/report.csv: error: cannot read the report: no such file\n');
  });

  it('exits 2 on a bad --now, a missing report argument or an unknown option', () => {
    const badNow = credcheck('input', 'samples/sample-credential-report.csv', '--now', 'last tuesday');
    assert.equal(badNow.status, 2);
    assert.equal(badNow.stdout, '');
    assert.match(badNow.stderr, /--now "last tuesday" is not an ISO 8601 time/);
    for (const args of [[], ['a.csv', 'b.csv'], ['samples/sample-credential-report.csv', '--format', 'json']]) {
      const run = credcheck('input', ...args);
      assert.equal(run.status, 2, args.join(' '));
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^credcheck input: /);
    }
  });
});
