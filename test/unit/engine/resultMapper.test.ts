import * as assert from 'node:assert/strict';
import { CheckMetadata, describePackage, mapPackageResult } from '../../../src/core/engine/resultMapper';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';
import { closestNames } from '../../../src/core/text/closestNames';
import { reportText, userLine } from '../report/reportText';

const parsed = parseReport(reportText(userLine(), userLine({ user: 'bob', arn: 'arn:aws:iam::111122223333:user/bob' })), 'report.csv');
const input = normalizeReport(parsed, new Date('2024-06-01T00:00:00Z'));
const metadata: CheckMetadata = { id: 'custom-check', severity: 'medium', custom: {}, file: 'policies/custom.rego', line: 1 };
const rules = [{ package: 'custom/check', name: 'deny', file: 'policies/custom.rego', line: 7 }];

function map(results: unknown[], meta: CheckMetadata = metadata) {
  return mapPackageResult({ deny: results }, { packagePath: 'custom.check', metadata: meta, rules, input, parsed });
}

describe('result contract at run time (resultMapper)', () => {
  it('places a finding on its user and column when both exist', () => {
    const { findings, problems } = map([{ msg: 'no MFA', user: 'bob', field: 'mfa_active' }]);
    assert.deepEqual(problems, []);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.line, 3);
    assert.equal(findings[0]!.column, 'mfa_active');
    assert.equal(findings[0]!.location!.startColumn, parsed.rows[1]!.locations.mfa_active!.startColumn);
  });

  it('a field that is no column is a located problem with a suggestion, never a finding on column 1', () => {
    const { findings, problems } = map([{ msg: 'typo', user: 'bob', field: 'mfa_actve' }]);
    assert.deepEqual(findings, []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, 'policies/custom.rego');
    assert.equal(problems[0]!.line, 7);
    assert.match(problems[0]!.message, /field "mfa_actve" is not a column .*did you mean mfa_active\?/);
  });

  it('field "__proto__" is a problem, not a finding at NaN', () => {
    const { findings, problems } = map([{ msg: 'x', user: 'bob', field: '__proto__' }]);
    assert.deepEqual(findings, []);
    assert.match(problems[0]!.message, /field "__proto__" is not a column/);
  });

  it('a user who is not in the report is a problem naming the report, not a finding on line 1', () => {
    const { findings, problems } = map([{ msg: 'ghost', user: 'bobb' }]);
    assert.deepEqual(findings, []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /user "bobb" is not a user of report\.csv \(did you mean "bob"\?\)/);
  });

  it('a line that is not a user row (negative, header, past the end) is a problem', () => {
    for (const line of [-1, 1, 99]) {
      const { findings, problems } = map([{ msg: 'x', line }]);
      assert.deepEqual(findings, [], `line ${line}`);
      assert.match(problems[0]!.message, new RegExp(`line ${line} is not the line of a user row`));
    }
  });

  it('a finding about no user (account level) is still a finding', () => {
    const { findings, problems } = map([{ msg: 'account wide' }]);
    assert.deepEqual(problems, []);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.user, null);
  });

  it('a METADATA severity that is not documented (urgent) is a located problem, not silently medium', () => {
    const described = describePackage('custom/check', {
      annotations: [{ path: 'custom/check', scope: 'package', custom: { id: 'c', severity: 'urgent' }, file: 'policies/custom.rego', line: 2 }],
      rules,
    });
    const { findings, problems } = map([{ msg: 'x', user: 'bob' }], described);
    assert.equal(findings.length, 1);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.line, 2);
    assert.match(problems[0]!.message, /custom\.severity must be one of critical, high, medium, low, info, got a string \("urgent"\)/);
  });
});

describe('closestNames', () => {
  it('suggests by edit distance with transpositions, case-insensitively, and nothing for far names', () => {
    assert.deepEqual(closestNames('mfa_actvie', ['mfa_active', 'user', 'arn']), ['mfa_active']);
    assert.deepEqual(closestNames('MFA_ACTIVE', ['mfa_active']), ['mfa_active']);
    assert.deepEqual(closestNames('zzzzzz', ['mfa_active', 'user']), []);
  });
});
