import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NormalizedUser, PolicyInput } from '../../../src/core/model';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';

/**
 * Every real-world report, file by file (test/fixtures/reports/realworld/, a copy of ../shared/realworld/reports/):
 * no throw, exactly the problems each file has, with their lines, a user for every row, and the normalised values
 * of the rows that show the format's quirks.
 */

const root = join(__dirname, '..', '..', '..', '..');
const directory = join(root, 'test', 'fixtures', 'reports', 'realworld');
const sharedDirectory = join(root, '..', 'shared', 'realworld', 'reports');

type ProblemSummary = [line: number, code: string, column: string | undefined];

interface Expectation {
  layout: 'current' | 'legacy16' | 'custom';
  problems: ProblemSummary[];
  /** Assertions on the normalised users, by user name (the first row of that name unless `line` is given). */
  check?: (input: PolicyInput, find: (name: string, line?: number) => NormalizedUser) => void;
}

const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

const expectations: Record<string, Expectation> = {
  'c7n__test_account_credential_report.csv': {
    layout: 'current',
    problems: [[10, 'duplicate-user', 'user']],
    check: (input, find) => {
      assert.equal(input.report.account_id, '644160558196');
      const root = find('<root_account>');
      assert.equal(root.line, 2);
      assert.equal(root.is_root, true);
      assert.equal(root.password_enabled, null);
      assert.equal(root.raw.password_enabled, 'not_supported');
      assert.equal(root.password_enabled_status, 'not_supported');
      assert.equal(root.password_last_used, '2016-10-06T15:47:11Z');
      assert.equal(root.password_last_used_days, days('2016-10-06T15:47:11Z', '2016-11-25T20:27:00Z'));
      assert.equal(root.password_next_rotation, null);
      assert.equal(root.mfa_active, true);
      assert.equal(root.access_key_1_status, 'none');
      assert.equal(root.access_key_1_last_used_status, 'no_key');
      // No password, and an active key never used.
      const noPassword = find('c7n-iam-test');
      assert.equal(noPassword.password_enabled, false);
      assert.equal(noPassword.password_last_used, null);
      assert.equal(noPassword.password_last_used_status, 'no_password');
      assert.equal(noPassword.raw.password_last_used, 'N/A');
      assert.equal(noPassword.access_key_1_status, 'active');
      assert.equal(noPassword.access_key_1_last_used_status, 'never_used');
      assert.equal(noPassword.access_key_1_last_used_date, null);
      // Never-used password, on the first of the two christopher rows; the second row is kept.
      const christopher = find('christopher', 9);
      assert.equal(christopher.password_enabled, true);
      assert.equal(christopher.password_last_used, null);
      assert.equal(christopher.password_last_used_status, 'never_used');
      assert.equal(christopher.raw.password_last_used, 'no_information');
      assert.equal(find('christopher', 10).password_last_used_status, 'used');
      // A key last used with S3, which is not regional: the region is N/A.
      const calvin = find('calvin');
      assert.equal(calvin.access_key_1_last_used_region, null);
      assert.equal(calvin.access_key_1_last_used_service, 's3');
      assert.equal(calvin.access_key_1_last_used_status, 'used');
    },
  },
  'c7n__test_iam_user_unused_keys.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const root = find('<root_account>');
      assert.equal(root.access_key_1_status, 'active');
      assert.equal(root.access_key_2_active, false);
      assert.equal(root.access_key_2_status, 'inactive', 'an inactive key keeps its last_rotated date');
      assert.equal(root.access_key_2_last_rotated, '2007-10-13T16:49:50Z');
      assert.equal(root.access_key_2_last_used_status, 'never_used');
      assert.equal(root.cert_1_status, 'active');
      assert.equal(root.cert_1_last_rotated, '2008-06-25T02:07:10Z');
      assert.equal(find('Hazmat').access_key_1_last_used_status, 'never_used');
      assert.equal(find('kaleb').password_next_rotation, null);
    },
  },
  'c7n__test_iam_user_credential_multi_delete.csv': {
    layout: 'current',
    problems: [],
    check: (input, find) => {
      const kapil = find('kapil');
      assert.equal(input.users.length, 1);
      assert.equal(kapil.is_root, false);
      assert.equal(kapil.access_key_1_last_rotated, '2019-12-14T10:26:37Z');
      assert.equal(kapil.access_key_1_last_rotated_days, days('2019-12-14T10:26:37Z', '2018-12-02T01:18:49Z'));
      assert.ok((kapil.access_key_1_last_rotated_days as number) < 0, 'rotated after the evaluation time');
      assert.equal(kapil.access_key_2_status, 'active');
    },
  },
  'c7n__test_iam_user_credential_multi_delete_noop.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const root = find('<root_account>');
      assert.equal(root.password_last_used_status, 'never_used');
      assert.equal(root.mfa_active, false);
      const test1 = find('test1');
      assert.equal(test1.access_key_1_active, false);
      assert.equal(test1.access_key_1_status, 'inactive');
      assert.equal(test1.access_key_1_last_rotated, '2020-02-03T09:50:07Z');
      assert.equal(test1.access_key_1_last_used_status, 'never_used');
      assert.equal(test1.access_key_2_status, 'active');
      assert.equal(test1.access_key_2_last_rotated, '2099-02-03T09:50:21Z');
      assert.ok((test1.access_key_2_last_rotated_days as number) < 0);
    },
  },
  'c7n__test_iam_user_credential_reverse_filter_delete.csv': {
    layout: 'current',
    // user_creation_time was edited to 2099, after both keys were used.
    problems: [
      [2, 'impossible-time', 'access_key_1_last_used_date'],
      [2, 'impossible-time', 'access_key_2_last_used_date'],
    ],
    check: (_input, find) => {
      const user = find('zscholl');
      assert.equal(user.password_enabled, false);
      assert.equal(user.raw.password_enabled, 'FALSE');
      assert.equal(user.password_enabled_status, 'disabled');
      assert.equal(user.mfa_active, false);
      assert.equal(user.access_key_1_active, true);
      assert.equal(user.raw.access_key_1_active, 'TRUE');
      assert.equal(user.access_key_2_active, true);
      assert.equal(user.cert_1_active, false);
      assert.equal(user.access_key_1_status, 'active');
      assert.equal(user.access_key_1_last_used_region, 'us-west-1');
      assert.equal(user.password_last_used_status, 'no_password');
      assert.ok((user.user_creation_time_days as number) < 0);
    },
  },
  'c7n__test_iam_user_delete_options.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const user = find('test_user');
      assert.equal(user.password_last_used_status, 'never_used');
      assert.equal(user.access_key_1_status, 'active');
      assert.equal(user.access_key_1_last_used_status, 'never_used');
      assert.equal(user.access_key_1_last_rotated_days, days('2018-06-01T00:02:57Z', '2018-06-01T00:03:25Z'));
    },
  },
  'cloudbeat__user_test_credentialsReportContent.csv': {
    // 16 columns, but not AWS's pre-2015 16: the last-used dates are there, the regions, services and certificate dates are not.
    layout: 'custom',
    problems: [
      [1, 'missing-column', undefined],
      [4, 'empty-cell', 'password_last_used'],
      [4, 'empty-cell', 'password_last_changed'],
    ],
    check: (input, find) => {
      assert.equal(input.report.account_id, '1234567890');
      const root = find('<root_account>');
      assert.equal(root.password_enabled, true);
      assert.equal(root.password_enabled_status, 'enabled');
      assert.equal(root.user_creation_time, '1970-01-01T00:00:00Z');
      assert.equal(root.access_key_1_last_used_date, '2022-01-04T00:00:00Z');
      assert.equal(root.access_key_1_last_used_region, null);
      assert.equal('access_key_1_last_used_region' in root.raw, false);
      assert.equal(root.cert_1_active, true);
      assert.equal(root.cert_1_last_rotated, null);
      assert.equal(root.cert_1_status, 'active');
      const user2 = find('user2');
      assert.equal(user2.password_enabled, false);
      assert.equal(user2.password_last_used, null);
      assert.equal(user2.password_last_used_days, null);
      assert.equal(user2.raw.password_last_used, '');
      assert.equal(user2.password_last_used_status, 'unknown');
      assert.equal(user2.password_last_changed, null);
      assert.equal(user2.password_next_rotation, '2022-01-10T00:00:00Z');
    },
  },
  'moto__models_comment_legacy16col.csv': {
    layout: 'legacy16',
    problems: [],
    check: (input, find) => {
      const user = find('aagrawal');
      assert.equal(input.report.columns.length, 16);
      assert.equal(user.account_id, '509284790694');
      assert.equal(user.password_last_used, '2014-11-12T23:36:49Z');
      assert.equal(user.password_last_used_days, days('2014-11-12T23:36:49Z', '2014-11-13T00:00:00Z'));
      assert.equal(user.access_key_1_status, 'active');
      assert.equal(user.access_key_1_last_used_date, null);
      assert.equal(user.access_key_1_last_used_date_days, null);
      assert.equal('access_key_1_last_used_date' in user.raw, false);
      assert.equal(user.access_key_1_last_used_status, 'unknown');
      assert.equal(user.access_key_2_status, 'none');
      assert.equal(user.access_key_2_last_used_status, 'no_key');
    },
  },
  'prowler__iam_avoid_root_usage__test_root_not_used.csv': {
    layout: 'current',
    problems: [],
    check: (input, find) => {
      const root = find('<root_account>');
      assert.equal(input.report.account_id, '123456789012');
      assert.equal(root.account_id, '123456789012');
      assert.equal(root.is_root, true);
      assert.equal(root.raw.user_creation_time, '2022-04-17T14:59:38Z');
      assert.equal(root.user_creation_time, '2022-04-17T14:59:38Z');
      assert.equal(root.user_creation_time_days, days('2022-04-17T14:59:38Z', '2025-12-04T12:00:00Z'));
      assert.equal(root.password_enabled, true);
      assert.equal(root.password_last_used_status, 'never_used');
      assert.equal(root.access_key_1_status, 'active');
      assert.equal(root.access_key_1_last_rotated, null);
      assert.equal(root.access_key_1_last_used_status, 'never_used');
    },
  },
  'prowler__no_setup_initial_access_key__both_keys_fail.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const user = find('test_false_both_access_keys');
      assert.equal(user.account_id, '123456789012');
      assert.equal(user.access_key_1_status, 'active');
      assert.equal(user.access_key_2_status, 'active');
      assert.equal(user.password_last_changed, null);
      assert.equal(user.raw.password_last_changed, 'not_supported');
    },
  },
  'prowler__no_setup_initial_access_key__key_1_fail.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const user = find('test_false_access_key_1');
      assert.equal(user.access_key_1_status, 'active');
      assert.equal(user.access_key_2_status, 'none');
    },
  },
  'prowler__no_setup_initial_access_key__key_2_fail.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const user = find('test_false_access_key_2');
      assert.equal(user.access_key_1_status, 'none');
      assert.equal(user.access_key_2_status, 'active');
      assert.equal(user.access_key_2_last_used_status, 'never_used');
    },
  },
  'prowler__no_setup_initial_access_key__pass.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const user = find('test_pass');
      assert.equal(user.is_root, false);
      assert.equal(user.password_enabled, null);
      assert.equal(user.password_enabled_status, 'not_supported');
      assert.equal(user.access_key_1_status, 'none');
    },
  },
  'scoutsuite__rule-configs_iam-root.csv': {
    layout: 'current',
    problems: [],
    check: (input, find) => {
      assert.equal(input.report.account_id, '517757661801');
      assert.equal(find('<root_account>').password_last_used_status, 'used');
      const api3 = find('api3');
      assert.equal(api3.password_last_used_status, 'no_password');
      assert.equal(api3.access_key_1_last_used_region, 'us-west-2');
    },
  },
  'security-hq__CredentialsReportTest_noPasswordLastUsed.csv': {
    layout: 'current',
    problems: [],
    check: (_input, find) => {
      const user = find('credential-user');
      assert.equal(user.account_id, '0123456789');
      assert.equal(user.password_enabled, false);
      assert.equal(user.password_last_used_status, 'never_used');
      assert.equal(user.password_last_changed, null);
    },
  },
  'security-hq__CredentialsReportTest_testReport.csv': {
    layout: 'current',
    problems: [],
    check: (input, find) => {
      assert.equal(input.users.length, 5);
      assert.equal(find('<root_account>').mfa_active, true);
      const disabled = find('with-disabled-key');
      assert.equal(disabled.password_enabled, false);
      assert.equal(disabled.password_last_used_status, 'used', 'what AWS wrote is kept even when it looks odd');
      assert.equal(disabled.access_key_1_active, false);
      assert.equal(disabled.access_key_1_status, 'inactive');
      assert.equal(disabled.access_key_1_last_used_status, 'used');
      assert.equal(disabled.access_key_2_status, 'active');
      assert.equal(find('IAM-user').password_next_rotation, null);
    },
  },
};

