import * as assert from 'node:assert/strict';
import { buildComplianceView, knownFrameworks } from '../../../src/core/checks/compliance';
import { CATALOG, FINDINGS } from '../output/outputContext';

describe('compliance view', () => {
  it('lists the frameworks the catalog maps to', () => {
    assert.deepEqual(knownFrameworks(CATALOG), ['cis-3.0', 'securityhub']);
  });

  it('labels findings with the framework controls and summarises pass/fail per control', () => {
    const view = buildComplianceView('securityhub', FINDINGS, CATALOG);
    assert.deepEqual(view.findings.map((f) => f.controls ?? null), [['IAM.4'], ['IAM.5'], ['IAM.5'], null, null, null]);
    assert.deepEqual(view.controls.map((c) => [c.control, c.status, c.failing, c.suppressed]), [
      ['IAM.4', 'fail', 1, 0],
      ['IAM.5', 'fail', 1, 1],
    ]);
    // Only suppressed failures: the control passes.
    const onlySuppressed = buildComplianceView('securityhub', FINDINGS.filter((f) => f.suppressed), CATALOG);
    assert.deepEqual(onlySuppressed.controls.map((c) => [c.control, c.status]), [['IAM.4', 'pass'], ['IAM.5', 'pass']]);
  });
});
