import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { DEFAULT_SETTINGS, MAX_INITIAL_KEY_SETUP_SECONDS, MAX_THRESHOLD_DAYS, RESTRICTED_SETTING_KEYS, SETTING_KEYS, settingsVocabulary } from '../../../src/extension/logic/editorSettings';

interface SettingSchema {
  default?: unknown;
  enum?: string[];
  items?: { enum?: string[] };
  minimum?: number;
  maximum?: number;
  description?: string;
  markdownDescription?: string;
}

/** The settings the extension declares (package.json contributes.configuration) against what it validates. */
describe('settings declared in package.json', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, SettingSchema> } };
    capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations?: string[] } };
  };
  const properties = manifest.contributes.configuration.properties;
  const vocabulary = settingsVocabulary(loadBundledPolicies().checks);

  it('declares every validated setting and no other', () => {
    assert.deepStrictEqual(Object.keys(properties).sort(), SETTING_KEYS.map((key) => `credcheck.${key}`).sort());
  });

  it('names only check ids that exist, in descriptions and in the id lists', () => {
    for (const [name, schema] of Object.entries(properties)) {
      const text = `${schema.description ?? ''} ${schema.markdownDescription ?? ''}`;
      // Backticked words shaped like a check id (lower-case words joined by dashes), or the old upper-case style.
      for (const [, word] of text.matchAll(/`([A-Za-z]+(?:[.-][A-Za-z0-9_]+)+)`/g)) {
        if (/^cis-|^aws-config$|^securityhub$/.test(word!)) continue;
        assert.ok(vocabulary.checkIds.includes(word!), `${name} names ${word}, which is not a check id (${vocabulary.checkIds.join(', ')})`);
      }
    }
    for (const name of ['credcheck.enabledChecks', 'credcheck.disabledChecks']) {
      assert.deepStrictEqual([...(properties[name]!.items?.enum ?? [])].sort(), [...vocabulary.checkIds].sort(), `${name} items.enum`);
    }
  });

  it('offers exactly the frameworks the checks map to, and the same defaults and bounds as the validation', () => {
    assert.deepStrictEqual([...(properties['credcheck.framework']!.enum ?? [])].sort(), [...vocabulary.frameworks].sort());
    assert.strictEqual(properties['credcheck.framework']!.default, DEFAULT_SETTINGS.framework);
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS.thresholds)) {
      const schema = properties[`credcheck.thresholds.${key}`]!;
      assert.strictEqual(schema.default, value, key);
      assert.strictEqual(schema.maximum, key.endsWith('Seconds') ? MAX_INITIAL_KEY_SETUP_SECONDS : MAX_THRESHOLD_DAYS, key);
    }
  });

  it('keeps the workspace from setting what runs, what is read and where files go until it is trusted', () => {
    // Without restrictedConfigurations a repository's .vscode/settings.json applies in an untrusted workspace.
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
    assert.deepStrictEqual([...restricted].sort(), RESTRICTED_SETTING_KEYS.map((key) => `credcheck.${key}`).sort());
    for (const name of ['credcheck.suppressionsFile', 'credcheck.enabledChecks', 'credcheck.disabledChecks', 'credcheck.policyFolders', 'credcheck.thresholds.accessKeyRotationDays', 'credcheck.severityFilter']) {
      assert.ok(restricted.includes(name), name);
    }
  });
});
