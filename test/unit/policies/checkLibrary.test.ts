// Pins the conventions the engine, the catalog and the compliance view rely on for the bundled checks: one package per
// file with its test beside it, package METADATA with the custom fields, framework mappings as strings, parameter
// defaults that agree with policies/credcheck/lib, and one documentation page per check. Reads the sources directly (no opa).
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const REPO = join(__dirname, '../../../..');
const CHECKS = join(REPO, 'policies/credcheck/checks');

/** The check ids of the semantics table in issue 4, with the statuses each may produce. */
const EXPECTED: Record<string, string[]> = {
  'root-access-key': ['deny'],
  'root-mfa': ['deny', 'skip'],
  'root-hardware-mfa': ['deny', 'skip'],
  'root-recent-use': ['deny'],
  'console-user-mfa': ['deny'],
  'unused-password': ['deny'],
  'unused-access-key': ['deny'],
  'access-key-rotation': ['deny'],
  'password-rotation': ['deny'],
  'console-and-access-keys': ['deny'],
  'initial-access-key': ['deny', 'warn'],
  'two-active-keys': ['deny'],
  'user-mfa': ['deny'],
  'inactive-access-key': ['info'],
  'active-signing-certificate': ['info'],
};
const FRAMEWORKS = ['cis-1.2', 'cis-1.3', 'cis-1.4', 'cis-1.5', 'cis-2.0', 'cis-3.0', 'cis-4.0', 'cis-5.0', 'cis-6.0', 'cis-7.0', 'securityhub', 'aws-config'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

interface CheckSource {
  file: string;
  source: string;
  packageName: string;
  metadata: Record<string, unknown>;
}

/** The YAML of the `# METADATA` comment block right above the package line. */
function packageMetadata(source: string): Record<string, unknown> {
  const lines = source.split('\n');
  const packageIndex = lines.findIndex((line) => line.startsWith('package '));
  const start = lines.lastIndexOf('# METADATA', packageIndex);
  assert.ok(start >= 0, 'no METADATA block above the package line');
  const yamlText = lines.slice(start + 1, packageIndex).map((line) => line.replace(/^# ?/, '')).join('\n');
  return parse(yamlText) as Record<string, unknown>;
}

/** Every policy (not test) file of policies/credcheck/checks, as `<folder>/<file>`: one folder per check package. */
function readChecks(): CheckSource[] {
  return readdirSync(CHECKS, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? readdirSync(join(CHECKS, entry.name)).map((name) => `${entry.name}/${name}`) : [entry.name]))
    .filter((name) => name.endsWith('.rego') && !name.endsWith('_test.rego'))
    .sort()
    .map((name) => {
      const source = readFileSync(join(CHECKS, name), 'utf8');
      return { file: name, source, packageName: /^package\s+([\w.]+)/m.exec(source)![1]!, metadata: packageMetadata(source) };
    });
}

/** default_params of policies/credcheck/lib/lib.rego, read from its source. */
function libraryDefaults(): Record<string, number> {
  const source = readFileSync(join(REPO, 'policies/credcheck/lib/lib.rego'), 'utf8');
  const block = /default_params := \{([^}]*)\}/.exec(source)![1]!;
  return Object.fromEntries([...block.matchAll(/"(\w+)":\s*([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

describe('bundled check library', () => {
  const checks = readChecks();
  const custom = (check: CheckSource) => check.metadata.custom as Record<string, unknown>;

  it('has exactly the checks of the semantics table, one package per file named after the id, in a folder named after the package', () => {
    assert.deepEqual(checks.map((c) => custom(c).id).sort(), Object.keys(EXPECTED).sort());
    for (const check of checks) {
      const id = custom(check).id as string;
      assert.equal(check.file, `${id.replace(/-/g, '_')}/${id.replace(/-/g, '_')}.rego`);
      assert.equal(check.packageName, `credcheck.checks.${id.replace(/-/g, '_')}`);
    }
  });

  it('has a test file beside every check, in the _test package', () => {
    for (const check of checks) {
      const testFile = join(CHECKS, check.file.replace('.rego', '_test.rego'));
      assert.ok(existsSync(testFile), `${check.file} has no test`);
      assert.match(readFileSync(testFile, 'utf8'), new RegExp(`^package ${check.packageName.replace(/\./g, '\\.')}_test$`, 'm'));
    }
  });

  it('produces only the statuses the table gives each check', () => {
    for (const check of checks) {
      const rules = [...new Set([...check.source.matchAll(/^(deny|violation|warn|info|skip)\w* contains/gm)].map((m) => m[1]))].sort();
      assert.deepEqual(rules, [...EXPECTED[custom(check).id as string]!].sort(), check.file);
    }
  });

  it('declares title, description, related resources, severity, remediation with AWS CLI commands', () => {
    for (const check of checks) {
      const { title, description, related_resources: related } = check.metadata as Record<string, unknown>;
      assert.ok(typeof title === 'string' && title.length > 0, check.file);
      assert.ok(typeof description === 'string' && description.length > 40, check.file);
      assert.ok(Array.isArray(related) && related.length > 0, check.file);
      for (const resource of related as { ref: string }[]) assert.match(resource.ref, /^https:\/\//, check.file);
      assert.ok(SEVERITIES.includes(custom(check).severity as string), check.file);
      assert.match(custom(check).remediation as string, /\baws (iam|sts|cloudtrail) /, check.file);
    }
  });

  it('is enabled by default except user-mfa', () => {
    const off = checks.filter((c) => custom(c).enabled_by_default === false).map((c) => custom(c).id);
    assert.deepEqual(off, ['user-mfa']);
    for (const check of checks) assert.equal(typeof custom(check).enabled_by_default, 'boolean', check.file);
  });

  it('maps frameworks with known ids to string control ids (YAML must not turn 1.10 into 1.1)', () => {
    for (const check of checks) {
      const frameworks = custom(check).frameworks as Record<string, unknown>;
      for (const [framework, control] of Object.entries(frameworks)) {
        assert.ok(FRAMEWORKS.includes(framework), `${check.file}: unknown framework ${framework}`);
        assert.equal(typeof control, 'string', `${check.file}: ${framework}`);
      }
    }
    const byId = Object.fromEntries(checks.map((c) => [custom(c).id as string, custom(c).frameworks as Record<string, string>]));
    // Spot checks of field-research A.4, including the renumberings at v1.3, v5.0, v6.0 and v7.0.
    assert.equal(byId['console-user-mfa']!['cis-1.4'], '1.10');
    assert.equal(byId['console-user-mfa']!['cis-7.0'], '2.10');
    assert.equal(byId['access-key-rotation']!['cis-6.0'], '2.13');
    assert.equal(byId['access-key-rotation']!['cis-7.0'], '2.12');
    assert.equal(byId['root-access-key']!['cis-1.2'], '1.12');
    assert.equal(byId['root-recent-use']!['cis-5.0'], '1.6');
    assert.equal(byId['two-active-keys']!['cis-7.0'], undefined);
    assert.equal(byId['two-active-keys']!['cis-1.2'], undefined);
    assert.equal(byId['initial-access-key']!['cis-1.2'], '1.21');
    assert.equal(byId['initial-access-key']!['cis-7.0'], undefined);
    assert.equal(byId['root-mfa']!.securityhub, 'IAM.9');
  });

  it('declares the parameters it reads, with the defaults of policies/credcheck/lib', () => {
    const defaults: Record<string, number> = libraryDefaults();
    assert.deepEqual({ ...defaults }, { rootRecentUseDays: 90, unusedCredentialDays: 45, accessKeyRotationDays: 90, passwordRotationDays: 90, initialKeySetupSeconds: 10 });
    for (const check of checks) {
      const declared = (custom(check).parameters as { name: string; default: number }[]).map((p) => p.name).sort();
      const read = [...new Set([...check.source.matchAll(/lib\.param\("(\w+)"\)/g)].map((m) => m[1]!))].sort();
      assert.deepEqual(declared, read, check.file);
      for (const parameter of custom(check).parameters as { name: string; default: number }[]) {
        assert.equal(parameter.default, defaults[parameter.name], `${check.file}: ${parameter.name}`);
      }
    }
  });

  it('uses no time builtin, so results depend only on the input', () => {
    for (const check of checks) assert.doesNotMatch(check.source, /\btime\.\w+\(/, check.file);
    assert.doesNotMatch(readFileSync(join(REPO, 'policies/credcheck/lib/lib.rego'), 'utf8'), /\btime\.\w+\(/);
  });

  it('has a documentation page per check with its rule, parameters, remediation and mappings', () => {
    for (const check of checks) {
      const id = custom(check).id as string;
      const page = join(REPO, 'docs/checks', `${id}.md`);
      assert.ok(existsSync(page), `docs/checks/${id}.md is missing`);
      const text = readFileSync(page, 'utf8');
      for (const heading of ['## What it checks', '## Exact rule', '## Parameters', '## Remediation', '## Mappings']) {
        assert.ok(text.includes(heading), `${id}.md lacks ${heading}`);
      }
      assert.ok(text.includes(`\`${id}\``), `${id}.md does not name its id`);
      for (const control of Object.values(custom(check).frameworks as Record<string, string>)) assert.ok(text.includes(control), `${id}.md lacks ${control}`);
    }
  });
});
