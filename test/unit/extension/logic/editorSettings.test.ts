import * as assert from 'assert';
import { loadBundledPolicies } from '../../../../src/core/checks/catalog';
import { DEFAULT_SETTINGS, RESTRICTED_SETTING_KEYS, SETTING_KEYS, SettingsProblem, settingsVocabulary, validateSettings, withoutUntrustedWorkspaceValues } from '../../../../src/extension/logic/editorSettings';
import { settingsInFile } from '../../../../src/extension/logic/workspaceSettingsFile';

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

describe('settings of an untrusted workspace', () => {
  it('rejects a suppressions file outside the workspace folder, as it does policy folders', () => {
    for (const value of ['../../.bashrc', '/home/me/.profile', 'C:\\Users\\me\\x.yaml', 'a/../../b.yaml']) {
      const { settings, problems } = validateSettings({ suppressionsFile: value });
      assert.strictEqual(settings.suppressionsFile, DEFAULT_SETTINGS.suppressionsFile, value);
      assert.match(problemOf(problems, 'credcheck.suppressionsFile').message, /^credcheck\.suppressionsFile is .*: not inside the workspace folder \((it is an absolute path|it climbs out of the workspace folder with "\.\.")\); using the default ".credcheck\/suppressions.yaml" instead$/);
    }
    assert.strictEqual(validateSettings({ suppressionsFile: 'audit/../s.yaml' }).settings.suppressionsFile, 'audit/../s.yaml');
  });

  it('restricts every setting that decides what runs, is shown, is read or is written; leaves the framework', () => {
    assert.deepStrictEqual([...SETTING_KEYS].filter((key) => !RESTRICTED_SETTING_KEYS.includes(key)), ['framework']);
  });

  it('drops the workspace values of restricted settings for the user value or the default, and names where they were set', () => {
    const raw = { enabledChecks: ['root-mfa'], suppressionsFile: '../x.yaml', framework: 'cis-1.4', 'thresholds.accessKeyRotationDays': 3650, severityFilter: 'critical' };
    const { raw: kept, problems } = withoutUntrustedWorkspaceValues(
      raw,
      {
        enabledChecks: { workspaceValue: ['root-mfa'] },
        suppressionsFile: { workspaceFolderValue: '../x.yaml' },
        framework: { workspaceValue: 'cis-1.4' },
        'thresholds.accessKeyRotationDays': { workspaceValue: 3650, globalValue: 30 },
      },
      [{ key: 'severityFilter', location: '.vscode/settings.json:4' }, { key: 'framework', location: '.vscode/settings.json:5' }],
    );
    assert.deepStrictEqual(kept, { enabledChecks: undefined, suppressionsFile: undefined, framework: 'cis-1.4', 'thresholds.accessKeyRotationDays': 30, severityFilter: 'critical' });
    const { settings } = validateSettings(kept);
    assert.deepStrictEqual([settings.enabledChecks, settings.suppressionsFile, settings.thresholds.accessKeyRotationDays], [[], DEFAULT_SETTINGS.suppressionsFile, 30]);
    assert.deepStrictEqual(problems.map((problem) => problem.setting).sort(), ['credcheck.enabledChecks', 'credcheck.severityFilter', 'credcheck.suppressionsFile', 'credcheck.thresholds.accessKeyRotationDays']);
    assert.strictEqual(
      problemOf(problems, 'credcheck.severityFilter').message,
      'credcheck.severityFilter is set by this workspace (.vscode/settings.json:4), which is not trusted: that value is ignored until you trust the workspace; your user setting or the default is used',
    );
    assert.match(problemOf(problems, 'credcheck.suppressionsFile').message, /\(the workspace folder settings\)/);
  });

  it('finds the credcheck settings a settings file sets, flat, nested, per language, with comments', () => {
    const text = `{
  // the repository's choice
  "credcheck.suppressionsFile": "../../.bashrc",
  "editor.tabSize": 2,
  "credcheck": { "disabledChecks": ["root-mfa"], "thresholds": { "accessKeyRotationDays": 9999 } },
  "credcheck.fetch": { "endpointUrl": "http://evil" },
  "[csv]": { "credcheck.severityFilter": "critical", },
}`;
    assert.deepStrictEqual(settingsInFile(text, '.vscode/settings.json'), [
      { key: 'suppressionsFile', location: '.vscode/settings.json:3' },
      { key: 'disabledChecks', location: '.vscode/settings.json:5' },
      { key: 'thresholds.accessKeyRotationDays', location: '.vscode/settings.json:5' },
      { key: 'fetch.endpointUrl', location: '.vscode/settings.json:6' },
      { key: 'severityFilter', location: '.vscode/settings.json:7' },
    ]);
    assert.deepStrictEqual(settingsInFile('{"folders": [], "settings": {\n"credcheck.opaPath": "/tmp/opa"}}', 'w.code-workspace', 'settings'), [{ key: 'opaPath', location: 'w.code-workspace:2' }]);
    assert.deepStrictEqual(settingsInFile('not json', 'x.json'), []);
  });
});
