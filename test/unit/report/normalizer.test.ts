import * as assert from 'node:assert/strict';
import { NormalizedUser } from '../../../src/core/model';
import { CURRENT_COLUMNS, LEGACY16_COLUMNS, TIME_COLUMN_NAMES } from '../../../src/core/report/columns';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';
import { reportText, TYPICAL_USER, userLine } from './reportText';

const NOW = new Date('2024-03-11T12:00:00Z');

function normalizeLines(...lines: string[]): NormalizedUser[] {
  return normalizeReport(parseReport(reportText(...lines), 'test.csv'), NOW).users;
}

describe('normalizeReport', () => {
  it('types every column of a typical user and measures every time from the evaluation time', () => {
    const [user] = normalizeLines(userLine());
    assert.equal(user.user, 'alice');
    assert.equal(user.arn, 'arn:aws:iam::111122223333:user/alice');
    assert.equal(user.password_enabled, true);
    assert.equal(user.mfa_active, true);
    assert.equal(user.access_key_2_active, false);
    assert.equal(user.password_last_used, '2024-03-01T12:00:00Z');
    assert.equal(user.password_last_used_days, 10);
    assert.equal(user.access_key_1_last_used_date, '2024-03-02T10:15:00Z');
    assert.equal(user.access_key_1_last_used_date_days, (NOW.getTime() - Date.parse('2024-03-02T10:15:00Z')) / 86_400_000);
    assert.equal(user.access_key_1_last_used_region, 'us-east-1');
    assert.equal(user.access_key_1_last_used_service, 's3');
    assert.equal(user.password_next_rotation, null);
    assert.equal(user.password_next_rotation_days, null);
    assert.equal(user.access_key_2_last_used_region, null);
    assert.equal(user.is_root, false);
    assert.equal(user.line, 2);
    assert.equal(user.account_id, '111122223333');
    assert.equal(user.password_enabled_status, 'enabled');
    assert.equal(user.password_last_used_status, 'used');
    assert.equal(user.access_key_1_status, 'active');
    assert.equal(user.access_key_1_last_used_status, 'used');
    assert.equal(user.access_key_2_status, 'none');
    assert.equal(user.access_key_2_last_used_status, 'no_key');
    assert.equal(user.cert_1_status, 'none');
    assert.deepEqual(user.raw, TYPICAL_USER);
    for (const column of CURRENT_COLUMNS) assert.ok(column in user, column);
    for (const column of TIME_COLUMN_NAMES) assert.ok(`${column}_days` in user, `${column}_days`);
  });

  it('keeps root apart: not_supported is null, not false, and raw still says not_supported', () => {
    const [root] = normalizeLines(
      userLine({ user: '<root_account>', arn: 'arn:aws:iam::111122223333:root', password_enabled: 'not_supported', password_last_changed: 'not_supported', password_next_rotation: 'not_supported' }),
    );
    assert.equal(root.is_root, true);
    assert.equal(root.password_enabled, null);
    assert.equal(root.raw.password_enabled, 'not_supported');
    assert.equal(root.password_enabled_status, 'not_supported');
    assert.equal(root.password_last_changed, null);
    assert.equal(root.password_last_changed_days, null);
    assert.equal(root.account_id, '111122223333');
  });

  it('tells a never-used password from no password and from an unreadable cell', () => {
    const users = normalizeLines(
      userLine({ user: 'never', password_last_used: 'no_information' }),
      userLine({ user: 'nopassword', password_enabled: 'false', password_last_used: 'N/A', password_last_changed: 'N/A' }),
      userLine({ user: 'empty', password_last_used: '' }),
      userLine({ user: 'garbled', password_last_used: 'soon' }),
    );
    assert.deepEqual(
      users.map((user) => [user.user, user.password_last_used, user.password_last_used_status]),
      [
        ['never', null, 'never_used'],
        ['nopassword', null, 'no_password'],
        ['empty', null, 'unknown'],
        ['garbled', null, 'unknown'],
      ],
    );
    assert.equal(users[1].password_enabled_status, 'disabled');
    assert.equal(users[3].raw.password_last_used, 'soon');
  });

  it('tells an inactive key that keeps its date from no key, and a never-used key from a used one', () => {
    const [inactive, neverUsed, inactiveUsed] = normalizeLines(
      userLine({ user: 'inactive', access_key_1_active: 'false', access_key_1_last_rotated: '2020-02-03T09:50:07+00:00', access_key_1_last_used_date: 'N/A', access_key_1_last_used_region: 'N/A', access_key_1_last_used_service: 'N/A' }),
      userLine({ user: 'neverused', access_key_1_last_used_date: 'N/A', access_key_1_last_used_region: 'N/A', access_key_1_last_used_service: 'N/A' }),
      userLine({ user: 'inactiveused', access_key_1_active: 'FALSE' }),
    );
    assert.equal(inactive.access_key_1_active, false);
    assert.equal(inactive.access_key_1_status, 'inactive');
    assert.equal(inactive.access_key_1_last_rotated, '2020-02-03T09:50:07Z');
    assert.equal(inactive.access_key_1_last_used_status, 'never_used');
    assert.equal(neverUsed.access_key_1_status, 'active');
    assert.equal(neverUsed.access_key_1_last_used_status, 'never_used');
    assert.equal(neverUsed.access_key_1_last_used_date_days, null);
    assert.equal(inactiveUsed.access_key_1_status, 'inactive');
    assert.equal(inactiveUsed.access_key_1_last_used_status, 'used');
  });

  it('gives unknown statuses when the active cell cannot be read', () => {
    const [user] = normalizeLines(userLine({ access_key_1_active: 'maybe', cert_1_active: '' }));
    assert.equal(user.access_key_1_active, null);
    assert.equal(user.access_key_1_status, 'unknown');
    assert.equal(user.access_key_1_last_used_status, 'used', 'a last-used time still says the key was used');
    assert.equal(user.cert_1_status, 'unknown');
  });

  it('measures future times as negative ages', () => {
    const [user] = normalizeLines(userLine({ access_key_1_last_rotated: '2099-02-03T09:50:21+00:00' }));
    assert.ok((user.access_key_1_last_rotated_days as number) < -27_000);
  });

  it('gives columns the file lacks a null value and no raw text', () => {
    const legacy = LEGACY16_COLUMNS.map((column) => TYPICAL_USER[column]).join(',');
    const input = normalizeReport(parseReport(`${LEGACY16_COLUMNS.join(',')}\n${legacy}\n`, 'legacy.csv'), NOW);
    const [user] = input.users;
    assert.equal(input.report.layout, 'legacy16');
    assert.deepEqual(input.report.columns, [...LEGACY16_COLUMNS]);
    for (const column of ['access_key_1_last_used_date', 'access_key_1_last_used_region', 'access_key_2_last_used_service']) {
      assert.ok(column in user, column);
      assert.equal(user[column], null, column);
      assert.equal(column in user.raw, false, column);
    }
    assert.equal(user.access_key_1_last_used_date_days, null);
    assert.equal(user.access_key_1_status, 'active');
    assert.equal(user.access_key_1_last_used_status, 'unknown', 'the layout has no last-used column');
  });

  it('keeps the cells a short row has and nulls the rest', () => {
    const short = userLine().split(',').slice(0, 9).join(',');
    const [user] = normalizeLines(short);
    assert.equal(user.access_key_1_active, true);
    assert.equal(user.access_key_1_last_rotated, null);
    assert.equal(user.access_key_1_status, 'active');
    assert.equal('access_key_1_last_rotated' in user.raw, false);
  });

  it('keeps unknown columns as text, special values and empty cells as null', () => {
    const text = `user,arn,mfa_active,owner_team,ticket\nx,arn:aws:iam::111122223333:user/x,true, platform ,N/A\ny,arn:aws:iam::111122223333:user/y,false,,REQ-1\n`;
    const input = normalizeReport(parseReport(text, 'custom.csv'), NOW);
    assert.deepEqual(
      input.users.map((user) => [user.owner_team, user.ticket]),
      [
        ['platform', null],
        [null, 'REQ-1'],
      ],
    );
    assert.equal(input.users[0].raw.owner_team, ' platform ');
    assert.equal(input.users[0].user_creation_time, null);
  });

  it('reads the account from the ARN as written', () => {
    const users = normalizeLines(
      userLine({ user: 'a', arn: 'arn:aws:iam::123456789012:<root_account>' }),
      userLine({ user: 'b', arn: 'arn:aws:iam::0123456789:user/b' }),
      userLine({ user: 'c', arn: 'arn:aws-us-gov:iam::210987654321:user/path/to/c' }),
      userLine({ user: 'd', arn: 'N/A' }),
      userLine({ user: 'e', arn: 'not an arn' }),
    );
    assert.deepEqual(
      users.map((user) => [user.arn, user.account_id]),
      [
        ['arn:aws:iam::123456789012:<root_account>', '123456789012'],
        ['arn:aws:iam::0123456789:user/b', '0123456789'],
        ['arn:aws-us-gov:iam::210987654321:user/path/to/c', '210987654321'],
        [null, null],
        ['not an arn', null],
      ],
    );
  });

  it('describes the report and passes extras through', () => {
    const parsed = parseReport(reportText(userLine({ arn: 'N/A' }), userLine({ user: 'bob', arn: 'arn:aws:iam::444455556666:user/bob' })), 'r.csv');
    const devices = [{ serial_number: 'arn:aws:iam::444455556666:mfa/bob', user: 'bob', type: 'virtual' as const }];
    const input = normalizeReport(parsed, new Date('2024-03-11T12:00:00.250Z'), { mfaDevices: devices, generatedTime: '2024-03-11T11:00:00+00:00' });
    assert.equal(input.evaluation_time, '2024-03-11T12:00:00.250Z');
    assert.deepEqual(input.report, { file: 'r.csv', layout: 'current', columns: [...CURRENT_COLUMNS], generated_time: '2024-03-11T11:00:00Z', account_id: '444455556666' });
    assert.deepEqual(input.mfa_devices, devices);
    assert.equal(normalizeReport(parsed, NOW).mfa_devices, null);
    assert.equal(normalizeReport(parsed, NOW).report.generated_time, null);
  });

  it('gives the same document for the same report and evaluation time', () => {
    const parsed = parseReport(reportText(userLine()), 'r.csv');
    assert.deepEqual(JSON.parse(JSON.stringify(normalizeReport(parsed, NOW))), JSON.parse(JSON.stringify(normalizeReport(parsed, new Date(NOW.getTime())))));
  });

  it('refuses an invalid evaluation time', () => {
    assert.throws(() => normalizeReport(parseReport(reportText(userLine()), 'r.csv'), new Date('nonsense')), RangeError);
  });
});
