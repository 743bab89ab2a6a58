import * as assert from 'node:assert/strict';
import { auditReports } from '../../../src/core/run/audit';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { Finding } from '../../../src/core/model';
import { realworldReports } from './realworldReports';

/**
 * The semantics table of issue 4, pinned on every real-world report at its MANIFEST time. The expectations were derived
 * by hand from the table and the CSV cells (ages worked out on paper), not from running the policies. For each report,
 * EVERY bundled check enabled by default is listed: a check not named for a report must have no finding there.
 *
 * Token: `user[@line][#key][:status]`; `@line` only for a user name that occurs twice, status defaults to fail
 * (info for the two info checks).
 */
const EXPECTED: Record<string, Record<string, string[]>> = {
  // NOW 2016-11-25T20:27:00Z; 45 days before = 2016-10-11T20:27, 90 days before = 2016-08-27T20:27.
  'c7n__test_account_credential_report.csv': {
    'root-recent-use': ['<root_account>'], // password used 2016-10-06, 50 days
    'root-hardware-mfa': ['<root_account>:skip'], // no MFA device data
    'console-user-mfa': ['andrew', 'christopher@9', 'christopher@10', 'jeff', 'Jennifer', 'kapil', 'kit', 'scot', 'steven'],
    // chrissy 50 d; christopher@9 and jeff never used -> password_last_changed; matt 45 d 2 h (>= 45); ryanwolfe 56 d; steven 66 d
    'unused-password': ['chrissy', 'christopher@9', 'jeff', 'matt', 'ryanwolfe', 'steven'],
    // andrew key 1 never used, rotated 2016-10-11T15:27 (45 d 5 h); andrew key 2 used exactly 36 d ago: no
    'unused-access-key': ['andrew#1', 'ryanwolfe#1', 'steven#1'],
    'access-key-rotation': ['kapil#1'], // 2016-06-24; andrew key 2 (2016-08-30T19:05) is 86.9 d: no
    'password-rotation': ['jeff'], // 2016-07-27; the 2016-08-30 ones are under 90 d
    'console-and-access-keys': ['andrew', 'calvin', 'christopher@10', 'david', 'Jennifer', 'joshua', 'kapil', 'kit', 'mandeep', 'rob', 'ryanwolfe', 'scot', 'steven'],
    'two-active-keys': ['andrew', 'kit'],
    // never-used active keys of console users, created long after the user: warn
    'initial-access-key': ['andrew#1:warn', 'ryanwolfe#1:warn'],
  },
  // NOW 2018-12-02T01:18:49Z; no root row. Key 1 last_rotated is in the future (edited fixture): never old.
  'c7n__test_iam_user_credential_multi_delete.csv': {
    'console-user-mfa': ['kapil'],
    'access-key-rotation': ['kapil#2'],
    'console-and-access-keys': ['kapil'],
    'two-active-keys': ['kapil'],
  },
  // NOW 2021-02-04T15:24:53Z; key 2 active, rotated in 2099 and never used: age negative, never old.
  'c7n__test_iam_user_credential_multi_delete_noop.csv': {
    'root-mfa': ['<root_account>'],
    'root-hardware-mfa': ['<root_account>:skip'],
    'inactive-access-key': ['test1#1'],
  },
  // NOW 2020-04-02T16:20:57Z; upper-case TRUE/FALSE.
  'c7n__test_iam_user_credential_reverse_filter_delete.csv': {
    'access-key-rotation': ['zscholl#1'], // 2019-09-25, 190 d; key 2 rotated in 2099
    'unused-access-key': ['zscholl#1'], // last used 2019-09-25; key 2 used today
    'two-active-keys': ['zscholl'],
  },
  // NOW 2018-06-01T00:03:25Z: password set 31 s ago and never used; key created 36 h after the user, never used.
  'c7n__test_iam_user_delete_options.csv': {
    'console-user-mfa': ['test_user'],
    'console-and-access-keys': ['test_user'],
    'initial-access-key': ['test_user#1:warn'],
  },
  // NOW 2016-11-25T14:30:42Z.
  'c7n__test_iam_user_unused_keys.csv': {
    'root-access-key': ['<root_account>#1'], // active key from 2011; key 2 inactive
    'root-mfa': ['<root_account>'],
    'root-hardware-mfa': ['<root_account>:skip'],
    'root-recent-use': ['<root_account>'], // password used 11 minutes before
    'console-user-mfa': ['kaleb'],
    'unused-password': ['kaleb'], // never used; set 2016-07-05
    'password-rotation': ['kaleb'],
    'unused-access-key': ['charmworld#1', 'Hazmat#1', 'kaleb#1', 'kapilt#1'],
    'access-key-rotation': ['charmworld#1', 'Hazmat#1', 'kaleb#1', 'kapilt#1', 'tyre#1'],
    'console-and-access-keys': ['kaleb'],
    'initial-access-key': ['kaleb#1'], // key created in the same second as the user, never used
    'inactive-access-key': ['<root_account>#2'], // inactive, last_rotated 2007
    'active-signing-certificate': ['<root_account>'],
  },
  // NOW 2022-02-01; 16 columns, root with password_enabled=true and 1970 dates, every certificate active.
  'cloudbeat__user_test_credentialsReportContent.csv': {
    'root-access-key': ['<root_account>#1', '<root_account>#2'],
    'root-mfa': ['<root_account>'],
    'root-hardware-mfa': ['<root_account>:skip'],
    'root-recent-use': ['<root_account>#2'], // key 2 used 2022-01-05, the most recent use
    'console-and-access-keys': ['user1'],
    'two-active-keys': ['user1', 'user2'],
    'active-signing-certificate': ['<root_account>', '<root_account>', 'user1', 'user1', 'user2', 'user2'],
  },
  // NOW 2014-11-13; pre-2015 layout: no last_used columns, so a key's use is "not a time".
  'moto__models_comment_legacy16col.csv': {
    'console-user-mfa': ['aagrawal'],
    'console-and-access-keys': ['aagrawal'],
    'unused-access-key': ['aagrawal#1'], // falls back to last_rotated 2014-09-01, 72 d
    'initial-access-key': ['aagrawal#1'], // key created in the same second as the user
  },
  'prowler__iam_avoid_root_usage__test_root_not_used.csv': {
    'root-access-key': ['<root_account>#1'],
    'root-mfa': ['<root_account>'],
    'root-hardware-mfa': ['<root_account>:skip'],
  },
  // Keys never used and last_rotated N/A: the setup gap is unknown, so warn (not fail).
  'prowler__no_setup_initial_access_key__both_keys_fail.csv': {
    'console-user-mfa': ['test_false_both_access_keys'],
    'console-and-access-keys': ['test_false_both_access_keys'],
    'two-active-keys': ['test_false_both_access_keys'],
    'initial-access-key': ['test_false_both_access_keys#1:warn', 'test_false_both_access_keys#2:warn'],
  },
  'prowler__no_setup_initial_access_key__key_1_fail.csv': {
    'console-user-mfa': ['test_false_access_key_1'],
    'console-and-access-keys': ['test_false_access_key_1'],
    'initial-access-key': ['test_false_access_key_1#1:warn'],
  },
  'prowler__no_setup_initial_access_key__key_2_fail.csv': {
    'console-user-mfa': ['test_false_access_key_2'],
    'console-and-access-keys': ['test_false_access_key_2'],
    'initial-access-key': ['test_false_access_key_2#2:warn'],
  },
  // An IAM user with password_enabled=not_supported has no console password: nothing applies.
  'prowler__no_setup_initial_access_key__pass.csv': {},
  // NOW 2019-12-01.
  'scoutsuite__rule-configs_iam-root.csv': {
    'root-mfa': ['<root_account>'],
    'root-hardware-mfa': ['<root_account>:skip'],
    'root-recent-use': ['<root_account>'], // password used 2019-11-26
    'access-key-rotation': ['api3#1'],
    'unused-access-key': ['api3#1'], // last used 2018-10-15
  },
  // NOW 2017-09-01.
  'security-hq__CredentialsReportTest_noPasswordLastUsed.csv': {
    'access-key-rotation': ['credential-user#1'],
  },
  'security-hq__CredentialsReportTest_testReport.csv': {
    'root-hardware-mfa': ['<root_account>:skip'], // root used 2016-10-07: 329 d, not recent
    'unused-password': ['IAM-user'], // 2017-03-08, 176 d
    'password-rotation': ['IAM-user'],
    'inactive-access-key': ['with-disabled-key#1'],
    'access-key-rotation': ['with-disabled-key#2', 'different-region#1', 'credential-user#1'],
    'unused-access-key': ['with-disabled-key#2', 'different-region#1'], // 2017-05-24 (100 d), 2016-04-04
  },
};

