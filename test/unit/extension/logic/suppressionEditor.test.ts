import * as assert from 'assert';
import { addSuppression, expiryAfterDays } from '../../../../src/extension/logic/suppressionEditor';
import { parseSuppressions } from '../../../../src/core/run/suppressions';

describe('suppression editor', () => {
  it('creates a valid file from nothing', () => {
    const text = addSuppression('', { check: 'root-mfa', user: '<root_account>', key: null, reason: 'break-glass account', expires: '2027-01-31' }, 's.yaml');
    const parsed = parseSuppressions(text, 's.yaml');
    assert.strictEqual(parsed.length, 1);
    assert.deepStrictEqual({ ...parsed[0], line: 0 }, { check: 'root-mfa', user: '<root_account>', key: null, reason: 'break-glass account', expires: '2027-01-31', file: 's.yaml', line: 0 });
  });

  it('appends to an existing file and keeps its comments', () => {
    const existing = '# owned by the security team\nsuppressions:\n  - check: two-active-keys\n    user: ci-*\n    reason: rotation in progress # SEC-1\n';
    const text = addSuppression(existing, { check: 'access-key-rotation', user: 'bob', key: 2, reason: 'vaulted', expires: null }, 's.yaml');
    assert.ok(text.includes('# owned by the security team'));
    assert.ok(text.includes('# SEC-1'));
    const parsed = parseSuppressions(text, 's.yaml');
    assert.deepStrictEqual(parsed.map((s) => [s.check, s.user, s.key, s.expires]), [['two-active-keys', 'ci-*', null, null], ['access-key-rotation', 'bob', 2, null]]);
  });

  it('refuses to extend a broken file or to write an entry without a reason', () => {
    assert.throws(() => addSuppression('suppressions:\n  - check: x\n', { check: 'a', user: 'b', key: null, reason: 'r', expires: null }, 's.yaml'), /needs "user"|user/);
    assert.throws(() => addSuppression('', { check: 'a', user: 'b', key: null, reason: '  ', expires: null }, 's.yaml'), /reason/);
    assert.throws(() => addSuppression('', { check: 'a', user: 'b', key: null, reason: 'r', expires: '31/12/2027' }, 's.yaml'), /YYYY-MM-DD/);
    assert.throws(() => addSuppression('', { check: 'a', user: 'b', key: null, reason: 'r', expires: '2027-02-30' }, 's.yaml'), /YYYY-MM-DD/);
  });

  it('computes expiry dates in UTC', () => {
    assert.strictEqual(expiryAfterDays(new Date('2026-12-20T23:30:00Z'), 30), '2027-01-19');
  });

  it('quotes every text it writes, so a hostile user name stays one string', () => {
    const hostile = ['yes', 'null', '2024-01-01', '0x1F', 'a: b', '- x', "alice'\nreason: injected", '#comment', '&anchor', '!!python/object x', '"quoted"', 'line\nbreak', ' padded '];
    let text = '';
    for (const user of hostile) text = addSuppression(text, { check: 'user-mfa', user, key: null, reason: `because: ${user}`, expires: '2027-01-31' }, 's.yaml');
    const parsed = parseSuppressions(text, 's.yaml');
    assert.deepStrictEqual(parsed.map((s) => [s.user, s.reason, s.expires]), hostile.map((user) => [user, `because: ${user}`.trim(), '2027-01-31']));
    const last = text.trimEnd().split('\n').slice(-4);
    assert.deepStrictEqual(last.map((line) => /^\s*(- )?(check|user|reason|expires): "/.test(line)), [true, true, true, true], last.join('\n'));
  });

  it('refuses a user name that the file would read as a pattern', () => {
    for (const user of ['*', 'ci-*', 'a?c']) {
      assert.throws(() => addSuppression('', { check: 'user-mfa', user, key: null, reason: 'r', expires: null }, 's.yaml'), /holds \* or \?/);
    }
  });
});
