import * as assert from 'assert';
import { DEFAULT_SETTINGS, validateSettings } from '../../../../src/extension/logic/editorSettings';

describe('editor settings', () => {
  it('uses the defaults when nothing is set', () => {
    const { settings, problems } = validateSettings({});
    assert.deepStrictEqual(settings, DEFAULT_SETTINGS);
    assert.deepStrictEqual(problems, []);
  });

  it('keeps valid values', () => {
    const { settings, problems } = validateSettings({
      'thresholds.unusedCredentialDays': 90,
      evaluationTime: 'reportGeneratedTime',
      severityFilter: 'high',
      enabledChecks: ['root-mfa', ' root-mfa ', ''],
      'fetch.endpointUrl': 'http://127.0.0.1:5000',
      opaPath: '/usr/local/bin/opa',
    });
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(settings.thresholds.unusedCredentialDays, 90);
    assert.strictEqual(settings.evaluationTime, 'reportGeneratedTime');
    assert.strictEqual(settings.severityFilter, 'high');
    assert.deepStrictEqual(settings.enabledChecks, ['root-mfa']);
    assert.strictEqual(settings.fetchEndpointUrl, 'http://127.0.0.1:5000');
    assert.strictEqual(settings.opaPath, '/usr/local/bin/opa');
  });

  it('rejects bad values one by one, naming the setting, and falls back to the default', () => {
    const { settings, problems } = validateSettings({
      'thresholds.accessKeyRotationDays': '90',
      'thresholds.rootRecentUseDays': -1,
      severityFilter: 'urgent',
      policyFolders: ['policies', '../elsewhere', '/etc'],
      'fetch.endpointUrl': 'ftp://x',
      disabledChecks: 'root-mfa',
    });
    assert.strictEqual(settings.thresholds.accessKeyRotationDays, 90);
    assert.strictEqual(settings.thresholds.rootRecentUseDays, 90);
    assert.strictEqual(settings.severityFilter, 'info');
    assert.deepStrictEqual(settings.policyFolders, ['policies']);
    assert.strictEqual(settings.fetchEndpointUrl, null);
    assert.deepStrictEqual(settings.disabledChecks, []);
    for (const key of ['accessKeyRotationDays', 'rootRecentUseDays', 'severityFilter', '../elsewhere', '/etc', 'endpointUrl', 'disabledChecks']) {
      assert.ok(problems.some((problem) => problem.includes(key)), `no problem names ${key}: ${problems.join(' | ')}`);
    }
  });
});
