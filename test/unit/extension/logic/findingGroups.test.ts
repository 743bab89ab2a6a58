import * as assert from 'assert';
import { countBySeverity, findingKey, groupFindings, highestSeverity, passesSeverityFilter, severityRank } from '../../../../src/extension/logic/findingGroups';
import { Finding } from '../../../../src/core/model';

function finding(overrides: Partial<Finding>): Finding {
  return {
    check: 'root-mfa', status: 'fail', severity: 'medium', user: 'alice', arn: null, key: null, file: 'r.csv', line: 2,
    column: 'mfa_active', message: 'm', account: null, ...overrides,
  };
}

describe('finding groups', () => {
  const findings = [
    finding({ check: 'console-user-mfa', severity: 'high', user: 'bob', line: 3 }),
    finding({ check: 'access-key-rotation', severity: 'medium', user: 'bob', key: 2, line: 3 }),
    finding({ check: 'access-key-rotation', severity: 'medium', user: 'bob', key: 1, line: 3 }),
    finding({ check: 'access-key-rotation', severity: 'medium', user: 'alice', key: 1, line: 2 }),
    finding({ check: 'password-rotation', severity: 'low', user: 'carol', line: 4, suppressed: { reason: 'service', expires: null } }),
  ];

  it('groups by check then user, most severe check first, with counts that leave out suppressed findings', () => {
    const groups = groupFindings(findings, 'check');
    assert.deepStrictEqual(groups.map((g) => [g.name, g.severity, g.count, g.suppressedCount]), [
      ['console-user-mfa', 'high', 1, 0],
      ['access-key-rotation', 'medium', 3, 0],
      ['password-rotation', 'low', 0, 1],
    ]);
    const rotation = groups[1]!;
    assert.deepStrictEqual(rotation.children.map((g) => [g.kind, g.name, g.count]), [['user', 'alice', 1], ['user', 'bob', 2]]);
    // Keys in order inside a user.
    assert.deepStrictEqual(rotation.children[1]!.findings.map((f) => f.finding.key), [1, 2]);
  });

  it('groups by user then check', () => {
    const groups = groupFindings(findings, 'user');
    const bob = groups.find((g) => g.name === 'bob')!;
    assert.strictEqual(bob.kind, 'user');
    assert.strictEqual(bob.severity, 'high');
    assert.deepStrictEqual(bob.children.map((g) => [g.name, g.count]), [['console-user-mfa', 1], ['access-key-rotation', 2]]);
    assert.strictEqual(groups[0]!.name, 'bob', 'the user with the most severe finding comes first');
  });

  it('gives every node an id unique in the tree and stable across regrouping runs', () => {
    const ids = (order: 'check' | 'user') => {
      const all: string[] = [];
      for (const group of groupFindings(findings, order)) {
        all.push(group.id);
        for (const child of group.children) all.push(child.id, ...child.findings.map((f) => f.id));
      }
      return all;
    };
    const first = ids('check');
    assert.strictEqual(new Set(first).size, first.length);
    assert.deepStrictEqual(ids('check'), first);
    assert.notStrictEqual(findingKey(findings[1]!), findingKey(findings[2]!), 'two keys of one user are two findings');
  });

  it('ranks and filters severities', () => {
    assert.ok(severityRank('critical') < severityRank('info'));
    assert.strictEqual(highestSeverity(['low', 'high', 'medium']), 'high');
    assert.strictEqual(highestSeverity([]), 'info');
    assert.strictEqual(passesSeverityFilter(finding({ severity: 'low' }), 'medium'), false);
    assert.strictEqual(passesSeverityFilter(finding({ severity: 'high' }), 'medium'), true);
    assert.strictEqual(passesSeverityFilter(finding({ severity: 'medium' }), 'medium'), true);
  });

  it('counts unsuppressed findings by severity', () => {
    assert.deepStrictEqual(countBySeverity(findings), { critical: 0, high: 1, medium: 3, low: 0, info: 0 });
  });
});
