import * as assert from 'assert';
import { groupReportFindings, ReportFindings, UNKNOWN_ACCOUNT } from '../../../../src/extension/logic/findingGroups';
import { Finding } from '../../../../src/core/model';

function finding(overrides: Partial<Finding>): Finding {
  return {
    check: 'console-user-mfa', status: 'fail', severity: 'high', user: 'alice', arn: null, key: null, file: 'r.csv', line: 2,
    column: 'mfa_active', message: 'm', account: null, ...overrides,
  };
}

function report(key: string, accountId: string | null, findings: Finding[], accountName: string | null = null): ReportFindings {
  return { key, file: `org/${key}.csv`, accountId, accountName, findings };
}

describe('finding groups of several reports (accounts)', () => {
  const prod = report('111111111111', '111111111111', [
    finding({ user: 'prod-alice', line: 2 }),
    finding({ check: 'access-key-rotation', severity: 'medium', user: 'prod-alice', key: 1, line: 2 }),
  ], 'prod');
  const staging = report('222222222222', '222222222222', [finding({ check: 'access-key-rotation', severity: 'medium', user: 'staging-bob', key: 1, line: 2 })], 'staging');
  const quiet = report('333333333333', '333333333333', []);

  it('one report stays as groupFindings makes it (no account level), each finding tagged with its report', () => {
    const groups = groupReportFindings([prod], 'check');
    assert.deepStrictEqual(groups.map((g) => [g.kind, g.id]), [['check', 'check:console-user-mfa'], ['check', 'check:access-key-rotation']]);
    assert.deepStrictEqual(groups[0]!.children[0]!.findings.map((f) => f.report), ['111111111111']);
  });

  it('findings of several accounts: account (id, name as title) → check → user → findings, most severe account first', () => {
    const groups = groupReportFindings([staging, quiet, prod], 'check');
    assert.deepStrictEqual(groups.map((g) => [g.kind, g.name, g.title, g.severity, g.count]), [
      ['account', '111111111111', 'prod', 'high', 2],
      ['account', '222222222222', 'staging', 'medium', 1],
      ['account', '333333333333', undefined, 'info', 0],
    ]);
    const [prodGroup, stagingGroup, quietGroup] = groups;
    assert.deepStrictEqual(prodGroup!.children.map((g) => [g.kind, g.id]), [
      ['check', 'account:111111111111/check:console-user-mfa'],
      ['check', 'account:111111111111/check:access-key-rotation'],
    ]);
    const user = stagingGroup!.children[0]!.children[0]!;
    assert.deepStrictEqual([user.kind, user.name, user.id], ['user', 'staging-bob', 'account:222222222222/check:access-key-rotation/user:staging-bob']);
    assert.deepStrictEqual(user.findings.map((f) => [f.report, f.finding.user]), [['222222222222', 'staging-bob']]);
    assert.deepStrictEqual(quietGroup!.children, [], 'an account without findings is still shown, empty');
    // Ids are unique across the whole tree, so the same check and user in two accounts never collide.
    const ids: string[] = [];
    const visit = (g: (typeof groups)[number]) => {
      ids.push(g.id, ...g.findings.map((f) => f.id));
      g.children.forEach(visit);
    };
    groups.forEach(visit);
    assert.strictEqual(new Set(ids).size, ids.length);
  });

  it('groups by user inside each account when asked', () => {
    const groups = groupReportFindings([prod, staging], 'user');
    assert.deepStrictEqual(groups[0]!.children.map((g) => [g.kind, g.name, g.count]), [['user', 'prod-alice', 2]]);
    assert.deepStrictEqual(groups[0]!.children[0]!.children.map((g) => g.name), ['console-user-mfa', 'access-key-rotation']);
  });

  it('two reports of one account: no account level, one report level so each finding names its file', () => {
    const again = report('prod-again', '111111111111', [finding({ user: 'prod-carol', line: 3 })]);
    const groups = groupReportFindings([prod, again], 'check');
    assert.deepStrictEqual(groups.map((g) => [g.kind, g.name, g.count]), [['report', 'org/111111111111.csv', 2], ['report', 'org/prod-again.csv', 1]]);
    assert.strictEqual(groups[1]!.children[0]!.children[0]!.findings[0]!.report, 'prod-again');
  });

  it('several reports in several accounts, one account with two reports: account → report → check', () => {
    const again = report('prod-again', '111111111111', [finding({ user: 'prod-carol', line: 3 })]);
    const groups = groupReportFindings([prod, again, staging], 'check');
    assert.deepStrictEqual(groups.map((g) => [g.kind, g.name]), [['account', '111111111111'], ['account', '222222222222']]);
    assert.deepStrictEqual(groups[0]!.children.map((g) => [g.kind, g.id]), [
      ['report', 'account:111111111111/report:111111111111'],
      ['report', 'account:111111111111/report:prod-again'],
    ]);
    assert.strictEqual(groups[0]!.count, 3);
  });

  it('a report of no known account is its own account group beside the others', () => {
    const unknown = report('pasted', null, [finding({ user: 'someone' })]);
    const groups = groupReportFindings([prod, unknown], 'check');
    assert.deepStrictEqual(groups.map((g) => g.name).sort(), [UNKNOWN_ACCOUNT, '111111111111'].sort());
  });

  it('counts leave out suppressed findings at the account level too', () => {
    const suppressed = report('444444444444', '444444444444', [finding({ user: 'svc', suppressed: { reason: 'service', expires: null } })]);
    const groups = groupReportFindings([prod, suppressed], 'check');
    const account = groups.find((g) => g.name === '444444444444')!;
    assert.deepStrictEqual([account.count, account.suppressedCount], [0, 1]);
  });
});