const INFO_CHECKS = new Set(['inactive-access-key', 'active-signing-certificate']);

function token(finding: Finding, duplicated: Set<string>): string {
  const user = `${finding.user}${finding.user && duplicated.has(finding.user) ? `@${finding.line}` : ''}`;
  const defaultStatus = INFO_CHECKS.has(finding.check) ? 'info' : 'fail';
  return `${user}${finding.key ? `#${finding.key}` : ''}${finding.status === defaultStatus ? '' : `:${finding.status}`}`;
}

describe('bundled checks on the real-world reports (semantics table)', () => {
  const bundled = loadBundledPolicies();
  const defaultChecks = bundled.checks.filter((c) => c.enabledByDefault).map((c) => c.id).sort();

  it('covers every report of the MANIFEST and the whole default catalog', () => {
    assert.deepEqual(realworldReports().map((r) => r.file).sort(), Object.keys(EXPECTED).sort());
    assert.deepEqual(defaultChecks, [
      'access-key-rotation', 'active-signing-certificate', 'console-and-access-keys', 'console-user-mfa', 'inactive-access-key', 'initial-access-key',
      'password-rotation', 'root-access-key', 'root-hardware-mfa', 'root-mfa', 'root-recent-use', 'two-active-keys', 'unused-access-key', 'unused-password',
    ]);
  });

  for (const report of realworldReports()) {
    it(`${report.file} at ${report.now.toISOString()}`, async () => {
      const result = await auditReports({ reports: [{ file: report.file, text: report.text }], now: report.now, bundled });
      assert.deepEqual(result.policyProblems, []);
      const users = result.reports[0]!.input.users.map((u) => u.user);
      const duplicated = new Set(users.filter((u, i) => users.indexOf(u) !== i));
      const expected = EXPECTED[report.file]!;
      for (const check of defaultChecks) {
        const actual = result.findings.filter((f) => f.check === check).map((f) => token(f, duplicated)).sort();
        assert.deepEqual(actual, [...(expected[check] ?? [])].sort(), `${check} on ${report.file}`);
      }
      // Every finding about a row points at that row and, when it names a column, at the cell.
      for (const finding of result.findings) {
        assert.equal(finding.file, report.file);
        if (finding.user !== null) assert.ok(finding.line !== null && finding.line >= 2, `${finding.check} has a line`);
        if (finding.column && finding.location) assert.equal(finding.location.line, finding.line);
      }
    });
  }

  it('c7n__test_iam_user_unused_keys.csv: root has an active 2011 key -> root-access-key fail, located at the cell', async () => {
    const report = realworldReports().find((r) => r.file === 'c7n__test_iam_user_unused_keys.csv')!;
    const result = await auditReports({ reports: [{ file: report.file, text: report.text }], now: report.now, bundled });
    const rootKey = result.findings.filter((f) => f.check === 'root-access-key');
    assert.equal(rootKey.length, 1);
    assert.equal(rootKey[0]!.status, 'fail');
    assert.equal(rootKey[0]!.severity, 'critical');
    assert.equal(rootKey[0]!.key, 1);
    assert.equal(rootKey[0]!.line, 2);
    assert.equal(rootKey[0]!.column, 'access_key_1_active');
    assert.equal(rootKey[0]!.account, '619193117841');
    assert.match(rootKey[0]!.message, /2011-08-19/);
    const line = report.text.split(/\r?\n/)[1]!;
    const { startColumn, endColumn } = rootKey[0]!.location!;
    assert.equal(line.slice(startColumn, endColumn), 'true');
  });

  it('user-mfa is off by default and can be enabled', async () => {
    const report = realworldReports().find((r) => r.file === 'c7n__test_iam_user_unused_keys.csv')!;
    const result = await auditReports({ reports: [{ file: report.file, text: report.text }], now: report.now, bundled, enabledChecks: { enable: ['user-mfa'] } });
    const users = result.findings.filter((f) => f.check === 'user-mfa').map((f) => f.user).sort();
    assert.deepEqual(users, ['Hazmat', 'charmworld', 'kaleb', 'kapilt', 'rome', 'syracuse', 'tyre']);
  });
});
