/**
 * Boundary tests for every threshold of the check semantics (issue 4): exactly N days, one minute either side, with
 * the `Z` form AWS writes since 2024, the `+00:00` form it wrote before, and a copy with a space instead of the `T`.
 *
 * Every case goes through the whole pipeline `credcheck check` uses: CSV text, parser, normaliser, bundled checks via
 * the audit façade, with an explicit evaluation time (never the clock). Rows come from one 22-column template so each
 * assertion says only what matters to it: which check, which cell holds which age, which status is expected.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { CliIo } from '../../../src/cli/io';
import { auditReports } from '../../../src/core/run/audit';
import { Finding } from '../../../src/core/model';
import { CURRENT_COLUMNS } from '../../../src/core/report/columns';
import { reportText, userLine } from '../report/reportText';

const EVALUATION_TIME = new Date('2025-06-15T12:00:00Z');
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const ACCOUNT = '123456789012';

/** An exact duration of `n` days, in milliseconds (an age: the evaluation time minus a cell's time). */
function ageDays(n: number): number {
  return n * DAY;
}

type TimeStyle = 'Z' | '+00:00' | 'space';
const STYLES: readonly TimeStyle[] = ['Z', '+00:00', 'space'];

/** The cell text of the instant `age` before the evaluation time, in one of the spellings a report may hold. */
function timeAt(age: number, style: TimeStyle): string {
  const iso = new Date(EVALUATION_TIME.getTime() - age).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  if (style === 'Z') return `${iso}Z`;
  if (style === '+00:00') return `${iso}+00:00`;
  return `${iso.replace('T', ' ')}+00:00`;
}

type Row = Partial<Record<(typeof CURRENT_COLUMNS)[number], string>>;

/** An IAM user with nothing to report (no password, no keys, MFA on), created long ago: cases override what they test. */
function iamUser(overrides: Row): Row {
  return {
    user: 'alice',
    arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
    user_creation_time: '2015-01-01T00:00:00+00:00',
    password_enabled: 'false',
    password_last_used: 'N/A',
    password_last_changed: 'N/A',
    password_next_rotation: 'N/A',
    mfa_active: 'true',
    access_key_1_active: 'false',
    access_key_1_last_rotated: 'N/A',
    access_key_1_last_used_date: 'N/A',
    access_key_1_last_used_region: 'N/A',
    access_key_1_last_used_service: 'N/A',
    access_key_2_active: 'false',
    access_key_2_last_rotated: 'N/A',
    access_key_2_last_used_date: 'N/A',
    access_key_2_last_used_region: 'N/A',
    access_key_2_last_used_service: 'N/A',
    cert_1_active: 'false',
    cert_1_last_rotated: 'N/A',
    cert_2_active: 'false',
    cert_2_last_rotated: 'N/A',
    ...overrides,
  };
}

/** The root row as AWS writes it: `not_supported` password cells, no keys; cases override the use dates. */
function rootRow(overrides: Row): Row {
  return iamUser({
    user: '<root_account>',
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    password_enabled: 'not_supported',
    password_last_used: 'no_information',
    password_last_changed: 'not_supported',
    password_next_rotation: 'not_supported',
    ...overrides,
  });
}

/** The findings of one check over a one-row report, evaluated exactly as `credcheck check` does. */
async function findingsOf(check: string, row: Row, params?: Record<string, unknown>): Promise<Finding[]> {
  const result = await auditReports({
    // iamUser fills every column, so userLine's defaults never show through.
    reports: [{ file: 'boundary.csv', text: reportText(userLine(row as Record<string, string>)) }],
    now: EVALUATION_TIME,
    params,
    enabledChecks: [check],
  });
  assert.deepEqual(result.reports[0]!.problems, [], 'the template row reads without problems');
  assert.deepEqual(result.policyProblems, []);
  return result.findings.filter((f) => f.check === check);
}

type Expected = 'fail' | 'pass' | 'warn';

