import * as assert from 'assert';
import { loadBundledPolicies } from '../../../../src/core/checks/catalog';
import { DEFAULT_SETTINGS, SettingsProblem, settingsVocabulary, validateSettings } from '../../../../src/extension/logic/editorSettings';

/** The problem about one setting, asserting there is exactly one. */
function problemOf(problems: SettingsProblem[], setting: string): SettingsProblem {
  const matching = problems.filter((problem) => problem.setting === setting);
  assert.strictEqual(matching.length, 1, `expected one problem for ${setting}, got: ${problems.map((problem) => problem.message).join(' | ')}`);
  return matching[0]!;
}

describe('editor settings', () => {
  // The real catalog: the ids and frameworks the settings may name are the bundled checks' METADATA, not a copy.
  const vocabulary = settingsVocabulary(loadBundledPolicies().checks);

  it('uses the defaults when nothing is set', () => {
    const { settings, problems } = validateSettings({}, vocabulary);
    assert.deepStrictEqual(settings, DEFAULT_SETTINGS);
    assert.deepStrictEqual(problems, []);
  });

  it('keeps valid values', () => {
    const { settings, problems } = validateSettings(
      {
        'thresholds.unusedCredentialDays': 90,
        'thresholds.rootRecentUseDays': 0,
        evaluationTime: 'reportGeneratedTime',
        severityFilter: 'high',
        enabledChecks: ['root-mfa', ' root-mfa ', '', 'user-mfa'],
        disabledChecks: ['two-active-keys'],
        framework: 'securityhub',
        'fetch.endpointUrl': 'http://127.0.0.1:5000',
        opaPath: '/usr/local/bin/opa',
      },
      vocabulary,
    );
    assert.deepStrictEqual(problems, []);
    assert.strictEqual(settings.thresholds.unusedCredentialDays, 90);
    assert.strictEqual(settings.thresholds.rootRecentUseDays, 0);
    assert.strictEqual(settings.evaluationTime, 'reportGeneratedTime');
    assert.strictEqual(settings.severityFilter, 'high');
    assert.deepStrictEqual(settings.enabledChecks, ['root-mfa', 'user-mfa']);
    assert.deepStrictEqual(settings.disabledChecks, ['two-active-keys']);
    assert.strictEqual(settings.framework, 'securityhub');
    assert.strictEqual(settings.fetchEndpointUrl, 'http://127.0.0.1:5000');
    assert.strictEqual(settings.opaPath, '/usr/local/bin/opa');
  });

  it('rejects bad values one by one, naming the setting and the value, and falls back to the default', () => {
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
      assert.ok(problems.some((problem) => problem.message.includes(key)), `no problem names ${key}: ${problems.map((problem) => problem.message).join(' | ')}`);
    }
  });

  it('rejects an unknown check id in enabledChecks instead of running no check at all, suggesting the closest id', () => {
    const { settings, problems } = validateSettings({ enabledChecks: ['typo'] }, vocabulary);
    assert.deepStrictEqual(settings.enabledChecks, DEFAULT_SETTINGS.enabledChecks, 'the default (every default check) runs');
    const problem = problemOf(problems, 'credcheck.enabledChecks');
    assert.deepStrictEqual(problem.value, ['typo']);
    assert.match(problem.message, /credcheck\.enabledChecks/);
    assert.match(problem.message, /"typo"/);
    // "typo" is near no check id: no hint, but the message lists the valid ids.
    assert.match(problem.message, /the ids are access-key-rotation, .*user-mfa/);
    assert.match(problem.message, /using the default \[\]/);
  });

  it('names the closest real id for a near miss, and rejects the whole list when one id is unknown', () => {
    const { settings, problems } = validateSettings({ enabledChecks: ['root-mfa', 'acess-key-rotation'] }, vocabulary);
    assert.deepStrictEqual(settings.enabledChecks, [], 'no guessed subset runs');
    assert.match(problemOf(problems, 'credcheck.enabledChecks').message, /"acess-key-rotation" \(did you mean "access-key-rotation"\?\)/);
    // The ids the old setting description named do not exist.
    assert.match(problemOf(validateSettings({ enabledChecks: ['IAMCR.ROOT.MFA'] }, vocabulary).problems, 'credcheck.enabledChecks').message, /IAMCR\.ROOT\.MFA/);
  });

  it('rejects an unknown id in disabledChecks too', () => {
    const { settings, problems } = validateSettings({ disabledChecks: ['root-mfa', 'user_mfa'] }, vocabulary);
    assert.deepStrictEqual(settings.disabledChecks, DEFAULT_SETTINGS.disabledChecks);
    assert.match(problemOf(problems, 'credcheck.disabledChecks').message, /"user_mfa" \(did you mean "user-mfa"\?\)/);
  });

  it('rejects an unknown framework (an inherited property name included) with the closest one', () => {
    for (const [value, closest] of [
      ['constructor', null],
      ['cis-50', 'cis-5.0'],
      ['toString', null],
    ] as const) {
      const { settings, problems } = validateSettings({ framework: value }, vocabulary);
      assert.strictEqual(settings.framework, DEFAULT_SETTINGS.framework, value);
      const problem = problemOf(problems, 'credcheck.framework');
      assert.strictEqual(problem.value, value);
      assert.match(problem.message, /unknown framework/);
      if (closest) assert.match(problem.message, new RegExp(`did you mean "${closest.replace(/[.]/g, "\\.")}"[ ?]`), problem.message);
    }
  });

  it('rejects absurd thresholds: huge, fractional, negative, not finite', () => {
    const cases: [string, unknown][] = [
      ['thresholds.unusedCredentialDays', 1e308],
      ['thresholds.unusedCredentialDays', 45.5],
      ['thresholds.accessKeyRotationDays', -5],
      ['thresholds.passwordRotationDays', 0],
      ['thresholds.rootRecentUseDays', 36_501],
      ['thresholds.initialKeySetupSeconds', 86_401],
      ['thresholds.initialKeySetupSeconds', Number.POSITIVE_INFINITY],
    ];
    for (const [key, value] of cases) {
      const { settings, problems } = validateSettings({ [key]: value }, vocabulary);
      const name = key.split('.')[1] as keyof typeof settings.thresholds;
      assert.strictEqual(settings.thresholds[name], DEFAULT_SETTINGS.thresholds[name], `${key} = ${value} is not applied`);
      const problem = problemOf(problems, `credcheck.${key}`);
      assert.strictEqual(problem.value, value);
      assert.match(problem.message, /expected a whole number from \d+ to \d+; using the default \d+ instead/);
    }
    // The edges stay valid.
    assert.deepStrictEqual(validateSettings({ 'thresholds.unusedCredentialDays': 36_500, 'thresholds.initialKeySetupSeconds': 0 }, vocabulary).problems, []);
  });
});