function readManifest(): Map<string, string> {
  const lines = readFileSync(join(directory, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const [header, ...rows] = lines.map((line) => line.split('\t'));
  const fileIndex = header.indexOf('file');
  const nowIndex = header.indexOf('now');
  return new Map(rows.map((row) => [row[fileIndex], row[nowIndex]]));
}

describe('real-world reports, file by file', () => {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.csv'))
    .sort();
  const manifest = readManifest();

  it('has the 16 reports, each with an expectation here and a reference time in MANIFEST.tsv', () => {
    assert.equal(files.length, 16);
    assert.deepEqual(files, Object.keys(expectations).sort());
    for (const file of files) assert.ok(manifest.has(file), `${file} is in MANIFEST.tsv`);
  });

  it('is the same as ../shared/realworld/reports when that directory is present', function () {
    if (!existsSync(sharedDirectory)) this.skip();
    const shared = readdirSync(sharedDirectory).sort();
    for (const name of shared) {
      assert.ok(existsSync(join(directory, name)), `${name} is copied`);
      assert.equal(readFileSync(join(directory, name), 'utf8'), readFileSync(join(sharedDirectory, name), 'utf8'), `${name} is identical`);
    }
  });

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(directory, file), 'utf8');
      const expectation = expectations[file];
      assert.ok(expectation, `no expectation for ${file}`);
      const report = parseReport(text, file);
      assert.equal(report.layout, expectation.layout);
      assert.deepEqual(
        report.problems.map((problem): ProblemSummary => [problem.line, problem.code, problem.column]),
        expectation.problems,
      );
      for (const problem of report.problems) assert.equal(problem.file, file);

      const now = new Date(manifest.get(file)!);
      const input = normalizeReport(report, now);
      assert.equal(input.evaluation_time, manifest.get(file));

      // A user for every row of the file: none of these files has a row without a user name.
      const rowLines = text
        .split('\n')
        .map((line, index) => [line, index + 1] as const)
        .filter(([line, number]) => number > 1 && line.trim() !== '')
        .map(([, number]) => number);
      assert.deepEqual(
        input.users.map((user) => user.line),
        rowLines,
      );
      for (const user of input.users) {
        const cells = text.split('\n')[user.line - 1].split(',');
        assert.equal(user.user, cells[0]);
        assert.equal(user.raw.user, cells[0]);
        assert.deepEqual(Object.values(user.raw), cells, 'raw keeps every cell as written');
      }

      const find = (name: string, line?: number) => {
        const user = input.users.find((candidate) => candidate.user === name && (line === undefined || candidate.line === line));
        assert.ok(user, `user ${name}${line ? ` on line ${line}` : ''}`);
        return user;
      };
      expectation.check?.(input, find);
    });
  }
});
