import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NormalizedUser } from '../../../src/core/model';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';

/**
 * samples/sample-credential-report.csv rebuilds the report of the "Top 10 checks" post (seeds/001): read at the
 * post's generation time, it must give back what each of the post's queries printed (samples/README.md says where
 * the post contradicts itself and which reading was kept).
 */

const file = join(__dirname, '..', '..', '..', '..', 'samples', 'sample-credential-report.csv');
const GENERATED = new Date('2021-02-09T08:42:56Z');

describe('the bundled sample report', () => {
  const report = parseReport(readFileSync(file, 'utf8'), 'sample-credential-report.csv');
  const input = normalizeReport(report, GENERATED);
  const names = (select: (user: NormalizedUser) => boolean) =>
    input.users
      .filter(select)
      .map((user) => user.user)
      .sort();

  it('is a clean current-layout report of six users in account 899221540641', () => {
    assert.deepEqual(report.problems, []);
    assert.equal(report.layout, 'current');
    assert.equal(input.report.account_id, '899221540641');
    assert.deepEqual(names(() => true), ['<root_account>', 'darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'pam_beasly', 'ryan_howard']);
    for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) assert.match(line, /\+00:00/);
  });

  it('has a root user with MFA, no keys, and a last sign-in in 2019 (checks #2 to #4)', () => {
    const root = input.users.find((user) => user.is_root)!;
    assert.equal(root.mfa_active, true);
    assert.equal(root.access_key_1_status, 'none');
    assert.equal(root.access_key_2_status, 'none');
    assert.equal(root.password_last_used, '2019-07-17T04:49:39Z');
    assert.equal(root.raw.password_enabled, 'not_supported');
  });

  it('gives the post\'s answers to checks #5 to #10', () => {
    const human = (user: NormalizedUser) => !user.is_root;
    // #5 password and an active key
    assert.deepEqual(names((u) => human(u) && u.password_enabled === true && (u.access_key_1_active === true || u.access_key_2_active === true)), ['dwight_schrute']);
    // #6 passwords never used or not used for 90 days (the post's pam_beesly row is a copy of root's: samples/README.md)
    assert.deepEqual(
      names((u) => human(u) && u.password_enabled === true && (u.password_last_used === null || (u.password_last_used_days as number) > 90)),
      ['dwight_schrute', 'kelly_kapoor', 'ryan_howard'],
    );
    assert.equal(input.users.find((user) => user.user === 'pam_beasly')!.password_last_used_status, 'no_password', 'see samples/README.md');
    // #7 passwords not changed for 90 days
    assert.deepEqual(names((u) => human(u) && u.password_enabled === true && (u.password_last_changed_days as number) > 90), ['dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    // #8 no MFA
    assert.deepEqual(names((u) => u.mfa_active === false), ['darryl_philbin', 'dwight_schrute', 'kelly_kapoor', 'ryan_howard']);
    // #9 active keys not rotated for 90 days
    const stale = (u: NormalizedUser, key: number) => u[`access_key_${key}_active`] === true && (u[`access_key_${key}_last_rotated_days`] as number) > 90;
    assert.deepEqual(names((u) => stale(u, 1) || stale(u, 2)), ['pam_beasly']);
    // #10 active keys never used or not used for 30 days
    const unused = (u: NormalizedUser, key: number) =>
      u[`access_key_${key}_active`] === true && (u[`access_key_${key}_last_used_date`] === null || (u[`access_key_${key}_last_used_date_days`] as number) > 30);
    assert.deepEqual(names((u) => unused(u, 1) || unused(u, 2)), ['darryl_philbin', 'pam_beasly']);
    const darryl = input.users.find((user) => user.user === 'darryl_philbin')!;
    assert.equal(darryl.access_key_1_last_used_status, 'never_used');
    const pam = input.users.find((user) => user.user === 'pam_beasly')!;
    assert.equal(Math.floor(pam.access_key_2_last_used_date_days as number), 68);
  });
});