/** Asserts the status the check gives the row: `pass` means no finding at all from that check. */
async function expectStatus(check: string, row: Row, expected: Expected, params?: Record<string, unknown>): Promise<Finding[]> {
  const findings = await findingsOf(check, row, params);
  const statuses = findings.map((f) => f.status);
  assert.deepEqual(statuses, expected === 'pass' ? [] : [expected], `${check} over ${JSON.stringify(row)} with ${JSON.stringify(params ?? {})}`);
  return findings;
}

/** "exactly 90 days", "90 days + 1 min", "90 days - 1 min": the age relative to the nearest whole day. */
function describeAge(age: number): string {
  const days = Math.round(age / DAY);
  const minutes = (age - days * DAY) / MINUTE;
  if (minutes === 0) return `exactly ${days} days`;
  return `${days} days ${minutes > 0 ? '+' : '-'} ${Math.abs(minutes)} min`;
}

describe('threshold boundaries through the whole pipeline (issue 4 semantics)', function () {
  this.timeout(60000);

  describe('root-recent-use: fail when the newest root use is at most rootRecentUseDays (90) old', () => {
    for (const style of STYLES) {
      for (const [age, expected] of [
        [ageDays(90) - MINUTE, 'fail'],
        [ageDays(90), 'fail'],
        [ageDays(90) + MINUTE, 'pass'],
      ] as const) {
        for (const column of ['password_last_used', 'access_key_1_last_used_date', 'access_key_2_last_used_date'] as const) {
          it(`${column} ${describeAge(age)} (${style}) -> ${expected}`, async () => {
            const findings = await expectStatus('root-recent-use', rootRow({ [column]: timeAt(age, style) }), expected);
            if (expected === 'fail') assert.equal(findings[0]!.column, column);
          });
        }
      }
    }

    it('the newest of the three uses decides: an old password use does not hide a recent key use', async () => {
      const row = rootRow({ password_last_used: timeAt(ageDays(400), 'Z'), access_key_2_last_used_date: timeAt(ageDays(90), '+00:00') });
      const [finding] = await expectStatus('root-recent-use', row, 'fail');
      assert.equal(finding!.key, 2);
    });

    it('no use at all (no_information, N/A) is never recent', async () => {
      await expectStatus('root-recent-use', rootRow({}), 'pass');
    });

    for (const [age, expected] of [
      [ageDays(30), 'fail'],
      [ageDays(30) + MINUTE, 'pass'],
      [ageDays(90), 'pass'],
    ] as const) {
      it(`params rootRecentUseDays=30: ${describeAge(age)} -> ${expected}`, async () => {
        await expectStatus('root-recent-use', rootRow({ password_last_used: timeAt(age, 'Z') }), expected, { rootRecentUseDays: 30 });
      });
    }
  });

  describe('unused-password: fail when the password is unusedCredentialDays (45) days or more unused', () => {
    const consoleUser = (cells: Row) => iamUser({ password_enabled: 'true', password_last_changed: timeAt(ageDays(500), 'Z'), ...cells });
    for (const style of STYLES) {
      for (const [age, expected] of [
        [ageDays(45) - MINUTE, 'pass'],
        [ageDays(45), 'fail'],
        [ageDays(45) + MINUTE, 'fail'],
      ] as const) {
        it(`password_last_used ${describeAge(age)} (${style}) -> ${expected}`, async () => {
          await expectStatus('unused-password', consoleUser({ password_last_used: timeAt(age, style) }), expected);
        });
        it(`never used (no_information), password_last_changed ${describeAge(age)} (${style}) -> ${expected}`, async () => {
          const findings = await expectStatus(
            'unused-password',
            consoleUser({ password_last_used: 'no_information', password_last_changed: timeAt(age, style) }),
            expected,
          );
          if (expected === 'fail') assert.equal(findings[0]!.column, 'password_last_changed');
        });
      }
    }

    it('a user without a console password is not reported, however old its last use', async () => {
      await expectStatus('unused-password', iamUser({ password_last_used: timeAt(ageDays(400), 'Z') }), 'pass');
    });

    for (const [age, expected] of [
      [ageDays(10) - MINUTE, 'pass'],
      [ageDays(10), 'fail'],
      [ageDays(45) - MINUTE, 'fail'],
    ] as const) {
      it(`params unusedCredentialDays=10: ${describeAge(age)} -> ${expected}`, async () => {
        await expectStatus('unused-password', consoleUser({ password_last_used: timeAt(age, '+00:00') }), expected, { unusedCredentialDays: 10 });
      });
    }
  });

  describe('unused-access-key: per active key, fail when it is unusedCredentialDays (45) days or more unused', () => {
    const activeKey = (n: 1 | 2, cells: Row) =>
      iamUser({ [`access_key_${n}_active`]: 'true', [`access_key_${n}_last_rotated`]: timeAt(ageDays(500), 'Z'), ...cells });
    for (const style of STYLES) {
      for (const [age, expected] of [
        [ageDays(45) - MINUTE, 'pass'],
        [ageDays(45), 'fail'],
        [ageDays(45) + MINUTE, 'fail'],
      ] as const) {
        for (const n of [1, 2] as const) {
          it(`key ${n} last_used_date ${describeAge(age)} (${style}) -> ${expected}`, async () => {
            const findings = await expectStatus('unused-access-key', activeKey(n, { [`access_key_${n}_last_used_date`]: timeAt(age, style) }), expected);
            if (expected === 'fail') assert.deepEqual([findings[0]!.key, findings[0]!.column], [n, `access_key_${n}_last_used_date`]);
          });
        }
        it(`key 1 never used, last_rotated ${describeAge(age)} (${style}) -> ${expected}`, async () => {
          const findings = await expectStatus('unused-access-key', activeKey(1, { access_key_1_last_rotated: timeAt(age, style) }), expected);
          if (expected === 'fail') assert.equal(findings[0]!.column, 'access_key_1_last_rotated');
        });
      }
    }

    it('an inactive key is not reported, however old its last use', async () => {
      const row = iamUser({ access_key_1_last_rotated: timeAt(ageDays(500), 'Z'), access_key_1_last_used_date: timeAt(ageDays(400), 'Z') });
      await expectStatus('unused-access-key', row, 'pass');
    });

    for (const [age, expected] of [
      [ageDays(60) - MINUTE, 'pass'],
      [ageDays(60), 'fail'],
    ] as const) {
      it(`params unusedCredentialDays=60: ${describeAge(age)} -> ${expected}`, async () => {
        await expectStatus('unused-access-key', activeKey(2, { access_key_2_last_used_date: timeAt(age, 'space') }), expected, { unusedCredentialDays: 60 });
      });
    }
  });

  describe('access-key-rotation: per active key, fail when last_rotated is older than accessKeyRotationDays (90)', () => {
    const activeKey = (n: 1 | 2, lastRotated: string) => iamUser({ [`access_key_${n}_active`]: 'true', [`access_key_${n}_last_rotated`]: lastRotated });
    for (const style of STYLES) {
      for (const [age, expected] of [
        [ageDays(90) - MINUTE, 'pass'],
        [ageDays(90), 'pass'],
        [ageDays(90) + MINUTE, 'fail'],
      ] as const) {
        for (const n of [1, 2] as const) {
          it(`key ${n} last_rotated ${describeAge(age)} (${style}) -> ${expected}`, async () => {
            const findings = await expectStatus('access-key-rotation', activeKey(n, timeAt(age, style)), expected);
            if (expected === 'fail') {
              assert.deepEqual([findings[0]!.key, findings[0]!.column], [n, `access_key_${n}_last_rotated`]);
              // Rounded to whole days the age would read "90 days" and hide why it fails.
              assert.match(findings[0]!.message, /90 days 1 min before the evaluation time/);
            }
          });
        }
      }
    }

    it('a key whose last_rotated is not a time (N/A) never counts as old', async () => {
      await expectStatus('access-key-rotation', activeKey(1, 'N/A'), 'pass');
    });

    for (const [age, expected] of [
      [ageDays(30), 'pass'],
      [ageDays(30) + MINUTE, 'fail'],
      [ageDays(90) + MINUTE, 'fail'],
    ] as const) {
      it(`params accessKeyRotationDays=30: ${describeAge(age)} -> ${expected}`, async () => {
        await expectStatus('access-key-rotation', activeKey(1, timeAt(age, 'Z')), expected, { accessKeyRotationDays: 30 });
      });
    }
    it('params accessKeyRotationDays=365: 90 days + 1 min -> pass', async () => {
      await expectStatus('access-key-rotation', activeKey(1, timeAt(ageDays(90) + MINUTE, 'Z')), 'pass', { accessKeyRotationDays: 365 });
    });
  });

  describe('password-rotation: fail when password_last_changed is older than passwordRotationDays (90)', () => {
    const consoleUser = (lastChanged: string) => iamUser({ password_enabled: 'true', password_last_used: timeAt(ageDays(1), 'Z'), password_last_changed: lastChanged });
    for (const style of STYLES) {
      for (const [age, expected] of [
        [ageDays(90) - MINUTE, 'pass'],
        [ageDays(90), 'pass'],
        [ageDays(90) + MINUTE, 'fail'],
      ] as const) {
        it(`password_last_changed ${describeAge(age)} (${style}) -> ${expected}`, async () => {
          await expectStatus('password-rotation', consoleUser(timeAt(age, style)), expected);
        });
      }
    }

    it('a user without a console password is not reported', async () => {
      await expectStatus('password-rotation', iamUser({ password_last_changed: timeAt(ageDays(400), 'Z') }), 'pass');
    });

    for (const [age, expected] of [
      [ageDays(180), 'pass'],
      [ageDays(180) + MINUTE, 'fail'],
    ] as const) {
      it(`params passwordRotationDays=180: ${describeAge(age)} -> ${expected}`, async () => {
        await expectStatus('password-rotation', consoleUser(timeAt(age, '+00:00')), expected, { passwordRotationDays: 180 });
      });
    }
  });

  describe('initial-access-key: a never-used key of a console user fails when created within initialKeySetupSeconds (10) of the user, else warns', () => {
    const created = ageDays(200);
    /** A console user created `created` before the evaluation time whose key 1 was created `gap` after the user. */
    const consoleUserWithKey = (gap: number, userStyle: TimeStyle, keyStyle: TimeStyle) =>
      iamUser({
        user_creation_time: timeAt(created, userStyle),
        password_enabled: 'true',
        password_last_used: timeAt(ageDays(1), 'Z'),
        password_last_changed: timeAt(created, userStyle),
        access_key_1_active: 'true',
        access_key_1_last_rotated: timeAt(created - gap, keyStyle),
        access_key_1_last_used_date: 'N/A',
      });
    for (const style of STYLES) {
      for (const [gap, expected] of [
        [9 * SECOND, 'fail'],
        [10 * SECOND, 'fail'],
        [11 * SECOND, 'warn'],
        [-10 * SECOND, 'fail'],
        [-11 * SECOND, 'warn'],
      ] as const) {
        it(`key created ${gap / SECOND} s after the user (${style}) -> ${expected}`, async () => {
          await expectStatus('initial-access-key', consoleUserWithKey(gap, style, style), expected);
        });
      }
    }

    it('the user time in +00:00 and the key time in Z are compared as instants: 10 s -> fail, 11 s -> warn', async () => {
      await expectStatus('initial-access-key', consoleUserWithKey(10 * SECOND, '+00:00', 'Z'), 'fail');
      await expectStatus('initial-access-key', consoleUserWithKey(11 * SECOND, 'Z', 'space'), 'warn');
    });

    it('a key that has been used is not an initial key', async () => {
      const row = { ...consoleUserWithKey(0, 'Z', 'Z'), access_key_1_last_used_date: timeAt(ageDays(3), 'Z') };
      await expectStatus('initial-access-key', row, 'pass');
    });

    for (const [gap, expected] of [
      [30 * SECOND, 'fail'],
      [31 * SECOND, 'warn'],
    ] as const) {
      it(`params initialKeySetupSeconds=30: ${gap / SECOND} s -> ${expected}`, async () => {
        await expectStatus('initial-access-key', consoleUserWithKey(gap, 'Z', '+00:00'), expected, { initialKeySetupSeconds: 30 });
      });
    }
  });

  describe('--param on the command line moves each threshold', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'credcheck-boundaries-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** Runs `credcheck check` in-process over a one-row report and returns the statuses of the check's findings. */
    async function checkStatuses(check: string, row: Row, params: string[]): Promise<string[]> {
      writeFileSync(join(dir, 'r.csv'), reportText(userLine(row as Record<string, string>)));
      const io: CliIo & { out: string; err: string } = {
        out: '', err: '', cwd: dir, env: {},
        stdout: (t: string) => void (io.out += t),
        stderr: (t: string) => void (io.err += t),
      };
      const args = ['check', 'r.csv', '--now', EVALUATION_TIME.toISOString(), '--format', 'json', ...params.flatMap((p) => ['--param', p])];
      const code = await main(args, io);
      assert.ok(code === 0 || code === 1, `exit ${code}: ${io.err}`);
      const output = JSON.parse(io.out) as { findings: { check: string; status: string }[] };
      return output.findings.filter((f) => f.check === check).map((f) => f.status);
    }

    const cases: { check: string; param: string; row: Row; defaultStatus: string[]; overriddenStatus: string[] }[] = [
      { check: 'root-recent-use', param: 'rootRecentUseDays=89', row: rootRow({ password_last_used: timeAt(ageDays(90), 'Z') }), defaultStatus: ['fail'], overriddenStatus: [] },
      {
        check: 'unused-password', param: 'unusedCredentialDays=46',
        row: iamUser({ password_enabled: 'true', password_last_used: timeAt(ageDays(45), '+00:00'), password_last_changed: timeAt(ageDays(45), 'Z') }),
        defaultStatus: ['fail'], overriddenStatus: [],
      },
      {
        check: 'unused-access-key', param: 'unusedCredentialDays=44',
        row: iamUser({ access_key_1_active: 'true', access_key_1_last_rotated: timeAt(ageDays(100), 'Z'), access_key_1_last_used_date: timeAt(ageDays(44) + MINUTE, 'Z') }),
        defaultStatus: [], overriddenStatus: ['fail'],
      },
      {
        check: 'access-key-rotation', param: 'accessKeyRotationDays=91',
        row: iamUser({ access_key_2_active: 'true', access_key_2_last_rotated: timeAt(ageDays(90) + MINUTE, 'space'), access_key_2_last_used_date: timeAt(ageDays(1), 'Z') }),
        defaultStatus: ['fail'], overriddenStatus: [],
      },
      {
        check: 'password-rotation', param: 'passwordRotationDays=89',
        row: iamUser({ password_enabled: 'true', password_last_used: timeAt(ageDays(1), 'Z'), password_last_changed: timeAt(ageDays(90), 'Z') }),
        defaultStatus: [], overriddenStatus: ['fail'],
      },
      {
        check: 'initial-access-key', param: 'initialKeySetupSeconds=11',
        row: iamUser({
          user_creation_time: timeAt(ageDays(10), 'Z'), password_enabled: 'true', password_last_used: timeAt(ageDays(1), 'Z'), password_last_changed: timeAt(ageDays(10), 'Z'),
          access_key_1_active: 'true', access_key_1_last_rotated: timeAt(ageDays(10) - 11 * SECOND, '+00:00'),
        }),
        defaultStatus: ['warn'], overriddenStatus: ['fail'],
      },
    ];
    for (const { check, param, row, defaultStatus, overriddenStatus } of cases) {
      it(`${check}: ${JSON.stringify(defaultStatus)} by default, ${JSON.stringify(overriddenStatus)} with --param ${param}`, async () => {
        assert.deepEqual(await checkStatuses(check, row, []), defaultStatus);
        assert.deepEqual(await checkStatuses(check, row, [param]), overriddenStatus);
      });
    }
  });
});
