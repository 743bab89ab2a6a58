import * as assert from 'node:assert/strict';
import { Finding } from '../../../src/core/model';
import { applySuppressions, parseSuppressions, SuppressionFileError } from '../../../src/core/run/suppressions';

function finding(check: string, user: string, key: 1 | 2 | null = null, status: Finding['status'] = 'fail'): Finding {
  return { check, status, severity: 'medium', user, arn: null, key, file: 'r.csv', line: 2, column: null, message: `${check} ${user}`, account: null };
}

const FILE = `suppressions:
  - check: access-key-rotation
    user: "ci-*"
    key: 2
    reason: rotated by the vault
  - check: console-user-mfa
    user: alice
    reason: SSO only
    expires: 2024-05-31
  - check: two-active-keys
    user: nobody
    reason: stale entry
`;

describe('suppressions', () => {
  it('parses entries with their lines', () => {
    const entries = parseSuppressions(FILE, 's.yaml');
    assert.deepEqual(entries.map((e) => [e.check, e.user, e.key, e.expires, e.line]), [
      ['access-key-rotation', 'ci-*', 2, null, 2],
      ['console-user-mfa', 'alice', null, '2024-05-31', 6],
      ['two-active-keys', 'nobody', null, null, 10],
    ]);
    assert.deepEqual(parseSuppressions('- check: a\n  user: b\n  reason: c\n', 'list.yaml').map((e) => e.check), ['a']);
    assert.deepEqual(parseSuppressions('', 'empty.yaml'), []);
  });

  for (const [text, expected] of [
    ['suppressions:\n  - check: a\n    user: b\n', 's.yaml:2:5: a suppression needs "reason"'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    key: 3\n', 's.yaml:5:10: "key" must be 1 or 2'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    expires: soon\n', 's.yaml:5:14: "expires" must be a date (YYYY-MM-DD), got "soon"'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    owner: me\n', 's.yaml:5:5: unknown field "owner" (expected check, user, key, reason, expires)'],
    ['suppressions: 3\n', 's.yaml:1:1: expected a list of suppressions (under a "suppressions:" key)'],
    ['suppressions:\n  - check: [a\n', 's.yaml:3:1'],
  ] as const) {
    it(`locates a malformed file: ${expected}`, () => {
      assert.throws(() => parseSuppressions(text, 's.yaml'), (error: unknown) => error instanceof SuppressionFileError && error.message.startsWith(expected));
    });
  }

  it('marks matching findings suppressed by check, user glob and key; reports expired and unused entries', () => {
    const entries = parseSuppressions(FILE, 's.yaml');
    const input = [
      finding('access-key-rotation', 'ci-deploy', 2),
      finding('access-key-rotation', 'ci-deploy', 1),
      finding('access-key-rotation', 'deploy-ci', 2),
      finding('console-user-mfa', 'alice'),
    ];
    const before = applySuppressions(input, entries, new Date('2024-05-31T23:59:59Z'));
    assert.deepEqual(before.filter((f) => f.suppressed).map((f) => [f.check, f.user, f.key]), [
      ['access-key-rotation', 'ci-deploy', 2],
      ['console-user-mfa', 'alice', null],
    ]);
    assert.deepEqual(before.filter((f) => f.check === 'suppression').map((f) => [f.status, f.line, f.message]), [
      ['warn', 10, 'suppression of two-active-keys for nobody matched no finding; remove it'],
    ]);
    // The day after the expiry date the entry no longer applies and is reported.
    const after = applySuppressions(input, entries, new Date('2024-06-01T00:00:00Z'));
    assert.equal(after.find((f) => f.check === 'console-user-mfa')!.suppressed, undefined);
    assert.ok(after.some((f) => f.check === 'suppression' && f.line === 6 && /expired on 2024-05-31/.test(f.message)));
  });
});
